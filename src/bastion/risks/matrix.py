"""The risk scoring matrix: score = likelihood x impact, level read from a 5x5 grid.

Pure: no database, no HTTP. ISO 31000 (§6.4.3) leaves the scales and the matrix to the
organization; the grid is therefore configurable (``BASTION_RISK_MATRIX_FILE``, YAML),
and the score is only the conventional product used to sort risks. The level is read
from the grid rather than from score thresholds, so that a severe impact can weigh more
than a frequent nuisance with the same product (1 x 5 and 5 x 1 need not be 2 x 2 + 1).

A grid is valid when it is 5 x 5, names only known levels, and never goes down as the
likelihood or the impact goes up (low < medium < high < critical).

>>> DEFAULT_MATRIX.rate(4, 4)
Rating(score=16, level='high')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SCALE = range(1, 6)
LEVELS: tuple[str, ...] = ("low", "medium", "high", "critical")
"""Level names, in increasing order of severity."""
HIGH_LEVELS = frozenset({"high", "critical"})
"""Levels that must not stay untreated (the attention list and the register's verdict)."""

# Rows: likelihood 1 (rare) … 5 (almost certain); columns: impact 1 (negligible) … 5 (severe).
DEFAULT_GRID: tuple[tuple[str, ...], ...] = (
    ("low", "low", "low", "medium", "medium"),
    ("low", "low", "medium", "medium", "high"),
    ("low", "medium", "medium", "high", "high"),
    ("medium", "medium", "high", "high", "critical"),
    ("medium", "high", "high", "critical", "critical"),
)

SESSION_KEY = "bastion.risk_matrix"
"""Where a database session carries the configured matrix (see ``bastion.runtime``)."""


class MatrixError(ValueError):
    """A risk matrix that is not a monotone 5x5 grid of known levels."""


@dataclass(frozen=True)
class Rating:
    score: int
    level: str


@dataclass(frozen=True)
class RiskMatrix:
    """A 5x5 grid of level names, indexed ``grid[likelihood - 1][impact - 1]``."""

    grid: tuple[tuple[str, ...], ...] = DEFAULT_GRID

    def __post_init__(self) -> None:
        _check(self.grid)

    def level(self, likelihood: int, impact: int) -> str:
        _check_value("likelihood", likelihood)
        _check_value("impact", impact)
        return self.grid[likelihood - 1][impact - 1]

    def rate(self, likelihood: int, impact: int) -> Rating:
        """The score (likelihood x impact) and the level of one cell."""
        return Rating(score=likelihood * impact, level=self.level(likelihood, impact))

    def to_dict(self) -> dict[str, Any]:
        return {"levels": list(LEVELS), "grid": [list(row) for row in self.grid]}

    @classmethod
    def from_dict(cls, data: Any) -> RiskMatrix:
        if not isinstance(data, dict) or "grid" not in data:
            raise MatrixError("a risk matrix is a mapping with a 'grid': 5 rows of 5 level names")
        unknown = set(data) - {"grid", "levels"}
        if unknown:
            raise MatrixError(f"unknown keys in the risk matrix: {', '.join(sorted(unknown))}")
        if "levels" in data and list(data["levels"]) != list(LEVELS):
            raise MatrixError(f"levels, if given, must be {list(LEVELS)} in this order")
        grid = data["grid"]
        if not isinstance(grid, list) or not all(isinstance(row, list) for row in grid):
            raise MatrixError("grid: expected a list of 5 rows, each a list of 5 level names")
        return cls(grid=tuple(tuple(row) for row in grid))


def _check_value(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
        raise MatrixError(f"{name} must be a whole number from 1 to 5, not {value!r}")


def _rank(level: str) -> int:
    return LEVELS.index(level)


def _check(grid: tuple[tuple[str, ...], ...]) -> None:
    if len(grid) != len(SCALE) or any(len(row) != len(SCALE) for row in grid):
        raise MatrixError("grid: expected 5 rows (likelihood 1-5) of 5 cells (impact 1-5)")
    for l_index, row in enumerate(grid, start=1):
        for i_index, cell in enumerate(row, start=1):
            if cell not in LEVELS:
                raise MatrixError(
                    f"grid[likelihood {l_index}][impact {i_index}]: unknown level {cell!r}; "
                    f"choose one of {', '.join(LEVELS)}"
                )
    for l_index, row in enumerate(grid, start=1):
        for i_index, cell in enumerate(row, start=1):
            if i_index > 1 and _rank(cell) < _rank(row[i_index - 2]):
                raise MatrixError(
                    f"grid[likelihood {l_index}][impact {i_index}]: {cell!r} is below "
                    f"{row[i_index - 2]!r} at a lower impact; levels may not go down as the "
                    "impact goes up (low < medium < high < critical)"
                )
            if l_index > 1 and _rank(cell) < _rank(grid[l_index - 2][i_index - 1]):
                raise MatrixError(
                    f"grid[likelihood {l_index}][impact {i_index}]: {cell!r} is below "
                    f"{grid[l_index - 2][i_index - 1]!r} at a lower likelihood; levels may "
                    "not go down as the likelihood goes up (low < medium < high < critical)"
                )


DEFAULT_MATRIX = RiskMatrix()


def load_matrix(path: str | Path | None) -> RiskMatrix:
    """The matrix of a YAML (or JSON) file, or the default one when ``path`` is None.

    The file holds ``grid``: five rows, likelihood 1 to 5, of five level names, impact
    1 to 5 (see docs/risks.md).
    """
    if path is None:
        return DEFAULT_MATRIX
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise MatrixError(f"cannot read the risk matrix file {path}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MatrixError(f"the risk matrix file {path} is not valid YAML: {exc}") from None
    return RiskMatrix.from_dict(data)


def is_high(level: str | None) -> bool:
    return level in HIGH_LEVELS
