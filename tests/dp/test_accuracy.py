"""The noise is what OpenDP says it is, and the privacy loss charged is what OpenDP's
privacy map certifies.

Over many releases of one measurement (OpenDP draws from a cryptographic generator, so
nothing can be seeded), the empirical spread matches the noise scale the result reports
and the average is the true statistic. Tolerances are five standard errors: a correct
implementation fails about once in a million runs.
"""

import math

import numpy as np
import pandas as pd
import pytest

from bastion.dp import DpQuery, Noise, Statistic, dp_quantile
from bastion.dp import columns as dp_columns
from bastion.dp.mechanisms import build

RUNS = 3000


def _discrete_laplace_std(scale: float) -> float:
    # OpenDP samples integers with P(x) ∝ exp(-|x| / scale) (GRS12, CKS20).
    q = math.exp(-1 / scale)
    return math.sqrt(2 * q) / (1 - q)


def _releases(query: DpQuery, records: object, runs: int = RUNS) -> np.ndarray:
    measurement = build(query).measurement
    return np.array([measurement(records) for _ in range(runs)], dtype=float)


def _check_spread(samples: np.ndarray, truth: float, std: float) -> None:
    """Mean within five standard errors of the truth; std within 10 % (5 SEs of a std)."""
    assert abs(samples.mean() - truth) < 5 * std / math.sqrt(len(samples))
    assert samples.std() == pytest.approx(std, rel=0.1)


def test_count_noise_has_the_laplace_scale(adult: pd.DataFrame) -> None:
    query = DpQuery(Statistic.COUNT, "workclass", epsilon=0.1)
    built = build(query)
    assert built.noise_scale == pytest.approx(1 / 0.1)  # sensitivity 1 over epsilon
    records = dp_columns.presence(adult, "workclass")
    samples = _releases(query, records)
    _check_spread(samples, adult["workclass"].notna().sum(), _discrete_laplace_std(10.0))


def test_count_noise_grows_with_contributions(adult: pd.DataFrame) -> None:
    built = build(DpQuery(Statistic.COUNT, "age", epsilon=0.5, contributions=3))
    assert built.noise_scale == pytest.approx(3 / 0.5)


def test_gaussian_count_noise_has_the_gaussian_scale(adult: pd.DataFrame) -> None:
    query = DpQuery(Statistic.COUNT, "age", epsilon=0.5, delta=1e-6, noise=Noise.GAUSSIAN)
    scale = build(query).noise_scale
    assert scale is not None
    samples = _releases(query, dp_columns.presence(adult, "age"))
    _check_spread(samples, len(adult), scale)


def test_sum_noise_has_the_laplace_scale_in_the_data_units(adult: pd.DataFrame) -> None:
    query = DpQuery(Statistic.SUM, "hours_per_week", epsilon=1.0, lower=0, upper=80)
    built = build(query)
    assert built.noise_scale == pytest.approx(80.0)  # max(|lower|, |upper|) / epsilon
    records = built.read(adult)
    samples = np.array([built.finish(built.measurement(records)) for _ in range(RUNS)])
    truth = adult["hours_per_week"].clip(0, 80).sum()
    _check_spread(samples, truth, math.sqrt(2) * 80.0)


def test_public_size_mean_noise_has_the_laplace_scale(adult: pd.DataFrame) -> None:
    n = len(adult)
    query = DpQuery(Statistic.MEAN, "age", epsilon=0.01, lower=17, upper=90, size=n)
    built = build(query)
    assert built.noise_scale == pytest.approx((90 - 17) / n / 0.01, rel=1e-6)
    records = built.read(adult)
    samples = np.array([float(built.measurement(records)) for _ in range(RUNS)])
    _check_spread(samples, adult["age"].mean(), math.sqrt(2) * built.noise_scale)


def test_private_size_mean_is_near_the_true_mean(adult: pd.DataFrame) -> None:
    query = DpQuery(Statistic.MEAN, "age", epsilon=0.5, lower=17, upper=90)
    built = build(query)
    details = built.details
    # Half the loss each: sum noise (90 / 0.25), count noise (1 / 0.25).
    assert details["sum_noise_scale"] == pytest.approx(90 / 0.25, rel=1e-3)
    assert details["count_noise_scale"] == pytest.approx(1 / 0.25, rel=1e-3)
    records = built.read(adult)
    samples = np.array([built.finish(built.measurement(records)) for _ in range(1000)])
    # The ratio's error: about sum_noise / n, relative count noise negligible at n=32,561.
    spread = math.sqrt(2) * details["sum_noise_scale"] / len(adult)
    assert abs(samples.mean() - adult["age"].mean()) < 5 * spread / math.sqrt(len(samples))


def test_histogram_noise_is_per_count(adult: pd.DataFrame) -> None:
    query = DpQuery(Statistic.HISTOGRAM, "sex", epsilon=0.2, categories=("Male", "Female"))
    built = build(query)
    assert built.noise_scale == pytest.approx(1 / 0.2)
    # A few hundred rows: OpenDP copies every string on each release.
    rows = adult.head(300)
    records = built.read(rows)
    samples = np.array([built.measurement(records) for _ in range(RUNS)], dtype=float)
    std = _discrete_laplace_std(5.0)
    _check_spread(samples[:, 0], (rows["sex"] == "Male").sum(), std)
    _check_spread(samples[:, 1], (rows["sex"] == "Female").sum(), std)
    _check_spread(samples[:, 2], 0, std)  # no value outside the two categories


def test_quantile_lands_near_the_true_median(adult: pd.DataFrame) -> None:
    truth = adult["age"].median()
    values = [
        dp_quantile(adult, "age", alpha=0.5, lower=0, upper=100, epsilon=0.05).value
        for _ in range(30)
    ]
    # At n = 32,561 a candidate two years off the median is hundreds of ranks away:
    # the exponential mechanism picks it with negligible probability at ε = 0.05.
    assert all(abs(v - truth) <= 2 for v in values), values


QUERIES = {
    "count": {"statistic": Statistic.COUNT},
    "sum": {"statistic": Statistic.SUM, "lower": -5.0, "upper": 120.0},
    "mean_private": {"statistic": Statistic.MEAN, "lower": 17.0, "upper": 90.0},
    "mean_public": {"statistic": Statistic.MEAN, "lower": 17.0, "upper": 90.0, "size": 1000},
    "histogram": {"statistic": Statistic.HISTOGRAM, "categories": ("a", "b", "c")},
}


@pytest.mark.parametrize("contributions", [1, 3])
@pytest.mark.parametrize("noise", [Noise.LAPLACE, Noise.GAUSSIAN])
@pytest.mark.parametrize("name", list(QUERIES))
def test_privacy_map_equals_the_loss_charged(name: str, noise: Noise, contributions: int) -> None:
    delta = 1e-7 if noise is Noise.GAUSSIAN else 0.0
    query = DpQuery(
        column="x", epsilon=0.7, delta=delta, noise=noise, contributions=contributions,
        **QUERIES[name],  # type: ignore[arg-type]
    )  # fmt: skip
    loss = query.measurement().map(contributions)
    epsilon, used_delta = loss if isinstance(loss, tuple) else (loss, 0.0)
    assert epsilon <= 0.7
    assert epsilon == pytest.approx(0.7, rel=1e-9)
    assert used_delta == delta


@pytest.mark.parametrize("contributions", [1, 2])
def test_quantile_privacy_map_equals_the_loss_charged(contributions: int) -> None:
    query = DpQuery(
        Statistic.QUANTILE, "x", 0.3, alpha=0.25, lower=0, upper=10, contributions=contributions
    )
    loss = query.measurement().map(contributions)
    assert loss <= 0.3
    assert loss == pytest.approx(0.3, rel=1e-9)


def test_result_reports_the_map_it_was_charged(adult: pd.DataFrame) -> None:
    result = DpQuery(Statistic.SUM, "age", 0.25, lower=0, upper=100).run(adult)
    assert result.privacy_map == {"epsilon": pytest.approx(0.25, rel=1e-9), "delta": 0.0}
    assert result.epsilon == 0.25
