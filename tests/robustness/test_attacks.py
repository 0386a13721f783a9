"""The adversarial examples are real: fed back to the model they change its label, only
numeric features moved, within the observed range, by the sizes reported."""

import time

import numpy as np
import pytest

from bastion.robustness import assess_robustness
from tests.datasets import Split

from .conftest import TINY, Assessed, ConstantModel


def test_every_example_changes_the_models_label(tabular_assessed: Assessed) -> None:
    a = tabular_assessed
    examples = a.result.examples
    assert examples, "the tiny budgets should flip at least one row"
    again = a.model.predict(a.result.adversarial_rows)
    for e, label in zip(examples, again, strict=True):
        assert label == e.adversarial_label
        assert label != e.label
        # The attacked row was classified correctly before the attack.
        assert a.model.predict(a.X.loc[[e.row]])[0] == e.label == a.y[e.position]


def test_categorical_columns_never_move(tabular_assessed: Assessed) -> None:
    a = tabular_assessed
    fixed = list(a.result.fixed_columns)
    assert fixed == ["status", "credit_history", "purpose", "savings", "housing"]
    rows = a.result.adversarial_rows
    assert list(rows.columns) == list(a.X.columns)
    for i, e in enumerate(a.result.examples):
        assert rows.iloc[i][fixed].tolist() == a.X.loc[e.row, fixed].tolist()


def test_values_stay_within_the_observed_range(tabular_assessed: Assessed) -> None:
    a = tabular_assessed
    for feature in a.result.features:
        values = a.result.adversarial_rows[feature]
        assert values.min() >= a.X[feature].min()
        assert values.max() <= a.X[feature].max()


def test_reported_sizes_match_the_examples(tabular_assessed: Assessed) -> None:
    r = tabular_assessed.result
    std = np.array([r.scale[f]["std"] for f in r.features])
    for e in r.examples:
        before = np.array([e.original[f] for f in r.features])
        after = np.array([e.adversarial[f] for f in r.features])
        moved = (after - before) / std
        assert e.l2 == pytest.approx(np.linalg.norm(moved))
        assert e.linf == pytest.approx(np.abs(moved).max())
        assert e.within_epsilon == (e.l2 <= r.epsilon)
    for attack in r.attacks:
        sizes = [e.l2 for e in r.examples if e.attack == attack.name]
        assert attack.succeeded == len(sizes)
        assert attack.succeeded_within_epsilon == sum(s <= r.epsilon for s in sizes)
        assert attack.success_rate_within_epsilon <= attack.success_rate
        if sizes:
            assert attack.median_l2 == pytest.approx(np.median(sizes))
            assert attack.mean_l2 == pytest.approx(np.mean(sizes))
        lost = attack.succeeded_within_epsilon
        assert attack.accuracy_under_attack == pytest.approx(
            (attack.attacked - lost) / attack.evaluated
        )


def test_robust_accuracy_is_the_worst_case_over_attacks(tabular_assessed: Assessed) -> None:
    r = tabular_assessed.result
    lost_rows = {e.position for e in r.examples if e.within_epsilon}
    assert r.robust_accuracy == pytest.approx((r.rows_attacked - len(lost_rows)) / r.rows_evaluated)
    assert r.robust_accuracy <= min(a.accuracy_under_attack for a in r.attacks)
    assert r.clean_accuracy == pytest.approx(r.rows_attacked / r.rows_evaluated)
    check = next(c for c in r.checks if c.metric == "robust_accuracy_ratio")
    assert check.value == pytest.approx(r.robust_accuracy / r.clean_accuracy)


def test_sizes_are_never_below_the_true_minimum(numeric_assessed: Assessed) -> None:
    # For a logistic regression on numeric features, the smallest L2 change that flips a
    # row is its distance to the separating hyperplane, in closed form. An attack can get
    # close to it but never below it: a size under it would be mis-measured.
    a = numeric_assessed
    r = a.result
    scaler, logistic = a.model[0], a.model[1]
    mean = np.array([r.scale[f]["mean"] for f in r.features])
    std = np.array([r.scale[f]["std"] for f in r.features])
    w = logistic.coef_[0] / scaler.scale_
    normal = w * std  # the hyperplane's normal in standardized units
    offset = logistic.intercept_[0] + w @ (mean - scaler.mean_)
    assert r.examples
    for e in r.examples:
        z = (np.array([e.original[f] for f in r.features]) - mean) / std
        distance = abs(normal @ z + offset) / np.linalg.norm(normal)
        assert e.l2 >= distance - 1e-6
        # Both attacks come close on a linear boundary, even on these tiny budgets.
        assert e.l2 <= 2 * distance + 0.1


def test_same_seed_same_result(numeric_assessed: Assessed) -> None:
    def without_timings(d: object) -> object:
        if isinstance(d, dict):
            return {k: without_timings(v) for k, v in d.items() if k != "seconds"}
        if isinstance(d, list):
            return [without_timings(v) for v in d]
        return d

    a = numeric_assessed
    np.random.seed(7)
    expected_draw = np.random.random()
    np.random.seed(7)
    again = assess_robustness(a.model, a.X, a.y, epsilon=0.7, **TINY)
    # ART draws from numpy's global generator; the caller's stream is left as it was.
    assert np.random.random() == expected_draw
    assert without_timings(again.to_dict()) == without_timings(a.result.to_dict())
    assert again.adversarial_rows.equals(a.result.adversarial_rows)


def test_a_constant_model_cannot_be_flipped(german: Split) -> None:
    r = assess_robustness(
        ConstantModel(1), german.X_test, german.y_test, attacks=["boundary"], **TINY
    )
    attack = r.attack("boundary")
    assert attack.attacked == r.rows_attacked > 0
    assert attack.succeeded == 0
    assert attack.no_start == attack.attacked
    assert r.robust_accuracy_ratio == 1
    assert any("none of 100 random draws" in n for n in r.notes)


def test_time_budget_stops_between_rows_and_says_so(numeric_assessed: Assessed) -> None:
    a = numeric_assessed
    calls: list[tuple[int, int]] = []

    def slow_progress(done: int, total: int) -> None:
        calls.append((done, total))
        if done == 2:  # the noise test, then the first row's one attack: spend the budget
            time.sleep(1.1)

    r = assess_robustness(
        a.model, a.X, a.y, attacks=["boundary"], time_budget=1.0, progress=slow_progress,
        **{**TINY, "max_samples": 10},
    )  # fmt: skip
    assert r.rows_attacked == 1
    assert r.budget["stopped_early"] is True
    assert r.budget["rows_planned"] > 1
    assert r.rows_evaluated < r.rows_sampled
    assert r.attack("boundary").attacked == 1
    assert any("time budget of 1 s ran out after 1 of" in n for n in r.notes)
    assert calls[0] == (1, 1 + r.budget["rows_planned"])
    assert [d for d, _ in calls] == [1, 2]


def test_progress_counts_every_row_and_attack(numeric_assessed: Assessed) -> None:
    a = numeric_assessed
    calls: list[tuple[int, int]] = []
    r = assess_robustness(
        a.model, a.X, a.y, progress=lambda d, t: calls.append((d, t)),
        **{**TINY, "max_samples": 3, "max_evals": 150},
    )  # fmt: skip
    total = 1 + 2 * r.rows_attacked
    assert calls == [(d, total) for d in range(1, total + 1)]
    assert r.budget["stopped_early"] is False


def test_a_nan_step_stops_the_attack_instead_of_looping(numeric_assessed: Assessed) -> None:
    # HopSkipJump halves a NaN step until it is adversarial, which it never is: the oracle
    # must stop the attack rather than answer "not adversarial" forever.
    from bastion.robustness.attacks import _Degenerate, _Oracle
    from bastion.robustness.prepare import Predictor, Scale, rows_of

    a = numeric_assessed
    features = list(a.X.columns)
    base = rows_of(a.X, [0], features)
    oracle = _Oracle(
        Predictor(a.model, as_array=False), base, features, Scale.of(a.X, features),
        a.model.predict(base)[0], max_queries=10,
    )  # fmt: skip
    with pytest.raises(_Degenerate):
        oracle(np.full((1, len(features)), np.nan, dtype=np.float32))
    assert oracle.queries == 0
