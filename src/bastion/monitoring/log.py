"""The prediction log and the labels that arrive for it: each batch is one Parquet blob
in the artifact store and one row that says where its rows sit (``seq``, ``first_row``,
time range). Rows are never written to the database one by one.

Duplicate prediction ids across batches: the first logged wins. A later batch is kept
whole (refusing it would lose its other rows), its repeated ids are counted in
``duplicates`` and windows leave those rows out. Labels: the last one given for a
prediction id wins; labels of ids not logged yet are kept, for predictions logged later.
"""

import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bastion.errors import Conflict
from bastion.inventory import service as inventory_service
from bastion.ledger import service as ledger_service
from bastion.monitoring.batches import (
    ID,
    LABEL,
    PreparedLabels,
    PreparedPredictions,
    read_parquet,
    to_parquet,
)
from bastion.monitoring.models import LabelBatch, PredictionBatch
from bastion.monitoring.schemas import BatchQuery
from bastion.storage.artifacts import ArtifactStore
from bastion.storage.base import utcnow
from bastion.storage.pagination import PageResult, paginate

# Ids kept in memory across requests (a few hundred MB at most): blobs never change, so a
# cached column is never stale; past the bound the oldest are read again from the store.
MAX_CACHED_IDS = 4_000_000
_UNKNOWN_LISTED = 20
_INSERT_ATTEMPTS = 5


def read_blob(store: ArtifactStore, digest: str) -> bytes:
    return b"".join(store.open(digest))


def store_bytes(store: ArtifactStore, data: bytes) -> str:
    """Put ``data`` in the store; its digest."""
    writer = store.writer(max_size=len(data) + 1)
    try:
        writer.write(data)
    except BaseException:
        writer.abort()
        raise
    return writer.commit().digest


class _ColumnCache:
    """Columns of stored batches by (blob digest, column), least recently used out."""

    def __init__(self, max_rows: int) -> None:
        self._max_rows = max_rows
        self._rows = 0
        self._items: OrderedDict[tuple[str, str], pa.ChunkedArray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, store: ArtifactStore, digest: str, column: str) -> pa.ChunkedArray:
        key = (digest, column)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        values = read_parquet(read_blob(store, digest), [column]).column(column)
        with self._lock:
            if key not in self._items and len(values) <= self._max_rows:
                self._items[key] = values
                self._rows += len(values)
                while self._rows > self._max_rows:
                    _, dropped = self._items.popitem(last=False)
                    self._rows -= len(dropped)
        return values


_cache = _ColumnCache(MAX_CACHED_IDS)


def column_of(store: ArtifactStore, digest: str, column: str) -> pa.ChunkedArray:
    """One column of a stored batch (cached: ids and timestamps are read again and again)."""
    return _cache.get(store, digest, column)


def read_parquet_blob(store: ArtifactStore, digest: str) -> pa.Table:
    return read_parquet(read_blob(store, digest))


def ids_of(store: ArtifactStore, digests: Iterable[str]) -> pa.ChunkedArray:
    """The prediction ids of the stored batches, in order."""
    columns = [_cache.get(store, digest, ID) for digest in digests]
    chunks = [chunk for column in columns for chunk in column.chunks]
    return pa.chunked_array(chunks, type=pa.string())


def seen(values: pa.ChunkedArray, known: pa.ChunkedArray) -> pa.ChunkedArray:
    """Which of ``values`` are in ``known`` (booleans, no nulls).

    The hash table is built on ``values`` (one batch) and ``known`` (every earlier batch,
    growing with the log) is only probed: building it from ``known`` instead would make
    each batch cost as much as the whole history.
    """
    if len(known) == 0 or len(values) == 0:
        return pa.chunked_array([pa.array([False] * len(values), type=pa.bool_())])
    matched = pc.unique(pc.filter(known, pc.is_in(known, value_set=values.combine_chunks())))
    return pc.is_in(values, value_set=matched)


# Predictions ------------------------------------------------------------------------------


def _prediction_batches(session: Session, version_id: uuid.UUID) -> list[PredictionBatch]:
    return list(
        session.scalars(
            select(PredictionBatch)
            .where(PredictionBatch.model_version_id == version_id)
            .order_by(PredictionBatch.seq)
        )
    )


def previous_columns(session: Session, version_id: uuid.UUID) -> dict[str, str] | None:
    """The columns of the model version's newest batch, for the findings of the next one."""
    columns = session.scalar(
        select(PredictionBatch.columns)
        .where(PredictionBatch.model_version_id == version_id)
        .order_by(PredictionBatch.seq.desc())
        .limit(1)
    )
    return dict(columns) if columns is not None else None


@dataclass(frozen=True)
class Stored:
    digest: str
    size: int


def store_predictions(store: ArtifactStore, prepared: PreparedPredictions) -> Stored:
    """Write the batch's Parquet blob (before its row: a row never names a missing blob)."""
    data = to_parquet(prepared.table)
    return Stored(digest=store_bytes(store, data), size=len(data))


def record_predictions(
    *,
    session: Session,
    store: ArtifactStore,
    project_id: uuid.UUID,
    version_id: uuid.UUID,
    prepared: PreparedPredictions,
    stored: Stored,
    received_at: datetime,
) -> tuple[PredictionBatch, bool]:
    """Add the stored batch to the model version's log; with ``True`` when the same
    content was logged before (a client's retry), which adds nothing."""
    inventory_service.get_model_version(
        session=session, project_id=project_id, version_id=version_id
    )
    batches = _prediction_batches(session, version_id)
    for batch in batches:
        if batch.digest == stored.digest:
            return batch, True
    known = ids_of(store, [b.digest for b in batches])
    duplicates = int(pc.sum(seen(prepared.ids, known)).as_py() or 0)
    for _ in range(_INSERT_ATTEMPTS):
        last = batches[-1] if batches else None
        batch = PredictionBatch(
            project_id=project_id,
            model_version_id=version_id,
            seq=(last.seq + 1) if last else 1,
            first_row=(last.first_row + last.rows) if last else 0,
            rows=prepared.rows,
            digest=stored.digest,
            size=stored.size,
            columns=prepared.columns,
            started_at=prepared.started_at,
            ended_at=prepared.ended_at,
            duplicates=duplicates,
            findings=prepared.findings,
            received_at=received_at,
            received_by=ledger_service.context_of(session).actor_id,
        )
        if _added(session, batch):
            break
        # Another server logged a batch meanwhile: count against it too, and go after it.
        batches = _prediction_batches(session, version_id)
        known = ids_of(store, [b.digest for b in batches])
        duplicates = int(pc.sum(seen(prepared.ids, known)).as_py() or 0)
    else:
        raise Conflict("the prediction log is busy; send the batch again", field="body")
    ledger_service.record(
        session,
        action="monitoring.predictions.log",
        resource_type="prediction_batch",
        resource_id=batch.id,
        project_id=project_id,
        details={
            "model_version_id": str(version_id),
            "seq": batch.seq,
            "rows": batch.rows,
            "digest": batch.digest,
            "duplicates": duplicates,
        },
    )
    return batch, False


def _added(session: Session, row: PredictionBatch | LabelBatch) -> bool:
    """Insert the row in a savepoint; False when its ``seq`` was taken concurrently."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True


def list_prediction_batches(
    *,
    session: Session,
    project_id: uuid.UUID,
    version_id: uuid.UUID,
    query: BatchQuery,
) -> PageResult[PredictionBatch]:
    inventory_service.get_model_version(
        session=session, project_id=project_id, version_id=version_id
    )
    return paginate(
        session,
        select(PredictionBatch).where(PredictionBatch.model_version_id == version_id),
        entity=PredictionBatch,
        sortable={"seq": PredictionBatch.seq},
        sort="-seq",
        cursor=query.cursor,
        limit=query.limit,
    )


def total_rows(session: Session, version_id: uuid.UUID) -> int:
    value = session.scalar(
        select(func.max(PredictionBatch.first_row + PredictionBatch.rows)).where(
            PredictionBatch.model_version_id == version_id
        )
    )
    return int(value or 0)


# Labels -----------------------------------------------------------------------------------


def _label_batches(session: Session, version_id: uuid.UUID) -> list[LabelBatch]:
    return list(
        session.scalars(
            select(LabelBatch)
            .where(LabelBatch.model_version_id == version_id)
            .order_by(LabelBatch.seq)
        )
    )


def label_type(session: Session, store: ArtifactStore, version_id: uuid.UUID) -> str | None:
    """The Arrow type of the model version's labels, from its first label batch."""
    first = session.scalar(
        select(LabelBatch.digest)
        .where(LabelBatch.model_version_id == version_id)
        .order_by(LabelBatch.seq)
        .limit(1)
    )
    return None if first is None else str(_cache.get(store, first, LABEL).type)


def record_labels(
    *,
    session: Session,
    store: ArtifactStore,
    project_id: uuid.UUID,
    version_id: uuid.UUID,
    prepared: PreparedLabels,
) -> tuple[LabelBatch, list[str]]:
    """Add a batch of labels; with the first few prediction ids not logged yet."""
    inventory_service.get_model_version(
        session=session, project_id=project_id, version_id=version_id
    )
    ids = prepared.table.column(ID)
    predicted = ids_of(store, [b.digest for b in _prediction_batches(session, version_id)])
    unknown_mask = pc.invert(seen(ids, predicted))
    unknown = int(pc.sum(unknown_mask).as_py() or 0)
    unknown_ids = pc.filter(ids, unknown_mask).slice(0, _UNKNOWN_LISTED).to_pylist()
    data = to_parquet(prepared.table)
    digest = store_bytes(store, data)
    for _ in range(_INSERT_ATTEMPTS):
        batches = _label_batches(session, version_id)
        labelled = ids_of_labels(store, batches)
        relabelled = int(pc.sum(seen(ids, labelled)).as_py() or 0)
        batch = LabelBatch(
            project_id=project_id,
            model_version_id=version_id,
            seq=(batches[-1].seq + 1) if batches else 1,
            rows=prepared.table.num_rows,
            digest=digest,
            size=len(data),
            duplicates=prepared.duplicates + relabelled,
            unknown=unknown,
            received_at=utcnow(),
            received_by=ledger_service.context_of(session).actor_id,
        )
        if _added(session, batch):
            break
    else:
        raise Conflict("the label log is busy; send the batch again", field="body")
    ledger_service.record(
        session,
        action="monitoring.labels.log",
        resource_type="label_batch",
        resource_id=batch.id,
        project_id=project_id,
        details={
            "model_version_id": str(version_id),
            "seq": batch.seq,
            "rows": batch.rows,
            "digest": batch.digest,
            "duplicates": batch.duplicates,
            "unknown": unknown,
        },
    )
    return batch, [str(i) for i in unknown_ids]


def ids_of_labels(store: ArtifactStore, batches: Sequence[LabelBatch]) -> pa.ChunkedArray:
    columns = [_cache.get(store, b.digest, ID) for b in batches]
    return pa.chunked_array([c for column in columns for c in column.chunks], type=pa.string())


def labels(store: ArtifactStore, batches: Sequence[LabelBatch]) -> pa.Table:
    """(prediction_id, label) of the batches, one row per id: the last batch's label wins."""
    if not batches:
        return pa.table({ID: pa.array([], pa.string()), LABEL: pa.array([], pa.null())})
    ids = ids_of_labels(store, batches)
    values = pa.chunked_array(
        [c for b in batches for c in _cache.get(store, b.digest, LABEL).chunks]
    )
    table = pa.table({ID: ids, LABEL: values})
    if len(batches) == 1:
        return table
    # Newest first, then keep each id's first row: the newest label.
    order = pa.array(range(len(table) - 1, -1, -1))
    newest_first = table.take(order)
    first = pc.equal(
        pc.index_in(newest_first.column(ID), value_set=newest_first.column(ID).combine_chunks()),
        pa.array(range(len(table)), pa.int32()),
    )
    return newest_first.filter(first)
