"""The two entry points agree, results are reproducible from their seed, and a result
reads as evidence: plain JSON, digests of its inputs, a summary and a notebook view."""

import json
import re
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from bastion.assessment.model import LoadedModel
from bastion.privacy_attacks import (
    MembershipResult,
    assess_membership_from_predictions,
    assess_membership_inference,
)
from tests.datasets import adult_frame

from .conftest import MAX_SAMPLES, Predictions, Trained

SHA256 = re.compile(r"^[0-9a-f]{64}$")


def without_inputs(result: MembershipResult) -> dict[str, Any]:
    out = result.to_dict()
    for key in ("inputs", "mode", "notes"):
        out.pop(key)
    return out


def test_predictions_only_equals_model_mode(adult_forest: Trained) -> None:
    s, model = adult_forest.split, adult_forest.model
    # 4,000 training rows keep the predict_proba calls below quick.
    X_train, y_train = s.X_train.iloc[:4000], s.y_train[:4000]
    by_model = assess_membership_inference(
        model, X_train, y_train, s.X_test, s.y_test, max_samples=MAX_SAMPLES, seed=3
    )
    by_predictions = assess_membership_from_predictions(
        np.concatenate([y_train, s.y_test]),
        np.vstack([model.predict_proba(X_train), model.predict_proba(s.X_test)]),
        np.r_[np.ones(len(y_train), bool), np.zeros(len(s.y_test), bool)],
        max_samples=MAX_SAMPLES,
        seed=3,
    )
    assert (by_model.mode, by_predictions.mode) == ("model", "predictions")
    assert without_inputs(by_model) == without_inputs(by_predictions)
    for a, b in zip(by_model.attacks, by_predictions.attacks, strict=True):
        assert np.array_equal(a.scores, b.scores)


def test_positive_class_score_equals_two_column_matrix(german_predictions: Predictions) -> None:
    p = german_predictions
    matrix = assess_membership_from_predictions(p.y_true, p.proba, p.member)
    score = assess_membership_from_predictions(p.y_true, p.proba[:, 1], p.member)
    as_frame = assess_membership_from_predictions(
        pd.Series(p.y_true), pd.DataFrame(p.proba), pd.Series(p.member.astype(int))
    )
    assert without_inputs(matrix) == without_inputs(score) == without_inputs(as_frame)


@pytest.mark.parametrize("attack_model", ["rf", "gb", "nn"])
def test_same_seed_same_result(german_predictions: Predictions, attack_model: str) -> None:
    p = german_predictions

    def run(seed: int) -> dict[str, Any]:
        return assess_membership_from_predictions(
            p.y_true, p.proba, p.member, attack_model=attack_model, seed=seed
        ).to_dict()

    first = run(7)
    assert run(7) == first
    assert run(8) != first


def test_same_seed_same_result_from_the_model(adult_forest: Trained) -> None:
    s, model = adult_forest.split, adult_forest.model
    runs = [
        assess_membership_inference(model, s.X_train, s.y_train, s.X_test, s.y_test, seed=1,
                                    max_samples=500).to_dict()
        for _ in range(2)
    ]  # fmt: skip
    assert runs[0] == runs[1]


def test_to_dict_is_plain_json(forest_result: MembershipResult) -> None:
    out = forest_result.to_dict()
    assert json.loads(json.dumps(out, allow_nan=False)) == out
    assert out["schema_version"] == 1
    assert out["mode"] == "model"
    assert [a["name"] for a in out["attacks"]] == ["rule_based", "black_box"]
    assert set(out["attacks"][1]) >= {
        "accuracy", "precision", "recall", "auc", "advantage",
        "tpr_at_0_1pct_fpr", "tpr_at_1pct_fpr", "tpr_at_10pct_fpr", "risk_level",
    }  # fmt: skip
    assert "scores" not in out["attacks"][0]
    assert out["settings"] == {
        "attacks": ["rule_based", "black_box"],
        "attack_model": "rf",
        "attack_train_fraction": 0.5,
        "max_samples": MAX_SAMPLES,
        "seed": 0,
        "thresholds": {
            "auc_warn": 0.6,
            "auc_fail": 0.7,
            "tpr_at_1pct_fpr_warn": 0.05,
            "tpr_at_1pct_fpr_fail": 0.1,
        },
        "low_fpr_targets": [0.001, 0.01, 0.1],
    }
    assert out["n_sampled"] == MAX_SAMPLES
    assert out["n_eval"] == MAX_SAMPLES // 2
    assert out["members_available"] == 26561
    assert out["nonmembers_available"] == 6000
    assert out["summary"] == forest_result.summary
    assert MembershipResult.evidence_kind == "assessment.privacy_attack"


def test_inputs_are_digests_of_the_data_and_model(forest_result: MembershipResult) -> None:
    assert set(forest_result.inputs) == {"data", "model"}
    assert all(SHA256.match(v) for v in forest_result.inputs.values())


def test_predictions_only_records_no_model_digest(german_predictions: Predictions) -> None:
    p = german_predictions
    result = assess_membership_from_predictions(p.y_true, p.proba, p.member)
    assert set(result.inputs) == {"data"}
    assert any("no model digest" in n for n in result.notes)
    given = assess_membership_from_predictions(
        p.y_true, p.proba, p.member, inputs={"data": "a" * 64}
    )
    assert given.inputs == {"data": "a" * 64}


def test_loaded_model_gives_its_file_digest(german_forest: Trained) -> None:
    s = german_forest.split
    loaded = LoadedModel(german_forest.model, "b" * 64, "skops", "forest.skops")
    result = assess_membership_inference(loaded, s.X_train, s.y_train, s.X_test, s.y_test)
    assert result.inputs["model"] == "b" * 64


def test_notes_say_what_was_sampled(forest_result: MembershipResult) -> None:
    text = " ".join(forest_result.notes)
    assert "Sampled 2000 of 26561 members and 2000 of 6000 non-members" in text
    assert "no proof of privacy" in text


def test_small_evaluation_sets_say_the_low_fpr_figure_is_coarse(
    german_predictions: Predictions,
) -> None:
    p = german_predictions
    result = assess_membership_from_predictions(p.y_true, p.proba, p.member)
    assert result.n_eval == 150  # 300 held-out rows: 150 a side to evaluate
    assert any("TPR at 0.1% FPR is the TPR at zero false positives" in n for n in result.notes)


def test_summary_and_notebook_view(forest_result: MembershipResult) -> None:
    assert forest_result.summary.startswith(f"{forest_result.verdict}: membership inference")
    assert "1000 members vs 1000 non-members" in forest_result.summary
    page = forest_result._repr_html_()
    assert "Membership inference" in page
    assert "black_box" in page
    frame = forest_result.to_frame()
    assert list(frame.index) == ["rule_based", "black_box"]
    assert frame.loc["black_box", "auc"] == forest_result.attack("black_box").auc
    with pytest.raises(KeyError, match="no attack 'shadow'"):
        forest_result.attack("shadow")


def test_progress_is_reported_per_attack(german_predictions: Predictions) -> None:
    p = german_predictions
    calls: list[tuple[int, int]] = []
    assess_membership_from_predictions(
        p.y_true, p.proba, p.member, progress=lambda done, total: calls.append((done, total))
    )
    assert calls == [(1, 2), (2, 2)]


def test_multiclass_string_labels() -> None:
    # Marital status (7 string labels) from the numeric Adult columns, on numpy input.
    frame = adult_frame().iloc[:6000]
    X = frame[["age", "education_num", "hours_per_week", "capital_gain"]].to_numpy(float)
    y = frame["marital_status"].to_numpy()
    model = make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=30, random_state=0))
    model.fit(X[:4000], y[:4000])
    result = assess_membership_inference(model, X[:4000], y[:4000], X[4000:], y[4000:])
    assert result.n_classes == len(model.classes_) == 7
    assert result.member_accuracy > result.nonmember_accuracy
    proba = model.predict_proba(X)
    member = np.r_[np.ones(4000, bool), np.zeros(2000, bool)]
    by_predictions = assess_membership_from_predictions(y, proba, member, classes=model.classes_)
    assert without_inputs(by_predictions) == without_inputs(result)
    # Without classes, the sorted labels are scikit-learn's order of the columns too.
    assert without_inputs(assess_membership_from_predictions(y, proba, member)) == (
        without_inputs(result)
    )
