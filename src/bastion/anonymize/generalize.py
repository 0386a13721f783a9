"""Generalization: numbers into ranges (by width or edges), top- and bottom-coding, dates
truncated to a year, month or day, and text truncated to its first characters.

Each function takes one column and gives the coarser column; a value that cannot be read
(a word in a numeric column, a malformed date) is an error naming the column and row —
never silently left as it was, which would leak exactly the value the rule was meant to
coarsen.
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api.types import (
    is_bool_dtype,
    is_datetime64_any_dtype,
    is_integer_dtype,
    is_numeric_dtype,
)

from bastion.anonymize.spec import GeneralizeRule
from bastion.anonymize.values import Where, map_distinct

__all__ = [
    "bin_by_edges",
    "bin_by_width",
    "generalize",
    "number_label",
    "numbers",
    "top_code",
    "truncate_dates",
    "truncate_text",
]

_DATE_FORMATS = {"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d"}
_BIN_TOLERANCE = 9  # decimals: 0.3 / 0.1 is 2.9999999999999996, which belongs in bin 3


def number_label(value: float) -> str:
    """A bound as written in a label: ``30``, not ``30.0``; ``0.3``, not ``0.30000000000000004``."""
    value = float(f"{value:.12g}")
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def numbers(values: pd.Series, where: Where) -> npt.NDArray[np.float64]:
    """The column as floats (missing as NaN), refusing a present value that is not a number."""
    if is_numeric_dtype(values) and not is_bool_dtype(values):
        out = values.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        coerced = pd.to_numeric(values, errors="coerce")
        out = coerced.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = values.notna().to_numpy() & ~np.isfinite(out)
    if bad.any():
        raise where.first_error(bad, "holds a value that is not a finite number")
    return out


def _labelled(
    values: pd.Series, labels: npt.NDArray[np.object_], present: npt.NDArray[np.bool_]
) -> pd.Series:
    out = np.full(len(values), None, dtype=object)
    out[present] = labels[present]
    return pd.Series(out, index=values.index, dtype="str", name=values.name)


def bin_by_width(
    values: pd.Series,
    where: Where,
    *,
    width: float,
    origin: float = 0.0,
    top: float | None = None,
    bottom: float | None = None,
) -> pd.Series:
    """Half-open ranges ``[origin + k*width, origin + (k+1)*width)`` as labels ``[20, 30)``.

    Values at or above ``top`` are labelled ``>= top``, values below ``bottom`` ``< bottom``
    (both must fall on a bin edge, which the spec checks).
    """
    x = numbers(values, where)
    present = ~np.isnan(x)
    labels = np.full(len(x), None, dtype=object)
    inner = present.copy()
    if top is not None:
        high = present & (x >= top)
        labels[high] = f">= {number_label(top)}"
        inner &= ~high
    if bottom is not None:
        low = present & (x < bottom)
        labels[low] = f"< {number_label(bottom)}"
        inner &= ~low
    if inner.any():
        k = np.floor(np.round((x[inner] - origin) / width, _BIN_TOLERANCE))
        distinct, back = np.unique(k, return_inverse=True)
        names = np.array(
            [
                f"[{number_label(origin + b * width)}, {number_label(origin + (b + 1) * width)})"
                for b in distinct
            ],
            dtype=object,
        )
        labels[inner] = names[back]
    return _labelled(values, labels, present)


def bin_by_edges(values: pd.Series, where: Where, *, edges: list[float]) -> pd.Series:
    """Ranges between consecutive edges, ``[18, 30)``; ``< first`` and ``>= last`` outside."""
    x = numbers(values, where)
    present = ~np.isnan(x)
    bounds = np.asarray(edges, dtype=np.float64)
    names = np.array(
        [f"< {number_label(edges[0])}"]
        + [f"[{number_label(a)}, {number_label(b)})" for a, b in itertools.pairwise(edges)]
        + [f">= {number_label(edges[-1])}"],
        dtype=object,
    )
    index = np.searchsorted(bounds, np.where(present, x, bounds[0]), side="right")
    return _labelled(values, names[index], present)


def top_code(
    values: pd.Series, where: Where, *, top: float | None, bottom: float | None
) -> pd.Series:
    """Values above ``top`` become ``top``, values below ``bottom`` become ``bottom``.

    A numeric column stays numeric (integers stay integers when the bound is whole); a
    column of text keeps its text, only the coded values rewritten.
    """
    if is_numeric_dtype(values) and not is_bool_dtype(values):
        hi: float | int | None = top
        lo: float | int | None = bottom
        if is_integer_dtype(values):
            hi = int(top) if top is not None and float(top).is_integer() else top
            lo = int(bottom) if bottom is not None and float(bottom).is_integer() else bottom
        return values.clip(lower=lo, upper=hi)
    x = numbers(values, where)
    out = values.astype(object).to_numpy(copy=True)
    if top is not None:
        out[x > top] = number_label(top)
    if bottom is not None:
        out[x < bottom] = number_label(bottom)
    return pd.Series(out, index=values.index, dtype="str", name=values.name)


def truncate_dates(
    values: pd.Series, where: Where, *, unit: str, date_format: str | None = None
) -> pd.Series:
    """Dates as ISO 8601 text truncated to ``year`` (``1987``), ``month`` or ``day``.

    Text is parsed as ISO 8601 unless ``date_format`` (strptime) is given; a time of day
    is dropped whatever the unit.
    """
    if is_datetime64_any_dtype(values):
        parsed = values
    else:
        try:
            parsed = pd.to_datetime(values, format=date_format or "ISO8601", errors="coerce")
        except (ValueError, TypeError, OverflowError):
            # pandas refuses some columns whole (mixed UTC offsets); its message can quote
            # a value, so it is not passed on.
            raise where.first_error(
                values.notna(), "holds dates that cannot be read together (mixed UTC offsets?)"
            ) from None
    bad = values.notna().to_numpy() & parsed.isna().to_numpy()
    if bad.any():
        expected = f"format {date_format!r}" if date_format else "ISO 8601 (YYYY-MM-DD)"
        raise where.first_error(bad, f"holds a value that is not a date in {expected}")
    out = parsed.dt.strftime(_DATE_FORMATS[unit])
    return pd.Series(out.to_numpy(dtype=object), index=values.index, dtype="str", name=values.name)


def truncate_text(values: pd.Series, where: Where, *, keep: int) -> pd.Series:
    """The first ``keep`` characters of each value (a postcode's outward part, a ZIP3)."""
    return map_distinct(values, lambda text: text[:keep], where)


def generalize(values: pd.Series, rule: GeneralizeRule, where: Where) -> pd.Series:
    """Apply a ``generalize`` rule to one column."""
    if rule.date is not None:
        return truncate_dates(values, where, unit=rule.date, date_format=rule.date_format)
    if rule.truncate is not None:
        return truncate_text(values, where, keep=rule.truncate)
    if rule.width is not None:
        return bin_by_width(
            values, where, width=rule.width, origin=rule.origin, top=rule.top, bottom=rule.bottom
        )
    if rule.edges is not None:
        return bin_by_edges(values, where, edges=rule.edges)
    return top_code(values, where, top=rule.top, bottom=rule.bottom)
