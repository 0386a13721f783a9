"""Anonymize a table in memory or a file of any size: the entry points of the package.

A file is streamed with :func:`bastion.tabular.iter_frames` (constant memory) and each
anonymized batch written at once to a temporary file beside the destination, which is
renamed into place only when every batch is through: a failure at any row — a malformed
line, a value an operator refuses — leaves no output file, and an existing destination
untouched. The input is only ever read.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from bastion.anonymize.errors import AnonymizationError
from bastion.anonymize.keys import Keys
from bastion.anonymize.plan import Engine
from bastion.anonymize.report import AnonymizationReport
from bastion.anonymize.sinks import Sink, open_sink
from bastion.anonymize.spec import Spec, load_spec
from bastion.assessment.digests import data_digest, file_digest
from bastion.assessment.tables import as_frame
from bastion.tabular import DEFAULT_BATCH_ROWS, iter_frames, table_format

__all__ = ["FileProgress", "SpecSource", "anonymize_file", "anonymize_frame"]

SpecSource = Spec | Mapping[str, Any] | str | os.PathLike[str]
"""A spec, or what :func:`load_spec` reads one from (a path, YAML/JSON text, a mapping)."""

FileProgress = Callable[[int, int | None], None]
"""Called as ``progress(rows_done, rows_total)`` after each batch; the total is known
for Parquet (from its metadata) and ``None`` for CSV and JSON Lines."""

# Operators whose output has the input's type: Parquet output keeps the input's type.
_SAME_TYPE = ("keep", "redact", "suppress")


def anonymize_frame(
    frame: Any,
    spec: SpecSource,
    *,
    keys: Keys | None,
    column_entities: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, AnonymizationReport]:
    """Anonymize a table held in memory.

    Parameters
    ----------
    frame : pandas, polars or Arrow table
        The table; it is not modified.
    spec : Spec, mapping, str or path
        The spec, or what :func:`load_spec` reads one from.
    keys : Keys or None
        The keys for ``pseudonymize`` and ``tokenize`` (``None`` when the spec uses
        neither).
    column_entities : mapping, optional
        Column name to PII entity (``{"mail": "EMAIL_ADDRESS"}``), as a PII scan
        classified the columns; the spec's ``entities`` rules apply through it.

    Returns
    -------
    (DataFrame, AnonymizationReport)
        The anonymized rows (suppressed rows left out, the index of the rest kept) and
        the report, whose digests are content digests of the frames.

    Raises
    ------
    SpecError
        If the spec is invalid or names a column the table lacks.
    KeyMaterialError
        If the spec needs keys and none are given.
    AnonymizationError
        If an operator cannot process a value (naming column and row).
    """
    spec = load_spec(spec)
    data = as_frame(frame)
    engine = Engine(spec, [str(c) for c in data.columns], keys, column_entities)
    out = engine.apply(data)
    report = engine.report(inputs={"data": data_digest(data)}, outputs={"data": data_digest(out)})
    return out, report


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return b.exists() and os.path.samefile(a, b)  # hard links, bind mounts
    except OSError:
        return False


def _type_hints(src: Path, fmt: str, engine: Engine) -> dict[str, Any]:
    if fmt != "parquet":
        return {}  # CSV values are text; JSON Lines types are inferred anyway
    import pyarrow.parquet as pq

    schema = pq.read_schema(src)
    same = {p.column for p in engine.plans if p.rule.operator in _SAME_TYPE}
    return {f.name: f.type for f in schema if f.name in same}


def _parquet_rows(src: Path) -> int | None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        rows: int = pq.ParquetFile(src).metadata.num_rows
    except (OSError, pa.ArrowException):
        return None  # iter_frames names the problem with the file when it reads it
    return rows


def _empty_parquet_frame(src: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    frame: pd.DataFrame = pq.read_schema(src).empty_table().to_pandas()
    return frame


def anonymize_file(
    src: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    spec: SpecSource,
    *,
    keys: Keys | None,
    column_entities: Mapping[str, str] | None = None,
    encoding: str = "utf-8",
    batch_rows: int = DEFAULT_BATCH_ROWS,
    progress: FileProgress | None = None,
) -> AnonymizationReport:
    """Anonymize a CSV, Parquet or JSON Lines file into a new file, in batches.

    The output's format follows ``dest``'s suffix (``.csv``, ``.parquet``, ``.jsonl``),
    whatever the input's; CSV and JSON Lines are written in UTF-8. The output is created
    readable by its owner only (mode 0600): anonymized data may still be personal data.

    Parameters
    ----------
    src, dest : path
        The input, which is only read, and the output, which must be another file. An
        existing ``dest`` is replaced when the run succeeds, and left as it was if not.
    spec : Spec, mapping, str or path
        The spec, or what :func:`load_spec` reads one from.
    keys : Keys or None
        The keys for ``pseudonymize`` and ``tokenize``.
    column_entities : mapping, optional
        Column name to PII entity, as a PII scan classified the columns.
    encoding : str
        The input's text encoding (CSV and JSON Lines).
    batch_rows : int
        Rows per batch: memory is bounded by this, not by the file's size.
    progress : callable, optional
        Called as ``progress(rows_done, rows_total)`` after each batch (the total is
        ``None`` unless the input is Parquet).

    Returns
    -------
    AnonymizationReport
        With the input's and output's SHA-256 (``inputs["data"]``, ``outputs["data"]``).

    Raises
    ------
    TableError
        If the input is missing, empty, malformed (naming the line) or in another
        encoding, or either file's format is unknown.
    AnonymizationError
        If ``dest`` is ``src``, or a value cannot be processed (naming column and row);
        nothing is written then.
    SpecError, KeyMaterialError
        As :func:`anonymize_frame`.
    """
    source, target = Path(src), Path(dest)
    in_fmt, out_fmt = table_format(source), table_format(target)
    if _same_file(source, target):
        raise AnonymizationError(
            f"{target.name}: the output would overwrite the input; write it to another file",
            field="dest",
        )
    if not target.parent.is_dir():
        raise AnonymizationError(f"{target.parent}: no such directory", field="dest")
    spec = load_spec(spec)
    total = _parquet_rows(source) if in_fmt == "parquet" else None
    fd, temp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".partial", dir=target.parent
    )
    os.close(fd)
    temp = Path(temp_name)
    frames = iter_frames(source, batch_rows=batch_rows, encoding=encoding)
    sink: Sink | None = None
    try:
        first = next(frames, None)
        if first is None:
            if in_fmt != "parquet":
                raise AnonymizationError(f"{source.name}: holds no rows", field="file")
            first = _empty_parquet_frame(source)  # a Parquet file of no rows still has columns
        engine = Engine(spec, [str(c) for c in first.columns], keys, column_entities)
        sink = open_sink(temp, out_fmt, hints=_type_hints(source, in_fmt, engine))
        for batch in itertools.chain([first], frames):
            sink.write(engine.apply(batch))
            if progress is not None:
                progress(engine.rows_in, total)
        input_digest = file_digest(source)
        sink.close()
        sink = None
        output_digest = file_digest(temp)
        os.replace(temp, target)
    except BaseException:
        if sink is not None:
            sink.abort()
        temp.unlink(missing_ok=True)
        raise
    finally:
        close = getattr(frames, "close", None)  # a generator: close its file handle now
        if close is not None:
            close()
    return engine.report(
        inputs={"data": input_digest},
        outputs={"data": output_digest},
        settings={
            "input_format": in_fmt,
            "output_format": out_fmt,
            "encoding": encoding,
            "batch_rows": batch_rows,
        },
    )
