"""Each kind of bad input is refused with a clear error (a ValueError) naming the problem."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

from bastion.errors import InvalidInput
from bastion.explain import (
    AssessmentInputError,
    LengthMismatchError,
    NonFiniteValuesError,
    UnknownColumnError,
    UnusableModelError,
    explain_model,
)
from tests.datasets import Split

from .conftest import FEW_EVALS


def test_errors_are_value_errors_and_platform_invalid_input() -> None:
    assert issubclass(AssessmentInputError, ValueError)
    assert issubclass(UnusableModelError, InvalidInput)  # answered as 422 by the API


def test_a_model_without_predict_proba_is_refused(german: Split) -> None:
    X = german.X_train[german.numeric]
    for model in (
        LinearSVC().fit(X, german.y_train),
        LinearRegression().fit(X, german.y_train),
    ):
        with pytest.raises(UnusableModelError, match=r"has no predict_proba\(\)"):
            explain_model(model, german.X_test[german.numeric])


def test_a_multiclass_model_is_refused(german: Split) -> None:
    X = german.X_train[german.numeric]
    y = np.arange(len(X)) % 3
    model = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    with pytest.raises(UnusableModelError, match="binary classifier; predict_proba gives 3"):
        explain_model(model, german.X_test[german.numeric])


def test_a_column_the_model_was_not_trained_on_is_named(
    german: Split, german_logistic: Pipeline
) -> None:
    X = german.X_test.assign(favourite_colour="blue")
    with pytest.raises(AssessmentInputError, match=r"not trained on: \['favourite_colour'\]"):
        explain_model(german_logistic, X)


def test_a_missing_column_is_named_with_the_models_own_error(
    german: Split, german_logistic: Pipeline
) -> None:
    X = german.X_test.drop(columns=["savings"])
    with pytest.raises(AssessmentInputError, match=r"lacks column\(s\).*\['savings'\]") as info:
        explain_model(german_logistic, X)
    assert "the model says: columns are missing" in str(info.value)
    assert isinstance(info.value.__cause__, ValueError)


def test_a_numpy_array_of_the_wrong_width_is_refused(german: Split) -> None:
    X = german.X_train[german.numeric].to_numpy()
    model = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, german.y_train)
    with pytest.raises(AssessmentInputError, match="trained on 4 features but X has 3 columns"):
        explain_model(model, X[:, :3])


def test_empty_data_is_refused(german: Split, german_logistic: Pipeline) -> None:
    with pytest.raises(AssessmentInputError, match=r"X is empty \(0 rows"):
        explain_model(german_logistic, german.X_test.head(0))


def test_an_unknown_protected_name_is_refused(german: Split, german_logistic: Pipeline) -> None:
    with pytest.raises(UnknownColumnError, match=r"\['sex'\] given as protected"):
        explain_model(german_logistic, german.X_test, protected=["age", "sex"])


def test_missing_values_the_model_cannot_take_are_named(
    german: Split, german_logistic: Pipeline
) -> None:
    X = german.X_test.copy()
    X.loc[[3, 8], "credit_amount"] = np.nan
    with pytest.raises(NonFiniteValuesError, match=r"missing values \(credit_amount: 2\)"):
        explain_model(german_logistic, X)


def test_labels_of_the_wrong_length_or_with_gaps_are_refused(
    german: Split, german_forest: Pipeline
) -> None:
    with pytest.raises(LengthMismatchError, match="y has 10 values but X has 300 rows"):
        explain_model(german_forest, german.X_test, y=german.y_test[:10])
    y = german.y_test.astype(float)
    y[0] = np.nan
    with pytest.raises(NonFiniteValuesError, match="y holds 1 NaN"):
        explain_model(german_forest, german.X_test, y=y)


@pytest.mark.parametrize(
    "name", ["max_rows", "top_k", "permutation_repeats", "max_evals", "background"]
)
def test_counts_below_one_are_refused(german: Split, german_forest: Pipeline, name: str) -> None:
    with pytest.raises(AssessmentInputError, match=f"{name} must be a whole number of at least 1"):
        explain_model(german_forest, german.X_test, **{name: 0})


def test_a_permutation_budget_below_one_pass_is_refused(
    german: Split, german_logistic: Pipeline
) -> None:
    with pytest.raises(AssessmentInputError, match=r"at least 2 x features \+ 1 = 19"):
        explain_model(german_logistic, german.X_test, max_evals=10)


def test_unknown_or_impossible_methods_are_refused(
    german: Split, german_logistic: Pipeline, german_forest: Pipeline
) -> None:
    with pytest.raises(AssessmentInputError, match="method must be one of"):
        explain_model(german_forest, german.X_test, method="lime")  # type: ignore[arg-type]
    with pytest.raises(
        UnusableModelError, match=r"method='tree' cannot be used.*LogisticRegression"
    ):
        explain_model(german_logistic, german.X_test, method="tree")


def test_a_non_positive_time_budget_is_refused(german: Split, german_forest: Pipeline) -> None:
    with pytest.raises(AssessmentInputError, match="time budget must be positive"):
        explain_model(german_forest, german.X_test, time_budget=0)


def test_a_background_larger_than_the_data_is_clipped_with_a_note(
    german: Split, german_logistic: Pipeline
) -> None:
    X = german.X_test.head(12)
    result = explain_model(german_logistic, X, background=100, max_rows=2, max_evals=FEW_EVALS)
    assert result.background_rows == 12
    assert any("background of 100 rows asked for but X has 12 rows" in n for n in result.notes)
