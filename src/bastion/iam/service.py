"""API keys: creation (the secret is returned once), verification, bootstrap admin key."""

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bastion.errors import Unauthenticated
from bastion.iam.models import ApiKey
from bastion.storage.base import utcnow

KEY_SCHEME = "bst"
# Recording every use would turn each read request into a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Principal:
    """Who is calling. Grows roles and project memberships with the IAM issue."""

    id: uuid.UUID
    kind: str
    name: str
    is_admin: bool


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str
    """The whole key. Shown to the caller once and never stored."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(
    *,
    session: Session,
    name: str,
    is_admin: bool = False,
    expires_at: datetime | None = None,
    created_by: uuid.UUID | None = None,
) -> IssuedKey:
    prefix = secrets.token_hex(4)
    secret = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        name=name,
        prefix=prefix,
        secret_hash=_hash(secret),
        is_admin=is_admin,
        expires_at=expires_at,
        created_by=created_by,
    )
    session.add(key)
    session.flush()
    return IssuedKey(key=key, secret=secret)


def ensure_bootstrap_key(*, session: Session) -> IssuedKey | None:
    """Create the first admin key if there is no key at all; None if one exists."""
    if session.scalar(select(func.count()).select_from(ApiKey)):
        return None
    return create_api_key(session=session, name="bootstrap admin", is_admin=True)


def authenticate_api_key(*, session: Session, secret: str) -> Principal:
    """The principal behind a key, or Unauthenticated with the same message for every failure."""
    invalid = Unauthenticated("invalid or expired API key")
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_SCHEME:
        raise invalid
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or not hmac.compare_digest(key.secret_hash, _hash(secret)):
        raise invalid
    now = utcnow()
    if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
        raise invalid
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        key.last_used_at = now
    return Principal(id=key.id, kind="api_key", name=key.name, is_admin=key.is_admin)
