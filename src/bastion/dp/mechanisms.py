"""The OpenDP measurements behind each query, and running them.

Every statistic is an OpenDP chain — a stable transformation (clamp, sum, count, count by
categories, resize, mean) followed by a noise mechanism — whose privacy map OpenDP
proves. The noise scale is not computed here by formula: ``dp.binary_search_param``
finds the smallest scale whose privacy map at ``d_in = contributions`` stays within the
epsilon (and delta) asked, so what is charged is what OpenDP certifies.

Privacy unit: the symmetric distance between tables, i.e. ``d_in`` rows added or removed;
a person holding at most ``contributions`` rows is protected at the stated loss.

Sums are computed on integers. OpenDP's sum of floats of unknown size proves its
sensitivity for at most 2**20 rows and truncates longer inputs (checked with OpenDP 0.16:
3 million ones sum to 1,048,576), which would bias a sum on a large table. Each value is
therefore clamped to the bounds and scaled by a power of two ``2**k`` chosen from the
bounds (the larger bound becomes about 2**32) and rounded to an integer — a row-by-row
map, so OpenDP's stability proof still holds — and OpenDP clamps, sums and noises the
integers exactly (int64 sums have no size limit). The rounding moves each value by at most
``2**-(k+1)``: about 1e-10 of the larger bound, far below the noise.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

import numpy as np
import numpy.typing as npt
import opendp.prelude as dp

from bastion.dp import columns
from bastion.dp.columns import Data
from bastion.dp.errors import BoundsError, DpInputError, PrivacyLossError
from bastion.dp.query import DpQuery, Noise, Statistic
from bastion.dp.result import DpResult, SizeHandling

__all__ = ["OPENDP_VERSION", "Built", "build", "release"]

# OpenDP puts every mechanism whose proof is still being reviewed behind the "contrib"
# flag, and all the constructors used here need it. The flag is process-wide; this is the
# one place Bastion sets it, when the first query is built.
dp.enable_features("contrib")

OPENDP_VERSION = version("opendp")
ACCURACY_ALPHA = 0.05  # accuracy is reported as the half-width of a 95 % interval
QUANTIZED_MAGNITUDE = 2.0**32  # the larger bound's magnitude once scaled to integers
_SMALLEST_MAGNITUDE = 2.0**-930

# OpenDP leaves a few constructors unannotated; these typed names are all this module calls.
_then_sum: Callable[[], Any] = dp.t.then_sum
_then_mean: Callable[[], Any] = dp.t.then_mean

_FLOATS = dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.symmetric_distance()
_INTS = dp.vector_domain(dp.atom_domain(T="i64")), dp.symmetric_distance()
_BOOLS = dp.vector_domain(dp.atom_domain(T=bool)), dp.symmetric_distance()
_LABELS = dp.vector_domain(dp.atom_domain(T=str)), dp.symmetric_distance()


@dataclass(frozen=True)
class Built:
    """A query's measurement, how to read its input, and how to read its output."""

    measurement: dp.Measurement
    read: Callable[[Data], Any]
    finish: Callable[[Any], Any]
    mechanism: str
    noise_scale: float | None
    accuracy: float | None
    size_handling: SizeHandling = "not needed"
    details: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


# Noise -------------------------------------------------------------------------------------


def _noise(query: DpQuery) -> Callable[[Any], Callable[[float], dp.Measurement]]:
    """``then(transformation)(scale)``: the transformation followed by the query's noise,
    measured as pure ε-DP (Laplace) or as (ε, δ)-DP at the query's δ (Gaussian, through
    zero-concentrated DP)."""
    if query.noise is Noise.LAPLACE:
        return lambda t: lambda scale: t >> dp.m.then_laplace(scale)
    return lambda t: lambda scale: _to_approx(t >> dp.m.then_gaussian(scale), query.delta)


def _to_approx(measurement: dp.Measurement, delta: float) -> dp.Measurement:
    # rho-zCDP → the privacy profile ε(δ) → fixed at the δ the query is charged.
    return dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(measurement), delta)


def _loss(query: DpQuery) -> float | tuple[float, float]:
    return query.epsilon if query.delta == 0 else (query.epsilon, query.delta)


def _solve(query: DpQuery, make: Callable[[float], dp.Measurement], sensitivity: float) -> float:
    """The smallest noise scale whose privacy map at ``d_in`` fits the query's loss.

    What ``dp.binary_search_param`` does, with two changes: a scale at which OpenDP
    fails (the Gaussian conversion from rho to ε overflows at scales far too small, and
    each failure costs a tenth of a second) counts as too small; and the search starts
    from the textbook scale for ``sensitivity`` (per row) and brackets the answer from
    there, instead of sweeping from 0.
    """
    d_in, d_out = query.contributions, _loss(query)

    def fits(scale: float) -> bool:
        try:
            return bool(make(scale).check(d_in, d_out))
        except dp.OpenDPException:
            return False

    guess = sensitivity * d_in / query.epsilon
    if query.delta:
        guess *= math.sqrt(2 * math.log(1.25 / query.delta))
    # Built once outside the search, so that OpenDP refusing the query itself (rather
    # than a scale) surfaces as that refusal.
    make(guess)
    high = guess
    for _ in range(_BRACKET_STEPS):
        if fits(high):
            break
        high *= 4
    else:
        raise PrivacyLossError(
            f"epsilon: OpenDP finds no noise scale for epsilon={query.epsilon:g}; "
            "choose a larger privacy loss",
            field="epsilon",
        )
    low = high / 4
    for _ in range(_BRACKET_STEPS):
        if not fits(low):
            break
        high, low = low, low / 4
    try:
        return float(dp.binary_search(fits, bounds=(low, high)))
    except ValueError as exc:  # no boundary between the brackets: a loss OpenDP cannot map
        raise PrivacyLossError(
            f"epsilon: OpenDP finds no noise scale for epsilon={query.epsilon:g} ({exc})",
            field="epsilon",
        ) from None


_BRACKET_STEPS = 64


def _accuracy(query: DpQuery, scale: float, *, integer: bool) -> float:
    if query.noise is Noise.LAPLACE:
        to_accuracy = (
            dp.discrete_laplacian_scale_to_accuracy if integer else dp.laplacian_scale_to_accuracy
        )
    elif integer and scale <= _DISCRETE_GAUSSIAN_LIMIT:
        to_accuracy = dp.discrete_gaussian_scale_to_accuracy
    else:
        # OpenDP's discrete Gaussian accuracy sums the distribution term by term (minutes
        # at the scales of a quantized sum); at such scales it equals the continuous one.
        to_accuracy = dp.gaussian_scale_to_accuracy
    return float(to_accuracy(scale, ACCURACY_ALPHA))


_DISCRETE_GAUSSIAN_LIMIT = 100.0


# Quantized sums ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Grid:
    """Bounds on a grid of step ``1/factor`` (a power of two), as int64."""

    factor: float
    lower: int
    upper: int

    @classmethod
    def of(cls, lower: float, upper: float) -> _Grid:
        magnitude = max(abs(lower), abs(upper))
        grid = None
        # Bounds below ~1e-280 in magnitude would need a factor beyond float range.
        if magnitude > _SMALLEST_MAGNITUDE:
            factor = 2.0 ** (math.log2(QUANTIZED_MAGNITUDE) - math.ceil(math.log2(magnitude)))
            # Rounded inwards, so the integers' clamp never widens the bounds (a product
            # that underflows or rounds outwards is moved one step in).
            low, high = math.ceil(lower * factor), math.floor(upper * factor)
            low += low / factor < lower
            high -= high / factor > upper
            grid = cls(factor, low, high)
        if grid is None or grid.lower >= grid.upper:
            raise BoundsError(
                f"upper: bounds [{lower:.15g}, {upper:.15g}] are too close together for their "
                "magnitude (less than 2**-31 of it apart), or too close to 0; rescale the column",
                field="upper",
            )
        return grid

    def ints(self, values: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        scaled = np.clip(values, self.lower / self.factor, self.upper / self.factor)
        return np.rint(scaled * self.factor).astype(np.int64)


def _bounded(query: DpQuery) -> tuple[float, float]:
    if query.lower is None or query.upper is None:  # DpQuery checked; for the type checker
        raise BoundsError("lower and upper are needed", field="lower")
    return query.lower, query.upper


def _clamped_note(query: DpQuery) -> str:
    lower, upper = _bounded(query)
    return f"values were clamped to [{lower:g}, {upper:g}] before {query.statistic.value}"


# One builder per statistic ----------------------------------------------------------------


def _count(query: DpQuery) -> Built:
    then = _noise(query)
    counted = _BOOLS >> dp.t.then_count(TO="i64")
    scale = _solve(query, then(counted), 1.0)
    return Built(
        measurement=then(counted)(scale),
        read=lambda data: columns.presence(data, query.column),
        finish=int,
        mechanism=query.noise.value,
        noise_scale=scale,
        accuracy=_accuracy(query, scale, integer=True),
        notes=(
            "counts the rows where the column has a value",
            "a noisy count can be negative or above the true count; it is unbiased",
        ),
    )


def _sum(query: DpQuery) -> Built:
    then = _noise(query)
    grid = _Grid.of(*_bounded(query))
    summed = _INTS >> dp.t.then_clamp((grid.lower, grid.upper)) >> _then_sum()
    scale = _solve(query, then(summed), max(abs(grid.lower), abs(grid.upper)))
    return Built(
        measurement=then(summed)(scale),
        read=lambda data: grid.ints(columns.numbers(data, query.column, "sum")),
        finish=lambda raw: float(raw) / grid.factor,
        mechanism=query.noise.value,
        noise_scale=scale / grid.factor,
        accuracy=_accuracy(query, scale, integer=True) / grid.factor,
        details={"quantization_step": 1 / grid.factor},
        notes=(_clamped_note(query), "missing values were left out"),
    )


def _mean_public_size(query: DpQuery, size: int) -> Built:
    then = _noise(query)
    lower, upper = _bounded(query)
    averaged = (
        _FLOATS
        >> dp.t.then_clamp((lower, upper))
        >> dp.t.then_resize(size=size, constant=(lower + upper) / 2)
        >> _then_mean()
    )
    scale = _solve(query, then(averaged), (upper - lower) / size)
    return Built(
        measurement=then(averaged)(scale),
        read=lambda data: columns.numbers(data, query.column, "mean"),
        finish=lambda raw: min(max(float(raw), lower), upper),
        mechanism=query.noise.value,
        noise_scale=scale,
        accuracy=_accuracy(query, scale, integer=False),
        size_handling="public",
        notes=(
            _clamped_note(query),
            f"the table was taken to have {size} rows (public): extra rows were dropped, "
            "missing rows filled with the midpoint of the bounds",
            "the noisy mean was clamped into the bounds",
        ),
    )


def _mean_private_size(query: DpQuery) -> Built:
    lower, upper = _bounded(query)
    grid = _Grid.of(lower, upper)
    summed = _INTS >> dp.t.then_clamp((grid.lower, grid.upper)) >> _then_sum()
    counted = _INTS >> dp.t.then_count(TO="i64")
    sum_sensitivity = max(abs(grid.lower), abs(grid.upper))

    def both(step: float) -> dp.Measurement:
        # One parameter for both noises, each proportional to its own sensitivity, so the
        # loss splits about evenly between the sum and the count.
        parts = [summed >> _bare(query)(step * sum_sensitivity), counted >> _bare(query)(step)]
        composed = dp.c.make_composition(parts)
        return composed if query.noise is Noise.LAPLACE else _to_approx(composed, query.delta)

    step = _solve(query, both, 2.0)

    def finish(raw: Any) -> float:
        noisy_sum, noisy_count = float(raw[0]) / grid.factor, float(raw[1])
        # Post-processing: a count below 1 cannot be divided by; the bounds hold the mean.
        return min(max(noisy_sum / max(noisy_count, 1.0), lower), upper)

    sum_scale, count_scale = step * sum_sensitivity / grid.factor, step
    return Built(
        measurement=both(step),
        read=lambda data: grid.ints(columns.numbers(data, query.column, "mean")),
        finish=finish,
        mechanism=query.noise.value,
        noise_scale=None,
        accuracy=None,
        size_handling="private count",
        details={
            "sum_noise_scale": sum_scale,
            "count_noise_scale": count_scale,
            "quantization_step": 1 / grid.factor,
        },
        notes=(
            _clamped_note(query),
            "the number of rows is private: the mean is a noisy sum over a noisy count, "
            "each bought with about half of the privacy loss",
            "the noisy mean was clamped into the bounds",
        ),
    )


def _bare(query: DpQuery) -> Callable[[float], Any]:
    """The noise measurement alone (to chain after a transformation), in the measure it
    composes in: pure DP for Laplace, zCDP for Gaussian (converted once, after)."""
    if query.noise is Noise.LAPLACE:
        return lambda scale: dp.m.then_laplace(scale)
    return lambda scale: dp.m.then_gaussian(scale)


def _histogram(query: DpQuery) -> Built:
    then = _noise(query)
    categories = list(query.categories or ())
    metric = dp.L1Distance[int] if query.noise is Noise.LAPLACE else dp.L2Distance[int]
    counted = _LABELS >> dp.t.then_count_by_categories(
        categories=categories, null_category=True, MO=metric
    )
    scale = _solve(query, then(counted), 1.0)

    def finish(raw: Any) -> dict[str, Any]:
        counts = [int(c) for c in raw]
        return {"counts": dict(zip(categories, counts[:-1], strict=True)), "other": counts[-1]}

    return Built(
        measurement=then(counted)(scale),
        read=lambda data: columns.labels(data, query.column),
        finish=finish,
        mechanism=query.noise.value,
        noise_scale=scale,
        accuracy=_accuracy(query, scale, integer=True),
        notes=(
            "values outside the categories are counted together as 'other'",
            "whole numbers are matched as written without decimals ('3', not '3.0')",
            "missing values were left out",
        ),
    )


def _quantile(query: DpQuery) -> Built:
    candidates = list(query.quantile_candidates())
    alpha = query.alpha if query.alpha is not None else 0.5

    def make(scale: float) -> dp.Measurement:
        return dp.m.make_private_quantile(
            *_FLOATS, dp.max_divergence(), candidates=candidates, alpha=alpha, scale=scale
        )

    scale = _solve(query, make, 2 * max(alpha, 1 - alpha))
    return Built(
        measurement=make(scale),
        read=lambda data: columns.numbers(data, query.column, "quantile"),
        finish=float,
        mechanism="exponential",
        noise_scale=None,
        accuracy=None,
        details={"selection_scale": scale},
        notes=(
            "the quantile is one of the candidates, chosen by the exponential mechanism "
            "(OpenDP's make_private_quantile)",
            "missing values were left out",
        ),
    )


def build(query: DpQuery) -> Built:
    """The OpenDP measurement of ``query``, its noise calibrated to the query's loss."""
    try:
        if query.statistic is Statistic.COUNT:
            return _count(query)
        if query.statistic is Statistic.SUM:
            return _sum(query)
        if query.statistic is Statistic.MEAN:
            if query.size is not None:
                return _mean_public_size(query, query.size)
            return _mean_private_size(query)
        if query.statistic is Statistic.HISTOGRAM:
            return _histogram(query)
        return _quantile(query)
    except dp.OpenDPException as exc:
        raise DpInputError(f"OpenDP refused the query: {exc.message}") from None


def _privacy_map(query: DpQuery, measurement: dp.Measurement) -> dict[str, float]:
    loss: Any = measurement.map(query.contributions)  # type: ignore[no-untyped-call]
    if isinstance(loss, tuple):
        return {"epsilon": float(loss[0]), "delta": float(loss[1])}
    return {"epsilon": float(loss), "delta": 0.0}


def release(query: DpQuery, data: Data) -> DpResult:
    """Run ``query`` on ``data`` through OpenDP and return the released statistic."""
    built = build(query)
    records = built.read(data)
    raw = built.measurement(records)
    value = built.finish(raw)
    other = None
    if isinstance(value, dict):
        value, other = value["counts"], value["other"]
    privacy_map = _privacy_map(query, built.measurement)
    if privacy_map["epsilon"] > query.epsilon or privacy_map["delta"] > query.delta:
        # binary_search_param guarantees this; a failure here is a bug, not bad input.
        raise RuntimeError(f"measurement spends {privacy_map}, more than charged")
    return DpResult(
        query=query.statistic.value,
        column=query.column,
        value=value,
        epsilon=query.epsilon,
        delta=query.delta,
        mechanism=built.mechanism,
        bounds=query.bounds(),
        noise_scale=built.noise_scale,
        accuracy=built.accuracy,
        size_handling=built.size_handling,
        public_size=query.size,
        contributions=query.contributions,
        alpha=query.alpha,
        other=other,
        privacy_map=privacy_map,
        details=built.details,
        opendp_version=OPENDP_VERSION,
        notes=built.notes,
    )
