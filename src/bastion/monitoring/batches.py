"""Decoding and checking one batch of logged predictions or labels, before it is stored.

Pure computation on Arrow tables: a batch is refused whole (with the column, and the rows
where it matters) or accepted whole with its data quality findings; nothing here touches
the database or the store. Prediction ids become text so that ids logged as numbers in
one batch and as text in another still match.
"""

import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from bastion.errors import InvalidInput

ID = "prediction_id"
TIMESTAMP = "timestamp"
LABEL = "label"

PARQUET_TYPES = frozenset({"application/vnd.apache.parquet", "application/x-parquet"})
ARROW_TYPES = frozenset(
    {
        "application/vnd.apache.arrow.stream",
        "application/vnd.apache.arrow.file",
        "application/x-arrow",
    }
)
JSON_TYPE = "application/json"
MEDIA_TYPES = (*sorted(PARQUET_TYPES), *sorted(ARROW_TYPES), JSON_TYPE)
# JSON rows are for small batches: parsing them costs far more than Parquet or Arrow.
MAX_JSON_BYTES = 16 * 1024 * 1024
_LISTED = 10  # rows or ids named in an error before "…"


class UnsupportedMediaType(InvalidInput):
    """A body that is neither Parquet, Arrow IPC nor JSON rows."""

    status = 415
    title = "Unsupported media type"
    slug = "unsupported-media-type"


def _listed(values: Sequence[Any]) -> str:
    shown = ", ".join(str(v) for v in values[:_LISTED])
    return shown + (f" … ({len(values)} in all)" if len(values) > _LISTED else "")


def decode(body: bytes, media_type: str) -> pa.Table:
    """The table a request body holds: Parquet, Arrow IPC (stream or file) or a JSON list
    of row objects."""
    if not body:
        raise InvalidInput("body: the batch is empty: the body holds no data", field="body")
    try:
        if media_type in PARQUET_TYPES:
            return pq.read_table(pa.BufferReader(body))
        if media_type in ARROW_TYPES:
            if body[:6] == b"ARROW1":
                return ipc.open_file(pa.BufferReader(body)).read_all()
            return ipc.open_stream(pa.BufferReader(body)).read_all()
    except (pa.ArrowInvalid, OSError) as exc:
        raise InvalidInput(
            f"body: not a readable {media_type} table: {exc}", field="body"
        ) from None
    if media_type == JSON_TYPE:
        return _json_rows(body)
    raise UnsupportedMediaType(
        f"Content-Type: {media_type!r} is not read here; send one of {', '.join(MEDIA_TYPES)}",
        field="Content-Type",
    )


def _json_rows(body: bytes) -> pa.Table:
    if len(body) > MAX_JSON_BYTES:
        raise InvalidInput(
            f"body: JSON rows are for small batches (at most {MAX_JSON_BYTES} bytes); send "
            "larger ones as Parquet or Arrow",
            field="body",
        )
    try:
        rows = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"body: not valid JSON: {exc}", field="body") from None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise InvalidInput("body: JSON rows are a list of objects, one per row", field="body")
    if not rows:
        raise InvalidInput("body: the batch is empty: the list holds no rows", field="body")
    try:
        return pa.Table.from_pylist(rows)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise InvalidInput(
            f"body: the rows do not form a table (a column mixes types?): {exc}", field="body"
        ) from None


def to_parquet(table: pa.Table) -> bytes:
    """Parquet, zstd-compressed; dictionary encoding only for text columns other than the
    ids: tried on unique ids or on measurements it fails after costing more than the
    rest of the write (a 100,000-row batch: 60 ms instead of 210 ms, and smaller)."""
    text = [
        name
        for name, kind in zip(table.column_names, table.schema.types, strict=True)
        if name != ID and _text(kind)
    ]
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd", use_dictionary=text or False)
    return sink.getvalue()


def read_parquet(data: bytes, columns: Sequence[str] | None = None) -> pa.Table:
    return pq.read_table(pa.BufferReader(data), columns=list(columns) if columns else None)


def _rename(table: pa.Table, source: str, target: str, *, what: str) -> pa.Table:
    if source not in table.column_names:
        listed = _listed(table.column_names)
        raise InvalidInput(
            f"{source}: no such column in the batch (it holds {listed}); name the {what} column",
            field=source,
        )
    if source != target and target in table.column_names:
        raise InvalidInput(
            f"{target}: the batch has a column {target!r} besides the {what} column "
            f"{source!r}; rename one of them",
            field=target,
        )
    names = [target if name == source else name for name in table.column_names]
    return table.rename_columns(names)


def _ids(table: pa.Table, source: str) -> pa.Table:
    """The id column as text, refused when an id is missing or not a scalar."""
    column = table.column(ID)
    kind = column.type
    if not (pa.types.is_integer(kind) or _text(kind)):
        raise InvalidInput(
            f"{source}: prediction ids must be text or whole numbers, not {kind}", field=source
        )
    if column.null_count:
        rows = pc.indices_nonzero(pc.is_null(column)).to_pylist()
        raise InvalidInput(f"{source}: missing prediction id at rows {_listed(rows)}", field=source)
    text = pc.cast(column, pa.string())
    return table.set_column(table.column_names.index(ID), ID, text)


def _duplicated_rows(ids: pa.ChunkedArray) -> list[int]:
    """The rows whose id another row has too; a distinct count first, as that is the
    usual answer (none) and a tenth of the cost."""
    if pc.count_distinct(ids).as_py() == len(ids):
        return []
    frame = pd.DataFrame({"id": ids.to_numpy(zero_copy_only=False)})
    return frame.index[frame["id"].duplicated(keep=False)].tolist()


def _timestamps(table: pa.Table, source: str) -> pa.Table:
    """The timestamp column as UTC timestamps; naive ones are taken as UTC."""
    index = table.column_names.index(TIMESTAMP)
    column = table.column(index)
    kind = column.type
    if pa.types.is_timestamp(kind):
        unit_type = pa.timestamp("us", tz="UTC")
        converted = (
            pc.cast(column, unit_type)
            if kind.tz
            else pc.assume_timezone(pc.cast(column, pa.timestamp("us")), "UTC")
        )
    elif pa.types.is_date(kind):
        converted = pc.assume_timezone(pc.cast(column, pa.timestamp("us")), "UTC")
    elif _text(kind):
        try:
            parsed = pd.to_datetime(column.to_pandas(), utc=True, format="ISO8601")
        except (ValueError, TypeError) as exc:
            raise InvalidInput(f"{source}: not ISO 8601 timestamps: {exc}", field=source) from None
        converted = pa.chunked_array([pa.array(parsed, type=pa.timestamp("us", tz="UTC"))])
    else:
        raise InvalidInput(
            f"{source}: timestamps must be timestamps or ISO 8601 text, not {kind}", field=source
        )
    if converted.null_count:
        rows = pc.indices_nonzero(pc.is_null(converted)).to_pylist()
        raise InvalidInput(f"{source}: missing timestamp at rows {_listed(rows)}", field=source)
    return table.set_column(index, TIMESTAMP, converted)


def _text(kind: pa.DataType) -> bool:
    return bool(
        pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)
    )


def _plain(table: pa.Table) -> pa.Table:
    """Columns in one form however the client encoded them: dictionaries (pandas and
    polars categoricals) decoded, every kind of text as ``string`` (polars sends
    ``large_string``) — else the next batch from another client would show a type change.
    Nested values are refused."""
    for index, (name, kind) in enumerate(zip(table.column_names, table.schema.types, strict=True)):
        if pa.types.is_nested(kind):
            raise InvalidInput(f"{name}: columns hold one value per row, not {kind}", field=name)
        value_type = kind.value_type if pa.types.is_dictionary(kind) else kind
        target = pa.string() if _text(value_type) else value_type
        if target != kind:
            table = table.set_column(index, name, pc.cast(table.column(index), target))
    return table


def _findings(
    table: pa.Table, previous: Mapping[str, str] | None, skip: frozenset[str]
) -> list[dict[str, Any]]:
    findings: list[dict[str, Any]] = []
    for name, kind in zip(table.column_names, table.schema.types, strict=True):
        if name in skip:
            continue
        column = table.column(name)
        if column.null_count == len(column):
            findings.append({"column": name, "finding": "all_null", "rows": len(column)})
        elif pa.types.is_floating(kind):
            infinite = pc.sum(pc.is_inf(column)).as_py() or 0
            if infinite:
                findings.append({"column": name, "finding": "infinite", "rows": infinite})
        # An all-null column has Arrow type null: that is its finding, not a new type.
        before = previous.get(name) if previous is not None else None
        if before is not None and before != str(kind) and "null" not in (before, str(kind)):
            detail = f"{before} in the previous batch, {kind} here"
            findings.append({"column": name, "finding": "type_change", "detail": detail})
    if previous is not None:
        for name in previous:
            if name not in table.column_names and name not in skip:
                findings.append({"column": name, "finding": "missing_column"})
        for name in table.column_names:
            if name not in previous and name not in skip:
                findings.append({"column": name, "finding": "new_column"})
    return findings


@dataclass(frozen=True)
class PreparedPredictions:
    """A checked batch of predictions, ready to store."""

    table: pa.Table
    started_at: datetime
    ended_at: datetime
    findings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return int(self.table.num_rows)

    @property
    def columns(self) -> dict[str, str]:
        return {
            n: str(t) for n, t in zip(self.table.column_names, self.table.schema.types, strict=True)
        }

    @property
    def ids(self) -> pa.ChunkedArray:
        return self.table.column(ID)


def prepare_predictions(
    table: pa.Table,
    *,
    id_column: str = ID,
    timestamp_column: str | None = TIMESTAMP,
    received_at: datetime,
    previous_columns: Mapping[str, str] | None = None,
) -> PreparedPredictions:
    """Check a batch and put it in the stored form: the ids as ``prediction_id`` (text),
    the timestamps, when the batch has them, as ``timestamp`` (UTC).

    Refused (``InvalidInput``): an empty batch, a missing or incomplete id column,
    duplicate ids (naming the rows), unreadable timestamps, nested values. Recorded as
    findings and kept: all-null columns, infinities, and columns whose type changed, went
    missing or appeared since the previous batch (``previous_columns``).
    """
    if table.num_rows == 0:
        raise InvalidInput("body: the batch is empty: it holds no rows", field="body")
    table = _rename(_plain(table), id_column, ID, what="prediction id")
    table = _ids(table, id_column)
    duplicated = _duplicated_rows(table.column(ID))
    if duplicated:
        raise InvalidInput(
            f"{id_column}: a prediction id appears more than once in the batch, at rows "
            f"{_listed(duplicated)}; each prediction is logged once",
            field=id_column,
            rows=duplicated[:100],
        )
    timestamped = timestamp_column is not None and timestamp_column in table.column_names
    if timestamp_column is not None and timestamped:
        table = _rename(table, timestamp_column, TIMESTAMP, what="timestamp")
        table = _timestamps(table, timestamp_column)
        bounds = pc.min_max(table.column(TIMESTAMP)).as_py()
        started_at, ended_at = bounds["min"], bounds["max"]
    else:
        started_at = ended_at = received_at
    findings = _findings(table, previous_columns, frozenset({ID, TIMESTAMP}))
    return PreparedPredictions(
        table=table,
        started_at=started_at.astimezone(UTC),
        ended_at=ended_at.astimezone(UTC),
        findings=findings,
    )


@dataclass(frozen=True)
class PreparedLabels:
    """A checked batch of labels: one per prediction id (the last given wins)."""

    table: pa.Table
    duplicates: int


def prepare_labels(
    table: pa.Table,
    *,
    id_column: str = ID,
    label_column: str = LABEL,
    previous_type: str | None = None,
) -> PreparedLabels:
    """Keep the id and label columns as ``prediction_id`` and ``label``; a prediction id
    given more than once keeps its last label (counted in ``duplicates``).

    Refused (``InvalidInput``): an empty batch, missing columns or values, a label type
    other than the earlier batches' (``previous_type``).
    """
    if table.num_rows == 0:
        raise InvalidInput("body: the batch is empty: it holds no rows", field="body")
    table = _rename(table, id_column, ID, what="prediction id")
    table = _rename(table, label_column, LABEL, what="label")
    table = _ids(_plain(table.select([ID, LABEL])), id_column)
    labels = table.column(LABEL)
    if pa.types.is_nested(labels.type) or pa.types.is_null(labels.type):
        raise InvalidInput(
            f"{label_column}: labels are scalar values, not {labels.type}", field=label_column
        )
    if labels.null_count:
        rows = pc.indices_nonzero(pc.is_null(labels)).to_pylist()
        raise InvalidInput(
            f"{label_column}: missing label at rows {_listed(rows)}", field=label_column
        )
    if pa.types.is_floating(labels.type) and pc.sum(pc.is_inf(labels)).as_py():
        raise InvalidInput(f"{label_column}: labels must be finite", field=label_column)
    if previous_type is not None and previous_type != str(labels.type):
        raise InvalidInput(
            f"{label_column}: earlier labels of this model version are {previous_type}, "
            f"these are {labels.type}; log labels of one type",
            field=label_column,
        )
    frame = table.to_pandas()
    last = ~frame[ID].duplicated(keep="last")
    duplicates = int(len(frame) - last.sum())
    if duplicates:
        table = table.filter(pa.array(last.to_numpy()))
    return PreparedLabels(table=table, duplicates=duplicates)
