"""Tables for principals, their credentials and their roles. Only hashes of secrets are
stored: argon2id for passwords, SHA-256 for 256-bit random API keys and session tokens."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bastion.storage.base import Base, IdMixin, TimestampMixin, utcnow


class User(IdMixin, TimestampMixin, Base):
    """A principal: a person (``kind="user"``) or a machine (``kind="service_account"``).

    ``username`` and ``display_name`` are personal data: they stay in this table and in
    API responses to admins, never in logs or ledger entries (those use ``id``).
    """

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject"),)

    kind: Mapped[str] = mapped_column(String(32), default="user")
    # Null for users that only sign in through OIDC.
    username: Mapped[str | None] = mapped_column(String(200), unique=True, default=None)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    is_admin: Mapped[bool] = mapped_column(default=False)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    oidc_issuer: Mapped[str | None] = mapped_column(String(500), default=None)
    oidc_subject: Mapped[str | None] = mapped_column(String(255), default=None)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)


class ApiKey(IdMixin, Base):
    __tablename__ = "api_keys"

    principal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    # The public part of the key, shown in listings so that a key can be recognized.
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    # SHA-256 of the whole key: keys are 256-bit random, so a slow hash adds nothing.
    secret_hash: Mapped[str] = mapped_column(String(64))
    # "write" (what the principal's roles allow) or "read" (nothing that changes state).
    scope: Mapped[str] = mapped_column(String(16), default="write")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    # The key this one replaced by rotation.
    rotated_from: Mapped[uuid.UUID | None] = mapped_column(default=None)


class RoleBinding(IdMixin, Base):
    """A role of a principal in a project, granted by an owner or an admin.

    Roles that come from OIDC token claims are not stored: they are read from each token.
    """

    __tablename__ = "role_bindings"
    __table_args__ = (UniqueConstraint("project_id", "principal_id", "role"),)

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    principal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[uuid.UUID | None] = mapped_column(default=None)


class LoginSession(IdMixin, Base):
    """A console session: the cookie holds the token, the table only its SHA-256."""

    __tablename__ = "login_sessions"

    principal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
