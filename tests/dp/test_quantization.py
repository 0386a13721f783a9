"""The one step of a sum that is not OpenDP's: clamping and scaling each value onto an
integer grid. Each value lands inside the bounds, within half a step of its clamped self,
and the grid's integers stay small enough for int64 sums of 2**31 rows."""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bastion.dp import BoundsError
from bastion.dp.mechanisms import QUANTIZED_MAGNITUDE, _Grid

finite = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(a=finite, b=finite, values=st.lists(st.floats(allow_nan=False), max_size=20))
def test_grid_keeps_values_in_bounds_and_close(a: float, b: float, values: list[float]) -> None:
    lower, upper = min(a, b), max(a, b)
    try:
        grid = _Grid.of(lower, upper)
    except BoundsError:
        # Refused only when no two grid points fit between the bounds, or when they are
        # so near 0 that no float scales them onto the grid.
        magnitude = max(abs(lower), abs(upper))
        assert upper - lower <= magnitude * 2**-30 or magnitude <= 2.0**-930
        return
    assert max(abs(grid.lower), abs(grid.upper)) <= QUANTIZED_MAGNITUDE
    assert lower <= grid.lower / grid.factor <= grid.upper / grid.factor <= upper
    data = np.array(values, dtype=np.float64)
    ints = grid.ints(data)
    assert ints.dtype == np.int64
    assert np.all((ints >= grid.lower) & (ints <= grid.upper))
    clamped = np.clip(data, grid.lower / grid.factor, grid.upper / grid.factor)
    assert np.all(np.abs(ints / grid.factor - clamped) <= 0.5 / grid.factor)


def test_step_is_a_tiny_fraction_of_the_larger_bound() -> None:
    grid = _Grid.of(-5.0, 120.0)
    assert math.log2(grid.factor).is_integer()  # a power of two: integers scale exactly
    assert 1 / grid.factor <= 120 * 2**-31
    assert grid.ints(np.array([3.0, 200.0, -10.0])).tolist() == [
        3 * grid.factor, grid.upper, grid.lower,
    ]  # fmt: skip
