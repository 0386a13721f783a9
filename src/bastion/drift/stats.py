"""The drift statistics, from bin counts (what profiles hold) or from raw values.

Each matches a reference implementation, which the tests check:

- **PSI** (population stability index): ``Σ (q - p) · ln(q / p)`` over bins, ``p`` and
  ``q`` the reference and current shares, an empty bin's share raised to ε (1e-4).
- **Jensen-Shannon distance**: ``scipy.spatial.distance.jensenshannon(p, q, base)``.
- **Chi-square**: Pearson's test of homogeneity of the 2 x k table of reference and
  current counts, ``scipy.stats.chi2_contingency(table, correction=False)``, over the
  bins where either has values. With two categories it is the two-proportion z-test
  Evidently runs (χ² = z²).
- **Kolmogorov-Smirnov**: on raw values ``scipy.stats.ks_2samp``; from bins, the largest
  gap between the two empirical CDFs at the bin edges, with the p-value of
  ``ks_2samp(method="asymp")`` (Smirnov's limit distribution, ``scipy.stats.kstwo``). The
  gap at the edges is never above the exact statistic and below it by at most the share
  of one bin (0.1% of the reference with the default thousand bins).
- **Wasserstein distance (normed)**: Evidently's ``wasserstein_distance(ref, cur) /
  max(std(ref), 0.001)`` with numpy's population std. From bins, each bin's values are
  put at their mean (bins keep counts and sums): exact when the values sit on bin edges
  (few distinct values) and for the mass beyond the reference range; otherwise off by
  far less than a bin's width (tests bound it at 0.002 of a standard deviation).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "WASSERSTEIN_MIN_STD",
    "chisquare",
    "jensenshannon",
    "ks_from_bins",
    "ks_pvalue",
    "ks_raw",
    "psi",
    "wasserstein_from_bins",
    "wasserstein_raw",
]


def _scipy_stats() -> Any:
    # Imported when a p-value or a raw-value statistic is asked for: scipy.stats adds
    # 60 MB to a process that summarizes windows and compares them by distances.
    from scipy import stats  # type: ignore[import-untyped]

    return stats


WASSERSTEIN_MIN_STD = 0.001
"""Evidently's floor for the reference std that norms the Wasserstein distance."""

Array = npt.NDArray[np.float64] | npt.NDArray[np.int64]


def _shares(counts: Array) -> npt.NDArray[np.float64]:
    total = float(np.sum(counts))
    return np.asarray(counts, dtype=np.float64) / total


def psi(reference: Array, current: Array, epsilon: float = 1e-4) -> float:
    """Population stability index of two count vectors over the same bins."""
    p = np.maximum(_shares(reference), epsilon)
    q = np.maximum(_shares(current), epsilon)
    return float(np.sum((q - p) * np.log(q / p)))


def jensenshannon(reference: Array, current: Array, base: float = 2.0) -> float:
    """Jensen-Shannon distance (the square root of the divergence) in log ``base``."""
    p, q = _shares(reference), _shares(current)
    m = (p + q) / 2.0
    divergence = (_relative_entropy(p, m) + _relative_entropy(q, m)) / 2.0
    return math.sqrt(max(divergence, 0.0) / math.log(base))


def _relative_entropy(p: npt.NDArray[np.float64], m: npt.NDArray[np.float64]) -> float:
    """``scipy.special.rel_entr(p, m).sum()``: Σ p·ln(p/m), a zero share adding 0."""
    held = p > 0
    return float(np.sum(p[held] * np.log(p[held] / m[held])))


def chisquare(reference: Array, current: Array) -> tuple[float, float, int]:
    """Pearson's chi-square statistic, p-value and degrees of freedom of the 2 x k table.

    Bins empty in both are left out (they hold no information and would make an expected
    count zero); with one bin left there is nothing to compare: statistic 0, p-value 1.
    """
    table = np.vstack([reference, current]).astype(np.float64)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2:
        return 0.0, 1.0, 0
    result = _scipy_stats().chi2_contingency(table, correction=False)
    return float(result.statistic), float(result.pvalue), int(result.dof)


def ks_pvalue(statistic: float, n_reference: int, n_current: int) -> float:
    """The two-sided p-value of ``ks_2samp(method="asymp")`` for these sample sizes."""
    m, n = sorted((float(n_reference), float(n_current)), reverse=True)
    effective = round(m * n / (m + n))
    return float(np.clip(_scipy_stats().kstwo.sf(statistic, effective), 0.0, 1.0))


def ks_from_bins(reference: Array, current: Array) -> tuple[float, float]:
    """KS statistic (the largest CDF gap at the bin edges) and its asymptotic p-value."""
    n, m = int(np.sum(reference)), int(np.sum(current))
    gap = np.abs(np.cumsum(reference) / n - np.cumsum(current) / m)
    statistic = float(gap.max())
    return statistic, ks_pvalue(statistic, n, m)


def ks_raw(
    reference: npt.NDArray[np.float64], current: npt.NDArray[np.float64]
) -> tuple[float, float]:
    """``scipy.stats.ks_2samp`` (exact p-value for small samples, asymptotic for large)."""
    result = _scipy_stats().ks_2samp(reference, current)
    return float(result.statistic), float(result.pvalue)


def _norm(std: float) -> float:
    return max(std, WASSERSTEIN_MIN_STD)


def wasserstein_raw(reference: npt.NDArray[np.float64], current: npt.NDArray[np.float64]) -> float:
    """Evidently's normed Wasserstein distance on raw values."""
    distance = float(_scipy_stats().wasserstein_distance(reference, current))
    return distance / _norm(float(np.std(reference)))


def wasserstein_from_bins(
    reference_counts: Array,
    reference_sums: npt.NDArray[np.float64],
    current_counts: Array,
    current_sums: npt.NDArray[np.float64],
    reference_std: float,
) -> float:
    """The normed Wasserstein distance with each bin's values at their mean.

    W₁ is the area between the two CDFs; with the mass of each bin at one point (the
    bin's mean, in the bin), both distributions become weighted atoms in the same order
    as the bins, and the area is a sum over consecutive atoms.
    """
    n, m = float(np.sum(reference_counts)), float(np.sum(current_counts))
    rc = np.asarray(reference_counts, dtype=np.float64)
    cc = np.asarray(current_counts, dtype=np.float64)
    r_at = np.divide(reference_sums, rc, out=np.zeros_like(rc), where=rc > 0)
    c_at = np.divide(current_sums, cc, out=np.zeros_like(cc), where=cc > 0)
    places = np.concatenate([r_at[rc > 0], c_at[cc > 0]])
    weights = np.concatenate([rc[rc > 0] / n, -cc[cc > 0] / m])
    order = np.argsort(places, kind="stable")
    places, weights = places[order], weights[order]
    gaps = np.abs(np.cumsum(weights)[:-1])
    with np.errstate(over="ignore", invalid="ignore"):  # values near the float limits
        area = float(np.sum(gaps * np.diff(places)))
    return area / _norm(reference_std)
