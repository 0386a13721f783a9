"""What the re-identification measures accept as data, read in batches.

A pandas, polars or Arrow table is one batch; the path of a CSV, Parquet or JSON Lines
file is streamed with :func:`bastion.tabular.iter_frames`, reading only the columns
needed. Names are checked before anything is counted, so each refusal is one error
naming the column.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from bastion.assessment.digests import data_digest, file_digest
from bastion.assessment.tables import as_frame
from bastion.reident.errors import AssessmentInputError, UnknownColumnError
from bastion.tabular import DEFAULT_BATCH_ROWS, iter_frames, table_format

__all__ = ["Batches", "column_names", "infer_numeric", "open_batches", "read_whole"]


def column_names(value: Any, role: str, *, required: bool) -> tuple[str, ...]:
    """One name or a sequence of names as a tuple, refusing repeats (and none, if required)."""
    if value is None:
        names: tuple[str, ...] = ()
    elif isinstance(value, str):
        names = (value,)
    elif isinstance(value, Sequence | pd.Index):
        names = tuple(value)
    else:
        raise AssessmentInputError(
            f"{role} must be a column name or a list of column names, got {type(value).__name__}",
            field=role,
        )
    bad = [n for n in names if not isinstance(n, str) or not n]
    if bad:
        raise AssessmentInputError(f"{role} must be column names (strings); got {bad}", field=role)
    if required and not names:
        raise AssessmentInputError(f"no {role} given: name at least one column", field=role)
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise AssessmentInputError(f"{role} names {repeated} more than once", field=role)
    return names


def check_present(available: Sequence[str], names: Sequence[str], role: str) -> None:
    """Refuse names the table does not have, naming them and the columns it has."""
    missing = [n for n in names if n not in available]
    if missing:
        raise UnknownColumnError(
            f"unknown column(s) {missing} given as {role}; the data has columns {list(available)}",
            field=role,
        )


def is_path(data: Any) -> bool:
    """Whether ``data`` names a file (a string or a path) rather than holding a table."""
    return isinstance(data, str | os.PathLike)


@dataclass
class Batches:
    """The batches of the needed columns, with what is known of their source.

    ``csv`` is true for a CSV file, whose values arrive as strings (see
    :func:`infer_numeric`); ``digest`` computes the evidence digest of the input on
    demand, since hashing ten million rows is not free.
    """

    frames: Iterator[pd.DataFrame]
    csv: bool
    digest: Callable[[], str]


def open_batches(
    data: Any,
    columns: Sequence[str],
    roles: Sequence[tuple[Sequence[str], str]],
    *,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    encoding: str = "utf-8",
) -> Batches:
    """The needed ``columns`` of a table or a file, as batches of pandas frames.

    ``roles`` pairs names with the role they were given as (``quasi_identifiers``, …) so
    that an unknown column is refused under the right name. A file is peeked at (one
    row) to learn its columns, then streamed with only the needed ones.

    Raises
    ------
    UnknownColumnError
        If a name is not a column of the data.
    bastion.tabular.TableError
        If the file cannot be read (missing, unknown format, malformed, …).
    """
    if is_path(data):
        path = Path(data)
        fmt = table_format(path)
        peek = iter_frames(path, batch_rows=1, encoding=encoding)
        try:
            first = next(peek, None)
        finally:
            if isinstance(peek, Generator):
                peek.close()  # release the file now, not when the generator is collected
        available = [str(c) for c in first.columns] if first is not None else []
        for names, role in roles:
            check_present(available, names, role)
        frames = iter_frames(path, batch_rows=batch_rows, encoding=encoding, columns=columns)
        return Batches(frames, fmt == "csv", lambda: file_digest(path))
    frame = as_frame(data)
    available = [str(c) for c in frame.columns]
    for names, role in roles:
        check_present(available, names, role)
    return Batches(iter([frame[list(columns)]]), False, lambda: data_digest(frame))


def read_whole(data: Any, *, encoding: str = "utf-8") -> tuple[pd.DataFrame, Callable[[], str]]:
    """The whole table as one pandas frame (a file is read in batches and joined), with
    CSV columns of numbers read as numbers, and the digest of the input on demand."""
    if is_path(data):
        path = Path(data)
        frames = list(iter_frames(path, encoding=encoding))
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        if table_format(path) == "csv":
            frame = infer_numeric(frame, list(frame.columns))
        return frame, lambda: file_digest(path)
    frame = as_frame(data)
    return frame, lambda: data_digest(frame)


def _numeric(column: pd.Series) -> pd.Series | None:
    """The column as numbers when every present value reads as one, else ``None``."""
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return None
    present = column.dropna()
    if present.empty:
        return None
    try:
        pd.to_numeric(present)
    except (ValueError, TypeError):
        return None
    return pd.to_numeric(column)


def infer_numeric(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Read as numbers the ``columns`` whose present values all read as numbers.

    A CSV file streams as strings (:func:`bastion.tabular.iter_frames` keeps values as
    written), while ``pandas.read_csv`` on the same file gives numbers. Converting after
    counting — when every value of the column has been seen — gives the numeric
    columns pandas would infer, so a file and the frame read from it give one result
    (and numeric sensitive attributes get the ordered distance they should).
    """
    out = frame
    for name in columns:
        converted = _numeric(frame[name])
        if converted is not None:
            if out is frame:
                out = frame.copy()
            out[name] = converted
    return out
