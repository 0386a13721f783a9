"""Thresholds learned from reference windows: mean plus or minus 3 standard deviations."""

import statistics

import pytest

from bastion.drift import (
    ColumnRule,
    DriftConfig,
    DriftInputError,
    compare,
    fit_profile,
    learn_thresholds,
    summarize,
)
from tests.drift.conftest import frame


def test_bands_are_mean_plus_minus_three_sigma_of_window_statistics() -> None:
    ref = fit_profile(frame(20_000, 1))
    windows = [summarize(frame(2000, 100 + i), ref) for i in range(8)]
    learned = learn_thresholds(ref, windows)
    stats = [compare(ref, w).column("x").statistic for w in windows]
    centre, spread = statistics.mean(stats), statistics.stdev(stats)  # type: ignore[type-var]
    rule = learned.rule("x")
    assert rule.test == "wasserstein"
    assert rule.band == pytest.approx((centre - 3 * spread, centre + 3 * spread))
    # An ordinary window stays inside; a shift far smaller than the fixed 0.1 leaves it.
    assert not compare(ref, summarize(frame(2000, 999), ref), learned).column("x").drifted
    nudged = compare(ref, summarize(frame(2000, 998, shift=0.08), ref), learned).column("x")
    assert nudged.drifted
    assert nudged.threshold == rule.band[1]
    assert not compare(ref, summarize(frame(2000, 998, shift=0.08), ref)).column("x").drifted


def test_learned_config_keeps_fixed_overrides_and_multivariate_band() -> None:
    ref = fit_profile(frame(5000, 1), multivariate=["x", "skewed", "count"])
    windows = [summarize(frame(1000, 10 + i), ref) for i in range(4)]
    config = DriftConfig(drift_share=0.3, columns={"city": ColumnRule(test="chisquare")})
    learned = learn_thresholds(ref, windows, config)
    assert learned.drift_share == 0.3
    assert learned.rule("city").test == "chisquare"
    assert learned.multivariate_band is not None
    low, high = learned.multivariate_band
    assert low < high


def test_learning_needs_two_windows() -> None:
    ref = fit_profile(frame(500, 1))
    with pytest.raises(DriftInputError, match="at least two windows"):
        learn_thresholds(ref, [summarize(frame(100, 2), ref)])
