"""Helpers the operators share: a value's text, per-distinct-value mapping, and errors
that name the column and row of a bad value without repeating the value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from bastion.anonymize.errors import AnonymizationError

__all__ = ["Where", "map_distinct", "text_of"]


def text_of(value: Any) -> str:
    """A value as the text an operator works on: strings as they are, others as ``str()``."""
    return value if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class Where:
    """Which column a series is, and the table row number (from 1) of each position.

    Rows are numbered in the input table, before any row is suppressed, so an error
    points at the row a user can find in the file (in a CSV with a header, row ``n`` is
    on line ``n + 1``).
    """

    column: str
    rows: npt.NDArray[np.int64]

    @classmethod
    def of(cls, series: pd.Series, first_row: int = 1) -> Where:
        """Positions numbered from ``first_row``; the column named after the series."""
        name = "values" if series.name is None else str(series.name)
        return cls(name, np.arange(first_row, first_row + len(series), dtype=np.int64))

    def error(
        self,
        position: int,
        detail: str,
        kind: type[AnonymizationError] = AnonymizationError,
    ) -> AnonymizationError:
        """An error about the value at ``position``, naming its column and row only."""
        row = int(self.rows[position])
        return kind(f"column {self.column!r}, row {row:,}: {detail}", field="data")

    def first_error(
        self,
        bad: npt.NDArray[np.bool_] | pd.Series,
        detail: str,
        kind: type[AnonymizationError] = AnonymizationError,
    ) -> AnonymizationError:
        """An error about the first position where ``bad`` holds."""
        return self.error(int(np.flatnonzero(np.asarray(bad))[0]), detail, kind)


def map_distinct(values: pd.Series, func: Callable[[str], str | None], where: Where) -> pd.Series:
    """``func`` applied to the text of each distinct present value; missing stays missing.

    Real columns repeat their values (a postcode, an employer), so per-value Python work
    runs once per distinct value. When ``func`` raises an :class:`AnonymizationError`,
    the same kind of error is raised again naming the column and the first row holding
    that value.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[-1] = None  # code -1, a missing value, reads the last slot
    for j, value in enumerate(uniques):
        try:
            mapped[j] = func(text_of(value))
        except AnonymizationError as exc:
            raise where.first_error(codes == j, exc.detail, type(exc)) from None
    return pd.Series(mapped[codes], index=values.index, dtype="str", name=values.name)
