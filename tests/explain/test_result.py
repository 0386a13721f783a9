"""What a user reads from a result: the checks and verdict, the JSON form, the frame,
the notebook view, the digests of the inputs; other kinds of input."""

import dataclasses
import json
import math

import numpy as np
import pyarrow as pa
import pytest
from sklearn.pipeline import Pipeline

from bastion.assessment.model import LoadedModel
from bastion.explain import ExplainThresholds, ExplanationResult, explain_model
from tests.datasets import Split


@pytest.fixture(scope="module")
def result(german: Split, german_forest: Pipeline) -> ExplanationResult:
    return explain_model(
        german_forest, german.X_test, y=german.y_test, max_rows=30, protected=["age"]
    )


def test_to_dict_is_plain_json_with_a_schema_version(result: ExplanationResult) -> None:
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["schema_version"] == 1
    assert ExplanationResult.evidence_kind == "assessment.explainability"
    assert data["verdict"] == result.verdict
    assert data["summary"] == result.summary
    assert [i["feature"] for i in data["importance"]] == list(result.top_features[:9])
    assert len(data["rows"]) == 30
    row = data["rows"][0]
    assert set(row) == {"index", "output", "base_value", "contributions"}
    assert math.isclose(row["base_value"] + sum(row["contributions"].values()), row["output"])
    assert data["settings"]["thresholds"]["protected_share_fail"] == 0.15
    assert set(data["inputs"]) == {"data", "model"}


def test_the_frame_is_the_global_importance_table(result: ExplanationResult) -> None:
    frame = result.to_frame()
    assert frame.index.name == "feature"
    assert len(frame) == 9
    assert list(frame.columns) == [
        "mean_abs_shap", "share", "rank", "permutation_mean", "permutation_std", "protected",
    ]  # fmt: skip
    assert frame.loc["age", "protected"]
    assert frame["protected"].sum() == 1
    np.testing.assert_allclose(
        frame["mean_abs_shap"].sort_index(),
        result.contributions().abs().mean().sort_index(),
        rtol=1e-12,
    )


def test_a_protected_feature_among_the_top_k_warns_or_fails_by_its_share(
    result: ExplanationResult, german: Split, german_forest: Pipeline
) -> None:
    check = next(c for c in result.checks if c.metric == "protected_feature_share")
    share = result.to_frame().loc["age", "share"]
    assert check.method == "age"
    assert check.value == share
    strict = explain_model(
        german_forest,
        german.X_test,
        max_rows=30,
        protected=["age"],
        thresholds=ExplainThresholds(
            protected_share_warn=share / 4, protected_share_fail=share / 2
        ),
    )
    assert strict.verdict == "fail"
    assert strict.summary.startswith("fail: protected feature share (age)")
    # Outside the top-k the same share passes: age is not among the main drivers.
    rank = int(result.to_frame().loc["age", "rank"])
    outside = explain_model(
        german_forest,
        german.X_test,
        max_rows=30,
        protected=["age"],
        top_k=rank - 1,
        thresholds=ExplainThresholds(
            protected_share_warn=share / 4, protected_share_fail=share / 2
        ),
    )
    assert {c.metric: c.outcome for c in outside.checks}["protected_feature_share"] == "pass"


def test_without_protected_features_a_note_says_the_check_did_not_run(
    german: Split, german_forest: Pipeline
) -> None:
    r = explain_model(german_forest, german.X_test, max_rows=10)
    assert [c.metric for c in r.checks] == ["additivity_error"]
    assert r.verdict == "pass"
    assert any("no protected features were named" in n for n in r.notes)


def test_an_unfaithful_explanation_warns(german: Split, german_forest: Pipeline) -> None:
    r = explain_model(
        german_forest,
        german.X_test,
        max_rows=10,
        thresholds=ExplainThresholds(additivity_tolerance=0.0),
    )
    # Floating-point round-off is above a zero tolerance (or exactly zero, and passes).
    expected = "warn" if r.additivity_error > 0 else "pass"
    assert {c.metric: c.outcome for c in r.checks}["additivity_error"] == expected


def test_notebook_view_shows_verdict_summary_and_table(result: ExplanationResult) -> None:
    page = result._repr_html_()
    assert result.verdict in page
    assert "Global importance" in page
    assert "status" in page


def test_a_loaded_model_is_explained_and_its_file_digest_recorded(
    german: Split, german_forest: Pipeline
) -> None:
    loaded = LoadedModel(native=german_forest, sha256="ab" * 32, format="skops", source="m.skops")
    r = explain_model(loaded, german.X_test, max_rows=5)
    assert r.inputs["model"] == "ab" * 32
    assert r.explainer == "tree"


def test_given_digests_are_kept_and_arrow_input_is_accepted(
    german: Split, german_forest: Pipeline
) -> None:
    table = pa.Table.from_pandas(german.X_test, preserve_index=False)
    r = explain_model(german_forest, table, max_rows=5, inputs={"data": "cd" * 32})
    assert r.inputs["data"] == "cd" * 32
    assert len(r.inputs["model"]) == 64
    same = explain_model(german_forest, german.X_test, max_rows=5)
    np.testing.assert_array_equal(r.values, same.values)


def test_results_are_frozen(result: ExplanationResult) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.verdict = "pass"  # type: ignore[misc]
