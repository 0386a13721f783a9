"""Alerts and incidents: the state of each alert rule of each monitor, incidents of AI
systems, their timeline and their links to alerts, evidence and risks; triggers refuse
UPDATE and DELETE on the timeline (it is only ever appended to).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIME = sa.DateTime(timezone=True)


def _enum(name: str, *values: str) -> sa.Enum:
    # Plain strings without a CHECK constraint, as ``storage.base.string_enum`` declares.
    return sa.Enum(*values, name=name, native_enum=False, length=40)


SEVERITY = _enum("severity", "low", "medium", "high", "critical")
ALERT_STATE = _enum("alertstate", "ok", "firing", "resolved")
STATUS = _enum("incidentstatus", "open", "investigating", "mitigated", "closed")
SOURCE = _enum("incidentsource", "alert", "manual")
EVENT = _enum("eventkind", "opened", "alert_firing", "alert_resolved", "updated", "note", "closed")
LINK = _enum("linkkind", "alert", "evidence", "risk")


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _indexes(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("monitor_id", sa.Uuid(), nullable=False),
        sa.Column("model_version_id", sa.Uuid(), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("definition", JSON, nullable=False),
        sa.Column("severity", SEVERITY, nullable=False),
        sa.Column("state", ALERT_STATE, nullable=False),
        sa.Column("recent", JSON, nullable=False),
        sa.Column("last_value", sa.Float(), nullable=True),
        sa.Column("last_window_at", TIME, nullable=True),
        sa.Column("fired_at", TIME, nullable=True),
        sa.Column("resolved_at", TIME, nullable=True),
        sa.Column("evidence_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        _fk("alerts", "project_id", "projects", "RESTRICT"),
        _fk("alerts", "monitor_id", "monitors", "CASCADE"),
        _fk("alerts", "model_version_id", "model_versions", "CASCADE"),
        _fk("alerts", "evidence_id", "evidence", "RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("monitor_id", "rule", name=op.f("uq_alerts_monitor_id_rule")),
    )
    _indexes("alerts", "project_id", "monitor_id", "model_version_id")

    op.create_table(
        "incidents",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("system_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("severity", SEVERITY, nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("source", SOURCE, nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("closed_at", TIME, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        _fk("incidents", "project_id", "projects", "RESTRICT"),
        _fk("incidents", "system_id", "ai_systems", "RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("project_id", "number", name=op.f("uq_incidents_project_id_number")),
    )
    _indexes("incidents", "project_id", "system_id")

    op.create_table(
        "incident_events",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("principal_id", sa.String(length=64), nullable=True),
        sa.Column("kind", EVENT, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        _fk("incident_events", "project_id", "projects", "RESTRICT"),
        _fk("incident_events", "incident_id", "incidents", "RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_events")),
        sa.UniqueConstraint("incident_id", "seq", name=op.f("uq_incident_events_incident_id_seq")),
    )
    _indexes("incident_events", "project_id")

    op.create_table(
        "incident_links",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("kind", LINK, nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        _fk("incident_links", "project_id", "projects", "RESTRICT"),
        _fk("incident_links", "incident_id", "incidents", "RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_links")),
        sa.UniqueConstraint(
            "incident_id", "kind", "target_id",
            name=op.f("uq_incident_links_incident_id_kind_target_id"),
        ),
    )  # fmt: skip
    _indexes("incident_links", "project_id", "target_id")

    if op.get_bind().dialect.name == "postgresql":
        # The function is the ledger's (migration 0002): it names the table and operation.
        op.execute(
            "CREATE TRIGGER incident_events_append_only BEFORE UPDATE OR DELETE ON "
            "incident_events FOR EACH ROW EXECUTE FUNCTION bastion_refuse_ledger_change()"
        )
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER incident_events_no_{operation.lower()} BEFORE {operation} ON "
                f"incident_events BEGIN SELECT RAISE(ABORT, 'incident_events is append-only: "
                f"{operation} refused'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER incident_events_append_only ON incident_events")
    else:
        for operation in ("update", "delete"):
            op.execute(f"DROP TRIGGER incident_events_no_{operation}")
    op.drop_table("incident_links")
    op.drop_table("incident_events")
    op.drop_table("incidents")
    op.drop_table("alerts")
