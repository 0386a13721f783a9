"""What a differentially private query asks, checked before any data is read.

A :class:`DpQuery` is the query's *settings* — statistic, column, bounds, privacy loss —
kept apart from its calculation (``bastion.dp.mechanisms``), as evidently keeps a metric's
settings apart from its computation. It is small and serializable: the platform stores
``to_dict()`` in its query ledger, and checks it, and the budget, before it reads a byte
of the dataset.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from bastion.dp.errors import BoundsError, DpInputError, PrivacyLossError

if TYPE_CHECKING:
    import opendp.prelude as dp

    from bastion.dp.columns import Data
    from bastion.dp.result import DpResult

__all__ = [
    "DEFAULT_CANDIDATES",
    "MAX_CANDIDATES",
    "MAX_CATEGORIES",
    "DpQuery",
    "Noise",
    "Statistic",
]

MAX_CATEGORIES = 10_000
MAX_CANDIDATES = 10_000
MAX_CATEGORY_LENGTH = 200
DEFAULT_CANDIDATES = 101
"""Quantile candidates made from bounds: evenly spaced, both bounds included (a step of
1 % of the range)."""


class Statistic(StrEnum):
    COUNT = "count"
    SUM = "sum"
    MEAN = "mean"
    HISTOGRAM = "histogram"
    QUANTILE = "quantile"


class Noise(StrEnum):
    """The noise added to counts and sums.

    ``laplace`` gives pure ε-differential privacy (delta is 0); ``gaussian`` gives
    (ε, δ)-differential privacy through zero-concentrated DP (OpenDP's conversion from rho
    to (ε, δ)), and needs a delta above 0. Quantiles use the exponential mechanism, which
    is pure ε-DP, whichever is named.
    """

    LAPLACE = "laplace"
    GAUSSIAN = "gaussian"


NUMERIC = frozenset({Statistic.SUM, Statistic.MEAN, Statistic.QUANTILE})
"""The statistics that need a numeric column."""


def _finite(value: float | None, field: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BoundsError(f"{field} must be a number", field=field)
    if not math.isfinite(value):
        raise BoundsError(f"{field} must be a finite number, not {value}", field=field)
    return float(value)


def _refuse(field: str, value: object, statistic: Statistic, why: str) -> None:
    if value is not None:
        raise BoundsError(f"{field}: a {statistic.value} takes no {field} ({why})", field=field)


@dataclass(frozen=True)
class DpQuery:
    """One differentially private statistic of one column, with its privacy loss.

    Parameters
    ----------
    statistic : Statistic
        ``count``, ``sum``, ``mean``, ``histogram`` or ``quantile``.
    column : str
        The column the statistic reads.
    epsilon : float
        The privacy loss ε charged for the query; above 0.
    delta : float
        The δ charged; 0 for the Laplace and exponential mechanisms, above 0 (and below
        1) for Gaussian noise.
    lower, upper : float, optional
        Bounds on the column's values, required for ``sum`` and ``mean``, and for a
        ``quantile`` given no ``candidates``. Values outside are clamped to them.
    categories : sequence of str, optional
        The categories a ``histogram`` counts; values outside them are counted together
        as ``other``.
    candidates : sequence of float, optional
        The values a ``quantile`` chooses among, in increasing order.
    alpha : float, optional
        Which quantile, from 0 to 1 (0.5 is the median); required for ``quantile``.
    size : int, optional
        For ``mean`` only: the number of rows, if it is public. OpenDP then computes a
        mean of known size (the data are truncated or padded with the midpoint of the
        bounds to that size) and spends the whole epsilon on it. Without it the size
        stays private: half of the privacy loss buys a noisy sum and half a noisy count,
        and the mean is their ratio.
    contributions : int
        The most rows one person can hold in the table (1 when each person is one row).
        The noise grows with it; a table where a person holds more rows than this is not
        protected at the stated epsilon.
    noise : Noise
        ``laplace`` (pure ε-DP) or ``gaussian`` ((ε, δ)-DP).
    """

    statistic: Statistic
    column: str
    epsilon: float
    delta: float = 0.0
    lower: float | None = None
    upper: float | None = None
    categories: tuple[str, ...] | None = None
    candidates: tuple[float, ...] | None = None
    alpha: float | None = None
    size: int | None = None
    contributions: int = 1
    noise: Noise = Noise.LAPLACE

    def __post_init__(self) -> None:
        # Frozen: normalized values go in through object.__setattr__, once, here.
        set_ = object.__setattr__
        try:
            set_(self, "statistic", Statistic(self.statistic))
        except ValueError:
            choices = ", ".join(s.value for s in Statistic)
            raise DpInputError(
                f"statistic must be one of {choices}, not {self.statistic!r}", field="statistic"
            ) from None
        try:
            set_(self, "noise", Noise(self.noise))
        except ValueError:
            choices = ", ".join(n.value for n in Noise)
            raise DpInputError(
                f"noise must be one of {choices}, not {self.noise!r}", field="noise"
            ) from None
        if not isinstance(self.column, str) or not self.column:
            raise DpInputError("column must be a non-empty column name", field="column")
        self._check_loss()
        set_(self, "lower", _finite(self.lower, "lower"))
        set_(self, "upper", _finite(self.upper, "upper"))
        if isinstance(self.contributions, bool) or not isinstance(self.contributions, int):
            raise DpInputError("contributions must be a whole number", field="contributions")
        if self.contributions < 1:
            raise DpInputError("contributions must be at least 1", field="contributions")
        if self.categories is not None:
            set_(self, "categories", tuple(self.categories))
        if self.candidates is not None:
            set_(self, "candidates", tuple(self.candidates))
        check = {
            Statistic.COUNT: self._check_count,
            Statistic.SUM: self._check_sum,
            Statistic.MEAN: self._check_mean,
            Statistic.HISTOGRAM: self._check_histogram,
            Statistic.QUANTILE: self._check_quantile,
        }[self.statistic]
        check()

    # Checks -------------------------------------------------------------------------------

    def _check_loss(self) -> None:
        for name in ("epsilon", "delta"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise PrivacyLossError(f"{name} must be a number", field=name)
            if not math.isfinite(value):
                raise PrivacyLossError(f"{name} must be finite, not {value}", field=name)
        if self.epsilon <= 0:
            raise PrivacyLossError(
                f"epsilon must be above 0, not {self.epsilon}: it is the privacy loss the "
                "query may cause, and no noise gives a loss of 0",
                field="epsilon",
            )
        if not 0 <= self.delta < 1:
            raise PrivacyLossError(f"delta must be in [0, 1), not {self.delta}", field="delta")
        object.__setattr__(self, "epsilon", float(self.epsilon))
        object.__setattr__(self, "delta", float(self.delta))
        pure = self.statistic is Statistic.QUANTILE or self.noise is Noise.LAPLACE
        if self.statistic is Statistic.QUANTILE and self.noise is Noise.GAUSSIAN:
            raise PrivacyLossError(
                "noise: a quantile uses the exponential mechanism (pure ε-DP); "
                "leave noise at laplace",
                field="noise",
            )
        if pure and self.delta != 0:
            quantile = self.statistic is Statistic.QUANTILE
            mechanism = "the exponential mechanism" if quantile else "Laplace noise"
            raise PrivacyLossError(
                f"delta must be 0: {mechanism} gives pure ε-DP and would be charged a δ it "
                "does not use; choose noise=gaussian for (ε, δ)-DP",
                field="delta",
            )
        if not pure and self.delta == 0:
            raise PrivacyLossError(
                "delta must be above 0 with Gaussian noise (e.g. 1e-6, well below 1/rows)",
                field="delta",
            )

    def _check_bounds(self, why: str) -> None:
        for name in ("lower", "upper"):
            if getattr(self, name) is None:
                raise BoundsError(
                    f"{name}: a {self.statistic.value} needs explicit bounds lower and upper "
                    f"({why}); they must not come from the data, which would leak it",
                    field=name,
                )
        lower, upper = _finite(self.lower, "lower"), _finite(self.upper, "upper")
        if lower is not None and upper is not None and lower >= upper:
            raise BoundsError(
                f"upper: lower ({lower:g}) must be below upper ({upper:g})",
                field="upper",
            )

    def _check_count(self) -> None:
        why = "a count's sensitivity is the number of rows a person holds"
        for name in ("lower", "upper", "categories", "candidates", "alpha", "size"):
            _refuse(name, getattr(self, name), self.statistic, why)

    def _check_sum(self) -> None:
        self._check_bounds("one person moves a sum by at most the larger bound")
        for name in ("categories", "candidates", "alpha", "size"):
            _refuse(name, getattr(self, name), self.statistic, "it sums clamped values")

    def _check_mean(self) -> None:
        self._check_bounds("one person moves a mean by at most the width of the bounds")
        for name in ("categories", "candidates", "alpha"):
            _refuse(name, getattr(self, name), self.statistic, "it averages clamped values")
        if self.size is not None and (
            isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 1
        ):
            raise DpInputError("size must be a whole number of rows, at least 1", field="size")

    def _check_histogram(self) -> None:
        why = "it counts the categories given"
        for name in ("lower", "upper", "candidates", "alpha", "size"):
            _refuse(name, getattr(self, name), self.statistic, why)
        if not self.categories:
            raise BoundsError(
                "categories: a histogram needs the explicit list of categories it counts; "
                "taking them from the data would reveal rare values",
                field="categories",
            )
        if len(self.categories) > MAX_CATEGORIES:
            raise BoundsError(
                f"categories: at most {MAX_CATEGORIES} categories", field="categories"
            )
        for category in self.categories:
            if not isinstance(category, str) or not 0 < len(category) <= MAX_CATEGORY_LENGTH:
                raise BoundsError(
                    f"categories: each category must be a non-empty string of at most "
                    f"{MAX_CATEGORY_LENGTH} characters",
                    field="categories",
                )
        if len(set(self.categories)) != len(self.categories):
            raise BoundsError("categories: each category may appear once", field="categories")

    def _check_quantile(self) -> None:
        for name in ("categories", "size"):
            _refuse(name, getattr(self, name), self.statistic, "it chooses among candidates")
        if self.alpha is None:
            raise DpInputError(
                "alpha: a quantile needs alpha, from 0 to 1 (0.5 for the median)", field="alpha"
            )
        if isinstance(self.alpha, bool) or not isinstance(self.alpha, int | float):
            raise DpInputError("alpha must be a number from 0 to 1", field="alpha")
        if not 0 <= self.alpha <= 1:
            raise DpInputError(f"alpha must be from 0 to 1, not {self.alpha}", field="alpha")
        object.__setattr__(self, "alpha", float(self.alpha))
        if self.candidates is None:
            if self.lower is None and self.upper is None:
                raise BoundsError(
                    "candidates: a quantile needs explicit candidates, or bounds lower and "
                    "upper to space candidates between; they must not come from the data",
                    field="candidates",
                )
            self._check_bounds("the quantile is chosen among values between them")
            return
        if self.lower is not None or self.upper is not None:
            raise BoundsError(
                "candidates: give either candidates or bounds lower and upper, not both",
                field="candidates",
            )
        values = [_finite(c, "candidates") for c in self.candidates]
        if not 2 <= len(values) <= MAX_CANDIDATES:
            raise BoundsError(
                f"candidates: between 2 and {MAX_CANDIDATES} values", field="candidates"
            )
        if any(b is None or a is None or b <= a for a, b in itertools.pairwise(values)):
            raise BoundsError("candidates must be strictly increasing", field="candidates")
        object.__setattr__(self, "candidates", tuple(float(v) for v in values if v is not None))

    # Reading ------------------------------------------------------------------------------

    @property
    def needs_numbers(self) -> bool:
        """Whether the column must hold numbers (sum, mean, quantile)."""
        return self.statistic in NUMERIC

    def quantile_candidates(self) -> tuple[float, ...]:
        """The candidates a quantile chooses among: given, or spaced between the bounds."""
        if self.candidates is not None:
            return self.candidates
        if self.lower is None or self.upper is None:
            raise BoundsError("a quantile needs candidates or bounds", field="candidates")
        step = (self.upper - self.lower) / (DEFAULT_CANDIDATES - 1)
        inner = (self.lower + i * step for i in range(1, DEFAULT_CANDIDATES - 1))
        return (self.lower, *inner, self.upper)

    def bounds(self) -> dict[str, Any]:
        """The public bounds the query used, as recorded with its result."""
        if self.statistic is Statistic.HISTOGRAM:
            return {"categories": list(self.categories or ())}
        if self.statistic is Statistic.QUANTILE:
            out: dict[str, Any] = {"candidates": list(self.quantile_candidates())}
            if self.candidates is None:
                out |= {"lower": self.lower, "upper": self.upper}
            return out
        if self.statistic is Statistic.COUNT:
            return {}
        return {"lower": self.lower, "upper": self.upper}

    def to_dict(self) -> dict[str, Any]:
        """The query as JSON-ready data, with only the fields it uses."""
        out: dict[str, Any] = {
            "statistic": self.statistic.value,
            "column": self.column,
            "epsilon": self.epsilon,
            "delta": self.delta,
            "noise": self.noise.value,
            "contributions": self.contributions,
        }
        for name in ("lower", "upper", "alpha", "size"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.categories is not None:
            out["categories"] = list(self.categories)
        if self.candidates is not None:
            out["candidates"] = list(self.candidates)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DpQuery:
        """The query ``to_dict`` wrote (for replaying a recorded query's settings)."""
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise DpInputError(f"unknown query fields: {', '.join(unknown)}", field=unknown[0])
        fields = dict(data)
        for name in ("categories", "candidates"):
            if isinstance(fields.get(name), Sequence) and not isinstance(fields[name], str):
                fields[name] = tuple(fields[name])
        return cls(**fields)

    # Computing ----------------------------------------------------------------------------

    def measurement(self) -> dp.Measurement:
        """The OpenDP measurement this query releases through.

        Its privacy map at ``d_in = contributions`` is at most the ``epsilon`` (and
        ``delta``) charged, and equal to it up to the precision of OpenDP's search for
        the noise scale.
        """
        from bastion.dp.mechanisms import build

        return build(self).measurement

    def run(self, data: Data) -> DpResult:
        """Compute the statistic on ``data`` (a table, or a path to a CSV, Parquet or JSON
        Lines file, streamed), through OpenDP."""
        from bastion.dp.mechanisms import release

        return release(self, data)
