"""Which windows of a monitor are complete, and the logged rows that fall in each.

Row windows count the model version's predictions in the order they were logged: window
``n`` holds rows ``[n*N, (n+1)*N)`` and is complete once the log holds ``(n+1)*N`` rows.
Time windows cut the predictions' timestamps into periods aligned to the Unix epoch:
window ``n`` is ``[n*P, (n+1)*P)`` seconds and is complete once that period has ended.
A window is evaluated once; predictions logged later with a timestamp in an evaluated
window are not added to it (a window whose rows keep changing could not be compared
with its own evidence). Windows without a single prediction are skipped.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bastion.monitoring import log
from bastion.monitoring.batches import ID, TIMESTAMP
from bastion.monitoring.models import Monitor, PredictionBatch
from bastion.storage.artifacts import ArtifactStore

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROS = 1_000_000


@dataclass(frozen=True)
class RowSpan:
    """Row window ``number``: rows ``[start_row, end_row)`` of the log."""

    number: int
    start_row: int
    end_row: int


@dataclass(frozen=True)
class TimeSpan:
    """Time window ``number``: timestamps in ``[start_at, end_at)``."""

    number: int
    start_at: datetime
    end_at: datetime


Span = RowSpan | TimeSpan


def span_of(monitor: Monitor, number: int) -> Span:
    if "rows" in monitor.window:
        size = int(monitor.window["rows"])
        return RowSpan(number=number, start_row=number * size, end_row=(number + 1) * size)
    period = timedelta(seconds=int(monitor.window["period"]))
    start = EPOCH + number * period
    return TimeSpan(number=number, start_at=start, end_at=start + period)


def newest_seq(session: Session, version_id: uuid.UUID) -> int:
    value = session.scalar(
        select(func.max(PredictionBatch.seq)).where(PredictionBatch.model_version_id == version_id)
    )
    return int(value or 0)


def complete(
    session: Session,
    store: ArtifactStore,
    monitor: Monitor,
    *,
    after: int | None,
    now: datetime,
    limit: int,
) -> tuple[list[Span], bool]:
    """The complete windows after window ``after`` that hold predictions, oldest first,
    at most ``limit`` of them; and whether more are waiting."""
    first = 0 if after is None else after + 1
    if "rows" in monitor.window:
        size = int(monitor.window["rows"])
        count = log.total_rows(session, monitor.model_version_id) // size
        numbers = list(range(first, count))
    else:
        numbers = _time_windows(session, store, monitor, first=first, now=now)
    return [span_of(monitor, n) for n in numbers[:limit]], len(numbers) > limit


def _time_windows(
    session: Session, store: ArtifactStore, monitor: Monitor, *, first: int, now: datetime
) -> list[int]:
    period = int(monitor.window["period"])
    start = EPOCH + timedelta(seconds=first * period)
    batches = session.scalars(
        select(PredictionBatch).where(
            PredictionBatch.model_version_id == monitor.model_version_id,
            PredictionBatch.ended_at >= start,
        )
    )
    numbers: set[int] = set()
    for batch in batches:
        if TIMESTAMP in batch.columns:
            stamps = log.column_of(store, batch.digest, TIMESTAMP)
            micros = pc.cast(stamps, pa.int64())
            windows = pc.unique(
                pc.floor(pc.divide(pc.cast(micros, pa.float64()), period * _MICROS))
            )
            numbers.update(int(n) for n in windows.to_pylist())
        else:
            numbers.add(int((batch.started_at - EPOCH).total_seconds() // period))
    ended = int((now - EPOCH).total_seconds() // period)  # windows before this one ended
    return sorted(n for n in numbers if first <= n < ended)


@dataclass(frozen=True)
class Piece:
    """The rows of one batch that fall in a window."""

    batch: PredictionBatch
    frame: pl.DataFrame


def load(
    session: Session, store: ArtifactStore, monitor: Monitor, span: Span, *, max_seq: int
) -> list[Piece]:
    """The window's rows, batch by batch, from batches up to ``max_seq``; rows whose
    prediction id an earlier batch logged are left out (the first logged wins)."""
    stmt = select(PredictionBatch).where(
        PredictionBatch.model_version_id == monitor.model_version_id,
        PredictionBatch.seq <= max_seq,
    )
    if isinstance(span, RowSpan):
        stmt = stmt.where(
            PredictionBatch.first_row < span.end_row,
            PredictionBatch.first_row + PredictionBatch.rows > span.start_row,
        )
    else:
        stmt = stmt.where(
            PredictionBatch.started_at < span.end_at, PredictionBatch.ended_at >= span.start_at
        )
    pieces = []
    for batch in session.scalars(stmt.order_by(PredictionBatch.seq)):
        table = log.read_parquet_blob(store, batch.digest)
        table = _within(table, batch, span)
        if batch.duplicates and table.num_rows:
            earlier = _earlier_digests(session, batch)
            table = table.filter(pc.invert(log.seen(table.column(ID), log.ids_of(store, earlier))))
        if table.num_rows:
            pieces.append(Piece(batch=batch, frame=pl.DataFrame(table)))
    return pieces


def _within(table: pa.Table, batch: PredictionBatch, span: Span) -> pa.Table:
    if isinstance(span, RowSpan):
        begin = max(span.start_row - batch.first_row, 0)
        end = min(span.end_row - batch.first_row, batch.rows)
        return table.slice(begin, end - begin)
    if TIMESTAMP not in table.column_names:
        return table  # every row has the batch's receipt time, which is in the window
    stamps = table.column(TIMESTAMP)
    inside = pc.and_(
        pc.greater_equal(stamps, pa.scalar(span.start_at, stamps.type)),
        pc.less(stamps, pa.scalar(span.end_at, stamps.type)),
    )
    return table.filter(inside)


def _earlier_digests(session: Session, batch: PredictionBatch) -> list[str]:
    return list(
        session.scalars(
            select(PredictionBatch.digest)
            .where(
                PredictionBatch.model_version_id == batch.model_version_id,
                PredictionBatch.seq < batch.seq,
            )
            .order_by(PredictionBatch.seq)
        )
    )
