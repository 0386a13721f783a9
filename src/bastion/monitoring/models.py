"""Monitoring tables: monitors of model versions, the prediction log and the labels that
arrive for it (one row per stored batch, the rows themselves are Parquet blobs in the
artifact store), and each evaluated window of a monitor.

A window's results are evidence (``monitoring.window``); its row here keeps what later
work needs: the metrics alert rules read, the merged current profile the drift report is
rendered from, and which labels it has seen, so that late labels re-evaluate it.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bastion.storage.base import Base, IdMixin, NameColumn, TimestampMixin, utcnow

COLUMN_NAME_LENGTH = 200


def _project_fk() -> Mapped[uuid.UUID]:
    return mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)


def _version_fk() -> Mapped[uuid.UUID]:
    return mapped_column(ForeignKey("model_versions.id", ondelete="CASCADE"), index=True)


class Monitor(IdMixin, TimestampMixin, Base):
    """What to watch on one model version's predictions, against which reference, how
    often, and when to alert."""

    __tablename__ = "monitors"
    __table_args__ = (UniqueConstraint("model_version_id", "name"),)

    project_id: Mapped[uuid.UUID] = _project_fk()
    model_version_id: Mapped[uuid.UUID] = _version_fk()
    name: Mapped[str] = mapped_column(NameColumn)
    description: Mapped[str] = mapped_column(Text, default="")
    # {"source": "dataset_version" | "upload", "dataset_version_id", "digest", "rows"}:
    # where the reference data came from ({"source": "upload"} until it is uploaded).
    reference: Mapped[dict[str, Any]] = mapped_column()
    # Blobs in the artifact store: the fitted reference profile (JSON) and the input
    # anomaly model fitted on the same data (JSON). None until a reference is uploaded
    # (``PUT …/monitors/{id}/reference``); such a monitor has nothing to compare yet.
    profile_digest: Mapped[str | None] = mapped_column(String(64), default=None)
    anomaly_digest: Mapped[str | None] = mapped_column(String(64), default=None)
    columns: Mapped[list[str]] = mapped_column(default=list)
    categorical: Mapped[list[str]] = mapped_column(default=list)
    prediction_column: Mapped[str] = mapped_column(String(COLUMN_NAME_LENGTH))
    label_column: Mapped[str | None] = mapped_column(String(COLUMN_NAME_LENGTH), default=None)
    protected_attributes: Mapped[list[str]] = mapped_column(default=list)
    # {"task", "pos_label", "score_column", "min_labels"} (schemas.PerformanceSettings).
    performance: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # {"rows": N} or {"seconds": S} (a period, on the predictions' timestamps).
    window: Mapped[dict[str, Any]] = mapped_column()
    # Overrides of bastion.drift.DriftConfig's defaults.
    drift_config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    min_rows: Mapped[int] = mapped_column(Integer)
    schedule_seconds: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(default=True)
    # A list of bastion.alerts.rules.AlertRule as dicts.
    alert_rules: Mapped[list[Any]] = mapped_column(default=list)
    next_run_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    last_run_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_by: Mapped[str | None] = mapped_column(String(64), default=None)
    # Optimistic concurrency, as on risks: a write based on a stale read fails.
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}


class PredictionBatch(IdMixin, Base):
    """One batch of logged predictions: a Parquet blob and what windows need to find it.

    ``seq`` orders the batches of a model version and ``first_row`` is the number of rows
    logged before it: both are unique, so two servers logging at once cannot interleave
    (the second insert conflicts and is retried).
    """

    __tablename__ = "prediction_batches"
    __table_args__ = (
        UniqueConstraint("model_version_id", "seq"),
        Index("ix_prediction_batches_time", "model_version_id", "started_at", "ended_at"),
    )

    project_id: Mapped[uuid.UUID] = _project_fk()
    model_version_id: Mapped[uuid.UUID] = _version_fk()
    seq: Mapped[int] = mapped_column(Integer)
    first_row: Mapped[int] = mapped_column(BigInteger)
    rows: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    # {column: Arrow type}, in the batch's order.
    columns: Mapped[dict[str, Any]] = mapped_column()
    # The range of the rows' timestamps (the receipt time when the batch had none).
    started_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime] = mapped_column()
    # Prediction ids already logged in an earlier batch (the earlier row counts).
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    # Data quality findings at ingestion: [{"column", "finding", "rows"}].
    findings: Mapped[list[Any]] = mapped_column(default=list)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_by: Mapped[str | None] = mapped_column(String(64), default=None)


class LabelBatch(IdMixin, Base):
    """One batch of labels (prediction id, label) as a Parquet blob; a later batch's label
    for the same prediction id wins."""

    __tablename__ = "label_batches"
    __table_args__ = (UniqueConstraint("model_version_id", "seq"),)

    project_id: Mapped[uuid.UUID] = _project_fk()
    model_version_id: Mapped[uuid.UUID] = _version_fk()
    seq: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    # Prediction ids given twice in this batch, or labelled by an earlier batch.
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    # Prediction ids not (yet) in the prediction log when the labels arrived.
    unknown: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_by: Mapped[str | None] = mapped_column(String(64), default=None)


class MonitorWindow(IdMixin, Base):
    """One evaluated window of a monitor; unique per monitor and window number, so that
    two servers evaluating the same window record it once."""

    __tablename__ = "monitor_windows"
    __table_args__ = (UniqueConstraint("monitor_id", "number"),)

    project_id: Mapped[uuid.UUID] = _project_fk()
    monitor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("monitors.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(BigInteger)
    # Time windows: their period; row windows: the range of the rows' timestamps.
    start_at: Mapped[datetime] = mapped_column()
    end_at: Mapped[datetime] = mapped_column()
    # Row windows: rows [start_row, end_row) of the prediction log.
    start_row: Mapped[int | None] = mapped_column(BigInteger, default=None)
    end_row: Mapped[int | None] = mapped_column(BigInteger, default=None)
    rows: Mapped[int] = mapped_column(Integer)
    labelled: Mapped[int] = mapped_column(Integer, default=0)
    # "ok", or "insufficient_data" when fewer than the monitor's min_rows arrived.
    status: Mapped[str] = mapped_column(String(40))
    # Flat {name: value} of every figure, which alert rules read.
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The merged current profile (JSON blob), for the drift report later.
    profile_digest: Mapped[str | None] = mapped_column(String(64), default=None)
    # The newest prediction batch the window read: re-evaluating it reads the same rows.
    batch_seq: Mapped[int] = mapped_column(Integer)
    # The newest label batch taken into account: a newer one re-evaluates performance.
    labels_seq: Mapped[int] = mapped_column(Integer, default=0)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    evidence_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("evidence.id", ondelete="RESTRICT"), default=None
    )
    evaluated_at: Mapped[datetime] = mapped_column(default=utcnow)
