"""The suite runner: a spec and a table in, the same result as calling the assessment
directly; bad specs refused with the field named."""

from typing import Any

import numpy as np
import pandas as pd
import pytest

from bastion.assessment.errors import AssessmentInputError, UnknownColumnError
from bastion.fairness import assess_fairness
from bastion.performance import assess_performance
from bastion.suite import AssessmentSpec
from bastion.suite.runner import run
from tests.datasets import german_split, tabular_model


@pytest.fixture(scope="module")
def scored() -> tuple[pd.DataFrame, Any]:
    """German Credit test rows with a model's predictions and scores as columns."""
    split = german_split()
    model = tabular_model(split)
    rows = split.test_rows.copy()
    rows["pred"] = model.predict(split.X_test)
    rows["score"] = model.predict_proba(split.X_test)[:, 1]
    return rows, model


def test_fairness_from_a_predictions_file_equals_the_direct_call(scored: Any) -> None:
    rows, _ = scored
    spec = AssessmentSpec(kind="fairness", label="good", prediction="pred", sensitive=["sex"])
    direct = assess_fairness(rows["good"], rows["pred"], sensitive_features=rows[["sex"]])
    assert run(spec, rows).to_dict() == direct.to_dict()


def test_performance_with_a_model_uses_its_fitted_columns_and_scores(scored: Any) -> None:
    rows, model = scored
    spec = AssessmentSpec(kind="performance", label="good", sensitive=["age_group"])
    result = run(spec, rows, model=model, inputs={"data": "ab" * 32})
    direct = assess_performance(
        rows["good"], rows["pred"], y_score=rows["score"], sensitive_features=rows[["age_group"]]
    )
    assert result.overall == direct.overall
    assert result.inputs["data"] == "ab" * 32


def test_scores_alone_are_cut_at_the_threshold(scored: Any) -> None:
    rows, _ = scored
    spec = AssessmentSpec(
        kind="fairness", label="good", score="score", sensitive=["sex"], threshold=0.7
    )
    cut = (rows["score"] >= 0.7).astype(np.int64)
    direct = assess_fairness(rows["good"], cut, sensitive_features=rows[["sex"]])
    assert run(spec, rows).to_dict() == direct.to_dict()


def test_options_and_thresholds_reach_the_assessment(scored: Any) -> None:
    rows, _ = scored
    spec = AssessmentSpec(
        kind="fairness", label="good", prediction="pred", sensitive=["sex"],
        options={"min_group_size": 500}, thresholds={"demographic_parity_ratio_fail": 0.99},
    )  # fmt: skip
    result = run(spec, rows)
    assert result.min_group_size == 500
    assert result.verdict == "fail"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "fairness", "prediction": "pred", "sensitive": ["sex"]}, "label", "label"),
        ({"kind": "fairness", "label": "good", "prediction": "pred"}, "sensitive", "sensitive"),
        ({"kind": "performance", "label": "good"}, "prediction", "model"),
        (
            {"kind": "fairness", "label": "good", "prediction": "pred", "sensitive": ["sex"],
             "options": {"verbose": True}},
            "options", "verbose",
        ),
        (
            {"kind": "fairness", "label": "good", "prediction": "pred", "sensitive": ["sex"],
             "options": {"y_true": [1]}},
            "options", "y_true",
        ),
        (
            {"kind": "fairness", "label": "good", "prediction": "pred", "sensitive": ["sex"],
             "thresholds": {"strictness": 1}},
            "thresholds", "strictness",
        ),
    ],
)  # fmt: skip
def test_bad_specs_name_the_field(
    scored: Any, fields: dict[str, Any], field: str, message: str
) -> None:
    rows, _ = scored
    with pytest.raises(AssessmentInputError, match=message) as caught:
        run(AssessmentSpec.model_validate(fields), rows)
    assert caught.value.field == field


def test_unknown_columns_are_named(scored: Any) -> None:
    rows, model = scored
    spec = AssessmentSpec(kind="fairness", label="good", prediction="pred", sensitive=["gender"])
    with pytest.raises(UnknownColumnError, match="gender"):
        run(spec, rows)
    with pytest.raises(UnknownColumnError, match="income"):
        run(
            AssessmentSpec(kind="performance", label="good", features=["income"]), rows, model=model
        )


def test_a_positive_label_the_model_does_not_know_is_refused(scored: Any) -> None:
    rows, model = scored
    spec = AssessmentSpec(kind="performance", label="good", pos_label="approved")
    with pytest.raises(AssessmentInputError, match="approved"):
        run(spec, rows, model=model)


def test_robustness_runs_on_the_model_input_columns(scored: Any) -> None:
    rows, model = scored
    spec = AssessmentSpec(
        kind="robustness", label="good",
        options={"max_samples": 3, "max_iter": 3, "max_evals": 200, "attacks": ["boundary"]},
    )  # fmt: skip
    result = run(spec, rows, model=model, inputs={"model": "ab" * 32})
    assert result.evidence_kind == "assessment.robustness"
    assert result.inputs["model"] == "ab" * 32
    with pytest.raises(AssessmentInputError, match="needs the model"):
        run(spec, rows)


def test_privacy_from_a_table_of_members_equals_the_direct_call(scored: Any) -> None:
    from bastion.privacy_attacks import assess_membership_from_predictions

    rows, model = scored
    split = german_split()
    train = split.X_train.assign(good=split.y_train)
    table = pd.concat(
        [
            train.assign(score=model.predict_proba(split.X_train)[:, 1], member=True),
            rows[[*train.columns, "score"]].assign(member=False),
        ],
        ignore_index=True,
    )
    spec = AssessmentSpec(kind="privacy_attack", label="good", score="score", member="member")
    direct = assess_membership_from_predictions(table["good"], table["score"], table["member"])
    assert run(spec, table).to_dict() == direct.to_dict()
    with_model = run(
        AssessmentSpec(kind="privacy_attack", label="good"), rows, model=model, train=train
    )
    assert with_model.evidence_kind == "assessment.privacy_attack"
    with pytest.raises(AssessmentInputError, match="training rows") as caught:
        run(AssessmentSpec(kind="privacy_attack", label="good"), rows, model=model)
    assert caught.value.field == "train"
