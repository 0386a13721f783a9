"""Identity: users and service accounts, role bindings, console sessions; API keys belong
to a principal and have a scope.

Every existing API key becomes the key of a new service account that keeps the key's
name and admin flag; downgrade puts the admin flag back on the keys.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    users = op.create_table(
        "users",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("disabled_at", TZ, nullable=True),
        sa.Column("oidc_issuer", sa.String(length=500), nullable=True),
        sa.Column("oidc_subject", sa.String(length=255), nullable=True),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", TZ, nullable=True),
        sa.Column("last_login_at", TZ, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
        sa.UniqueConstraint(
            "oidc_issuer", "oidc_subject", name=op.f("uq_users_oidc_issuer_oidc_subject")
        ),
    )
    op.create_table(
        "role_bindings",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("principal_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["principal_id"],
            ["users.id"],
            name=op.f("fk_role_bindings_principal_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_role_bindings_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_bindings")),
        sa.UniqueConstraint(
            "project_id",
            "principal_id",
            "role",
            name=op.f("uq_role_bindings_project_id_principal_id_role"),
        ),
    )
    op.create_index(op.f("ix_role_bindings_project_id"), "role_bindings", ["project_id"])
    op.create_index(op.f("ix_role_bindings_principal_id"), "role_bindings", ["principal_id"])
    op.create_table(
        "login_sessions",
        sa.Column("principal_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("last_seen_at", TZ, nullable=False),
        sa.Column("ended_at", TZ, nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["principal_id"],
            ["users.id"],
            name=op.f("fk_login_sessions_principal_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_sessions_token_hash")),
    )
    op.create_index(op.f("ix_login_sessions_principal_id"), "login_sessions", ["principal_id"])

    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("principal_id", sa.Uuid(), nullable=True))
        batch.add_column(
            sa.Column("scope", sa.String(length=16), nullable=False, server_default="write")
        )
        batch.add_column(sa.Column("rotated_from", sa.Uuid(), nullable=True))

    # Each existing key gets a service account of its own, which inherits the admin flag.
    bind = op.get_bind()
    keys = sa.table(
        "api_keys",
        sa.column("id", sa.Uuid()),
        sa.column("name", sa.String()),
        sa.column("is_admin", sa.Boolean()),
        sa.column("created_at", TZ),
        sa.column("principal_id", sa.Uuid()),
    )
    for key_id, name, is_admin, created_at in bind.execute(
        sa.select(keys.c.id, keys.c.name, keys.c.is_admin, keys.c.created_at)
    ).all():
        principal_id = uuid.uuid4()
        bind.execute(
            users.insert().values(
                id=principal_id,
                kind="service_account",
                display_name=name,
                is_admin=is_admin,
                failed_logins=0,
                created_at=created_at,
                updated_at=created_at,
            )
        )
        bind.execute(keys.update().where(keys.c.id == key_id).values(principal_id=principal_id))

    with op.batch_alter_table("api_keys") as batch:
        batch.alter_column("principal_id", existing_type=sa.Uuid(), nullable=False)
        batch.alter_column("scope", existing_type=sa.String(length=16), server_default=None)
        batch.create_foreign_key(
            op.f("fk_api_keys_principal_id_users"),
            "users",
            ["principal_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(op.f("ix_api_keys_principal_id"), ["principal_id"])
        batch.drop_column("is_admin")


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(
            sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    bind = op.get_bind()
    keys = sa.table(
        "api_keys",
        sa.column("principal_id", sa.Uuid()),
        sa.column("is_admin", sa.Boolean()),
    )
    users = sa.table("users", sa.column("id", sa.Uuid()), sa.column("is_admin", sa.Boolean()))
    admins = [row[0] for row in bind.execute(sa.select(users.c.id).where(users.c.is_admin))]
    if admins:
        bind.execute(keys.update().where(keys.c.principal_id.in_(admins)).values(is_admin=True))

    with op.batch_alter_table("api_keys") as batch:
        batch.alter_column("is_admin", existing_type=sa.Boolean(), server_default=None)
        batch.drop_index(op.f("ix_api_keys_principal_id"))
        batch.drop_constraint(op.f("fk_api_keys_principal_id_users"), type_="foreignkey")
        batch.drop_column("rotated_from")
        batch.drop_column("scope")
        batch.drop_column("principal_id")

    op.drop_index(op.f("ix_login_sessions_principal_id"), table_name="login_sessions")
    op.drop_table("login_sessions")
    op.drop_index(op.f("ix_role_bindings_principal_id"), table_name="role_bindings")
    op.drop_index(op.f("ix_role_bindings_project_id"), table_name="role_bindings")
    op.drop_table("role_bindings")
    op.drop_table("users")
