"""Each kind of bad input is refused with a clear error (a ValueError) naming the problem."""

import numpy as np
import pandas as pd
import pytest

from bastion.errors import InvalidInput
from bastion.fairness import (
    AssessmentInputError,
    LengthMismatchError,
    NonBinaryLabelsError,
    NonFiniteValuesError,
    SingleClassError,
    SingleGroupError,
    UnknownColumnError,
    assess_fairness,
    predictions_from_scores,
)

Y = np.array([0, 1, 0, 1, 1, 0])
P = np.array([0, 1, 1, 1, 0, 0])
S = np.array(["a", "a", "b", "b", "c", "c"])


def test_errors_are_value_errors_and_platform_invalid_input() -> None:
    assert issubclass(AssessmentInputError, ValueError)
    assert issubclass(AssessmentInputError, InvalidInput)  # answered as 422 by the API


def test_non_binary_labels_name_the_values() -> None:
    with pytest.raises(NonBinaryLabelsError, match=r"two label values.*3 \(0, 1, 2\)"):
        assess_fairness(np.array([0, 1, 2, 1, 0, 1]), P, sensitive_features=S)


def test_scores_given_as_predictions_point_at_thresholding() -> None:
    with pytest.raises(NonBinaryLabelsError, match="threshold them first"):
        assess_fairness(Y, np.linspace(0, 1, 6), sensitive_features=S)


def test_string_labels_need_a_positive_label() -> None:
    y = np.array(["no", "yes", "no", "yes", "yes", "no"])
    with pytest.raises(NonBinaryLabelsError, match="pass pos_label"):
        assess_fairness(y, y, sensitive_features=S)
    with pytest.raises(NonBinaryLabelsError, match="'maybe' is not one of"):
        assess_fairness(y, y, sensitive_features=S, pos_label="maybe")
    assert assess_fairness(y, y, sensitive_features=S, pos_label="yes").overall["accuracy"] == 1


def test_length_mismatch_names_both_lengths() -> None:
    with pytest.raises(LengthMismatchError, match="y_true has 6 values but y_pred has 5"):
        assess_fairness(Y, P[:5], sensitive_features=S)
    with pytest.raises(LengthMismatchError, match="sensitive feature 'sensitive_feature_0' has 4"):
        assess_fairness(Y, P, sensitive_features=S[:4])
    with pytest.raises(LengthMismatchError, match="sample_weight has 2 values"):
        assess_fairness(Y, P, sensitive_features=S, sample_weight=[1.0, 2.0])


def test_all_one_class_says_which_metrics_are_undefined() -> None:
    ones = np.ones(6, dtype=int)
    with pytest.raises(SingleClassError, match="false_positive_rate, true_negative_rate"):
        assess_fairness(ones, P, sensitive_features=S)
    with pytest.raises(SingleClassError, match="true_positive_rate, false_negative_rate"):
        assess_fairness(np.zeros(6, dtype=int), P, sensitive_features=S)


def test_all_one_class_can_be_computed_with_those_metrics_undefined() -> None:
    result = assess_fairness(
        np.ones(6, dtype=int), P, sensitive_features=S, allow_single_class=True
    )
    assert {"false_positive_rate", "true_negative_rate"} <= set(result.undefined_metrics)
    assert np.isnan(result.groups[0].metrics["false_positive_rate"])
    assert result.groups[0].metrics["true_positive_rate"] == 0.5
    assert any("undefined in every group" in n for n in result.notes)


def test_single_group_names_the_feature_and_value() -> None:
    with pytest.raises(SingleGroupError, match="'region' has a single group \\('north'\\)"):
        assess_fairness(Y, P, sensitive_features={"sex": S, "region": ["north"] * 6})


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_predictions_and_labels(bad: float) -> None:
    pred = P.astype(float)
    pred[2] = bad
    with pytest.raises(NonFiniteValuesError, match="y_pred holds 1 NaN, infinite or missing"):
        assess_fairness(Y, pred, sensitive_features=S)
    with pytest.raises(NonFiniteValuesError, match="y_true holds 1"):
        assess_fairness(pred, P, sensitive_features=S)


def test_missing_string_label_is_refused() -> None:
    y = np.array(["no", None, "no", "yes", "yes", "no"], dtype=object)
    with pytest.raises(NonFiniteValuesError, match="y_true holds 1"):
        assess_fairness(y, y, sensitive_features=S, pos_label="yes")


def test_non_finite_scores_and_regression_values() -> None:
    with pytest.raises(NonFiniteValuesError, match="y_score"):
        predictions_from_scores([0.2, np.nan, 0.9])
    assert predictions_from_scores([0.2, 0.5, 0.9]).tolist() == [0, 1, 1]
    with pytest.raises(NonFiniteValuesError, match="y_pred"):
        assess_fairness(
            Y.astype(float), [0.1, 0.2, np.inf, 0.3, 0.4, 0.5], sensitive_features=S,
            task="regression",
        )  # fmt: skip


def test_bad_weights() -> None:
    with pytest.raises(AssessmentInputError, match="negative"):
        assess_fairness(Y, P, sensitive_features=S, sample_weight=[1, 1, -1, 1, 1, 1])
    with pytest.raises(NonFiniteValuesError, match="sample_weight"):
        assess_fairness(Y, P, sensitive_features=S, sample_weight=[1, 1, np.nan, 1, 1, 1])


def test_unknown_column_names_the_column_and_lists_the_others() -> None:
    df = pd.DataFrame({"label": Y, "pred": P, "sex": S})
    with pytest.raises(
        UnknownColumnError, match=r"unknown column 'race'.*\['label', 'pred', 'sex'\]"
    ):
        assess_fairness("label", "pred", sensitive_features=["sex", "race"], data=df)
    with pytest.raises(UnknownColumnError, match="'prediction' given as y_pred"):
        assess_fairness("label", "prediction", sensitive_features="sex", data=df)
    with pytest.raises(UnknownColumnError, match="unknown feature"):
        assess_fairness(Y, P, sensitive_features=df[["sex"]], privileged_group={"race": "x"})


def test_unknown_group_and_bad_options() -> None:
    with pytest.raises(AssessmentInputError, match="matches no group"):
        assess_fairness(Y, P, sensitive_features=S, privileged_group="z")
    with pytest.raises(AssessmentInputError, match="tau must be in"):
        assess_fairness(Y, P, sensitive_features=S, tau=1.5)
    with pytest.raises(AssessmentInputError, match="task must be"):
        assess_fairness(Y, P, sensitive_features=S, task="ranking")  # type: ignore[arg-type]
    with pytest.raises(AssessmentInputError, match="clash with result fields"):
        assess_fairness(Y, P, sensitive_features={"count": S})
