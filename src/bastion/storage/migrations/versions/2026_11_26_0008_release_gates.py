"""Release gates: policy bundles uploaded per project, promotion requests and their
approvals.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _project_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["project_id"], ["projects.id"], name=op.f(f"fk_{table}_project_id_projects"),
        ondelete="RESTRICT",
    )  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "policy_bundles",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("files", JSON, nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        _project_fk("policy_bundles"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_bundles")),
        sa.UniqueConstraint(
            "project_id", "version", name=op.f("uq_policy_bundles_project_id_version")
        ),
    )
    op.create_index(op.f("ix_policy_bundles_project_id"), "policy_bundles", ["project_id"])

    op.create_table(
        "promotion_requests",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("model_version_id", sa.Uuid(), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("requester_id", sa.String(length=64), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("model_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        _project_fk("promotion_requests"),
        sa.ForeignKeyConstraint(
            ["model_version_id"], ["model_versions.id"],
            name=op.f("fk_promotion_requests_model_version_id_model_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promotion_requests")),
    )  # fmt: skip
    op.create_index(op.f("ix_promotion_requests_project_id"), "promotion_requests", ["project_id"])
    op.create_index(
        op.f("ix_promotion_requests_model_version_id"), "promotion_requests", ["model_version_id"]
    )

    op.create_table(
        "approvals",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("principal_id", sa.String(length=64), nullable=False),
        sa.Column("roles", JSON, nullable=False),
        sa.Column("decision", sa.String(length=40), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("model_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        _project_fk("approvals"),
        sa.ForeignKeyConstraint(
            ["request_id"], ["promotion_requests.id"],
            name=op.f("fk_approvals_request_id_promotion_requests"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
        sa.UniqueConstraint(
            "request_id", "principal_id", name=op.f("uq_approvals_request_id_principal_id")
        ),
    )  # fmt: skip
    op.create_index(op.f("ix_approvals_project_id"), "approvals", ["project_id"])
    op.create_index(op.f("ix_approvals_request_id"), "approvals", ["request_id"])


def downgrade() -> None:
    op.drop_table("approvals")
    op.drop_table("promotion_requests")
    op.drop_table("policy_bundles")
