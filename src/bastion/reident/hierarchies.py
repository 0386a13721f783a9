"""Generalization hierarchies: for one quasi-identifier, its values at each level of
coarseness, from the values themselves (level 0) to ``"*"`` (the top level).

Every level is computed from the level below it (or refines into it), so each level
merges classes and never splits one: raising a level can only keep k or increase it.
That is what makes a greedy search over levels sound, and it is checked when a
hierarchy is built (bin widths must be multiples of each other, a mapping must cover
every value of the level below).

Kinds, chosen from the column's type unless ``hierarchies=`` names one:

- numbers: bins of a width that doubles at each level (age: 5, 10, 20, 40, 80 years),
  aligned on multiples of the width so that each bin lies inside one of the next
  level — or the widths given, each a multiple of the one before;
- dates: day, month, year, decade;
- codes (strings all of one length, holding a digit: postcodes, ZIP codes): one more
  trailing character masked at each level (``02139`` → ``0213*`` → ``021**`` …); any
  string column with ``"truncate"``;
- categories: the mappings given, one per level, each from the values of the level
  below (``{"Married-civ-spouse": "Married", …}`` then ``{"Married": "Partnered", …}``);
  without one, a category column has one level: ``"*"``.

A missing value stays missing until the top level, where every value is ``"*"``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from numbers import Real
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from bastion.reident.errors import HierarchyError

__all__ = ["STAR", "Hierarchy", "build_hierarchy"]

STAR = "*"

# The default base width of numeric bins is the first "nice" number (1, 2 or 5 times a
# power of ten) giving at most this many bins over the column's range: for ages 17-90,
# width 5.
_TARGET_BINS = 20
# Strings longer than this are not taken for codes by default (a free-text column of
# equal lengths is rare, but truncating it is meaningless).
_MAX_CODE_LENGTH = 12


@dataclass(frozen=True)
class Hierarchy:
    """The levels of one quasi-identifier.

    Attributes
    ----------
    column : str
    kind : str
        ``"bins"``, ``"dates"``, ``"truncate"``, ``"mapping"`` or ``"suppress"``.
    labels : tuple of str
        What each level means, level 0 (``"as is"``) included.
    levels : tuple of pandas.Series
        The column's values at each level, level 0 included; the last is all ``"*"``.
    """

    column: str
    kind: str
    labels: tuple[str, ...]
    levels: tuple[pd.Series, ...]

    @property
    def height(self) -> int:
        """The number of levels above the values themselves."""
        return len(self.levels) - 1


def _number(value: float) -> str:
    """A bin edge as text: whole numbers without a decimal point."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:g}"


def _nice_width(span: float, integer: bool) -> float:
    raw = span / _TARGET_BINS
    if raw <= 0:
        return 1.0
    exponent = math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        width = factor * 10.0**exponent
        if width >= raw:
            return max(width, 1.0) if integer else width
    return 10.0 ** (exponent + 1)  # pragma: no cover - the loop always returns


def _bins(values: pd.Series, width: float) -> pd.Series:
    """``[low, low + width)`` labels, ``low`` a multiple of ``width``; missing stays."""
    x = values.to_numpy(dtype=np.float64, na_value=np.nan)
    low = np.floor(x / width) * width
    present = ~np.isnan(low)
    out = np.full(len(x), np.nan, dtype=object)
    uniques, inverse = np.unique(low[present], return_inverse=True)
    labels = np.array([f"[{_number(u)}, {_number(u + width)})" for u in uniques], dtype=object)
    out[present] = labels[inverse]
    return pd.Series(out, index=values.index, name=values.name)


def _check_widths(column: str, widths: Sequence[Any]) -> list[float]:
    out: list[float] = []
    for w in widths:
        if not isinstance(w, Real) or isinstance(w, bool) or not math.isfinite(w) or w <= 0:
            raise HierarchyError(
                f"hierarchy for {column!r}: bin widths must be positive numbers; got {w!r}",
                field="hierarchies",
            )
        out.append(float(w))
    for narrow, wide in itertools.pairwise(out):
        ratio = wide / narrow
        if ratio < 1 or abs(ratio - round(ratio)) > 1e-9:
            raise HierarchyError(
                f"hierarchy for {column!r}: bin width {_number(wide)} is not a multiple of "
                f"{_number(narrow)}, so its bins would split the narrower ones and could "
                "lower k; use widths that are multiples of each other (5, 10, 20, …)",
                field="hierarchies",
            )
    return out


def _numeric_levels(
    column: str, values: pd.Series, widths: list[float] | None
) -> tuple[list[str], list[pd.Series]]:
    x = values.to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isinf(x).any():
        raise HierarchyError(
            f"quasi-identifier {column!r} holds infinite values, which no bin can hold",
            field="quasi_identifiers",
        )
    present = x[~np.isnan(x)]
    labels: list[str] = []
    levels: list[pd.Series] = []
    if widths is None:
        if present.size == 0:
            return labels, levels
        integer = pd.api.types.is_integer_dtype(values.dtype) or bool(
            np.all(present == np.floor(present))
        )
        width = _nice_width(float(present.max() - present.min()), integer)
        previous = len(np.unique(present))
        while True:
            binned = _bins(values, width)
            count = binned.nunique(dropna=True)
            if count <= 1:  # one bin for all: the "*" level above says as much
                break
            if count < previous:  # a level that merges nothing is a wasted step
                labels.append(f"bins of {_number(width)}")
                levels.append(binned)
                previous = count
            width *= 2
        return labels, levels
    for width in widths:
        labels.append(f"bins of {_number(width)}")
        levels.append(_bins(values, width))
    return labels, levels


def _date_levels(values: pd.Series) -> tuple[list[str], list[pd.Series]]:
    stamps = pd.to_datetime(values)
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    labels: list[str] = []
    levels: list[pd.Series] = []
    present = stamps.dropna()
    if (present != present.dt.normalize()).any():
        labels.append("day")
        levels.append(stamps.dt.strftime("%Y-%m-%d").astype(object))
    labels.append("month")
    levels.append(stamps.dt.strftime("%Y-%m").astype(object))
    labels.append("year")
    levels.append(stamps.dt.strftime("%Y").astype(object))
    decade = (stamps.dt.year // 10) * 10
    labels.append("decade")
    levels.append(
        pd.Series(
            [np.nan if pd.isna(d) else f"{int(d)}-{int(d) + 9}" for d in decade],
            index=values.index,
            dtype=object,
        )
    )
    for level in levels:
        level.name = values.name
    return labels, levels


def _on_values(values: pd.Series, transform: Callable[[Any], Any]) -> pd.Series:
    """``transform`` applied to each distinct present value once (not to each row);
    missing values stay missing."""
    codes, uniques = pd.factorize(values)
    mapped = np.array([transform(u) for u in uniques], dtype=object)
    out = np.full(len(values), np.nan, dtype=object)
    present = codes >= 0
    out[present] = mapped[codes[present]]
    return pd.Series(out, index=values.index, name=values.name)


def _mask(text: str, masked: int) -> str:
    """``text`` with its last ``masked`` characters replaced by ``*``."""
    kept = max(len(text) - masked, 0)
    return text[:kept] + STAR * (len(text) - kept)


def _truncate_levels(values: pd.Series) -> tuple[list[str], list[pd.Series]]:
    text = _on_values(values, lambda v: v if isinstance(v, str) else str(_plain(v)))
    longest = max((len(u) for u in pd.unique(text.dropna())), default=0)
    labels: list[str] = []
    levels: list[pd.Series] = []
    for masked in range(1, longest):
        labels.append(f"last {masked} character{'s' if masked > 1 else ''} masked")
        levels.append(_on_values(text, partial(_mask, masked=masked)))
    return labels, levels


def _looks_like_codes(values: pd.Series) -> bool:
    """Strings of one length, each holding a digit: postcodes, ZIP codes, area codes."""
    present = pd.unique(values.dropna())
    if len(present) == 0 or not all(isinstance(v, str) for v in present):
        return False
    lengths = {len(v) for v in present}
    (first,) = lengths if len(lengths) == 1 else (0,)
    return 2 <= first <= _MAX_CODE_LENGTH and all(any(ch.isdigit() for ch in v) for v in present)


def _mapping_levels(
    column: str, values: pd.Series, mappings: Sequence[Mapping[Any, Any]]
) -> tuple[list[str], list[pd.Series]]:
    labels: list[str] = []
    levels: list[pd.Series] = []
    below = values
    for depth, mapping in enumerate(mappings, start=1):
        uncovered = [v for v in pd.unique(below.dropna()) if v not in mapping]
        if uncovered:
            shown = ", ".join(repr(_plain(v)) for v in uncovered[:5])
            more = f" and {len(uncovered) - 5} more" if len(uncovered) > 5 else ""
            what = "value" if depth == 1 else f"level-{depth - 1} value"
            raise HierarchyError(
                f"hierarchy for {column!r}: level {depth} has no entry for the {what}(s) "
                f"{shown}{more}",
                field="hierarchies",
                column=column,
                values=[str(_plain(v)) for v in uncovered[:20]],
            )
        mapped = _on_values(below, mapping.__getitem__)
        labels.append(f"level {depth} of the mapping")
        levels.append(mapped)
        below = mapped
    return labels, levels


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _spec_kind(column: str, spec: Any) -> str:
    if isinstance(spec, str):
        if spec in (STAR, "suppress"):
            return "suppress"
        if spec == "truncate":
            return "truncate"
        raise HierarchyError(
            f"hierarchy for {column!r}: unknown kind {spec!r}; use 'truncate', '*', a list "
            "of bin widths or a list of mappings (one per level)",
            field="hierarchies",
        )
    if isinstance(spec, Sequence) and spec and all(isinstance(m, Mapping) for m in spec):
        return "mapping"
    if isinstance(spec, Mapping):
        return "mapping"  # one level given as a bare mapping
    if isinstance(spec, Sequence) and spec and all(isinstance(w, Real) for w in spec):
        return "bins"
    raise HierarchyError(
        f"hierarchy for {column!r} must be 'truncate', '*', a non-empty list of bin widths "
        f"or a non-empty list of mappings; got {spec!r}",
        field="hierarchies",
    )


def build_hierarchy(column: str, values: pd.Series, spec: Any = None) -> Hierarchy:
    """The levels of one quasi-identifier column.

    Parameters
    ----------
    column : str
    values : pandas.Series
        The column.
    spec : optional
        ``None`` (from the column's type, see the module), ``"truncate"``, ``"*"``, a
        list of bin widths, or a list of mappings (one per level, each from the values
        of the level below).

    Raises
    ------
    HierarchyError
        If a mapping misses a value (named), widths do not nest, or ``spec`` is of an
        unknown form.
    """
    dtype = values.dtype
    numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    dated = pd.api.types.is_datetime64_any_dtype(dtype)
    labels: list[str]
    levels: list[pd.Series]
    if spec is None:
        if numeric:
            kind = "bins"
            labels, levels = _numeric_levels(column, values, None)
        elif dated:
            kind = "dates"
            labels, levels = _date_levels(values)
        elif _looks_like_codes(values):
            kind = "truncate"
            labels, levels = _truncate_levels(values)
        else:
            kind, labels, levels = "suppress", [], []
    else:
        kind = _spec_kind(column, spec)
        if kind == "suppress":
            labels, levels = [], []
        elif kind == "truncate":
            labels, levels = _truncate_levels(values)
        elif kind == "bins":
            if not numeric:
                raise HierarchyError(
                    f"hierarchy for {column!r}: bin widths need a numeric column; "
                    f"{column!r} is {dtype}",
                    field="hierarchies",
                )
            labels, levels = _numeric_levels(column, values, _check_widths(column, spec))
        else:
            mappings = [spec] if isinstance(spec, Mapping) else list(spec)
            labels, levels = _mapping_levels(column, values, mappings)
    top = pd.Series(STAR, index=values.index, name=values.name, dtype=object)
    return Hierarchy(
        column=column,
        kind=kind,
        labels=("as is", *labels, STAR),
        levels=(values, *levels, top),
    )


def level_codes(series: pd.Series) -> tuple[npt.NDArray[np.int64], int]:
    """Integer codes of a level's values (missing as a value of its own) and their count."""
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    return np.asarray(codes, dtype=np.int64), len(uniques)
