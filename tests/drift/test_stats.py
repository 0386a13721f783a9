"""Each statistic agrees with scipy's reference implementation: exactly on raw values and
on bin counts, within the documented tolerance where profiles approximate raw data."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from scipy.spatial import distance

from bastion.drift import stats

counts = st.lists(st.integers(0, 1000), min_size=2, max_size=12)


@settings(max_examples=80, deadline=None)
@given(counts, counts)
def test_jensenshannon_is_scipys(r: list[int], c: list[int]) -> None:
    size = min(len(r), len(c))
    r, c = np.array(r[:size]), np.array(c[:size])
    if r.sum() == 0 or c.sum() == 0:
        return
    for base in (2.0, math.e):
        expected = distance.jensenshannon(r / r.sum(), c / c.sum(), base=base)
        assert stats.jensenshannon(r, c, base) == pytest.approx(expected, abs=1e-12)


@settings(max_examples=80, deadline=None)
@given(counts, counts)
def test_chisquare_is_scipys_test_of_homogeneity(r: list[int], c: list[int]) -> None:
    size = min(len(r), len(c))
    r, c = np.array(r[:size]), np.array(c[:size])
    if r.sum() == 0 or c.sum() == 0:
        return
    statistic, p_value, dof = stats.chisquare(r, c)
    kept = (r + c) > 0
    if kept.sum() < 2:
        assert (statistic, p_value, dof) == (0.0, 1.0, 0)
        return
    expected = sps.chi2_contingency(np.vstack([r[kept], c[kept]]), correction=False)
    assert statistic == pytest.approx(expected.statistic, rel=1e-12, abs=1e-12)
    assert p_value == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-15)
    assert dof == expected.dof


def test_chisquare_on_two_categories_is_evidentlys_z_test() -> None:
    # Evidently's z-test: pooled two-proportion z, two-sided normal p-value.
    r, c = np.array([620, 380]), np.array([540, 460])
    p1, p2 = r[0] / r.sum(), c[0] / c.sum()
    pooled = (r[0] + c[0]) / (r.sum() + c.sum())
    z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1 / r.sum() + 1 / c.sum()))
    _, p_value, _ = stats.chisquare(r, c)
    assert p_value == pytest.approx(2 * sps.norm.sf(abs(z)), rel=1e-9)


def test_psi_follows_its_definition_with_epsilon_for_empty_bins() -> None:
    r, c = np.array([50, 30, 20, 0]), np.array([40, 30, 20, 10])
    p, q = np.array([0.5, 0.3, 0.2, 1e-4]), np.array([0.4, 0.3, 0.2, 0.1])
    assert stats.psi(r, c) == pytest.approx(float(np.sum((q - p) * np.log(q / p))))
    assert stats.psi(r, r) == 0.0


def test_ks_and_wasserstein_on_raw_values_are_scipys_and_evidentlys() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=800), rng.normal(0.2, 1.1, 600)
    expected = sps.ks_2samp(a, b)
    assert stats.ks_raw(a, b) == (expected.statistic, expected.pvalue)
    norm = max(float(np.std(a)), 0.001)
    assert stats.wasserstein_raw(a, b) == sps.wasserstein_distance(a, b) / norm
    # Evidently's floor for a constant reference.
    assert stats.wasserstein_raw(np.ones(10), np.full(10, 1.5)) == pytest.approx(0.5 / 0.001)


def _binned(values: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    index = np.searchsorted(edges, values, side="right")
    return (
        np.bincount(index, minlength=edges.size + 1),
        np.bincount(index, weights=values, minlength=edges.size + 1),
    )


CASES = {
    "mean shift": lambda rng: (rng.normal(size=50_000), rng.normal(0.05, 1, 40_000)),
    "scale": lambda rng: (rng.normal(size=50_000), rng.normal(0, 1.2, 40_000)),
    "same": lambda rng: (rng.normal(size=50_000), rng.normal(size=40_000)),
    "lognormal": lambda rng: (rng.lognormal(size=50_000), rng.lognormal(0.1, 1, 40_000)),
    "beyond range": lambda rng: (rng.normal(size=50_000), rng.normal(4, 1, 40_000)),
    "integers": lambda rng: (
        rng.integers(0, 60, 50_000).astype(float),
        rng.integers(0, 64, 40_000).astype(float),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_binned_ks_and_wasserstein_are_within_tolerance_of_exact(case: str) -> None:
    ref, cur = CASES[case](np.random.default_rng(11))
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, 1001)))
    edges[-1] = np.nextafter(edges[-1], np.inf)
    (rc, rs), (cc, cs) = _binned(ref, edges), _binned(cur, edges)
    exact_ks = sps.ks_2samp(ref, cur, method="asymp")
    ks, p_value = stats.ks_from_bins(rc, cc)
    # Never above the exact statistic; below it by at most one bin's share.
    assert exact_ks.statistic - 2e-3 <= ks <= exact_ks.statistic + 1e-12
    if ks == exact_ks.statistic:
        assert p_value == pytest.approx(exact_ks.pvalue, rel=1e-9)
    w = stats.wasserstein_from_bins(rc, rs, cc, cs, float(np.std(ref)))
    assert w == pytest.approx(stats.wasserstein_raw(ref, cur), abs=2e-3)


def test_binned_statistics_are_exact_when_values_sit_on_edges() -> None:
    rng = np.random.default_rng(5)
    ref = rng.integers(0, 6, 5000).astype(float)
    cur = rng.integers(0, 6, 4000).astype(float) + (rng.random(4000) < 0.2)
    edges = np.append(np.unique(ref), np.nextafter(ref.max(), np.inf))
    (rc, rs), (cc, cs) = _binned(ref, edges), _binned(cur, edges)
    assert stats.ks_from_bins(rc, cc)[0] == pytest.approx(sps.ks_2samp(ref, cur).statistic)
    w = stats.wasserstein_from_bins(rc, rs, cc, cs, float(np.std(ref)))
    assert w == pytest.approx(stats.wasserstein_raw(ref, cur), rel=1e-9)


def test_ks_pvalue_is_ks_2samp_asymptotic() -> None:
    rng = np.random.default_rng(8)
    a, b = rng.normal(size=30_000), rng.normal(0.02, 1, 20_000)
    expected = sps.ks_2samp(a, b, method="asymp")
    assert stats.ks_pvalue(expected.statistic, a.size, b.size) == pytest.approx(
        expected.pvalue, rel=1e-12
    )
