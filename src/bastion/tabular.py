"""Reading tables of any size in batches, in constant memory, with errors that name the
file and the line — for the scans and transformations that must stream (PII discovery,
anonymization) rather than load a whole file the way the assessments do.

CSV goes through pandas' C parser in chunks, Parquet by row group through pyarrow, JSON
Lines in chunks. A malformed CSV row, a quote left open, an undecodable byte or an
unknown format is one :class:`TableError` naming the problem; nothing half-read is
returned as if it were whole.
"""

from __future__ import annotations

import codecs
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd

from bastion.errors import InvalidInput

__all__ = [
    "DEFAULT_BATCH_ROWS",
    "FORMATS",
    "TableError",
    "iter_frames",
    "table_format",
    "write_table",
]

DEFAULT_BATCH_ROWS = 50_000
FORMATS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}


class TableError(InvalidInput, ValueError):
    """A table file that cannot be read as it is; the message names the file and line."""


def table_format(path: str | os.PathLike[str]) -> str:
    """``csv``, ``parquet`` or ``jsonl``, from the file's suffix."""
    p = Path(path)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise TableError(
            f"{p.name}: unknown table format {p.suffix or '(no suffix)'!r}; "
            f"use one of {', '.join(FORMATS)}",
            field="file",
        )
    return fmt


def _check_encoding(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise TableError(f"unknown encoding {encoding!r}", field="encoding") from None


def _csv(
    p: Path, batch_rows: int, encoding: str, columns: Sequence[str] | None
) -> Iterator[pd.DataFrame]:
    reader = pd.read_csv(
        p,
        chunksize=batch_rows,
        dtype=str,  # every value as written: a scan must see "007" and "1e5", not numbers
        keep_default_na=False,
        na_values=[""],
        encoding=encoding,
        usecols=list(columns) if columns is not None else None,
    )
    with reader:
        yield from reader


def _parquet(p: Path, batch_rows: int, columns: Sequence[str] | None) -> Iterator[pd.DataFrame]:
    import pyarrow.parquet as pq

    with pq.ParquetFile(p) as file:
        for batch in file.iter_batches(batch_size=batch_rows, columns=columns):
            yield batch.to_pandas()


def _jsonl(
    p: Path, batch_rows: int, encoding: str, columns: Sequence[str] | None
) -> Iterator[pd.DataFrame]:
    with pd.read_json(p, lines=True, chunksize=batch_rows, encoding=encoding, dtype=False) as it:
        for frame in it:
            yield frame if columns is None else frame[list(columns)]


def iter_frames(
    path: str | os.PathLike[str],
    *,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    encoding: str = "utf-8",
    columns: Sequence[str] | None = None,
) -> Iterator[pd.DataFrame]:
    """The rows of a CSV, Parquet or JSON Lines file, ``batch_rows`` at a time.

    CSV values come as strings (missing as NaN), so nothing is reinterpreted on the way.

    Raises
    ------
    TableError
        If the file is missing, of an unknown format, empty, or malformed (naming the
        line where the parser says it), in another encoding than ``encoding``, or lacks
        one of ``columns``.
    """
    p = Path(path)
    fmt = table_format(p)
    if batch_rows < 1:
        raise TableError("batch_rows must be at least 1", field="batch_rows")
    encoding = _check_encoding(encoding)
    if not p.is_file():
        raise TableError(f"{p}: no such file", field="file")
    if p.stat().st_size == 0:
        raise TableError(f"{p.name}: the file is empty", field="file")
    if fmt == "csv":
        frames = _csv(p, batch_rows, encoding, columns)
    elif fmt == "parquet":
        frames = _parquet(p, batch_rows, columns)
    else:
        frames = _jsonl(p, batch_rows, encoding, columns)
    try:
        yield from frames
    except UnicodeDecodeError as exc:
        raise TableError(
            f"{p.name}: not {encoding} (byte {exc.object[exc.start]:#04x} at offset "
            f"{exc.start} of a block); pass the file's encoding, e.g. latin-1",
            field="encoding",
        ) from None
    except pd.errors.EmptyDataError:
        raise TableError(f"{p.name}: holds no columns", field="file") from None
    except pd.errors.ParserError as exc:
        detail = re.sub(r"^Error tokenizing data\. C error: ", "", str(exc)).strip()
        raise TableError(f"{p.name}: malformed {fmt}: {detail}", field="file") from None
    except (KeyError, ValueError, OSError) as exc:
        text = str(exc)
        if "Usecols do not match columns" in text or isinstance(exc, KeyError):
            raise TableError(f"{p.name}: {text}", field="columns") from None
        raise TableError(f"{p.name}: cannot be read as {fmt}: {text}", field="file") from None


def write_table(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a whole table as CSV, Parquet or JSON Lines (by the suffix), atomically: to a
    temporary file beside ``path``, renamed into place once complete, mode 0600 (the
    tables Bastion writes may hold personal data)."""
    p = Path(path)
    fmt = table_format(p)
    fd, name = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".part")
    os.close(fd)
    partial = Path(name)
    try:
        if fmt == "csv":
            frame.to_csv(partial, index=False)
        elif fmt == "parquet":
            frame.to_parquet(partial, index=False)
        else:
            frame.to_json(partial, orient="records", lines=True, force_ascii=False)
        partial.replace(p)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return p
