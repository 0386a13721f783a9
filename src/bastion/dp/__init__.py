"""Differentially private statistics through OpenDP: count, sum, mean, histogram and
quantile of one column, with explicit public bounds and an explicit privacy loss.

Pure compute: it imports nothing from the platform. The platform's per-dataset privacy
budget ledger (``bastion.privacy_budget``) calls :meth:`DpQuery.run` after it has checked
the budget. See ``docs/differential_privacy.md``.

The query settings, results and errors import nothing heavy (the API schemas and the SDK
use them); the functions that read data load pandas on first use, and OpenDP when a
query is first built.
"""

from typing import TYPE_CHECKING, Any

from bastion.dp.errors import (
    BoundsError,
    ColumnError,
    DpInputError,
    NonNumericColumnError,
    PrivacyLossError,
)
from bastion.dp.query import DpQuery, Noise, Statistic
from bastion.dp.result import DpResult

if TYPE_CHECKING:
    from bastion.dp.queries import (
        dp_count,
        dp_histogram,
        dp_mean,
        dp_quantile,
        dp_sum,
        run_query,
    )

__all__ = [
    "BoundsError",
    "ColumnError",
    "DpInputError",
    "DpQuery",
    "DpResult",
    "Noise",
    "NonNumericColumnError",
    "PrivacyLossError",
    "Statistic",
    "dp_count",
    "dp_histogram",
    "dp_mean",
    "dp_quantile",
    "dp_sum",
    "run_query",
]

_QUERIES = {"dp_count", "dp_histogram", "dp_mean", "dp_quantile", "dp_sum", "run_query"}


def __getattr__(name: str) -> Any:
    if name in _QUERIES:
        from bastion.dp import queries

        return getattr(queries, name)
    raise AttributeError(f"module 'bastion.dp' has no attribute {name!r}")
