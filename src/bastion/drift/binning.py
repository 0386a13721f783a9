"""Finding the bin of a million values fast: ``numpy.searchsorted`` with a lookup table.

A binary search over a thousand edges costs about 60 ns a value (ten unpredictable
branches), which would make binning alone take over a second for a 20-column window of
a million rows. The edges are fixed by the reference, so a table can be built once: the
range between the first and last edge is cut into equal cells, and the table holds, per
cell, the bin at the cell's start. A value's cell is one multiplication away; from the
bin two cells below it, a few vectorized steps (``index += value >= edge[index]``) reach
its bin — about 7 ms for a million values. Where edges crowd one cell (heavy tails), the
steps needed would be many: the plain binary search is used instead.

The table costs a few tenths of a millisecond to build, as much as a binary search of a
few thousand values: it is built on the first call with at least :data:`TABLE_VALUES`
values (and kept for the next ones), and smaller inputs are searched directly.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["TABLE_VALUES", "Binner"]

_MIN_CELLS = 4096
_MAX_CELLS = 1 << 20  # a 2 MB table
_MAX_STEPS = 6
TABLE_VALUES = 8192
"""Fewer values are binned by ``numpy.searchsorted`` alone (no table is built for them)."""


class Binner:
    """``index(values)`` equals ``numpy.searchsorted(edges, values, side="right")`` for
    finite values: 0 below the first edge, ``len(edges)`` from the last one up."""

    def __init__(self, edges: npt.NDArray[np.float64]) -> None:
        self.edges = edges
        self._built = False
        self._table: npt.NDArray[np.integer[Any]] | None = None
        self._start = self._scale = 0.0
        self._cells = self._steps = 0
        self._padded = edges

    def _build(self) -> None:
        """The lookup table, when the edges allow one (else the binary search stays)."""
        edges = self.edges
        # Python floats: a span past the float range is inf, not a numpy overflow warning.
        span = float(edges[-1]) - float(edges[0]) if edges.size >= 2 else 0.0
        if not math.isfinite(span) or span <= 0:
            return
        # Cells a quarter of a narrow gap wide (a few narrower gaps cost a step or two).
        gap = float(np.quantile(np.diff(edges), 0.01))
        cells = int(min(max(4 * span / gap, _MIN_CELLS), _MAX_CELLS))
        scale = cells / span
        # table[j] = the bin at the start of cell j - 3 (for cells -3 … cells + 2): the
        # number of edges at or below that point, from where each edge falls in the grid
        # (a run of equal entries per bin, not a binary search per cell).
        first = _grid_positions(edges, float(edges[0]), scale, cells + 6)
        # Bin numbers fit in 16 bits for any profile's thousand-odd edges: half the memory
        # and cache of 32-bit entries.
        small = edges.size < np.iinfo(np.int16).max
        bins = np.arange(edges.size + 1, dtype=np.int16 if small else np.int32)
        table: npt.NDArray[np.integer[Any]] = np.repeat(
            bins, np.diff(first, prepend=0, append=cells + 6)
        )
        # From cell k (-1 … cells) the walk starts at table[k + 1] (two cells below, safe
        # from rounding) and ends by table[k + 5] (two cells above): at most this many steps.
        steps = int((table[4:] - table[:-4]).max())
        if steps <= _MAX_STEPS:
            self._padded = np.append(edges, np.inf)
            self._start, self._scale = float(edges[0]), scale
            self._cells, self._steps = cells, steps
            self._table = table  # last: another thread may read it as soon as it is set

    def index(self, values: npt.NDArray[np.float64]) -> npt.NDArray[np.intp]:
        """The bin of each finite value."""
        if values.size < TABLE_VALUES:
            return np.searchsorted(self.edges, values, side="right")
        if not self._built:
            self._build()
            self._built = True
        if self._table is None:
            return np.searchsorted(self.edges, values, side="right")
        # Values far outside the edges may overflow to ±inf here (edges a hair apart make
        # a huge scale): the clip below puts them in the first or last cell all the same.
        with np.errstate(over="ignore"):
            cell = values - self._start
            cell *= self._scale
        np.clip(cell, -1.0, float(self._cells), out=cell)
        found = self._table[cell.astype(np.int32) + 1].astype(np.intp)
        for _ in range(self._steps):
            found += values >= self._padded[found]
        return found


def _grid_positions(
    edges: npt.NDArray[np.float64], start: float, scale: float, size: int
) -> npt.NDArray[np.intp]:
    """``numpy.searchsorted(grid, edges, side="left")`` for the grid
    ``start + numpy.arange(-3, size - 3) / scale``, without building the grid (8 bytes a
    cell): each edge's position is estimated, then moved while a grid point computed the
    same way says it is off."""

    def point(k: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
        return start + (k - 3) / scale  # bit for bit the grid's own arithmetic

    with np.errstate(invalid="ignore", over="ignore"):
        guess = np.floor((edges - start) * scale) + 3
    position: npt.NDArray[np.intp] = np.clip(np.nan_to_num(guess), 0, size).astype(np.intp)
    while True:  # too high: the grid point below is not less than the edge
        down = (position > 0) & (point(position - 1) >= edges)
        if not down.any():
            break
        position -= down
    while True:  # too low: the grid point here is less than the edge
        up = (position < size) & (point(np.minimum(position, size - 1)) < edges)
        if not up.any():
            break
        position += up
    return position
