"""Each kind of bad input is refused with a clear error naming the problem, before any
attack runs."""

import numpy as np
import pandas as pd
import pytest

from bastion.errors import InvalidInput
from bastion.robustness import (
    AssessmentInputError,
    LengthMismatchError,
    ModelPredictError,
    NonFiniteValuesError,
    UnknownColumnError,
    UnusableModelError,
    assess_robustness,
)
from tests.datasets import Split


class Broken:
    """Has predict(), which fails."""

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        raise RuntimeError("the scorer is offline")


class WrongLength:
    """Answers every batch with one label."""

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.zeros(1)


def test_errors_are_value_errors_and_platform_invalid_input() -> None:
    assert issubclass(ModelPredictError, UnusableModelError)
    assert issubclass(UnusableModelError, ValueError)
    assert issubclass(UnusableModelError, InvalidInput)  # answered as 422 by the API


def test_a_model_without_predict(german: Split) -> None:
    with pytest.raises(UnusableModelError, match=r"\(object\) has no predict\(\)"):
        assess_robustness(object(), german.X_test, german.y_test)


def test_a_model_whose_predict_raises_is_named(german: Split) -> None:
    with pytest.raises(ModelPredictError, match=r"the model \(Broken\) raised RuntimeError") as e:
        assess_robustness(Broken(), german.X_test, german.y_test)
    assert "the scorer is offline" in str(e.value)
    assert isinstance(e.value.__cause__, RuntimeError)
    with pytest.raises(ModelPredictError, match=r"\(WrongLength\) answered 300 row\(s\)"):
        assess_robustness(WrongLength(), german.X_test, german.y_test)


def test_length_mismatch_names_both_lengths(german: Split, tabular) -> None:
    with pytest.raises(LengthMismatchError, match="X has 300 rows but y has 299 values"):
        assess_robustness(tabular, german.X_test, german.y_test[:-1])


def test_no_numeric_feature_names_the_columns(german: Split, tabular) -> None:
    X = german.X_test[german.categorical]
    with pytest.raises(AssessmentInputError, match=r"no numeric column.*'status', 'credit_hist"):
        assess_robustness(tabular, X, german.y_test)


def test_features_must_be_numeric_columns_of_x(german: Split, tabular) -> None:
    with pytest.raises(UnknownColumnError, match=r"unknown column\(s\) \['income'\]"):
        assess_robustness(tabular, german.X_test, german.y_test, features=["age", "income"])
    with pytest.raises(AssessmentInputError, match=r"not numeric: 'status' \(str"):
        assess_robustness(tabular, german.X_test, german.y_test, features=["age", "status"])
    X = german.X_test.assign(flag=german.X_test["age"] > 30)
    with pytest.raises(AssessmentInputError, match=r"not numeric: 'flag' \(bool\)"):
        assess_robustness(tabular, X, german.y_test, features=["flag"])


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_numeric_features(german: Split, tabular, bad: float) -> None:
    X = german.X_test.astype({"age": float})
    X.loc[3, "age"] = bad
    with pytest.raises(NonFiniteValuesError, match=r"feature 'age' holds 1 NaN, infinite"):
        assess_robustness(tabular, X, german.y_test)


def test_missing_labels(german: Split, tabular) -> None:
    y = german.y_test.astype(float)
    y[0] = np.nan
    with pytest.raises(NonFiniteValuesError, match="y holds 1 NaN"):
        assess_robustness(tabular, german.X_test, y)


def test_a_constant_feature_is_left_out_or_refused(german: Split, tabular) -> None:
    X = german.X_test.assign(age=40)
    with pytest.raises(AssessmentInputError, match=r"constant on X \(\['age'\]\)"):
        assess_robustness(tabular, X, german.y_test, features=["age"])
    r = assess_robustness(tabular, X, german.y_test, attacks=())
    assert "age" not in r.features
    assert "age" in r.fixed_columns
    assert any("['age'] are constant on X" in n for n in r.notes)


def test_unknown_attack_lists_the_known_ones(german: Split, tabular) -> None:
    with pytest.raises(AssessmentInputError, match=r"\['fgsm'\]; the attacks are \['hopskip"):
        assess_robustness(tabular, german.X_test, german.y_test, attacks=["boundary", "fgsm"])
    with pytest.raises(AssessmentInputError, match="attacks repeat"):
        assess_robustness(tabular, german.X_test, german.y_test, attacks=["boundary"] * 2)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("max_samples", 0, "max_samples must be at least 1, got 0"),
        ("max_evals", 0, "max_evals must be at least 1"),
        ("max_iter", 2.5, "max_iter must be an integer"),
        ("noise_repeats", 0, "noise_repeats must be at least 1"),
        ("noise", 0, "noise must be positive and finite, got 0"),
        ("noise", -0.1, "noise must be positive"),
        ("epsilon", float("inf"), "epsilon must be positive and finite"),
        ("seed", -1, "seed must be at least 0"),
        ("time_budget", 0, "a time budget must be positive"),
    ],
)
def test_options_out_of_range(
    german: Split, tabular, option: str, value: object, message: str
) -> None:
    with pytest.raises(AssessmentInputError, match=message) as e:
        assess_robustness(tabular, german.X_test, german.y_test, **{option: value})
    assert e.value.field == option


def test_empty_rows(tabular) -> None:
    with pytest.raises(AssessmentInputError, match="X has no rows"):
        assess_robustness(tabular, pd.DataFrame({"age": []}), [])
