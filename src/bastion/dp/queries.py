"""The differentially private queries, one function per statistic.

Each takes a table (pandas, polars, Arrow) or a path to a CSV, Parquet or JSON Lines file,
one column, the public bounds the statistic needs, and the privacy loss to spend; it
returns a :class:`~bastion.dp.result.DpResult`. Nothing is taken from the data to set a
bound: bounds chosen from the data would themselves leak it.

These functions track no budget: each call spends its epsilon anew. On the platform, the
privacy budget ledger of a dataset (``bastion.privacy_budget``) records every query and
refuses those that would exceed the budget.

Examples
--------
>>> import pandas as pd
>>> from bastion.dp import dp_mean
>>> people = pd.DataFrame({"age": [23, 35, 41, 58, 62] * 200})
>>> result = dp_mean(people, "age", lower=18, upper=90, epsilon=1.0)
>>> 18 <= result.value <= 90
True
"""

from __future__ import annotations

from collections.abc import Sequence

from bastion.dp.columns import Data
from bastion.dp.query import DpQuery, Noise, Statistic
from bastion.dp.result import DpResult

__all__ = ["dp_count", "dp_histogram", "dp_mean", "dp_quantile", "dp_sum", "run_query"]


def run_query(query: DpQuery, data: Data) -> DpResult:
    """Run a :class:`DpQuery` (the settings of any statistic) on ``data``."""
    return query.run(data)


def dp_count(
    data: Data,
    column: str,
    *,
    epsilon: float,
    delta: float = 0.0,
    noise: Noise | str = Noise.LAPLACE,
    contributions: int = 1,
) -> DpResult:
    """The number of rows where ``column`` has a value, with noise.

    Parameters
    ----------
    data
        A pandas, polars or Arrow table, or a path to a CSV, Parquet or JSON Lines file.
    column : str
        The column whose present values are counted.
    epsilon : float
        Privacy loss, above 0. The Laplace noise has scale ``contributions / epsilon``.
    delta : float
        0 with Laplace noise; above 0 with ``noise="gaussian"``.
    noise : {"laplace", "gaussian"}
        Pure ε-DP, or (ε, δ)-DP through zero-concentrated DP.
    contributions : int
        The most rows one person holds.

    Raises
    ------
    PrivacyLossError
        If epsilon is not above 0, or delta does not suit the noise.
    ColumnError
        If the table has no such column.
    """
    query = DpQuery(
        Statistic.COUNT, column, epsilon, delta, noise=Noise(noise), contributions=contributions
    )
    return query.run(data)


def dp_sum(
    data: Data,
    column: str,
    *,
    lower: float | None = None,
    upper: float | None = None,
    epsilon: float,
    delta: float = 0.0,
    noise: Noise | str = Noise.LAPLACE,
    contributions: int = 1,
) -> DpResult:
    """The sum of a numeric column, each value clamped to ``[lower, upper]``, with noise.

    Parameters
    ----------
    lower, upper : float
        Public bounds on one value, required: one person changes the sum by at most
        ``contributions · max(|lower|, |upper|)``, and the noise is scaled to that.
        Values outside are clamped to them (the sum is then of the clamped values).

    The other parameters are those of :func:`dp_count`.

    Raises
    ------
    BoundsError
        If a bound is missing or not finite, or ``lower >= upper``.
    NonNumericColumnError
        If the column does not hold numbers.
    """
    query = DpQuery(
        Statistic.SUM, column, epsilon, delta, lower=lower, upper=upper, noise=Noise(noise),
        contributions=contributions,
    )  # fmt: skip
    return query.run(data)


def dp_mean(
    data: Data,
    column: str,
    *,
    lower: float | None = None,
    upper: float | None = None,
    epsilon: float,
    delta: float = 0.0,
    size: int | None = None,
    noise: Noise | str = Noise.LAPLACE,
    contributions: int = 1,
) -> DpResult:
    """The mean of a numeric column, each value clamped to ``[lower, upper]``, with noise.

    Parameters
    ----------
    lower, upper : float
        Public bounds, required; values outside are clamped to them, and the released
        mean is clamped into them.
    size : int, optional
        The number of rows, if it is public (published, or fixed by design). OpenDP's
        mean needs a known size: the data are truncated, or padded with the midpoint of
        the bounds, to ``size`` rows, and the whole epsilon buys the mean. Without it the
        size stays private: half the loss buys a noisy sum, half a noisy count, and the
        mean is their ratio (noisier on small tables, but no size is assumed).

    The other parameters are those of :func:`dp_count`.
    """
    query = DpQuery(
        Statistic.MEAN, column, epsilon, delta, lower=lower, upper=upper, size=size,
        noise=Noise(noise), contributions=contributions,
    )  # fmt: skip
    return query.run(data)


def dp_histogram(
    data: Data,
    column: str,
    *,
    categories: Sequence[str] | None = None,
    epsilon: float,
    delta: float = 0.0,
    noise: Noise | str = Noise.LAPLACE,
    contributions: int = 1,
) -> DpResult:
    """Counts of the given categories in a column, with noise on each count.

    Parameters
    ----------
    categories : sequence of str
        The public list of categories, required: categories read from the data would
        reveal values that only one person holds. Values outside the list are counted
        together as ``other``. Numbers are matched as text, whole numbers without
        decimals (``"3"``).

    The other parameters are those of :func:`dp_count`; each person changes at most
    ``contributions`` counts by one each.
    """
    query = DpQuery(
        Statistic.HISTOGRAM, column, epsilon, delta,
        categories=tuple(categories) if categories is not None else None,
        noise=Noise(noise), contributions=contributions,
    )  # fmt: skip
    return query.run(data)


def dp_quantile(
    data: Data,
    column: str,
    *,
    alpha: float | None = None,
    candidates: Sequence[float] | None = None,
    lower: float | None = None,
    upper: float | None = None,
    epsilon: float,
    contributions: int = 1,
) -> DpResult:
    """The ``alpha``-quantile of a numeric column, chosen among public candidates.

    Parameters
    ----------
    alpha : float
        Which quantile, from 0 to 1 (0.5 for the median); required.
    candidates : sequence of float, optional
        The increasing values the quantile is chosen among. Or give ``lower`` and
        ``upper`` instead: 101 evenly spaced candidates from one to the other.
    epsilon : float
        Privacy loss, above 0: OpenDP's ``make_private_quantile`` (an exponential
        mechanism) is pure ε-DP, so there is no delta.

    Raises
    ------
    BoundsError
        If there are neither candidates nor bounds, both, or they are not increasing.
    """
    query = DpQuery(
        Statistic.QUANTILE, column, epsilon, 0.0, lower=lower, upper=upper,
        candidates=tuple(candidates) if candidates is not None else None, alpha=alpha,
        contributions=contributions,
    )  # fmt: skip
    return query.run(data)
