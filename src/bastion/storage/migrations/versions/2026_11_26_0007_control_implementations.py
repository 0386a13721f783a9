"""Control implementations: owner, due date or a not-applicable justification for one
framework requirement of one AI system.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "control_implementations",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("system_id", sa.Uuid(), nullable=False),
        sa.Column("requirement", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("not_applicable", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"],
            name=op.f("fk_control_implementations_project_id_projects"), ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["system_id"], ["ai_systems.id"],
            name=op.f("fk_control_implementations_system_id_ai_systems"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_control_implementations")),
        sa.UniqueConstraint(
            "system_id", "requirement",
            name=op.f("uq_control_implementations_system_id_requirement"),
        ),
    )  # fmt: skip
    op.create_index(
        op.f("ix_control_implementations_project_id"), "control_implementations", ["project_id"]
    )
    op.create_index(
        op.f("ix_control_implementations_system_id"), "control_implementations", ["system_id"]
    )


def downgrade() -> None:
    op.drop_table("control_implementations")
