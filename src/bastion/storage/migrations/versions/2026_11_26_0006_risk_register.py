"""The risk register: risks of AI systems and the history of their changes; triggers
refuse UPDATE and DELETE on the history (it is only ever appended to).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _enum(name: str, *values: str) -> sa.Enum:
    # Plain strings without a CHECK constraint, as ``storage.base.string_enum`` declares.
    return sa.Enum(*values, name=name, native_enum=False, length=40)


CATEGORY = _enum(
    "riskcategory",
    "bias_fairness", "robustness_adversarial", "privacy", "security", "safety",
    "transparency_explainability", "performance_operational", "legal_compliance",
    "third_party",
)  # fmt: skip
STAGE = _enum(
    "lifecyclestage", "idea", "design", "development", "validation", "deployed", "retired"
)
TREATMENT = _enum("treatment", "mitigate", "accept", "transfer", "avoid")
STATUS = _enum("riskstatus", "open", "in_treatment", "monitoring", "closed")
SOURCE = _enum("risksource", "manual", "evidence", "import")
ACTION = _enum("riskaction", "created", "updated", "raised_from_evidence", "imported", "closed")


def upgrade() -> None:
    op.create_table(
        "risks",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("system_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", CATEGORY, nullable=False),
        sa.Column("lifecycle_stage", STAGE, nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("likelihood", sa.SmallInteger(), nullable=False),
        sa.Column("impact", sa.SmallInteger(), nullable=False),
        sa.Column("inherent_score", sa.SmallInteger(), nullable=False),
        sa.Column("inherent_level", sa.String(length=20), nullable=False),
        sa.Column("treatment", TREATMENT, nullable=True),
        sa.Column("treatment_plan", sa.Text(), nullable=False),
        sa.Column("controls", JSON, nullable=False),
        sa.Column("residual_likelihood", sa.SmallInteger(), nullable=True),
        sa.Column("residual_impact", sa.SmallInteger(), nullable=True),
        sa.Column("residual_score", sa.SmallInteger(), nullable=True),
        sa.Column("residual_level", sa.String(length=20), nullable=True),
        sa.Column("contingency_plan", sa.Text(), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("evidence_ids", JSON, nullable=False),
        sa.Column("source", SOURCE, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"],
            name=op.f("fk_risks_project_id_projects"), ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["system_id"], ["ai_systems.id"],
            name=op.f("fk_risks_system_id_ai_systems"), ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risks")),
        sa.UniqueConstraint("project_id", "number", name=op.f("uq_risks_project_id_number")),
    )  # fmt: skip
    op.create_index(op.f("ix_risks_project_id"), "risks", ["project_id"])
    op.create_index(op.f("ix_risks_system_id"), "risks", ["system_id"])

    op.create_table(
        "risk_events",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("risk_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("principal_id", sa.String(length=64), nullable=True),
        sa.Column("action", ACTION, nullable=False),
        sa.Column("changes", JSON, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"],
            name=op.f("fk_risk_events_project_id_projects"), ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"], ["risks.id"],
            name=op.f("fk_risk_events_risk_id_risks"), ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_events")),
        sa.UniqueConstraint("risk_id", "seq", name=op.f("uq_risk_events_risk_id_seq")),
    )  # fmt: skip
    op.create_index(op.f("ix_risk_events_project_id"), "risk_events", ["project_id"])
    if op.get_bind().dialect.name == "postgresql":
        # The function is the ledger's (migration 0002): it names the table and operation.
        op.execute(
            "CREATE TRIGGER risk_events_append_only BEFORE UPDATE OR DELETE ON risk_events "
            "FOR EACH ROW EXECUTE FUNCTION bastion_refuse_ledger_change()"
        )
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER risk_events_no_{operation.lower()} BEFORE {operation} ON "
                f"risk_events BEGIN SELECT RAISE(ABORT, 'risk_events is append-only: "
                f"{operation} refused'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER risk_events_append_only ON risk_events")
    else:
        for operation in ("update", "delete"):
            op.execute(f"DROP TRIGGER risk_events_no_{operation}")
    op.drop_index(op.f("ix_risk_events_project_id"), table_name="risk_events")
    op.drop_table("risk_events")
    op.drop_index(op.f("ix_risks_system_id"), table_name="risks")
    op.drop_index(op.f("ix_risks_project_id"), table_name="risks")
    op.drop_table("risks")
