"""Tables in, polars out: what drift detection accepts as data, how each column is read as
numbers or as categories, and reading CSV / Parquet / JSON Lines files.

polars holds a column of a million rows as one Arrow buffer, so a numeric column reaches
numpy without a copy and a text column is counted by polars' own hash tables; pandas and
Arrow inputs are converted once at the door (pandas' numeric columns without a copy).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from bastion.drift.errors import DriftInputError

__all__ = [
    "BATCH_ROWS",
    "FORMATS",
    "Kind",
    "as_polars",
    "category_values",
    "column_kind",
    "file_columns",
    "iter_batches",
    "numeric_values",
    "read_column",
    "read_frame",
    "select_columns",
]

Kind = Literal["numeric", "categorical"]
FORMATS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
"""File formats by suffix, as :mod:`bastion.tabular` reads them (not imported from there:
it loads pandas, a hundred megabytes that summarizing a window does not need)."""
BATCH_ROWS = 200_000

FloatArray = npt.NDArray[np.float64]


def as_polars(data: Any, *, role: str = "data") -> pl.DataFrame:
    """A polars DataFrame from polars (eager or lazy), pandas or Arrow data.

    Raises
    ------
    DriftInputError
        For anything else (a path must go through :func:`read_frame` first).
    """
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, pl.LazyFrame):
        return data.collect()
    module = type(data).__module__.split(".")[0]
    if module == "pandas" and hasattr(data, "columns"):
        return _from_pandas(data, role)
    if module == "pyarrow" and hasattr(data, "column_names"):
        frame = pl.from_arrow(data)
        return frame if isinstance(frame, pl.DataFrame) else frame.to_frame()
    if isinstance(data, str | os.PathLike):
        raise DriftInputError(
            f"{role}: got a path; read it with bastion.drift.read_frame(path)", field=role
        )
    raise DriftInputError(
        f"{role}: expected a polars, pandas or Arrow table, got {type(data).__name__}", field=role
    )


def _from_pandas(frame: Any, role: str) -> pl.DataFrame:
    names = [str(c) for c in frame.columns]
    if len(set(names)) != len(names):
        raise DriftInputError(f"{role}: column names repeat: {names}", field=role)
    try:
        return pl.DataFrame(pl.from_pandas(frame.set_axis(names, axis=1), include_index=False))
    except (TypeError, ValueError, pl.exceptions.PolarsError):
        # A column of mixed Python objects (numbers and text) has no Arrow type: read it
        # as text, the way a CSV reader would, and let the profile judge its values.
        columns = {}
        for i, name in enumerate(names):
            series = frame.iloc[:, i]
            try:
                columns[name] = pl.from_pandas(series)
            except (TypeError, ValueError, pl.exceptions.PolarsError):
                columns[name] = pl.Series(
                    name,
                    [None if _is_missing(v) else str(v) for v in series.tolist()],
                    dtype=pl.String,
                )
        return pl.DataFrame(columns)


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def select_columns(frame: pl.DataFrame, names: list[str] | None, *, role: str) -> list[str]:
    """The names to profile: ``names`` (each checked), else every column of ``frame``."""
    if names is None:
        return list(frame.columns)
    unknown = [n for n in names if n not in frame.columns]
    if unknown:
        raise DriftInputError(
            f"unknown column(s) {unknown} in the {role}; it has columns {frame.columns}",
            field="columns",
        )
    return list(dict.fromkeys(names))


def column_kind(dtype: pl.DataType) -> Kind | None:
    """Numbers are numeric; text, categories and booleans categorical; a column of nothing
    but nulls categorical (it has no values to say otherwise). Dates, times and nested
    values are neither (``None``): convert them first, e.g. to a number of days."""
    if dtype.is_numeric():
        return "numeric"
    if dtype in (pl.String, pl.Categorical, pl.Boolean, pl.Null) or isinstance(dtype, pl.Enum):
        return "categorical"
    return None


def numeric_values(series: pl.Series) -> tuple[FloatArray, int]:
    """A column as float64 (missing values NaN) and the number of its values that are not
    numbers at all (text that does not parse, a date): its type violations.

    Booleans count as 0 and 1. Text is parsed, so a CSV column with one stray word still
    yields its numbers (the word is a violation); a column of numbers stored as text
    parses whole, with no violation.
    """
    dtype = series.dtype
    if dtype.is_numeric() or dtype in (pl.Boolean, pl.Null):
        values = series.cast(pl.Float64).to_numpy()
        return np.asarray(values, dtype=np.float64), 0
    if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
        text = series.cast(pl.String).str.strip_chars()
        text = text.set(text == "", None)
        parsed = text.cast(pl.Float64, strict=False)
        violations = parsed.null_count() - text.null_count()
        return np.asarray(parsed.to_numpy(), dtype=np.float64), violations
    return np.full(series.len(), np.nan), series.len() - series.null_count()


def category_values(series: pl.Series) -> pl.Series:
    """A column as text categories, missing values (null, NaN, empty text) as null.

    Whole floats are written as integers, so ``1`` and ``1.0`` are the same category
    whether a reader saw an integer column or one with missing values (NaN makes pandas
    store integers as floats).
    """
    dtype = series.dtype
    if dtype.is_float():
        finite = series.fill_nan(None)
        values = finite.drop_nulls()
        if values.len() and bool((values == values.round(0)).all()) and _fits_int64(values):
            return finite.cast(pl.Int64).cast(pl.String)
        return finite.cast(pl.String)
    if dtype == pl.String:
        text = series
    elif (
        dtype.is_numeric()
        or dtype in (pl.Boolean, pl.Null, pl.Categorical)
        or isinstance(dtype, pl.Enum)
    ):
        text = series.cast(pl.String)
    else:
        try:
            text = series.cast(pl.String)
        except pl.exceptions.PolarsError:
            text = pl.Series(
                series.name,
                [None if v is None else str(v) for v in series.to_list()],
                dtype=pl.String,
            )
    return text.set(text == "", None)


def _fits_int64(values: pl.Series) -> bool:
    return bool(values.abs().max() < 2.0**63)  # type: ignore[operator]


# --- files -------------------------------------------------------------------------------


def _file(path: str | os.PathLike[str]) -> tuple[Path, str]:
    p = Path(path)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise DriftInputError(
            f"{p.name}: unknown table format {p.suffix or '(no suffix)'!r}; "
            f"use one of {', '.join(FORMATS)}",
            field="file",
        )
    if not p.is_file():
        raise DriftInputError(f"{p}: no such file", field="file")
    if p.stat().st_size == 0:
        raise DriftInputError(f"{p.name}: the file is empty", field="file")
    return p, fmt


def _unreadable(p: Path, fmt: str, exc: Exception) -> DriftInputError:
    where = _csv_problem(p) if fmt == "csv" else None
    detail = where or " ".join(str(exc).split("\n\n")[0].split())
    return DriftInputError(f"{p.name}: cannot be read as {fmt}: {detail}", field="file")


_READ_ERRORS = (pl.exceptions.PolarsError, OSError, ValueError)


def read_frame(path: str | os.PathLike[str], *, columns: list[str] | None = None) -> pl.DataFrame:
    """Read a CSV, Parquet or JSON Lines file (by its suffix) into a polars DataFrame.

    CSV column types are inferred from every row, so a number column with one stray word
    is read as text (and judged as type violations by the profile) instead of failing.
    To summarize a file too large to hold, pass its path to :func:`summarize` instead.

    Raises
    ------
    DriftInputError
        If the file is missing, empty, of an unknown kind or malformed — the message names
        the file and, for CSV, the line — or lacks one of ``columns``.
    """
    p, fmt = _file(path)
    try:
        if fmt == "csv":
            frame = pl.read_csv(p, infer_schema_length=None, null_values=[""])
        elif fmt == "parquet":
            frame = pl.read_parquet(p)
        else:
            frame = pl.read_ndjson(p, infer_schema_length=None)
    except _READ_ERRORS as exc:
        raise _unreadable(p, fmt, exc) from None
    if columns is not None:
        select_columns(frame, columns, role=p.name)
    return frame


def file_columns(path: str | os.PathLike[str]) -> dict[str, pl.DataType]:
    """A file's columns and types without reading its rows (a CSV's types are not known
    before it is read: they are given as text)."""
    p, fmt = _file(path)
    try:
        if fmt == "parquet":
            return dict(pl.read_parquet_schema(p))
        if fmt == "csv":
            return dict(pl.scan_csv(p, infer_schema=False).collect_schema())
        return dict(pl.scan_ndjson(p, infer_schema_length=None).collect_schema())
    except _READ_ERRORS as exc:
        raise _unreadable(p, fmt, exc) from None


def read_column(path: str | os.PathLike[str], name: str) -> pl.Series:
    """One column of a Parquet file, reading nothing else (Parquet stores by column)."""
    p, fmt = _file(path)
    try:
        return pl.read_parquet(p, columns=[name]).get_column(name)
    except _READ_ERRORS as exc:
        raise _unreadable(p, fmt, exc) from None


def iter_batches(
    path: str | os.PathLike[str],
    *,
    columns: list[str] | None = None,
    batch_rows: int = BATCH_ROWS,
) -> Iterator[pl.DataFrame]:
    """The rows of a file, ``batch_rows`` at a time, in constant memory.

    Parquet is read slice by slice. CSV values come as text (a batch cannot know the
    types of rows it has not seen), which the profile parses: numbers as numbers, a
    stray word as a type violation. JSON Lines is read whole, then cut.
    """
    p, fmt = _file(path)
    if batch_rows < 1:
        raise DriftInputError("batch_rows must be at least 1", field="batch_rows")
    try:
        if fmt == "parquet":
            # polars decodes only the pages of each slice: a tenth of the memory of
            # pyarrow's iter_batches, which holds a whole row group at a time.
            scan = pl.scan_parquet(p)
            if columns is not None:
                scan = scan.select(columns)
            height = int(pl.scan_parquet(p).select(pl.len()).collect().item())
            for offset in range(0, height, batch_rows):
                yield scan.slice(offset, batch_rows).collect()
        elif fmt == "csv":
            import pyarrow as pa
            import pyarrow.csv as pacsv

            names = list(file_columns(p))
            convert = pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                include_columns=columns,
                null_values=[""],
                strings_can_be_null=True,
            )
            with pacsv.open_csv(p, convert_options=convert) as reader:
                for batch in reader:
                    frame = as_polars(batch)
                    yield from frame.iter_slices(batch_rows)
        else:
            frame = read_frame(p, columns=columns)
            yield from (frame if columns is None else frame.select(columns)).iter_slices(batch_rows)
    except _READ_ERRORS as exc:
        raise _unreadable(p, fmt, exc) from None


def _csv_problem(path: Path) -> str | None:
    """Where a CSV file goes wrong, as ``line N: what`` — only run once polars has refused
    the file, whose messages give a byte offset at best."""
    fields: int | None = None
    line = 0
    try:
        with path.open("rb") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="")
            reader = csv.reader(text, strict=True)
            for row in reader:
                if fields is None:
                    fields = len(row)
                elif row and len(row) != fields:
                    return f"line {reader.line_num}: expected {fields} fields, saw {len(row)}"
                line = reader.line_num
    except UnicodeDecodeError as exc:
        return f"line {_byte_line(path)}: not UTF-8 text (byte {exc.object[exc.start]:#04x})"
    except csv.Error as exc:
        return f"line {line + 1}: {exc}"
    return None


def _byte_line(path: Path) -> int:
    """The line holding the first byte that is not UTF-8 (the decoder only knows the
    offset within the block it was reading, so the file is scanned line by line)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as raw:
        for number, line in enumerate(raw, start=1):
            try:
                decoder.decode(line)
            except UnicodeDecodeError:
                return number
    return 1
