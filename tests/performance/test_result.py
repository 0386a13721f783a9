"""What a reader gets: plain JSON for the evidence record, a per-group frame, a notebook
view, and a one-line summary."""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from bastion.performance import (
    CLASSIFICATION_METRICS,
    PerformanceResult,
    assess_performance,
)
from tests.performance.conftest import Scored


@pytest.fixture(scope="module")
def result(adult: Scored) -> PerformanceResult:
    return assess_performance(
        "label", y_score="score", data=adult.rows, sensitive_features=["sex", "race"]
    )


def test_to_dict_is_plain_json_with_plain_names(result: PerformanceResult) -> None:
    out = result.to_dict()
    again = json.loads(json.dumps(out, allow_nan=False))  # no NaN, no numpy types
    assert again == out
    assert out["schema_version"] == 1
    assert out["task"] == "classification"
    assert out["pos_label"] == 1
    assert out["count"] == 6000
    assert set(out["overall"]) == set(CLASSIFICATION_METRICS)
    assert set(out["confusion_matrix"]) == {"tn", "fp", "fn", "tp"}
    assert sum(out["confusion_matrix"].values()) == 6000
    group = out["groups"][0]
    assert {"sex": "Female", "race": "Amer-Indian-Eskimo", "count": 27, "small": True}.items() <= (
        group.items()
    )
    assert set(CLASSIFICATION_METRICS) <= set(group)
    assert out["verdict"] == result.verdict
    assert out["summary"] == result.summary
    assert out["checks"][0] == {
        "metric": "roc_auc",
        "method": None,
        "value": result.overall["roc_auc"],
        "warn_at": 0.75,
        "fail_at": 0.65,
        "higher_is_better": True,
        "outcome": "pass",
    }
    assert out["settings"]["thresholds"]["gap_metric"] == "balanced_accuracy"
    assert set(out["inputs"]) == {"data"}


def test_undefined_figures_are_null_in_json() -> None:
    y = np.array([0, 0, 1, 1, 1, 1])
    p = np.array([0, 0, 0, 1, 1, 1])
    s = np.array([0.1, 0.2, 0.4, 0.9, 0.8, 0.7])
    result = assess_performance(y, p, y_score=s, sensitive_features=["a", "a", "b", "b", "b", "b"])
    b = result.to_dict()["groups"][1]
    assert b["roc_auc"] is None
    assert b["balanced_accuracy"] is None
    assert b["recall"] == 0.75
    assert json.dumps(result.to_dict(), allow_nan=False)


def test_to_frame_has_a_row_per_group(result: PerformanceResult) -> None:
    frame = result.to_frame()
    assert frame.index.names == ["sex", "race"]
    assert len(frame) == len(result.groups) == 10
    assert list(frame.columns[:2]) == ["count", "small"]
    assert {*CLASSIFICATION_METRICS, "tn", "fp", "fn", "tp"} <= set(frame.columns)
    assert frame["count"].sum() == 6000
    row = frame.loc[("Male", "White")]
    male_white = next(g for g in result.groups if g.values == {"sex": "Male", "race": "White"})
    assert row["accuracy"] == male_white.metrics["accuracy"]
    assert result.by_group.equals(frame)


def test_one_feature_frames_are_indexed_by_its_values(adult: Scored) -> None:
    frame = assess_performance(
        adult.y_true,
        y_score=adult.y_score,
        sensitive_features=adult.rows["sex"],
        sample_weight=adult.weights,
    ).to_frame()
    assert list(frame.index) == ["Female", "Male"]
    assert frame.index.name == "sex"
    assert "weight" in frame.columns


def test_without_sensitive_features_there_are_no_groups(adult: Scored) -> None:
    result = assess_performance(adult.y_true, y_score=adult.y_score)
    assert result.groups == ()
    assert result.to_frame().empty
    assert "group gap check skipped: no sensitive_features given" in result.notes
    assert "across" not in result.summary


def test_summary_names_the_deciding_checks(result: PerformanceResult) -> None:
    assert result.verdict == "warn"
    assert result.summary.startswith("warn: balanced accuracy gap (between_groups) 0.0658")
    assert "across 10 groups of sex x race" in result.summary


def test_notebook_view_shows_verdict_checks_overall_and_groups(result: PerformanceResult) -> None:
    page = result._repr_html_()
    assert "Performance — <span style='color:#9a6700'>warn</span>" in page
    for part in ("Checks", "Overall", "Confusion matrix", "By group", "roc_auc", "Amer-Indian"):
        assert part in page


def test_notebook_view_escapes_group_values() -> None:
    groups = ["<script>", "<script>", "x", "x"]
    page = assess_performance([0, 1, 1, 0], [0, 1, 0, 0], sensitive_features=groups)._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_result_is_frozen_and_names_its_evidence_kind(result: PerformanceResult) -> None:
    assert PerformanceResult.evidence_kind == "assessment.performance"
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.verdict = "pass"  # type: ignore[misc]


def test_small_groups_are_flagged_and_kept(result: PerformanceResult) -> None:
    assert result.small_groups == (
        {"sex": "Female", "race": "Amer-Indian-Eskimo"},
        {"sex": "Female", "race": "Other"},
    )
    assert any("2 group(s) under 30 rows, flagged small" in n for n in result.notes)
    other = next(g for g in result.groups if g.values == {"sex": "Female", "race": "Other"})
    assert other.count == 18
    assert other.metrics["accuracy"] == 1.0


def test_missing_values_are_a_group_of_their_own() -> None:
    sex = pd.Series(["f", None, "m", "f", None, "m"], name="sex")
    result = assess_performance([0, 1, 1, 0, 1, 0], [0, 1, 0, 0, 1, 1], sensitive_features=sex)
    assert [g.values for g in result.groups] == [{"sex": "f"}, {"sex": "m"}, {"sex": None}]
    assert result.to_dict()["groups"][2]["sex"] is None


def test_inputs_given_by_the_caller_are_kept(adult: Scored) -> None:
    digest = "ab" * 32
    result = assess_performance(adult.y_true, y_score=adult.y_score, inputs={"data": digest})
    assert result.inputs == {"data": digest}


def test_regression_result_reads_the_same_ways() -> None:
    result = assess_performance(
        [1.0, 2.0, 3.0, 4.0],
        [1.5, 2.0, 2.5, 4.5],
        task="regression",
        sensitive_features=list("aabb"),
    )
    out = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert out["pos_label"] is None
    assert out["confusion_matrix"] is None
    assert "confusion_matrix" not in out["groups"][0]
    assert out["groups"][1]["mean_error"] == 0.0
    page = result._repr_html_()
    assert "Confusion matrix" not in page
    assert "mean_absolute_error" in page
    assert list(result.to_frame().columns[:3]) == ["count", "small", "mean_absolute_error"]
