"""Each kind of bad input is refused with a clear error (a ValueError and the platform's
InvalidInput) naming the problem — the same errors as fairness, from the shared inputs."""

import numpy as np
import pandas as pd
import pytest

from bastion.errors import InvalidInput
from bastion.performance import (
    AssessmentInputError,
    LengthMismatchError,
    NonBinaryLabelsError,
    NonFiniteValuesError,
    PerformanceThresholds,
    SingleClassError,
    UnknownColumnError,
    assess_performance,
)

Y = np.array([0, 1, 0, 1, 1, 0])
P = np.array([0, 1, 1, 1, 0, 0])
S = np.array([0.1, 0.8, 0.6, 0.9, 0.4, 0.2])
G = np.array(["a", "a", "b", "b", "c", "c"])


def test_errors_are_value_errors_and_platform_invalid_input() -> None:
    assert issubclass(AssessmentInputError, ValueError)
    assert issubclass(AssessmentInputError, InvalidInput)


def test_non_binary_labels_name_the_values() -> None:
    with pytest.raises(NonBinaryLabelsError, match=r"two label values.*3 \(0, 1, 2\)"):
        assess_performance(np.array([0, 1, 2, 1, 0, 1]), P)
    with pytest.raises(NonBinaryLabelsError, match=r"y_true holds 3 \(0, 1, 2\).*regression"):
        assess_performance(np.array([0, 1, 2, 1, 0, 1]), y_score=S)


def test_scores_given_as_predictions_point_at_y_score() -> None:
    with pytest.raises(NonBinaryLabelsError, match="threshold them first"):
        assess_performance(Y, S)


def test_string_labels_need_a_positive_label() -> None:
    y = np.array(["no", "yes", "no", "yes", "yes", "no"])
    with pytest.raises(NonBinaryLabelsError, match="pass pos_label"):
        assess_performance(y, y)
    with pytest.raises(NonBinaryLabelsError, match="pass pos_label"):
        assess_performance(y, y_score=S)
    assert assess_performance(y, y_score=S, pos_label="yes").overall["accuracy"] == 4 / 6


def test_length_mismatch_names_both_lengths() -> None:
    with pytest.raises(LengthMismatchError, match="y_true has 6 values but y_pred has 5"):
        assess_performance(Y, P[:5])
    with pytest.raises(LengthMismatchError, match="y_true has 6 values but y_score has 4"):
        assess_performance(Y, y_score=S[:4])
    with pytest.raises(LengthMismatchError, match="sample_weight has 2 values"):
        assess_performance(Y, P, sample_weight=[1.0, 2.0])
    with pytest.raises(LengthMismatchError, match="sensitive feature 'sensitive_feature_0' has 3"):
        assess_performance(Y, P, sensitive_features=G[:3])


def test_all_one_class_is_refused_naming_the_undefined_metrics() -> None:
    with pytest.raises(SingleClassError, match=r"only the positive class.*ROC AUC and balanced"):
        assess_performance(np.ones(6, dtype=int), y_score=S)
    with pytest.raises(SingleClassError, match=r"only the negative class.*recall and average"):
        assess_performance(np.zeros(6, dtype=int), P)


def test_all_one_class_can_be_computed_with_those_metrics_undefined() -> None:
    result = assess_performance(
        np.ones(6, dtype=int), y_score=S, sensitive_features=G, allow_single_class=True
    )
    assert result.overall["roc_auc"] is None
    assert result.overall["balanced_accuracy"] is None
    assert result.overall["average_precision"] == 1.0  # defined: there are positives
    assert result.overall["log_loss"] is not None
    assert all(g.metrics["roc_auc"] is None for g in result.groups)
    assert any(
        n.startswith("undefined (None) over all rows: balanced_accuracy") for n in result.notes
    )
    assert any("ROC AUC check skipped: y_true holds one class only" in n for n in result.notes)
    assert "roc_auc" not in {c.metric for c in result.checks}


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_scores_are_refused(bad: float) -> None:
    scores = S.copy()
    scores[2] = bad
    with pytest.raises(NonFiniteValuesError, match="y_score holds 1 NaN, infinite or missing"):
        assess_performance(Y, y_score=scores)


def test_missing_scores_in_a_nullable_column_are_refused() -> None:
    scores = pd.Series([0.1, None, 0.6, 0.9, 0.4, 0.2], dtype="Float64")
    with pytest.raises(NonFiniteValuesError, match="y_score holds 1"):
        assess_performance(Y, y_score=scores)


def test_scores_outside_zero_one_are_refused() -> None:
    with pytest.raises(AssessmentInputError, match=r"2 value\(s\) outside \[0, 1\].*-1\.5 to 2"):
        assess_performance(Y, y_score=[-1.5, 0.2, 0.3, 2.0, 0.5, 0.1])


def test_predict_proba_output_points_at_the_positive_column() -> None:
    with pytest.raises(AssessmentInputError, match=r"two columns.*predict_proba\(X\)\[:, 1\]"):
        assess_performance(Y, y_score=np.column_stack([1 - S, S]))


def test_non_numeric_scores_are_refused() -> None:
    with pytest.raises(AssessmentInputError, match="y_score must be numeric"):
        assess_performance(Y, y_score=list("abcdef"))


def test_unknown_column_names_the_columns_there_are() -> None:
    data = pd.DataFrame({"label": Y, "score": S, "sex": G})
    with pytest.raises(UnknownColumnError, match=r"unknown column 'scores' given as y_score"):
        assess_performance("label", y_score="scores", data=data)
    with pytest.raises(UnknownColumnError, match=r"'race' given as sensitive_features.*'sex'"):
        assess_performance("label", y_score="score", data=data, sensitive_features=["race"])
    with pytest.raises(AssessmentInputError, match="no data frame was given"):
        assess_performance("label", y_score=S)


def test_neither_predictions_nor_scores() -> None:
    with pytest.raises(AssessmentInputError, match=r"give y_pred .* y_score .* or both"):
        assess_performance(Y)


def test_a_single_group_is_reported_not_refused() -> None:
    """Unlike fairness, which compares groups and refuses a one-valued feature."""
    result = assess_performance(Y, P, y_score=S, sensitive_features={"region": ["north"] * 6})
    assert len(result.groups) == 1
    assert result.groups[0].values == {"region": "north"}
    assert result.groups[0].metrics == result.overall
    assert any("single group ({'region': 'north'})" in n for n in result.notes)


def test_negative_weights_are_refused() -> None:
    with pytest.raises(AssessmentInputError, match="sample_weight holds negative values"):
        assess_performance(Y, P, sample_weight=[1.0, -1.0, 1.0, 1.0, 1.0, 1.0])


def test_a_group_whose_weights_sum_to_zero_has_no_figures() -> None:
    result = assess_performance(
        Y, P, y_score=S, sensitive_features=G, sample_weight=[0.0, 0.0, 1, 1, 1, 1]
    )
    a = result.groups[0]
    assert a.weight == 0.0
    assert all(v is None for v in a.metrics.values())
    assert any("where the rows' sample weights sum to zero" in n for n in result.notes)


def test_sensitive_names_may_not_clash_with_figures() -> None:
    with pytest.raises(AssessmentInputError, match=r"\['accuracy'\] clash with result fields"):
        assess_performance(Y, P, sensitive_features={"accuracy": G})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"task": "ranking"}, "task must be 'classification' or 'regression'"),
        ({"threshold": 1.5}, r"threshold must be in \[0, 1\]"),
        ({"n_bins": 0}, "n_bins must be a positive integer"),
        ({"min_group_size": -1}, "min_group_size must be >= 0"),
        ({"thresholds": PerformanceThresholds(gap_metric="log_loss")}, "gap_metric must be"),  # type: ignore[arg-type]
    ],
)
def test_bad_options_are_refused(options: dict, message: str) -> None:
    with pytest.raises(AssessmentInputError, match=message):
        assess_performance(Y, P, **options)


def test_regression_refuses_scores_and_needs_numbers() -> None:
    with pytest.raises(AssessmentInputError, match="y_score is for classification"):
        assess_performance([1.0, 2.0], y_score=[0.1, 0.2], task="regression")
    with pytest.raises(AssessmentInputError, match="regression' needs y_pred"):
        assess_performance([1.0, 2.0], task="regression")
    with pytest.raises(AssessmentInputError, match="must be numeric for task='regression'"):
        assess_performance(["a", "b"], [1.0, 2.0], task="regression")
    with pytest.raises(NonFiniteValuesError, match="y_pred holds 1"):
        assess_performance([1.0, 2.0], [np.nan, 2.0], task="regression")


def test_empty_input_is_refused() -> None:
    with pytest.raises(AssessmentInputError, match="empty"):
        assess_performance([], [])
    with pytest.raises(AssessmentInputError, match="y_true is empty"):
        assess_performance([], y_score=[])
