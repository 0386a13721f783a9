"""Monitoring: monitors of model versions, the prediction and label logs (one row per
stored batch) and the evaluated windows of each monitor.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIME = sa.DateTime(timezone=True)


def _project_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["project_id"], ["projects.id"], name=op.f(f"fk_{table}_project_id_projects"),
        ondelete="RESTRICT",
    )  # fmt: skip


def _version_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["model_version_id"], ["model_versions.id"],
        name=op.f(f"fk_{table}_model_version_id_model_versions"), ondelete="CASCADE",
    )  # fmt: skip


def _indexes(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])


def upgrade() -> None:
    op.create_table(
        "monitors",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("model_version_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reference", JSON, nullable=False),
        sa.Column("profile_digest", sa.String(length=64), nullable=True),
        sa.Column("anomaly_digest", sa.String(length=64), nullable=True),
        sa.Column("columns", JSON, nullable=False),
        sa.Column("categorical", JSON, nullable=False),
        sa.Column("prediction_column", sa.String(length=200), nullable=False),
        sa.Column("label_column", sa.String(length=200), nullable=True),
        sa.Column("protected_attributes", JSON, nullable=False),
        sa.Column("performance", JSON, nullable=False),
        sa.Column("window", JSON, nullable=False),
        sa.Column("drift_config", JSON, nullable=False),
        sa.Column("min_rows", sa.Integer(), nullable=False),
        sa.Column("schedule_seconds", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("alert_rules", JSON, nullable=False),
        sa.Column("next_run_at", TIME, nullable=True),
        sa.Column("last_run_at", TIME, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        _project_fk("monitors"),
        _version_fk("monitors"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitors")),
        sa.UniqueConstraint(
            "model_version_id", "name", name=op.f("uq_monitors_model_version_id_name")
        ),
    )
    _indexes("monitors", "project_id", "model_version_id", "next_run_at")

    op.create_table(
        "prediction_batches",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("model_version_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("first_row", sa.BigInteger(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("columns", JSON, nullable=False),
        sa.Column("started_at", TIME, nullable=False),
        sa.Column("ended_at", TIME, nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("findings", JSON, nullable=False),
        sa.Column("received_at", TIME, nullable=False),
        sa.Column("received_by", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        _project_fk("prediction_batches"),
        _version_fk("prediction_batches"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prediction_batches")),
        sa.UniqueConstraint(
            "model_version_id", "seq", name=op.f("uq_prediction_batches_model_version_id_seq")
        ),
    )
    _indexes("prediction_batches", "project_id", "model_version_id")
    op.create_index(
        "ix_prediction_batches_time",
        "prediction_batches",
        ["model_version_id", "started_at", "ended_at"],
    )

    op.create_table(
        "label_batches",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("model_version_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("unknown", sa.Integer(), nullable=False),
        sa.Column("received_at", TIME, nullable=False),
        sa.Column("received_by", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        _project_fk("label_batches"),
        _version_fk("label_batches"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_label_batches")),
        sa.UniqueConstraint(
            "model_version_id", "seq", name=op.f("uq_label_batches_model_version_id_seq")
        ),
    )
    _indexes("label_batches", "project_id", "model_version_id")

    op.create_table(
        "monitor_windows",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("monitor_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("start_at", TIME, nullable=False),
        sa.Column("end_at", TIME, nullable=False),
        sa.Column("start_row", sa.BigInteger(), nullable=True),
        sa.Column("end_row", sa.BigInteger(), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("labelled", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("metrics", JSON, nullable=False),
        sa.Column("profile_digest", sa.String(length=64), nullable=True),
        sa.Column("batch_seq", sa.Integer(), nullable=False),
        sa.Column("labels_seq", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Uuid(), nullable=True),
        sa.Column("evaluated_at", TIME, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        _project_fk("monitor_windows"),
        sa.ForeignKeyConstraint(
            ["monitor_id"], ["monitors.id"], name=op.f("fk_monitor_windows_monitor_id_monitors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_monitor_windows_evidence_id_evidence"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitor_windows")),
        sa.UniqueConstraint(
            "monitor_id", "number", name=op.f("uq_monitor_windows_monitor_id_number")
        ),
    )  # fmt: skip
    _indexes("monitor_windows", "project_id", "monitor_id")


def downgrade() -> None:
    op.drop_table("monitor_windows")
    op.drop_table("label_batches")
    op.drop_table("prediction_batches")
    op.drop_table("monitors")
