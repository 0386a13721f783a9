"""Each input a membership-inference assessment cannot use is refused with one error that
names the problem, before any attack runs."""

from typing import Any

import numpy as np
import pytest
from sklearn.svm import LinearSVC

from bastion.errors import InvalidInput
from bastion.privacy_attacks import (
    AssessmentInputError,
    LengthMismatchError,
    NonFiniteValuesError,
    PrivacyThresholds,
    UnusableModelError,
    assess_membership_from_predictions,
    assess_membership_inference,
)

from .conftest import Predictions, Trained


def model_mode(trained: Trained, **changes: Any) -> None:
    s = trained.split
    args: dict[str, Any] = {
        "model": trained.model,
        "X_train": s.X_train,
        "y_train": s.y_train,
        "X_test": s.X_test,
        "y_test": s.y_test,
    }
    options = {k: changes.pop(k) for k in list(changes) if k not in args}
    args.update(changes)
    assess_membership_inference(**args, **options)


def predictions_mode(p: Predictions, **changes: Any) -> None:
    args: dict[str, Any] = {"y_true": p.y_true, "proba": p.proba, "member": p.member}
    options = {k: changes.pop(k) for k in list(changes) if k not in args}
    args.update(changes)
    assess_membership_from_predictions(**args, **options)


def test_errors_are_invalid_input_and_value_errors() -> None:
    assert issubclass(AssessmentInputError, InvalidInput)
    assert issubclass(AssessmentInputError, ValueError)
    assert InvalidInput("x").status == 422


def test_model_without_predict_proba(german_forest: Trained) -> None:
    s = german_forest.split
    svm = LinearSVC().fit(s.X_train[s.numeric], s.y_train)
    with pytest.raises(UnusableModelError, match=r"LinearSVC\) has no predict_proba\(\)"):
        assess_membership_inference(
            svm, s.X_train[s.numeric], s.y_train, s.X_test[s.numeric], s.y_test
        )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"y_train": np.zeros(5)}, "X_train has 700 rows but y_train has 5 labels"),
        ({"y_test": np.zeros(299)}, "X_test has 300 rows but y_test has 299 labels"),
    ],
)
def test_rows_and_labels_differ_in_length(
    german_forest: Trained, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(LengthMismatchError, match=message):
        model_mode(german_forest, **changes)


def test_too_few_rows(german_forest: Trained) -> None:
    s = german_forest.split
    with pytest.raises(AssessmentInputError, match=r"at least 20 members .* got 19 members"):
        model_mode(german_forest, X_train=s.X_train.iloc[:19], y_train=s.y_train[:19])
    with pytest.raises(AssessmentInputError, match=r"and 3 non-members"):
        model_mode(german_forest, X_test=s.X_test.iloc[:3], y_test=s.y_test[:3])


def test_too_few_predictions(german_predictions: Predictions) -> None:
    p = german_predictions
    member = np.zeros(len(p.member), bool)
    member[:10] = True
    with pytest.raises(AssessmentInputError, match=r"at least 20 members .* got 10 members"):
        predictions_mode(p, member=member)


def test_labels_the_model_never_saw(german_forest: Trained) -> None:
    y_test = german_forest.split.y_test.copy()
    y_test[:2] = 7
    with pytest.raises(
        AssessmentInputError,
        match=r"y_test holds label\(s\) \[7\] that the model has never seen: "
        r"its classes are \[0, 1\]",
    ):
        model_mode(german_forest, y_test=y_test)
    labels = np.where(german_forest.split.y_train == 1, "good", "bad")
    with pytest.raises(AssessmentInputError, match=r"y_train holds label\(s\) \['bad', 'good'\]"):
        model_mode(german_forest, y_train=labels)


def test_labels_with_no_probability_column(german_predictions: Predictions) -> None:
    p = german_predictions
    y = p.y_true.copy()
    y[0] = 5
    with pytest.raises(AssessmentInputError, match=r"cannot tell which of the 2 probability"):
        predictions_mode(p, y_true=y)
    with pytest.raises(AssessmentInputError, match=r"y_true holds label\(s\) \[5\] with no"):
        predictions_mode(p, y_true=y, classes=[0, 1])
    with pytest.raises(AssessmentInputError, match=r"classes must name each of the 2"):
        predictions_mode(p, classes=[0, 1, 2])


@pytest.mark.parametrize(
    ("proba", "error", "message"),
    [
        (lambda p: p * 0.9, AssessmentInputError, r"row\(s\) do not sum to 1"),
        (lambda p: p * 2 - 0.5, AssessmentInputError, r"outside \[0, 1\]"),
        (lambda p: p[:, 1] + 0.5, AssessmentInputError, r"outside \[0, 1\]"),
        (lambda p: np.where(p > 0.99, np.nan, p), NonFiniteValuesError, "NaN or infinite"),
        (lambda p: p.astype(str), AssessmentInputError, "must be numeric"),
        (lambda p: p[:, :, None], AssessmentInputError, r"got an array of shape \(1000, 2, 1\)"),
    ],
)
def test_probabilities_that_are_not_probabilities(
    german_predictions: Predictions, proba: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        predictions_mode(german_predictions, proba=proba(german_predictions.proba))


def test_model_giving_bad_probabilities(german_forest: Trained) -> None:
    class Broken:
        classes_ = np.array([0, 1])

        def predict_proba(self, X: Any) -> np.ndarray:
            return np.full((len(X), 2), np.nan)

    with pytest.raises(NonFiniteValuesError, match="the model's predict_proba output holds"):
        model_mode(german_forest, model=Broken())


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (lambda m: m.astype(int) * 2, r"boolean or 0/1 .* values \[2, 0\]"),
        (lambda m: np.where(m, "yes", "no"), "boolean or 0/1"),
        (lambda m: np.ones_like(m), r"every row of member is a training row"),
        (lambda m: np.zeros_like(m), r"every row of member is a held-out row"),
    ],
)
def test_membership_flags(german_predictions: Predictions, member: Any, message: str) -> None:
    with pytest.raises(AssessmentInputError, match=message):
        predictions_mode(german_predictions, member=member(german_predictions.member))


@pytest.mark.parametrize("drop", ["y_true", "proba", "member"])
def test_predictions_differ_in_length(german_predictions: Predictions, drop: str) -> None:
    shorter = getattr(german_predictions, drop)[:-1]
    with pytest.raises(LengthMismatchError, match=r"has 999|has 1000 values but"):
        predictions_mode(german_predictions, **{drop: shorter})


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            {"attacks": ["rule_based", "shadow"]},
            r"unknown attack\(s\) \['shadow'\]; choose from \['rule_based', 'black_box'\]",
        ),
        ({"attacks": []}, r"no attack was asked for; choose from"),
        ({"attack_model": "svm"}, r"unknown attack_model 'svm'; choose from \['rf', 'gb', 'nn'\]"),
        ({"attack_train_fraction": 1.0}, "between 0 and 1"),
        ({"attack_train_fraction": 0.01}, r"leaves 3 to train the attack .* at least 10"),
        ({"max_samples": 10}, "max_samples must be at least 20"),
        ({"seed": -1}, "seed must be a non-negative integer"),
        ({"attack_train_fraction": "half"}, "must be a number between 0 and 1"),
        ({"thresholds": {"auc_warn": 0.6}}, "thresholds must be a PrivacyThresholds, got dict"),
    ],
)
def test_options(german_predictions: Predictions, option: dict[str, Any], message: str) -> None:
    with pytest.raises(AssessmentInputError, match=message):
        predictions_mode(german_predictions, **option)


def test_thresholds_out_of_order() -> None:
    with pytest.raises(AssessmentInputError, match="auc_warn <= auc_fail"):
        PrivacyThresholds(auc_warn=0.8, auc_fail=0.7)
