"""The noise test: how often small random changes of the numeric features change the
prediction."""

import numpy as np
import pytest

from bastion.robustness import RobustnessThresholds, assess_robustness
from tests.datasets import Split

from .conftest import ConstantModel, ThresholdModel


def test_a_constant_model_never_flips(german: Split) -> None:
    r = assess_robustness(ConstantModel(1), german.X_test, german.y_test, attacks=())
    assert r.stability.flip_rate == 0
    assert r.stability.rows_flipped == 0
    assert r.stability.rows == len(german.X_test)
    assert r.verdict == "pass"
    assert "no attack was asked for: only the noise test ran" in r.notes


def test_a_boundary_through_the_data_flips_rows_near_it(german: Split) -> None:
    X = german.X_test
    median = float(X["credit_amount"].median())
    r = assess_robustness(ThresholdModel(median), X, german.y_test, attacks=())
    s = r.stability
    assert 0 < s.flip_rate <= s.rows_flipped < 1
    # Noise of 5 % of a standard deviation can only flip rows that close to the threshold
    # (four standard deviations of the noise cover all but 1 in 15,000 draws).
    near = np.abs(X["credit_amount"] - median) <= 4 * 0.05 * r.scale["credit_amount"]["std"]
    assert s.rows_flipped <= near.mean()
    # More noise flips more.
    louder = assess_robustness(ThresholdModel(median), X, german.y_test, attacks=(), noise=0.5)
    assert louder.stability.flip_rate > s.flip_rate


def test_flip_rate_thresholds_decide_the_verdict(german: Split) -> None:
    X = german.X_test
    model = ThresholdModel(float(X["credit_amount"].median()))
    r = assess_robustness(model, X, german.y_test, attacks=(), noise=0.5)
    check = r.checks[0]
    assert (check.metric, check.method) == ("noise_flip_rate", "noise 0.5 std")
    assert check.value == r.stability.flip_rate > 0.10
    assert r.verdict == "fail"
    lenient = RobustnessThresholds(flip_rate_warn=0.5, flip_rate_fail=0.9)
    assert (
        assess_robustness(
            model, X, german.y_test, attacks=(), noise=0.5, thresholds=lenient
        ).verdict
        == "pass"
    )


def test_noise_rows_are_a_seeded_sample_when_capped(german: Split) -> None:
    X = german.X_test
    model = ThresholdModel(float(X["credit_amount"].median()))
    r = assess_robustness(model, X, german.y_test, attacks=(), max_noise_rows=50, seed=3)
    assert (r.stability.rows, r.stability.sampled) == (50, True)
    again = assess_robustness(model, X, german.y_test, attacks=(), max_noise_rows=50, seed=3)
    assert again.stability.flip_rate == r.stability.flip_rate


def test_only_the_chosen_features_get_noise(german: Split) -> None:
    # The model looks at credit_amount only: noise on the other features changes nothing.
    X = german.X_test
    model = ThresholdModel(float(X["credit_amount"].median()))
    r = assess_robustness(model, X, german.y_test, attacks=(), features=["age", "duration"])
    assert r.features == ("age", "duration")
    assert r.stability.flip_rate == 0
    assert "credit_amount" in r.fixed_columns


@pytest.mark.parametrize("noise", [0.05, 0.2])
def test_noisy_values_stay_in_range_through_the_model(german: Split, noise: float) -> None:
    seen: list[float] = []

    class Recording(ConstantModel):
        def predict(self, X):  # type: ignore[no-untyped-def]
            seen.extend([X["age"].min(), X["age"].max()])
            return super().predict(X)

    # A local class cannot be pickled for the model digest: the caller gives the digest.
    assess_robustness(
        Recording(1), german.X_test, german.y_test, attacks=(), noise=noise,
        inputs={"model": "ab" * 32},
    )  # fmt: skip
    assert german.X_test["age"].min() <= min(seen)
    assert max(seen) <= german.X_test["age"].max()
