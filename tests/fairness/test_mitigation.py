"""Mitigation: reweighing weights match their definition, each method narrows the gap it
targets on UCI Adult (measured by assess_fairness), the threshold optimizer equals
fairlearn's used directly, and bad input is refused with a clear error."""

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fairlearn.postprocessing import ThresholdOptimizer
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from bastion.assessment.errors import UnusableModelError
from bastion.fairness import (
    AssessmentInputError,
    LengthMismatchError,
    MitigationResult,
    NonBinaryLabelsError,
    SingleGroupError,
    UnknownColumnError,
    assess_fairness,
    mitigate,
    reweighing_weights,
)
from tests.datasets import adult_frame, adult_split, german_frame, tabular_model

TOL = 1e-12
N_TRAIN = 8000  # of Adult's 26,561 training rows: enough for stable rates, fast to fit


@dataclass(frozen=True)
class Adult:
    """Adult training rows (subsampled) and test rows, with sex for both, and an
    unfitted copy of the shared logistic pipeline."""

    X_train: pd.DataFrame
    y_train: np.ndarray
    sex_train: np.ndarray
    X_test: pd.DataFrame
    y_test: np.ndarray
    sex_test: np.ndarray
    estimator: Pipeline


@pytest.fixture(scope="module")
def adult() -> Adult:
    split = adult_split()
    frame = adult_frame()
    # adult_split keeps sex out of X_train; its training rows are the rows after the first
    # 6,000 of the same seeded permutation, so sex is taken from there (and checked).
    order = np.random.default_rng(1994).permutation(len(frame))
    train_rows = frame.iloc[order[len(split.y_test) :]].reset_index(drop=True)
    pd.testing.assert_frame_equal(train_rows[split.X_train.columns], split.X_train)
    return Adult(
        X_train=split.X_train.iloc[:N_TRAIN],
        y_train=split.y_train[:N_TRAIN],
        sex_train=train_rows["sex"].to_numpy()[:N_TRAIN],
        X_test=split.X_test,
        y_test=split.y_test,
        sex_test=split.test_rows["sex"].to_numpy(),
        estimator=clone(tabular_model(split)),
    )


def run(adult: Adult, **kw: Any) -> MitigationResult:
    return mitigate(
        adult.estimator,
        adult.X_train,
        adult.y_train,
        sensitive_train=adult.sex_train,
        X_test=adult.X_test,
        y_test=adult.y_test,
        sensitive_test=adult.sex_test,
        **kw,
    )


@pytest.fixture(scope="module")
def threshold(adult: Adult) -> MitigationResult:
    return run(adult, method="threshold_optimizer", constraint="demographic_parity")


def dp(result: Any, kind: str = "ratio") -> float:
    return float(result.aggregates[f"demographic_parity_{kind}"]["between_groups"])


# ------------------------------------------------------------------------ reweighing


def test_reweighing_weights_equal_a_crosstab_computation_on_adult(adult: Adult) -> None:
    y, sex = adult.y_train, adult.sex_train
    w = reweighing_weights(y, sex)
    joint = pd.crosstab(sex, y, normalize=True)  # P(g, c)
    p_g, p_c = joint.sum(axis=1), joint.sum(axis=0)
    expected = np.array([p_g[g] * p_c[c] / joint.loc[g, c] for g, c in zip(sex, y, strict=True)])
    np.testing.assert_allclose(w, expected, rtol=0, atol=TOL)
    # Under the weights each group's positive rate is the overall one.
    overall = np.sum(w * y) / np.sum(w)
    assert overall == pytest.approx(y.mean(), abs=TOL)
    for g in np.unique(sex):
        rows = sex == g
        assert np.sum(w[rows] * y[rows]) / np.sum(w[rows]) == pytest.approx(overall, abs=TOL)


def test_reweighing_weights_over_intersectional_groups() -> None:
    frame = adult_frame().iloc[:5000]
    y = (frame["income"] == ">50K").to_numpy()
    w = reweighing_weights("income", ["sex", "race"], data=frame.assign(income=y))
    combined = (frame["sex"] + " | " + frame["race"]).to_numpy()
    np.testing.assert_allclose(w, reweighing_weights(y, combined), rtol=0, atol=TOL)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2)), min_size=2, max_size=80),
)
def test_reweighing_makes_label_and_group_independent(rows: list[tuple[int, int]]) -> None:
    g, y = (np.array(c) for c in zip(*rows, strict=True))
    if len(set(g.tolist())) < 2:
        with pytest.raises(SingleGroupError):  # nothing to balance
            reweighing_weights(y, g)
        return
    w = reweighing_weights(y, g)
    assert np.all(np.isfinite(w))
    assert np.all(w > 0)
    labels, groups = np.unique(y), np.unique(g)
    complete = [k for k in groups if set(y[g == k]) == set(labels)]
    for k in complete:  # a group with every label: weighted P(c | g) = P(c)
        rows_k = g == k
        for c in labels:
            rate = np.sum(w[rows_k & (y == c)]) / np.sum(w[rows_k])
            assert rate == pytest.approx(np.mean(y == c), abs=TOL)
    if len(complete) == len(groups):  # no empty cell: the total weight is kept too
        assert np.sum(w) == pytest.approx(len(y), abs=1e-9)


def test_an_empty_cell_needs_no_weight_and_is_noted() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(120, 2))
    g = np.tile(["a", "b"], 60)
    y = np.where(g == "a", (X[:, 0] > 0).astype(int), 0)  # group b has no positives
    w = reweighing_weights(y, g)
    assert np.all(np.isfinite(w))
    # P(b) P(0) / P(b, 0) = P(0): defined, but b's weighted positive rate stays 0.
    np.testing.assert_allclose(w[g == "b"], np.mean(y == 0), rtol=0, atol=TOL)
    result = mitigate(
        LogisticRegression(), X[:80], y[:80], sensitive_train=g[:80],
        X_test=X[80:], y_test=y[80:], sensitive_test=g[80:], method="reweighing",
    )  # fmt: skip
    assert any("cannot balance" in n and "'b'" in n for n in result.notes)


# ------------------------------------------------------------------ threshold optimizer


def test_threshold_optimizer_brings_demographic_parity_on_adult(
    adult: Adult, threshold: MitigationResult
) -> None:
    before, after = dp(threshold.before), dp(threshold.after)
    assert after > before
    assert after >= 0.8  # the four-fifths rule, on held-out rows
    # The result's figures are what assess_fairness measures on the model's predictions.
    y_pred = threshold.model.predict(adult.X_test, sensitive_features=adult.sex_test)
    measured = assess_fairness(adult.y_test, y_pred, sensitive_features=adult.sex_test)
    assert dp(measured) == pytest.approx(after, abs=TOL)
    assert threshold.accuracy.after == pytest.approx(np.mean(y_pred == adult.y_test), abs=TOL)
    assert threshold.selection_rate.after == pytest.approx(np.mean(y_pred), abs=TOL)


def test_threshold_optimizer_equals_fairlearn_used_directly(
    adult: Adult, threshold: MitigationResult
) -> None:
    direct = ThresholdOptimizer(
        estimator=adult.estimator,
        constraints="demographic_parity",
        objective="accuracy_score",
        predict_method="predict_proba",
        prefit=False,
    ).fit(adult.X_train, adult.y_train, sensitive_features=adult.sex_train)
    expected = direct.predict(adult.X_test, sensitive_features=adult.sex_test, random_state=0)
    ours = threshold.model.predict(adult.X_test, sensitive_features=adult.sex_test)
    np.testing.assert_array_equal(ours, expected)


def test_threshold_optimizer_is_randomized_and_seeded(
    adult: Adult, threshold: MitigationResult
) -> None:
    again = threshold.model.predict(adult.X_test, sensitive_features=adult.sex_test)
    other = run(adult, seed=1).model.predict(adult.X_test, sensitive_features=adult.sex_test)
    np.testing.assert_array_equal(
        again, threshold.model.predict(adult.X_test, sensitive_features=adult.sex_test)
    )
    assert (again != other).any()  # some rows are drawn at random: the seed matters


def test_threshold_optimizer_needs_sensitive_features_to_predict(
    adult: Adult, threshold: MitigationResult
) -> None:
    assert threshold.needs_sensitive_features
    assert any("unlawful" in n for n in threshold.notes)
    with pytest.raises(AssessmentInputError, match="predict needs sensitive_features"):
        threshold.model.predict(adult.X_test)
    unseen = np.where(adult.sex_test == "Male", "Male", "Other")
    with pytest.raises(AssessmentInputError, match=r"no threshold for group\(s\) 'Other': "):
        threshold.model.predict(adult.X_test, sensitive_features=unseen)


def test_string_labels_come_back_as_the_callers_labels() -> None:
    frame = german_frame()
    features = ["duration", "credit_amount", "installment_rate", "age"]
    y = np.where(frame["credit"] == 1, "good", "bad")
    train, test = slice(0, 700), slice(700, None)
    result = mitigate(
        make_pipeline(StandardScaler(), LogisticRegression()),
        frame[features].iloc[train], y[train], sensitive_train=frame["sex"].iloc[train],
        X_test=frame[features].iloc[test], y_test=y[test], sensitive_test=frame["sex"].iloc[test],
        pos_label="good",
    )  # fmt: skip
    pred = result.model.predict(frame[features].iloc[test], sensitive_features=frame["sex"][test])
    assert set(pred) <= {"good", "bad"}
    assert result.after.pos_label == "good"
    assert result.after.sensitive_features == ("sex",)
    assert result.selection_rate.after == pytest.approx(np.mean(pred == "good"), abs=TOL)


def test_sensitive_features_may_name_columns_of_x() -> None:
    rng = np.random.default_rng(5)
    X = pd.DataFrame({"x": rng.normal(size=200), "group": rng.integers(0, 2, 200)})
    y = ((X["x"] + X["group"]) > 0.5).astype(int).to_numpy()
    train, test = X.iloc[:150], X.iloc[150:]
    kw: dict[str, Any] = {"X_test": test, "y_test": y[150:]}
    by_name = mitigate(
        LogisticRegression(), train, y[:150], sensitive_train="group", sensitive_test="group", **kw
    )
    by_value = mitigate(
        LogisticRegression(), train, y[:150], sensitive_train=train["group"],
        sensitive_test=test["group"], **kw,
    )  # fmt: skip
    assert by_name.after.sensitive_features == ("group",)
    assert by_name.after.to_dict()["groups"] == by_value.after.to_dict()["groups"]
    with pytest.raises(UnknownColumnError, match="sensitive_train names the column 'nope'"):
        mitigate(
            LogisticRegression(),
            train,
            y[:150],
            sensitive_train="nope",
            sensitive_test="group",
            **kw,
        )


# ---------------------------------------------------------------- exponentiated gradient


def test_exponentiated_gradient_reduces_the_parity_difference(adult: Adult) -> None:
    # It refits its estimator once per iteration: a small model on the numeric columns
    # and ten iterations keep this to a second or two.
    numeric = ["age", "education_num", "hours_per_week", "capital_gain", "capital_loss"]
    result = mitigate(
        make_pipeline(StandardScaler(), LogisticRegression()),
        adult.X_train[numeric], adult.y_train, sensitive_train=adult.sex_train,
        X_test=adult.X_test[numeric], y_test=adult.y_test, sensitive_test=adult.sex_test,
        method="exponentiated_gradient", max_iter=10,
    )  # fmt: skip
    assert dp(result.after, "difference") < dp(result.before, "difference")
    assert not result.needs_sensitive_features  # used in training only
    y_pred = result.model.predict(adult.X_test[numeric])
    measured = assess_fairness(adult.y_test, y_pred, sensitive_features=adult.sex_test)
    assert dp(measured, "difference") == pytest.approx(dp(result.after, "difference"), abs=TOL)
    assert result.settings["options"] == {"max_iter": 10}


# ------------------------------------------------------------------------- reweighing


def test_reweighing_trains_on_the_weights_and_narrows_the_gap(adult: Adult) -> None:
    result = run(adult, method="reweighing")
    coef = result.model.native.named_steps["classify"].coef_
    baseline = result.baseline_model.named_steps["classify"].coef_
    assert not np.allclose(coef, baseline, atol=1e-3)  # not a no-op
    # The weights it saw are reweighing_weights, routed to the pipeline's last step.
    by_hand = clone(adult.estimator).fit(
        adult.X_train,
        adult.y_train,
        classify__sample_weight=reweighing_weights(adult.y_train, adult.sex_train),
    )
    np.testing.assert_allclose(coef, by_hand.named_steps["classify"].coef_, rtol=1e-9)
    assert dp(result.after, "difference") < dp(result.before, "difference")
    assert dp(result.after) > dp(result.before)
    assert not result.needs_sensitive_features


# ----------------------------------------------------------------------------- result


def test_result_is_plain_json_with_before_after_and_deltas(threshold: MitigationResult) -> None:
    doc = json.loads(json.dumps(threshold.to_dict(), allow_nan=False))
    assert doc["schema_version"] == 1
    assert doc["method"] == "threshold_optimizer"
    assert doc["constraint"] == "demographic_parity"
    assert doc["before"]["schema_version"] == doc["after"]["schema_version"] == 1
    assert doc["verdict"] == doc["after"]["verdict"] == threshold.verdict
    assert doc["checks"] == doc["after"]["checks"]
    ratio = doc["figures"]["demographic_parity_ratio"]
    assert ratio["before"] == pytest.approx(dp(threshold.before))
    assert doc["deltas"]["demographic_parity_ratio"] == pytest.approx(
        ratio["after"] - ratio["before"]
    )
    acc = doc["figures"]["accuracy"]
    assert doc["deltas"]["accuracy"] == pytest.approx(acc["after"] - acc["before"])
    assert doc["needs_sensitive_features"] is True
    assert set(doc["inputs"]) == {"data", "model"}
    assert all(len(v) == 64 for v in doc["inputs"].values())
    assert MitigationResult.evidence_kind == "assessment.fairness_mitigation"
    summary = threshold.summary
    assert summary.startswith(f"{threshold.verdict}: demographic parity ratio ")
    assert "→" in summary
    assert "(threshold_optimizer, demographic_parity)" in summary
    html = threshold._repr_html_()
    assert "Before and after" in html
    assert "Female" in html
    assert threshold.to_frame().loc["accuracy", "before"] == threshold.accuracy.before


# -------------------------------------------------------------------------- bad input


def small(n: int = 60) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    s = np.tile(["a", "b"], n // 2)
    y = ((X[:, 0] + (s == "a")) > 0.5).astype(int)
    return {
        "X_train": X, "y_train": y, "sensitive_train": s,
        "X_test": X, "y_test": y, "sensitive_test": s,
    }  # fmt: skip


def call(estimator: Any = None, **kw: Any) -> MitigationResult:
    data = {**small(), **kw}
    return mitigate(
        LogisticRegression() if estimator is None else estimator,
        data.pop("X_train"),
        data.pop("y_train"),
        **data,
    )


def test_errors_are_value_errors() -> None:
    assert issubclass(UnusableModelError, AssessmentInputError)
    assert issubclass(AssessmentInputError, ValueError)


def test_unknown_method_or_constraint_lists_the_valid_ones() -> None:
    with pytest.raises(
        AssessmentInputError,
        match="valid methods are: threshold_optimizer, exponentiated_gradient, reweighing",
    ):
        call(method="massage")
    with pytest.raises(
        AssessmentInputError,
        match="valid constraints are: demographic_parity, equalized_odds, "
        "true_positive_rate_parity, false_positive_rate_parity",
    ):
        call(constraint="calibration")
    with pytest.raises(AssessmentInputError, match=r"unknown option\(s\) \['grid'\]"):
        call(grid=10)
    with pytest.raises(AssessmentInputError, match="not available under equalized_odds"):
        call(constraint="equalized_odds", objective="selection_rate")
    with pytest.raises(AssessmentInputError, match="has no equalized_odds form"):
        call(method="reweighing", constraint="equalized_odds")


def test_an_estimator_without_fit_is_unusable() -> None:
    class PredictOnly:
        def predict(self, X: Any) -> np.ndarray:
            return np.zeros(len(X), dtype=int)

    with pytest.raises(UnusableModelError, match=r"PredictOnly\) has no fit\(\)"):
        call(PredictOnly())


def test_an_estimator_without_sample_weight_cannot_be_reweighed() -> None:
    for estimator in (
        KNeighborsClassifier(),
        make_pipeline(StandardScaler(), KNeighborsClassifier()),
    ):
        for method in ("reweighing", "exponentiated_gradient"):
            with pytest.raises(UnusableModelError, match="takes no sample_weight"):
                call(estimator, method=method)


def test_lengths_must_match_and_the_error_names_the_set() -> None:
    s = small()["sensitive_train"]
    with pytest.raises(LengthMismatchError, match=r"sensitive_train does not match X_train \(60"):
        call(sensitive_train=s[:50])
    with pytest.raises(LengthMismatchError, match=r"sensitive_test does not match X_test \(60"):
        call(sensitive_test=s[:50])
    with pytest.raises(LengthMismatchError, match="y_test has 59 values but X_test has 60"):
        call(y_test=small()["y_test"][:59])


def test_a_single_group_in_training_is_refused() -> None:
    with pytest.raises(SingleGroupError, match=r"sensitive_train: .*single group \('a'\)"):
        call(sensitive_train=np.array(["a"] * 60))


def test_labels_must_be_binary() -> None:
    y = np.arange(60) % 3
    with pytest.raises(NonBinaryLabelsError, match=r"binary labels, but y_train hold 3 values"):
        call(y_train=y)
    words = np.where(small()["y_train"] == 1, "yes", "no")
    with pytest.raises(NonBinaryLabelsError, match="pass pos_label"):
        call(y_train=words, y_test=words)
    with pytest.raises(NonBinaryLabelsError, match="y_train and y_test hold 3 values"):
        call(y_train=words, y_test=np.where(words == "yes", "yes", "maybe"), pos_label="yes")
