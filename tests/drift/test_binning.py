"""Binning: the lookup table and the plain binary search find the same bins, whatever
the input's size, and the table is built without materializing its grid."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bastion.drift import binning
from bastion.drift.binning import TABLE_VALUES, Binner


def _edges(rng: np.random.Generator, kind: str) -> np.ndarray:
    if kind == "normal":
        return np.unique(np.quantile(rng.normal(size=5000), np.linspace(0, 1, 1001)))
    if kind == "heavy":
        return np.unique(np.quantile(rng.pareto(0.5, 5000), np.linspace(0, 1, 1001)))
    if kind == "integers":
        return np.unique(rng.integers(0, 60, 500)).astype(float)
    return np.unique(rng.uniform(-1e12, 1e12, 300))


@pytest.mark.parametrize("kind", ["normal", "heavy", "integers", "wide"])
@pytest.mark.parametrize("size", [0, 1, 100, TABLE_VALUES - 1, TABLE_VALUES, 3 * TABLE_VALUES])
def test_small_and_large_inputs_find_the_bins_searchsorted_finds(kind: str, size: int) -> None:
    rng = np.random.default_rng(size)
    edges = _edges(rng, kind)
    on_edges = np.concatenate([edges, np.nextafter(edges, -np.inf), np.nextafter(edges, np.inf)])
    values = np.concatenate([rng.choice(on_edges, size // 2), rng.uniform(-2e12, 2e12, size)])
    values = values[:size]
    binner = Binner(edges)
    np.testing.assert_array_equal(
        binner.index(values), np.searchsorted(edges, values, side="right")
    )
    # After a large input has built the table, small ones still agree (they skip it).
    binner.index(rng.choice(on_edges, TABLE_VALUES))
    few = rng.choice(on_edges, 50)
    np.testing.assert_array_equal(binner.index(few), np.searchsorted(edges, few, side="right"))


def test_the_table_is_built_only_for_large_inputs() -> None:
    binner = Binner(_edges(np.random.default_rng(0), "normal"))
    binner.index(np.zeros(TABLE_VALUES - 1))
    assert binner._table is None
    binner.index(np.zeros(TABLE_VALUES))
    assert binner._table is not None


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.floats(-1e12, 1e12), min_size=2, max_size=60, unique=True),
    st.floats(1e-3, 1e6),
    st.integers(1, 5000),
)
def test_grid_positions_equal_a_search_of_the_grid(
    edges: list[float], scale: float, cells: int
) -> None:
    e = np.sort(np.asarray(edges))
    start = float(e[0])
    grid = start + np.arange(-3, cells + 3) / scale
    expected = np.searchsorted(grid, e, side="left")
    found = binning._grid_positions(e, start, scale, cells + 6)
    np.testing.assert_array_equal(found, expected)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-1e12, 1e12), min_size=2, max_size=60, unique=True),
    st.lists(st.floats(-1e15, 1e15), min_size=1, max_size=40),
)
def test_the_table_path_on_any_edges(edges: list[float], values: list[float]) -> None:
    """The hypothesis test in test_profile.py is below the table's size: tile it above."""
    e = np.sort(np.asarray(edges))
    x = np.concatenate([np.asarray(values), e, np.nextafter(e, -np.inf), np.nextafter(e, np.inf)])
    x = np.resize(x, max(TABLE_VALUES, x.size))
    np.testing.assert_array_equal(Binner(e).index(x), np.searchsorted(e, x, side="right"))


def test_values_far_beyond_edges_a_hair_apart() -> None:
    """Edges 1e-300 apart make a scale near 1e306: a value of 1e15 overflows to inf in the
    cell arithmetic, which once raised a RuntimeWarning (an error under -W error)."""
    e = np.array([0.0, 1e-300])
    x = np.resize(np.array([1e15, -1e15, 0.0, 1e-300, 5e-301]), TABLE_VALUES)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = Binner(e).index(x)
    np.testing.assert_array_equal(found, np.searchsorted(e, x, side="right"))
