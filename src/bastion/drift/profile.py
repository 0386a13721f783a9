"""Column profiles: mergeable summaries of a table, fitted once on reference data and
computed the same way for every batch of a current window.

A reference profile fixes each column's **bins**: for a numeric column, PSI bins at the
reference deciles with open outer bins, and about a thousand fine bins at reference
quantiles that Kolmogorov-Smirnov and Wasserstein read; for a categorical column, the
reference's most frequent categories. :func:`summarize` counts a batch into the same bins,
and summaries of batches add up (:meth:`Profile.merge`): counting a window in partitions
and merging gives the counts of the whole window, so the same code can run per partition
on a cluster.

What a numeric summary keeps: rows, missing values (null or NaN), infinities, type
violations (text in a number column), the finite values' count, sum and sum of squares
(around the reference mean, so they stay exact to add and stable to subtract), min, max,
and per fine bin the count and the sum of the values in it. A categorical summary keeps
the count of each reference category, of missing values, of other values and — when the
reference listed all its categories — the first :data:`NEW_KEPT` new categories by name
with their counts (the first names of a union are the first names of its parts, so this
stays exact under merging).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from bastion.drift.binning import Binner
from bastion.drift.errors import DriftInputError
from bastion.drift.frames import (
    BATCH_ROWS,
    FORMATS,
    FloatArray,
    Kind,
    as_polars,
    category_values,
    column_kind,
    file_columns,
    iter_batches,
    numeric_values,
    read_column,
    read_frame,
)
from bastion.drift.multivariate import MultivariateSummary, fit_multivariate

__all__ = [
    "DEFAULT_BINS",
    "DISTINCT_CAP",
    "FINE_BINS",
    "MAX_CATEGORIES",
    "NEW_KEPT",
    "SCHEMA_VERSION",
    "SMALL_TALLY",
    "CategoricalBins",
    "CategoricalSummary",
    "ColumnSummary",
    "NumericBins",
    "NumericSummary",
    "Profile",
    "fit_profile",
    "summarize",
]

SCHEMA_VERSION = 1
DEFAULT_BINS = 10
"""PSI bins: the reference deciles."""
FINE_BINS = 1000
"""Fine bins for KS and Wasserstein: their error is at most about one bin's share (0.1%)."""
MAX_CATEGORIES = 100
"""Reference categories kept by name; rarer ones count together as "other"."""
NEW_KEPT = 50
"""New categories of a current window kept by name (the first by sort order)."""
SMALL_TALLY = 1000
"""Columns with at most this many distinct values are counted by category in Python
dicts (polars' joins and group-bys cost more than they save on a few rows, and bring
megabytes of their code into memory)."""
DISTINCT_CAP = 20
"""A numeric column with at most this many distinct values keeps them (Evidently treats a
numeric column with five values or fewer as categorical when it picks a test)."""

WORKERS = min(os.cpu_count() or 1, 8)
"""Threads summarizing columns at once."""
PARALLEL_ROWS = 500_000
"""Smaller batches are summarized on the calling thread: at 100k rows a column takes a
few milliseconds, and on two cores a pool saved little time and kept 15 MB more memory
resident (each thread's allocator arena)."""

IntArray = npt.NDArray[np.int64]


def _json(value: float) -> float | str:
    """A float for JSON: sums of huge values can overflow to infinity, which JSON cannot
    hold, so it is written as text (``float()`` reads ``"inf"`` back)."""
    return value if math.isfinite(value) else str(value)


# --- bins ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NumericBins:
    """A numeric column's bins, fixed by the reference.

    ``edges`` are the fine bin edges: bin 0 holds values below the reference minimum,
    bin *i* values in ``[edges[i-1], edges[i])``, and the last bin values above the
    reference maximum (the last edge is the next float after it). ``coarse`` are the PSI
    edges (reference deciles by default), each also a fine edge; ``shift`` is the
    reference mean, around which moments are summed.
    """

    edges: tuple[float, ...]
    coarse: tuple[float, ...]
    shift: float

    @cached_property
    def edges_array(self) -> FloatArray:
        return np.asarray(self.edges, dtype=np.float64)

    @cached_property
    def binner(self) -> Binner:
        return Binner(self.edges_array)

    @cached_property
    def coarse_of_fine(self) -> npt.NDArray[np.intp]:
        """The PSI bin of each fine bin (by its lower edge; bin 0 has none, so PSI bin 0)."""
        lower = np.concatenate([[-np.inf], self.edges_array])
        return np.searchsorted(np.asarray(self.coarse, dtype=np.float64), lower, side="right")

    def to_dict(self) -> dict[str, Any]:
        return {"edges": list(self.edges), "coarse": list(self.coarse), "shift": _json(self.shift)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> NumericBins:
        return cls(
            edges=tuple(float(v) for v in d["edges"]),
            coarse=tuple(float(v) for v in d["coarse"]),
            shift=float(d["shift"]),
        )


@dataclass(frozen=True)
class CategoricalBins:
    """A categorical column's reference categories, most frequent first; ``complete`` when
    they are all of the reference's categories (so any other value is new)."""

    categories: tuple[str, ...]
    complete: bool

    @cached_property
    def positions(self) -> dict[str, int]:
        """Each category's position."""
        return {c: i for i, c in enumerate(self.categories)}

    @cached_property
    def index_frame(self) -> pl.DataFrame:
        return pl.DataFrame(
            {"value": list(self.categories), "index": np.arange(len(self.categories))},
            schema={"value": pl.String, "index": pl.Int64},
        )

    def to_dict(self) -> dict[str, Any]:
        return {"categories": list(self.categories), "complete": self.complete}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CategoricalBins:
        return cls(categories=tuple(str(c) for c in d["categories"]), complete=bool(d["complete"]))


# --- summaries ----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class NumericSummary:
    """A numeric column of one batch or window, counted into the reference's bins."""

    bins: NumericBins
    dtype: str
    rows: int
    missing: int
    violations: int
    pos_inf: int
    neg_inf: int
    count: int
    sum: float
    sumsq: float
    min: float | None
    max: float | None
    counts: IntArray
    sums: FloatArray
    distinct: tuple[float, ...] | None

    kind: Literal["numeric"] = field(default="numeric", init=False)

    @property
    def mean(self) -> float | None:
        return self.bins.shift + self.sum / self.count if self.count else None

    @property
    def std(self) -> float | None:
        """Population standard deviation (``numpy.std``, ddof 0) of the finite values."""
        if not self.count:
            return None
        variance = self.sumsq / self.count - (self.sum / self.count) ** 2
        return math.sqrt(max(variance, 0.0)) if math.isfinite(variance) else math.inf

    @property
    def type_changed(self) -> bool:
        """Every value present is something other than a number."""
        return self.violations > 0 and self.count + self.pos_inf + self.neg_inf == 0

    @property
    def out_of_range(self) -> int:
        """Finite values below the reference minimum or above its maximum."""
        return int(self.counts[0] + self.counts[-1]) if self.bins.edges else 0

    def psi_counts(self) -> IntArray:
        """The counts in the PSI bins (reference deciles)."""
        return np.bincount(
            self.bins.coarse_of_fine, weights=self.counts, minlength=len(self.bins.coarse) + 1
        ).astype(np.int64)

    def merge(self, other: ColumnSummary) -> NumericSummary:
        if not isinstance(other, NumericSummary) or other.bins != self.bins:
            raise DriftInputError("cannot merge summaries fitted on different references")
        distinct = None
        if self.distinct is not None and other.distinct is not None:
            union = tuple(sorted(set(self.distinct) | set(other.distinct)))
            distinct = union if len(union) <= DISTINCT_CAP else None
        return replace(
            self,
            dtype=self.dtype if self.dtype == other.dtype else f"{self.dtype}|{other.dtype}",
            rows=self.rows + other.rows,
            missing=self.missing + other.missing,
            violations=self.violations + other.violations,
            pos_inf=self.pos_inf + other.pos_inf,
            neg_inf=self.neg_inf + other.neg_inf,
            count=self.count + other.count,
            sum=self.sum + other.sum,
            sumsq=self.sumsq + other.sumsq,
            min=_extreme(min, self.min, other.min),
            max=_extreme(max, self.max, other.max),
            counts=self.counts + other.counts,
            sums=self.sums + other.sums,
            distinct=distinct,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "numeric",
            "dtype": self.dtype,
            "bins": self.bins.to_dict(),
            "rows": self.rows,
            "missing": self.missing,
            "violations": self.violations,
            "pos_inf": self.pos_inf,
            "neg_inf": self.neg_inf,
            "count": self.count,
            "sum": _json(self.sum),
            "sumsq": _json(self.sumsq),
            "min": self.min,
            "max": self.max,
            "counts": self.counts.tolist(),
            "sums": [_json(v) for v in self.sums.tolist()]
            if not np.isfinite(self.sums).all()
            else self.sums.tolist(),
            "distinct": None if self.distinct is None else list(self.distinct),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], bins: NumericBins | None = None) -> NumericSummary:
        return cls(
            bins=bins or NumericBins.from_dict(d["bins"]),
            dtype=str(d["dtype"]),
            rows=int(d["rows"]),
            missing=int(d["missing"]),
            violations=int(d["violations"]),
            pos_inf=int(d["pos_inf"]),
            neg_inf=int(d["neg_inf"]),
            count=int(d["count"]),
            sum=float(d["sum"]),
            sumsq=float(d["sumsq"]),
            min=None if d["min"] is None else float(d["min"]),
            max=None if d["max"] is None else float(d["max"]),
            counts=np.asarray(d["counts"], dtype=np.int64),
            sums=np.asarray(d["sums"], dtype=np.float64),
            distinct=None if d["distinct"] is None else tuple(float(v) for v in d["distinct"]),
        )


def _extreme(pick: Any, a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    if b is None:
        return a
    return float(pick(a, b))


@dataclass(frozen=True, eq=False)
class CategoricalSummary:
    """A categorical column of one batch or window, counted by reference category."""

    bins: CategoricalBins
    dtype: str
    rows: int
    missing: int
    counts: IntArray
    other: int
    new: dict[str, int]

    kind: Literal["categorical"] = field(default="categorical", init=False)

    @property
    def count(self) -> int:
        """Values present (not missing)."""
        return int(self.counts.sum()) + self.other

    @property
    def violations(self) -> int:
        return 0  # any value can be a category

    @property
    def type_changed(self) -> bool:
        return False

    @property
    def new_truncated(self) -> bool:
        """Whether new categories may have been left out of :attr:`new` (it is full)."""
        return len(self.new) >= NEW_KEPT

    def distinct(self) -> int | None:
        """How many categories hold values, when that is known."""
        if not self.bins.complete or self.new_truncated:
            return None
        return int(np.count_nonzero(self.counts)) + len(self.new)

    def merge(self, other: ColumnSummary) -> CategoricalSummary:
        if not isinstance(other, CategoricalSummary) or other.bins != self.bins:
            raise DriftInputError("cannot merge summaries fitted on different references")
        new = dict(self.new)
        for name, n in other.new.items():
            new[name] = new.get(name, 0) + n
        return replace(
            self,
            dtype=self.dtype if self.dtype == other.dtype else f"{self.dtype}|{other.dtype}",
            rows=self.rows + other.rows,
            missing=self.missing + other.missing,
            counts=self.counts + other.counts,
            other=self.other + other.other,
            new={k: new[k] for k in sorted(new)[:NEW_KEPT]},
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "categorical",
            "dtype": self.dtype,
            "bins": self.bins.to_dict(),
            "rows": self.rows,
            "missing": self.missing,
            "counts": self.counts.tolist(),
            "other": self.other,
            "new": dict(self.new),
        }

    @classmethod
    def from_dict(
        cls, d: Mapping[str, Any], bins: CategoricalBins | None = None
    ) -> CategoricalSummary:
        return cls(
            bins=bins or CategoricalBins.from_dict(d["bins"]),
            dtype=str(d["dtype"]),
            rows=int(d["rows"]),
            missing=int(d["missing"]),
            counts=np.asarray(d["counts"], dtype=np.int64),
            other=int(d["other"]),
            new={str(k): int(v) for k, v in d["new"].items()},
        )


ColumnSummary = NumericSummary | CategoricalSummary


# --- the profile --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Profile:
    """Per-column summaries of a reference table or of a current window.

    Attributes
    ----------
    columns : dict of str to NumericSummary or CategoricalSummary
        The reference's columns in order (a window lacking one has no entry).
    rows : int
        Rows summarized.
    extra : dict of str to str
        Columns of a window that the reference does not have, with their types.
    skipped : dict of str to str
        Reference columns left out (dates, nested values), with the reason.
    multivariate : MultivariateSummary or None
        The PCA reconstruction model and error sums, when fitted with ``multivariate=True``.
    """

    columns: dict[str, ColumnSummary]
    rows: int
    extra: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    multivariate: MultivariateSummary | None = None

    def merge(self, other: Profile) -> Profile:
        """This summary and ``other``'s together, as if their rows had been summarized at
        once. Both must come from the same reference (the same bins)."""
        if not isinstance(other, Profile):
            raise DriftInputError(f"cannot merge a Profile with {type(other).__name__}")
        columns: dict[str, ColumnSummary] = {}
        for name in _union(self.columns, other.columns):
            a, b = self.columns.get(name), other.columns.get(name)
            if a is not None and b is not None:
                columns[name] = a.merge(b)
            elif a is not None or b is not None:
                columns[name] = a or b  # type: ignore[assignment]
        multivariate = self.multivariate
        if self.multivariate is not None and other.multivariate is not None:
            multivariate = self.multivariate.merge(other.multivariate)
        elif multivariate is None:
            multivariate = other.multivariate
        return Profile(
            columns=columns,
            rows=self.rows + other.rows,
            extra={**self.extra, **other.extra},
            skipped={**self.skipped, **other.skipped},
            multivariate=multivariate,
        )

    def __add__(self, other: Profile) -> Profile:
        return self.merge(other)

    def to_dict(self) -> dict[str, Any]:
        """The profile as JSON-safe plain data; :meth:`from_dict` reads it back exactly."""
        return {
            "schema": SCHEMA_VERSION,
            "rows": self.rows,
            "columns": {name: s.to_dict() for name, s in self.columns.items()},
            "extra": dict(self.extra),
            "skipped": dict(self.skipped),
            "multivariate": None if self.multivariate is None else self.multivariate.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Profile:
        """A profile from :meth:`to_dict`'s output.

        Raises
        ------
        DriftInputError
            If ``d`` is not a profile of this schema version.
        """
        if not isinstance(d, Mapping) or d.get("schema") != SCHEMA_VERSION:
            raise DriftInputError(
                f"not a drift profile of schema {SCHEMA_VERSION}", field="profile"
            )
        try:
            columns: dict[str, ColumnSummary] = {}
            for name, c in d["columns"].items():
                if c["kind"] == "numeric":
                    columns[name] = NumericSummary.from_dict(c)
                elif c["kind"] == "categorical":
                    columns[name] = CategoricalSummary.from_dict(c)
                else:
                    raise DriftInputError(f"column {name!r}: unknown kind {c['kind']!r}")
            multivariate = (
                None
                if d.get("multivariate") is None
                else MultivariateSummary.from_dict(d["multivariate"])
            )
            return cls(
                columns=columns,
                rows=int(d["rows"]),
                extra={str(k): str(v) for k, v in d.get("extra", {}).items()},
                skipped={str(k): str(v) for k, v in d.get("skipped", {}).items()},
                multivariate=multivariate,
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, DriftInputError):
                raise
            raise DriftInputError(f"malformed drift profile: {exc!r}", field="profile") from None

    def __repr__(self) -> str:
        kinds = ", ".join(f"{n}: {s.kind}" for n, s in self.columns.items())
        return f"Profile(rows={self.rows}, columns={{{kinds}}})"


def _union(a: Iterable[str], b: Iterable[str]) -> list[str]:
    return list(dict.fromkeys([*a, *b]))


# --- fitting and summarizing ---------------------------------------------------------------


class _Reference:
    """Where a reference's columns come from: a table in memory, or a Parquet file read
    one column at a time (so fitting never holds more than a column or two)."""

    def __init__(self, data: Any) -> None:
        self.frame: pl.DataFrame | None = None
        if isinstance(data, str | os.PathLike) and Path(data).suffix.lower() == ".parquet":
            path = Path(data)
            self.schema = file_columns(path)
            self.height = int(pl.scan_parquet(path).select(pl.len()).collect().item())
            self.column: Callable[[str], pl.Series] = lambda name: read_column(path, name)
        else:
            table = read_frame(data) if isinstance(data, str | os.PathLike) else data
            frame = as_polars(table, role="reference")
            self.frame, self.schema, self.height = frame, dict(frame.schema), frame.height
            self.column = frame.get_column

    def select(self, names: list[str]) -> pl.DataFrame:
        if self.frame is not None:
            return self.frame.select(names)
        return pl.DataFrame([self.column(name) for name in names])


def fit_profile(
    data: Any,
    columns: list[str] | None = None,
    categorical: list[str] | None = None,
    bins: int = DEFAULT_BINS,
    *,
    fine_bins: int = FINE_BINS,
    max_categories: int = MAX_CATEGORIES,
    multivariate: bool | list[str] = False,
) -> Profile:
    """Fit a reference profile: each column's bins, and the reference's own summary.

    Parameters
    ----------
    data : polars, pandas or Arrow table, or a path
        The reference data. A Parquet file is read one column at a time; a CSV or JSON
        Lines file is read whole (:func:`read_frame`).
    columns : list of str, optional
        Columns to profile; default all. Date and nested columns are skipped unless named.
    categorical : list of str, optional
        Columns to treat as categorical whatever their type (e.g. integer codes).
    bins : int
        PSI bins, at reference quantiles (10: deciles), with open outer bins.
    fine_bins : int
        Fine quantile bins for KS and Wasserstein on profiles.
    max_categories : int
        Reference categories kept by name, most frequent first.
    multivariate : bool or list of str
        Fit the PCA reconstruction model (NannyML's method) on these columns, or on every
        profiled column with ``True``.

    Raises
    ------
    DriftInputError
        If the data has no rows, a named column does not exist or cannot be profiled, a
        file cannot be read, or an argument is out of range.
    """
    if bins < 2 or fine_bins < bins:
        raise DriftInputError("bins must be at least 2 and fine_bins at least bins", field="bins")
    if max_categories < 1:
        raise DriftInputError("max_categories must be at least 1", field="max_categories")
    source = _Reference(data)
    if source.height == 0:
        raise DriftInputError("the reference has no rows", field="reference")
    names = _checked(columns, source.schema, role="reference", field="columns")
    forced = set(_checked(categorical, source.schema, role="reference", field="categorical"))
    kinds: dict[str, Kind] = {}
    skipped: dict[str, str] = {}
    for name in names:
        dtype = source.schema[name]
        kind: Kind | None = "categorical" if name in forced else column_kind(dtype)
        if kind is None:
            reason = f"type {dtype} is neither numeric nor categorical"
            if columns is not None:
                raise DriftInputError(
                    f"column {name!r}: {reason}; convert it (e.g. dates to days) or name it "
                    "in categorical",
                    field=name,
                )
            skipped[name] = reason
        else:
            kinds[name] = kind

    def one(name: str) -> ColumnSummary:
        series = source.column(name)
        if kinds[name] == "numeric":
            return _fit_numeric(series, bins, fine_bins)
        return _fit_categorical(series, max_categories)

    summaries = dict(zip(kinds, _map(one, list(kinds), source.height), strict=True))
    model = None
    if multivariate:
        chosen = list(summaries) if multivariate is True else list(multivariate)
        model = fit_multivariate(
            source.select(_known(chosen, summaries)), {n: summaries[n] for n in chosen}
        )
    return Profile(columns=summaries, rows=source.height, skipped=skipped, multivariate=model)


def _checked(
    names: list[str] | None, schema: Mapping[str, Any], *, role: str, field: str
) -> list[str]:
    if names is None:
        return list(schema) if field == "columns" else []
    unknown = [n for n in names if n not in schema]
    if unknown:
        raise DriftInputError(
            f"unknown column(s) {unknown} in the {role}; it has {list(schema)}", field=field
        )
    return list(dict.fromkeys(names))


def _known(names: list[str], summaries: Mapping[str, ColumnSummary]) -> list[str]:
    unknown = [n for n in names if n not in summaries]
    if unknown:
        raise DriftInputError(
            f"multivariate: column(s) {unknown} are not profiled", field="multivariate"
        )
    return names


def summarize(data: Any, reference: Profile, *, batch_rows: int = BATCH_ROWS) -> Profile:
    """Summarize current data into the reference profile's bins.

    ``data`` is a table, or the path of a CSV, Parquet or JSON Lines file, which is read
    ``batch_rows`` rows at a time and only for the reference's columns, in constant
    memory. Summaries of batches merge (:meth:`Profile.merge`). Columns the reference does
    not have are listed in :attr:`Profile.extra`; reference columns the data lacks have no
    summary (a comparison reports them missing).
    """
    if not isinstance(reference, Profile):
        raise DriftInputError(
            f"reference: expected a Profile (see fit_profile), got {type(reference).__name__}",
            field="reference",
        )
    if not isinstance(data, str | os.PathLike):
        return _summarize_frame(as_polars(data, role="current"), reference)
    schema = file_columns(data)
    wanted = [n for n in reference.columns if n in schema]
    extra = _extra(schema, reference)
    total: Profile | None = None
    for batch in iter_batches(data, columns=wanted, batch_rows=batch_rows):
        part = _summarize_frame(batch, reference)
        total = part if total is None else total.merge(part)
    if total is None:  # a header and no rows
        total = _summarize_frame(pl.DataFrame(schema={n: schema[n] for n in wanted}), reference)
    if not wanted:  # nothing read, so the rows were not counted either
        total = replace(total, rows=_row_count(Path(data)))
    return replace(total, extra=extra)


def _extra(schema: Mapping[str, Any], reference: Profile) -> dict[str, str]:
    return {
        n: str(t)
        for n, t in schema.items()
        if n not in reference.columns and n not in reference.skipped
    }


def _row_count(path: Path) -> int:
    fmt = FORMATS[path.suffix.lower()]
    lazy = (
        pl.scan_parquet(path)
        if fmt == "parquet"
        else pl.scan_csv(path, infer_schema=False)
        if fmt == "csv"
        else pl.scan_ndjson(path)
    )
    return int(lazy.select(pl.len()).collect().item())


def _summarize_frame(frame: pl.DataFrame, reference: Profile) -> Profile:
    def one(name: str) -> ColumnSummary:
        series = frame.get_column(name)
        ref = reference.columns[name]
        if isinstance(ref, NumericSummary):
            values, violations = numeric_values(series)
            return summarize_numeric(
                values, violations, ref.bins, dtype=str(series.dtype), track=ref.distinct
            )
        return summarize_categorical(series, ref.bins)

    present = [name for name in reference.columns if name in frame.columns]
    summaries = dict(zip(present, _map(one, present, frame.height), strict=True))
    multivariate = None
    if reference.multivariate is not None:
        multivariate = reference.multivariate.summarize(frame)
    return Profile(
        columns=summaries,
        rows=frame.height,
        extra=_extra(frame.schema, reference),
        multivariate=multivariate,
    )


def _map(work: Callable[[str], ColumnSummary], names: list[str], rows: int) -> list[ColumnSummary]:
    """``work`` on each column, on up to :data:`WORKERS` threads when there are enough
    rows to pay for them: numpy's binning and polars' counting release the GIL, so
    columns are summarized in parallel."""
    if len(names) < 2 or WORKERS < 2 or rows < PARALLEL_ROWS:
        return [work(name) for name in names]
    with ThreadPoolExecutor(max_workers=min(WORKERS, len(names))) as pool:
        return list(pool.map(work, names))


def _quantiles(ordered: FloatArray, q: FloatArray) -> FloatArray:
    """Quantiles of sorted values by linear interpolation (numpy's default method),
    without numpy.quantile's partitioning, which is slow for a thousand quantiles."""
    position = q * (ordered.size - 1)
    low = np.floor(position).astype(np.intp)
    high = np.minimum(low + 1, ordered.size - 1)
    fraction = position - low
    with np.errstate(over="ignore", invalid="ignore"):  # a gap wider than the float range
        gap = ordered[high] - ordered[low]
        values = ordered[low] + fraction * gap
    # Where the gap overflowed, fall back to the lower neighbour (still a valid edge).
    return np.asarray(np.where(np.isfinite(values), values, ordered[low]), dtype=np.float64)


def _fit_numeric(series: pl.Series, bins: int, fine_bins: int) -> NumericSummary:
    values, violations = numeric_values(series)
    dtype = str(series.dtype)
    finite_mask = np.isfinite(values)
    n_finite = int(np.count_nonzero(finite_mask))
    if n_finite == 0:
        spec = NumericBins(edges=(), coarse=(), shift=0.0)
        return summarize_numeric(values, violations, spec, dtype=dtype, track=())
    # Sorted by polars in 60 % of numpy.sort's time (single-threaded: a large reference
    # is fitted a column per thread). The reference is then counted into its own bins from
    # the sorted values: a binary search per edge rather than per value.
    finite = values if n_finite == values.size else values[finite_mask]
    ordered = pl.Series(finite, dtype=pl.Float64).sort(multithreaded=False).to_numpy()
    del finite
    # Quantile levels as i / n, so a decile level (1 / 10) is bit for bit the fine level
    # (100 / 1000) and the union of the two sets of edges has no near-duplicates.
    fine = _quantiles(ordered, np.arange(fine_bins + 1) / fine_bins)
    top = np.nextafter(ordered[-1], np.inf)
    fine[-1] = top if math.isfinite(top) else ordered[-1]
    coarse = np.unique(_quantiles(ordered, np.arange(1, bins) / bins))
    spec = NumericBins(
        edges=tuple(np.union1d(fine, coarse).tolist()),
        coarse=tuple(coarse.tolist()),
        shift=_mean(ordered),
    )
    changes = ordered[1:] != ordered[:-1]
    distinct_count = 1 + int(np.count_nonzero(changes))
    track = None
    if distinct_count <= DISTINCT_CAP:
        track = tuple(ordered[np.concatenate([[True], changes])].tolist())
    del changes
    counts, sums = _sorted_counts(ordered, spec.edges_array)
    low, high = float(ordered[0]), float(ordered[-1])
    total, squares = _moments(ordered, spec.shift)
    return _numeric_summary(
        values,
        violations,
        spec,
        dtype=dtype,
        n_finite=n_finite,
        counts=counts,
        sums=sums,
        moments=(total, squares),
        extremes=(low, high),
        distinct=track,
    )


def _sorted_counts(ordered: FloatArray, edges: FloatArray) -> tuple[IntArray, FloatArray]:
    """The counts and sums per bin of sorted finite values: what binning each value and
    ``numpy.bincount`` give, from one binary search per edge. A bin's values are a slice
    of ``ordered``; its sum is the slice's sum."""
    starts = np.concatenate([[0], np.searchsorted(ordered, edges, side="left")])
    counts = np.diff(np.append(starts, ordered.size)).astype(np.int64)
    sums = np.zeros(edges.size + 1)
    filled = np.flatnonzero(counts)
    # Starts of the non-empty bins only: each slice then runs to the next non-empty bin's
    # start, which is where its own values end (reduceat would read an empty slice as the
    # value at its start).
    with np.errstate(over="ignore", invalid="ignore"):
        sums[filled] = np.add.reduceat(ordered, starts[filled])
    return counts, sums


def _moments(finite: FloatArray, shift: float, *, owned: bool = False) -> tuple[float, float]:
    """The sum and the sum of squares of ``finite - shift``, pairwise-summed: no BLAS call
    (``numpy.dot`` wakes OpenBLAS's threads, milliseconds a column on a busy machine).
    With ``owned``, ``finite`` is overwritten instead of copied."""
    # Values near the float limits overflow their sums to infinity: kept (and written to
    # JSON as "inf"), not raised as a warning — the counts and bins stay exact.
    with np.errstate(over="ignore", invalid="ignore"):
        centred = np.subtract(finite, shift, out=finite if owned else None)
        total = float(centred.sum())
        squares = float(np.square(centred, out=centred).sum())
    return total, squares


def _mean(ordered: FloatArray) -> float:
    """The shift moments are summed around: the mean, or the median when the mean
    overflows (values near the float limits)."""
    with np.errstate(over="ignore", invalid="ignore"):
        mean = float(ordered.mean())
    return mean if math.isfinite(mean) else float(ordered[ordered.size // 2])


def summarize_numeric(
    values: FloatArray,
    violations: int,
    spec: NumericBins,
    *,
    dtype: str,
    track: tuple[float, ...] | None,
) -> NumericSummary:
    """Count float64 values (NaN for missing and for ``violations``) into ``spec``'s bins.

    ``track`` is the reference's distinct values when it has few: the batch's own distinct
    values are then kept too (else not, it would cost a sort).
    """
    finite_mask = np.isfinite(values)
    n_finite = int(np.count_nonzero(finite_mask))
    finite = values if n_finite == values.size else values[finite_mask]
    edges = spec.edges_array
    index = spec.binner.index(finite)
    counts = np.bincount(index, minlength=edges.size + 1).astype(np.int64)
    with np.errstate(over="ignore", invalid="ignore"):
        sums = np.bincount(index, weights=finite, minlength=edges.size + 1).astype(np.float64)
    distinct = None if track is None else _distinct(finite, index, edges, counts)
    extremes = (float(finite.min()), float(finite.max())) if n_finite else None
    del index
    return _numeric_summary(
        values,
        violations,
        spec,
        dtype=dtype,
        n_finite=n_finite,
        counts=counts,
        sums=sums,
        # Last: a copy of the finite values is overwritten.
        moments=_moments(finite, spec.shift, owned=finite is not values),
        extremes=extremes,
        distinct=distinct,
    )


def _numeric_summary(
    values: FloatArray,
    violations: int,
    spec: NumericBins,
    *,
    dtype: str,
    n_finite: int,
    counts: IntArray,
    sums: FloatArray,
    moments: tuple[float, float],
    extremes: tuple[float, float] | None,
    distinct: tuple[float, ...] | None,
) -> NumericSummary:
    """The summary of ``values`` (finite ones already counted into bins): the missing
    values, type violations and infinities besides."""
    some_not_finite = n_finite != values.size
    nan = int(np.count_nonzero(np.isnan(values))) if some_not_finite else 0
    pos_inf = int(np.count_nonzero(values == np.inf)) if some_not_finite else 0
    return NumericSummary(
        bins=spec,
        dtype=dtype,
        rows=int(values.size),
        missing=nan - violations,
        violations=violations,
        pos_inf=pos_inf,
        neg_inf=int(values.size) - n_finite - nan - pos_inf,
        count=n_finite,
        sum=moments[0],
        sumsq=moments[1],
        min=None if extremes is None else extremes[0],
        max=None if extremes is None else extremes[1],
        counts=counts,
        sums=sums,
        distinct=distinct,
    )


def _distinct(
    finite: FloatArray, index: npt.NDArray[np.intp], edges: FloatArray, counts: IntArray
) -> tuple[float, ...] | None:
    """The distinct values of a batch whose reference has few. Those are fine edges, so a
    value lying on its bin's lower edge is known without sorting; only the others (new
    values) are sorted."""
    if finite.size == 0:
        return ()
    lower = np.concatenate([[np.nan], edges])[index]
    on_edge = finite == lower
    hits = np.bincount(index[on_edge], minlength=counts.size)
    known = edges[np.flatnonzero(hits[1:])]
    values = np.union1d(known, np.unique(finite[~on_edge]))
    return tuple(values.tolist()) if values.size <= DISTINCT_CAP else None


Tally = pl.DataFrame | dict[str | None, int]
"""A column's categories (text; ``None`` for missing) and their counts: a dict for a few
distinct values, a polars frame (``value``, ``n``) for many."""


def _tally(series: pl.Series) -> Tally:
    """A column's categories and counts.

    The raw values are counted first and only the distinct ones turned into text: a
    million floats or integers are never formatted. Up to :data:`SMALL_TALLY` distinct
    values are then handled in Python, many more by polars.
    """
    raw = series.alias("key").value_counts(name="n")
    text = category_values(raw.get_column("key")).alias("value")
    if raw.height <= SMALL_TALLY:
        tally: dict[str | None, int] = {}
        for value, n in zip(text.to_list(), raw.get_column("n").to_list(), strict=True):
            tally[value] = tally.get(value, 0) + n  # two raw values may read the same
        return tally
    return pl.DataFrame([text, raw.get_column("n")]).group_by("value").agg(pl.col("n").sum())


def _fit_categorical(series: pl.Series, max_categories: int) -> CategoricalSummary:
    tally = _tally(series)
    if isinstance(tally, dict):
        # Most frequent first, ties by text (code point order is polars' byte order).
        names = sorted((v for v in tally if v is not None), key=lambda v: (-tally[v], v))
    else:
        names = (
            tally.drop_nulls("value")
            .sort(["n", "value"], descending=[True, False])
            .get_column("value")
            .to_list()
        )
    spec = CategoricalBins(
        categories=tuple(names[:max_categories]), complete=len(names) <= max_categories
    )
    return _count_categories(tally, spec, series.len(), str(series.dtype))


def summarize_categorical(series: pl.Series, spec: CategoricalBins) -> CategoricalSummary:
    """Count a column's values by ``spec``'s reference categories."""
    return _count_categories(_tally(series), spec, series.len(), str(series.dtype))


def _count_few(
    tally: dict[str | None, int], spec: CategoricalBins, rows: int, dtype: str
) -> CategoricalSummary:
    """:func:`_count_categories` for a tally of a few distinct values."""
    positions = spec.positions
    counts = np.zeros(len(spec.categories), dtype=np.int64)
    outside: dict[str, int] = {}
    present = 0
    for value, n in tally.items():
        if value is None:
            continue
        present += n
        position = positions.get(value)
        if position is None:
            outside[value] = n
        else:
            counts[position] += n
    new = dict(sorted(outside.items())[:NEW_KEPT]) if spec.complete else {}
    return CategoricalSummary(
        bins=spec,
        dtype=dtype,
        rows=rows,
        missing=rows - present,
        counts=counts,
        other=sum(outside.values()),
        new=new,
    )


def _count_categories(
    tally: Tally, spec: CategoricalBins, rows: int, dtype: str
) -> CategoricalSummary:
    if isinstance(tally, dict):
        return _count_few(tally, spec, rows, dtype)
    present = tally.drop_nulls("value")
    joined = present.join(spec.index_frame, on="value", how="left")
    known = joined.filter(pl.col("index").is_not_null())
    counts = np.bincount(
        known.get_column("index").to_numpy(),
        weights=known.get_column("n").to_numpy(),
        minlength=len(spec.categories),
    ).astype(np.int64)
    outside = joined.filter(pl.col("index").is_null())
    new: dict[str, int] = {}
    if spec.complete and outside.height:
        first = outside.sort("value").head(NEW_KEPT)
        new = dict(
            zip(first.get_column("value").to_list(), first.get_column("n").to_list(), strict=True)
        )
    return CategoricalSummary(
        bins=spec,
        dtype=dtype,
        rows=rows,
        missing=rows - int(present.get_column("n").sum()),
        counts=counts,
        other=int(outside.get_column("n").sum()),
        new=new,
    )
