"""PII discovery in tables: which entity each column holds (:func:`scan_table` for
pandas, polars and Arrow tables, :func:`scan_file` for CSV, Parquet and JSON Lines files
of any size).

**Sampling.** By default each column is judged on a uniform sample of at most ``sample``
of its non-empty values: every row gets a key from ``numpy.random.default_rng(seed)``, and
a column's sample is its non-empty rows with the smallest keys (a bottom-k sample, the
same whether the rows come as one table or streamed in batches, and mergeable across
partitions). ``exact=True`` examines every value; files are then tallied batch by batch
(:class:`bastion.pii.columns.Tally` adds up), in constant memory either way.

**A column's entity** is the one matching the largest share of its examined values,
among those reaching ``min_share``; entities whose shares are within
:data:`TIE_MARGIN` of the largest are decided by confidence (the mean score). Weak
evidence must be consistent: an entity whose matches average under
:data:`WEAK_CONFIDENCE` needs at least :data:`WEAK_SHARE` of the values.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bastion.assessment.digests import data_digest, file_digest
from bastion.assessment.verdict import verdict_of
from bastion.pii.columns import Tally, tally_values
from bastion.pii.context import column_words
from bastion.pii.entities import ENTITIES, likelihood, select_entities
from bastion.pii.errors import PiiInputError
from bastion.pii.phones import phone_regions
from bastion.pii.result import (
    ColumnFinding,
    PiiScanResult,
    judge_findings,
    suggest_classification,
)
from bastion.pii.special import SpecialCategoryFinding, column_findings
from bastion.tabular import DEFAULT_BATCH_ROWS, iter_frames, table_format

__all__ = ["TIE_MARGIN", "WEAK_CONFIDENCE", "WEAK_SHARE", "scan_file", "scan_table"]

TIE_MARGIN = 0.05
WEAK_CONFIDENCE = 0.35
WEAK_SHARE = 0.3

Progress = Callable[[int, int], None]


# --- input ------------------------------------------------------------------------------


def _arrow_column(series: pd.Series) -> pa.Array:
    # A column of mixed types (ints and strings in one object column) is read as text.
    try:
        return pa.array(series, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
        return pa.array(
            [
                None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
                for v in series
            ],
            type=pa.string(),
        )


def _columns(data: Any) -> tuple[list[str], list[pa.Array | pa.ChunkedArray], int]:
    """Column names, Arrow columns and the row count of a pandas, polars or Arrow table."""
    module = type(data).__module__.split(".")[0]
    if module == "pyarrow":
        if isinstance(data, pa.RecordBatch):
            data = pa.Table.from_batches([data])
        if isinstance(data, pa.Table):
            return [str(c) for c in data.column_names], list(data.columns), data.num_rows
    if module == "polars":
        table = data.to_frame() if not hasattr(data, "columns") else data
        return _columns(table.to_arrow())
    if isinstance(data, pd.Series):
        data = data.to_frame()
    if isinstance(data, pd.DataFrame):
        names = [str(c) for c in data.columns]
        return names, [_arrow_column(data.iloc[:, i]) for i in range(data.shape[1])], len(data)
    raise PiiInputError(
        f"expected a pandas, polars or Arrow table, got {type(data).__name__}", field="data"
    )


def _check(sample: int, min_share: float) -> None:
    if sample < 1:
        raise PiiInputError("sample must be at least 1 (or use exact=True)", field="sample")
    if not 0.0 <= min_share <= 1.0:
        raise PiiInputError("min_share must be between 0 and 1", field="min_share")


# --- judging a column --------------------------------------------------------------------


def _finding(column: str, tally: Tally, min_share: float, dob: bool) -> ColumnFinding:
    examined = tally.examined
    shares = {e: n / examined for e, n in tally.matched.items() if examined and n and e in ENTITIES}
    confidence = {e: tally.scores[e] / tally.matched[e] for e in shares}
    eligible = [
        e
        for e, s in shares.items()
        if s >= min_share and (confidence[e] >= WEAK_CONFIDENCE or s >= WEAK_SHARE)
    ]
    entity: str | None = None
    if eligible:
        top = max(shares[e] for e in eligible)
        close = [e for e in eligible if shares[e] >= top - TIE_MARGIN]
        entity = max(close, key=lambda e: (confidence[e], shares[e]))
    others = tuple(
        sorted(
            ((e, round(s, 4), round(min(1.0, confidence[e]), 4)) for e, s in shares.items()
             if e != entity),
            key=lambda x: -x[1],
        )
    )  # fmt: skip
    if entity is None:
        return ColumnFinding(column, None, None, 0.0, 0.0, None, examined, 0, others)
    conf = min(1.0, confidence[entity])
    subtype = "date_of_birth" if entity == "DATE_TIME" and dob else None
    return ColumnFinding(
        column=column,
        entity=entity,
        subtype=subtype,
        share=round(shares[entity], 6),
        confidence=round(conf, 6),
        likelihood=likelihood(conf),
        examined=examined,
        matched=tally.matched[entity],
        others=others,
    )


def _result(
    names: list[str], tallies: list[Tally], rows: int, *, min_share: float,
    settings: dict[str, Any], inputs: dict[str, str], notes: list[str],
) -> PiiScanResult:  # fmt: skip
    from bastion.pii.context import is_dob_column

    columns: list[ColumnFinding] = []
    special: list[SpecialCategoryFinding] = []
    for name, tally in zip(names, tallies, strict=True):
        for note in tally.settle():
            notes.append(f"column {name!r}: {note}")
        columns.append(_finding(name, tally, min_share, is_dob_column(name)))
        special.extend(column_findings(name, dict(tally.special), tally.examined))
        words = column_words(name)
        if ("sex" in words or "gender" in words) and not any(f.column == name for f in special):
            notes.append(
                f"column {name!r}: sex or gender is personal data and a protected "
                "characteristic, but not a GDPR Art. 9 special category"
            )
    categories = {c.category for c in columns if c.category is not None}
    secrets = sum(1 for c in columns if c.category == "secret")
    personal = sum(1 for c in columns if c.category not in (None, "quasi", "secret"))
    if any(c.category == "quasi" for c in columns) and not personal and not secrets:
        notes.append(
            "only quasi-identifiers found (dates, URLs): personal only combined with other data"
        )
    checks = judge_findings(secrets, len({f.column for f in special}), personal)
    return PiiScanResult(
        columns=tuple(columns),
        special_categories=tuple(special),
        rows=rows,
        suggested_classification=suggest_classification(categories, bool(special)),
        checks=checks,
        verdict=verdict_of(checks),
        notes=tuple(notes),
        settings=settings,
        inputs=inputs,
    )


def _settings(
    *, sample: int, exact: bool, entities: frozenset[str], seed: int, min_share: float,
    regions: tuple[str, ...], **extra: Any,
) -> dict[str, Any]:  # fmt: skip
    out: dict[str, Any] = {
        "sample": None if exact else sample,
        "exact": exact,
        "entities": "all" if entities == frozenset(ENTITIES) else sorted(entities),
        "seed": seed,
        "min_share": min_share,
        "regions": list(regions),
    }
    out.update(extra)
    return out


def _bottom_k(keys: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.intp]:
    # The positions of the k smallest keys, in row order (the same sample in any batching).
    if len(keys) <= k:
        return np.arange(len(keys))
    return np.sort(np.argpartition(keys, k - 1)[:k])


# --- tables -------------------------------------------------------------------------------


def scan_table(
    data: Any,
    *,
    sample: int = 10_000,
    exact: bool = False,
    entities: Iterable[str] | str | None = None,
    seed: int = 0,
    min_share: float = 0.1,
    regions: Iterable[str] = ("US", "GB"),
    inputs: dict[str, str] | None = None,
) -> PiiScanResult:
    """Which entity each column of a table holds, and which columns are special categories.

    Parameters
    ----------
    data : pandas.DataFrame, polars.DataFrame, pyarrow.Table or pyarrow.RecordBatch
        The table (a Series is read as a one-column table).
    sample : int
        At most this many non-empty values per column are examined (a seeded uniform
        sample) unless ``exact``.
    exact : bool
        Examine every value.
    entities : iterable of str, optional
        Entities to look for (default: all).
    seed : int
        Seed of the sample.
    min_share : float
        Least share of examined values an entity must match to be a column's entity.
    regions : iterable of str
        Regions whose national phone numbers are recognized.
    inputs : dict, optional
        Digests to record instead of computing the data's content digest.

    Returns
    -------
    PiiScanResult

    Raises
    ------
    PiiInputError
        For a value that is not a table, or a bad option.
    UnknownEntityError
        For an unknown entity name.
    """
    _check(sample, min_share)
    wanted = select_entities(entities)
    region_codes = phone_regions(regions)
    names, arrays, n_rows = _columns(data)
    notes: list[str] = []
    keys = None if exact else np.random.default_rng(seed).random(n_rows)
    tallies = []
    sampled_any = False
    for name, array in zip(names, arrays, strict=True):
        strings, dates = _aligned_strings(array)
        present = np.flatnonzero(np.asarray(strings.is_valid().to_numpy(zero_copy_only=False)))
        if keys is not None and len(present) > sample:
            present = present[_bottom_k(keys[present], sample)]
            sampled_any = True
        values = pc.take(strings, pa.array(present, type=pa.int64()))
        tallies.append(tally_values(values, name, regions=region_codes, wanted=wanted, dates=dates))
    if sampled_any:
        notes.append(
            f"columns with more than {sample:,} non-empty values were sampled ({sample:,} each)"
        )
    settings = _settings(sample=sample, exact=exact, entities=wanted, seed=seed,
                         min_share=min_share, regions=region_codes)  # fmt: skip
    digests = dict(inputs) if inputs else {"data": data_digest(data)}
    return _result(names, tallies, n_rows, min_share=min_share, settings=settings,
                   inputs=digests, notes=notes)  # fmt: skip


def _aligned_strings(values: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, bool]:
    """The column as trimmed strings, one per row, null where empty (see ``to_strings``)."""
    arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    t = arr.type
    if pa.types.is_dictionary(t):
        arr = arr.dictionary_decode()
        t = arr.type
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        return pc.cast(arr, pa.string()), True
    if pa.types.is_boolean(t) or pa.types.is_null(t):
        return pa.nulls(len(arr), type=pa.string()), False
    if pa.types.is_floating(t):
        finite = pc.is_finite(arr)
        arr = pc.if_else(finite, arr, pa.scalar(None, type=t))
        valid = pc.drop_null(arr)
        if (
            len(valid)
            and pc.all(pc.equal(pc.floor(valid), valid)).as_py()
            and (pc.max(pc.abs(valid)).as_py() < 2**53)
        ):
            arr = pc.cast(arr, pa.int64())
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        try:
            arr = pc.cast(arr, pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            arr = pa.array(
                [None if v is None else str(v) for v in arr.to_pylist()], type=pa.string()
            )
    arr = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, type=arr.type), arr), False


# --- files ----------------------------------------------------------------------------------


def _total_rows(path: Path) -> int:
    if table_format(path) == "parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    return 0


class _Reservoir:
    """The non-empty values of one column with the smallest keys seen so far (bottom-k)."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.keys = np.zeros(0)
        self.values: pa.Array = pa.array([], type=pa.string())
        self.dates = False

    def add(self, keys: npt.NDArray[np.float64], values: pa.Array) -> None:
        self.keys = np.concatenate([self.keys, keys])
        self.values = pa.concat_arrays([self.values, values.cast(pa.string())])
        if len(self.keys) > 2 * self.k:
            self.shrink()

    def shrink(self) -> None:
        keep = _bottom_k(self.keys, self.k)
        self.keys = self.keys[keep]
        self.values = pc.take(self.values, pa.array(keep, type=pa.int64()))


def _frames(path: Path, batch_rows: int, encoding: str) -> Iterator[pd.DataFrame]:
    yield from iter_frames(path, batch_rows=batch_rows, encoding=encoding)


def scan_file(
    path: str | os.PathLike[str],
    *,
    sample: int = 10_000,
    exact: bool = False,
    encoding: str = "utf-8",
    batch_rows: int = DEFAULT_BATCH_ROWS,
    entities: Iterable[str] | str | None = None,
    seed: int = 0,
    progress: Progress | None = None,
    min_share: float = 0.1,
    regions: Iterable[str] = ("US", "GB"),
) -> PiiScanResult:
    """:func:`scan_table` for a CSV, Parquet or JSON Lines file, streamed in batches.

    Memory stays bounded whatever the file's size: ``batch_rows`` rows at a time, plus a
    bottom-k sample of at most ``sample`` values per column (or, with ``exact``, running
    counts per column). CSV values are read as written (``007`` stays ``007``).

    Parameters
    ----------
    path : path-like
        The file; its suffix says the format (``.csv``, ``.parquet``, ``.jsonl``).
    sample, exact, entities, seed, min_share, regions
        As for :func:`scan_table` (the same seed samples the same rows).
    encoding : str
        Text encoding of CSV and JSON Lines files.
    batch_rows : int
        Rows read at a time.
    progress : callable, optional
        Called after each batch as ``progress(rows_done, total_rows)``; ``total_rows``
        is 0 when the file does not say (CSV, JSON Lines).

    Returns
    -------
    PiiScanResult

    Raises
    ------
    TableError
        If the file is missing, empty, malformed (the message names the line), not in
        ``encoding``, or of an unknown format.
    """
    _check(sample, min_share)
    wanted = select_entities(entities)
    region_codes = phone_regions(regions)
    p = Path(path)
    total = _total_rows(p) if p.is_file() else 0
    rng = np.random.default_rng(seed)
    names: list[str] = []
    tallies: dict[str, Tally] = {}
    reservoirs: dict[str, _Reservoir] = {}
    dated: dict[str, bool] = {}
    rows = 0
    for frame in _frames(p, batch_rows, encoding):
        if not names:
            names = [str(c) for c in frame.columns]
        keys = None if exact else rng.random(len(frame))
        _, arrays, n = _columns(frame)
        for name, array in zip(names, arrays, strict=True):
            strings, dates = _aligned_strings(array)
            dated[name] = dated.get(name, dates) and dates
            present = np.flatnonzero(np.asarray(strings.is_valid().to_numpy(zero_copy_only=False)))
            values = pc.take(strings, pa.array(present, type=pa.int64()))
            if keys is None:
                t = tally_values(values, name, regions=region_codes, wanted=wanted, dates=dates)
                tallies.setdefault(name, Tally()).merge(t)
            else:
                reservoirs.setdefault(name, _Reservoir(sample)).add(keys[present], values)
        rows += n
        if progress is not None:
            progress(rows, total)
    notes: list[str] = []
    if not exact:
        sampled = False
        for name in names:
            r = reservoirs.get(name, _Reservoir(sample))
            if len(r.keys) > sample:
                sampled = True
            r.shrink()
            tallies[name] = tally_values(
                r.values, name, regions=region_codes, wanted=wanted, dates=dated.get(name, False)
            )
        if sampled:
            notes.append(
                f"columns with more than {sample:,} non-empty values were sampled ({sample:,} each)"
            )
    settings = _settings(sample=sample, exact=exact, entities=wanted, seed=seed,
                         min_share=min_share, regions=region_codes, batch_rows=batch_rows,
                         encoding=encoding)  # fmt: skip
    return _result(
        names,
        [tallies.get(n, Tally()) for n in names],
        rows,
        min_share=min_share,
        settings=settings,
        inputs={"data": file_digest(p)},
        notes=notes,
    )
