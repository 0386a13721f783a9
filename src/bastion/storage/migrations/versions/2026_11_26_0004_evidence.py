"""Evidence: immutable results about inventory records; triggers refuse UPDATE and DELETE.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
SUBJECT_TYPES = (
    "project", "ai_system", "model", "model_version", "dataset", "dataset_version", "deployment"
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "evidence",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column(
            "subject_type",
            sa.Enum(*SUBJECT_TYPES, name="subjecttype", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column(
            "verdict",
            sa.Enum("pass", "warn", "fail", "info", name="verdict", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("result", JSON, nullable=False),
        sa.Column("inputs", JSON, nullable=False),
        sa.Column("produced_by", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("supersedes", sa.Uuid(), nullable=True),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"],
            name=op.f("fk_evidence_project_id_projects"), ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["supersedes"], ["evidence.id"],
            name=op.f("fk_evidence_supersedes_evidence"), ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
        sa.UniqueConstraint("supersedes", name=op.f("uq_evidence_supersedes")),
    )  # fmt: skip
    op.create_index("ix_evidence_subject", "evidence", ["subject_id", "kind"])
    op.create_index(op.f("ix_evidence_project_id"), "evidence", ["project_id"])
    if op.get_bind().dialect.name == "postgresql":
        # The function is the ledger's (migration 0002): it names the table and operation.
        op.execute(
            "CREATE TRIGGER evidence_append_only BEFORE UPDATE OR DELETE ON evidence "
            "FOR EACH ROW EXECUTE FUNCTION bastion_refuse_ledger_change()"
        )
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER evidence_no_{operation.lower()} BEFORE {operation} ON evidence "
                f"BEGIN SELECT RAISE(ABORT, 'evidence is append-only: {operation} refused'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER evidence_append_only ON evidence")
    else:
        for operation in ("update", "delete"):
            op.execute(f"DROP TRIGGER evidence_no_{operation}")
    op.drop_index(op.f("ix_evidence_project_id"), table_name="evidence")
    op.drop_index("ix_evidence_subject", table_name="evidence")
    op.drop_table("evidence")
