"""Writing anonymized batches one after another: CSV, Parquet (pyarrow's ParquetWriter,
one row group per batch) or JSON Lines, chosen by the destination's suffix.

A sink writes to whatever path it is given; :func:`bastion.anonymize.run.anonymize_file`
gives it a temporary file beside the destination and renames it into place only once
the last batch is written.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any, Protocol

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from bastion.anonymize.errors import AnonymizationError

__all__ = ["Sink", "open_sink"]


class Sink(Protocol):
    """Takes batches in order; ``close`` flushes them to disk."""

    def write(self, frame: pd.DataFrame) -> None: ...

    def close(self) -> None: ...

    def abort(self) -> None: ...


def _sync(handle: IO[Any]) -> None:
    handle.flush()
    os.fsync(handle.fileno())


class _CsvSink:
    def __init__(self, path: Path) -> None:
        self._file = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed in close()/abort()
        self._header = True

    def write(self, frame: pd.DataFrame) -> None:
        frame.to_csv(self._file, index=False, header=self._header, lineterminator="\n")
        self._header = False

    def close(self) -> None:
        _sync(self._file)
        self._file.close()

    def abort(self) -> None:
        self._file.close()


class _JsonlSink:
    def __init__(self, path: Path) -> None:
        self._file = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed in close()/abort()

    def write(self, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        text = frame.to_json(
            orient="records",
            lines=True,
            date_format="iso",
            force_ascii=False,
            double_precision=15,  # pandas' default of 10 digits would round kept numbers
        )
        self._file.write(text if text.endswith("\n") else text + "\n")

    def close(self) -> None:
        _sync(self._file)
        self._file.close()

    def abort(self) -> None:
        self._file.close()


_ARROW_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError)


class _ParquetSink:
    """One row group per batch, every batch cast to the first batch's schema.

    A Parquet file has one type per column, fixed when the writer opens, while pandas
    infers types per batch: a column empty in the first batch would be typed null, an
    integer column with a gap becomes float. So the schema is fixed from ``hints`` (the
    input file's types, for columns whose values pass through) and the first batch, with
    null types written as strings; later batches are cast to it.
    """

    def __init__(self, path: Path, hints: dict[str, Any]) -> None:
        self._path = path
        self._hints = hints
        self._writer: Any = None
        self._schema: Any = None

    def _fix_schema(self, table: Any) -> Any:
        fields = []
        for f in table.schema:
            kind = self._hints.get(f.name, f.type)
            if pa.types.is_null(kind) or pa.types.is_large_string(kind):
                kind = pa.string()
            fields.append(pa.field(f.name, kind))
        return pa.schema(fields)

    def _conform(self, table: Any) -> Any:
        if table.schema.equals(self._schema):
            return table
        arrays = []
        for f in self._schema:
            column = table.column(f.name)
            if not column.type.equals(f.type):
                try:
                    column = column.cast(f.type)
                except _ARROW_ERRORS:
                    raise AnonymizationError(
                        f"column {f.name!r} holds {column.type} values in a later batch where "
                        f"the first held {f.type}; a Parquet column has one type",
                        field="data",
                    ) from None
            arrays.append(column)
        return pa.Table.from_arrays(arrays, schema=self._schema)

    def write(self, frame: pd.DataFrame) -> None:
        try:
            table = pa.Table.from_pandas(frame, preserve_index=False)
        except _ARROW_ERRORS as exc:
            raise AnonymizationError(
                f"a batch cannot be written as Parquet: {exc}", field="data"
            ) from None
        if self._writer is None:
            self._schema = self._fix_schema(table)
            self._writer = pq.ParquetWriter(self._path, self._schema)
        self._writer.write_table(self._conform(table))

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        with open(self._path, "rb") as handle:
            os.fsync(handle.fileno())

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.close()


def open_sink(path: Path, fmt: str, *, hints: dict[str, Any] | None = None) -> Sink:
    """A sink writing ``fmt`` (``csv``, ``parquet`` or ``jsonl``) to ``path``.

    ``hints`` maps column names to the Arrow types Parquet output should keep.
    """
    if fmt == "csv":
        return _CsvSink(path)
    if fmt == "parquet":
        return _ParquetSink(path, hints or {})
    return _JsonlSink(path)
