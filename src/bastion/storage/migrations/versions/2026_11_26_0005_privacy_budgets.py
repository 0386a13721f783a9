"""Privacy budgets per dataset and the ledger of differentially private queries; triggers
refuse UPDATE and DELETE on the query ledger (a deleted query would refund its loss).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "privacy_budgets",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("epsilon", sa.Double(), nullable=False),
        sa.Column("delta", sa.Double(), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=True),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"],
            name=op.f("fk_privacy_budgets_dataset_id_datasets"), ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"],
            name=op.f("fk_privacy_budgets_project_id_projects"), ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_budgets")),
        sa.UniqueConstraint("dataset_id", name=op.f("uq_privacy_budgets_dataset_id")),
    )  # fmt: skip
    op.create_index(op.f("ix_privacy_budgets_project_id"), "privacy_budgets", ["project_id"])

    op.create_table(
        "dp_queries",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("dataset_version_id", sa.Uuid(), nullable=False),
        sa.Column("statistic", sa.String(length=20), nullable=False),
        sa.Column("column_name", sa.String(length=200), nullable=False),
        sa.Column("parameters", JSON, nullable=False),
        sa.Column("epsilon", sa.Double(), nullable=False),
        sa.Column("delta", sa.Double(), nullable=False),
        sa.Column("result", JSON, nullable=False),
        sa.Column("input_digest", sa.String(length=64), nullable=False),
        sa.Column("principal_id", sa.String(length=64), nullable=True),
        sa.Column("credential", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"],
            name=op.f("fk_dp_queries_dataset_id_datasets"), ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["dataset_version_id"], ["dataset_versions.id"],
            name=op.f("fk_dp_queries_dataset_version_id_dataset_versions"), ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"],
            name=op.f("fk_dp_queries_project_id_projects"), ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dp_queries")),
    )  # fmt: skip
    for column in ("project_id", "dataset_id", "dataset_version_id"):
        op.create_index(op.f(f"ix_dp_queries_{column}"), "dp_queries", [column])
    if op.get_bind().dialect.name == "postgresql":
        # The function is the ledger's (migration 0002): it names the table and operation.
        op.execute(
            "CREATE TRIGGER dp_queries_append_only BEFORE UPDATE OR DELETE ON dp_queries "
            "FOR EACH ROW EXECUTE FUNCTION bastion_refuse_ledger_change()"
        )
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER dp_queries_no_{operation.lower()} BEFORE {operation} ON "
                f"dp_queries BEGIN SELECT RAISE(ABORT, 'dp_queries is append-only: "
                f"{operation} refused'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER dp_queries_append_only ON dp_queries")
    else:
        for operation in ("update", "delete"):
            op.execute(f"DROP TRIGGER dp_queries_no_{operation}")
    for column in ("project_id", "dataset_id", "dataset_version_id"):
        op.drop_index(op.f(f"ix_dp_queries_{column}"), table_name="dp_queries")
    op.drop_table("dp_queries")
    op.drop_index(op.f("ix_privacy_budgets_project_id"), table_name="privacy_budgets")
    op.drop_table("privacy_budgets")
