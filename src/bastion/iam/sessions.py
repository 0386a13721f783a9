"""Console sessions: a random token in an HttpOnly cookie, only its SHA-256 stored, with
an absolute lifetime and an idle timeout; and a per-session CSRF token.

CSRF: every cookie-authenticated request with an unsafe method must send the session's
CSRF token in the ``X-CSRF-Token`` header. The token is given at login (in the response
body and in a readable, SameSite cookie); a page of another site can neither read it nor
set the header, so a forged form post fails. Bearer-authenticated requests carry no
ambient credential and need no CSRF token.
"""

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bastion.errors import Unauthenticated
from bastion.iam.models import LoginSession
from bastion.settings import Settings
from bastion.storage.base import utcnow

SESSION_COOKIE = "bastion_session"
CSRF_COOKIE = "bastion_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Moving last_seen_at on every request would make each read a write.
SEEN_RESOLUTION = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class StartedSession:
    record: LoginSession
    token: str
    csrf_token: str
    """Both secrets are handed to the browser once and never stored."""


def start(*, session: Session, principal_id: uuid.UUID, settings: Settings) -> StartedSession:
    token, csrf_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = utcnow()
    record = LoginSession(
        principal_id=principal_id,
        token_hash=_hash(token),
        csrf_hash=_hash(csrf_token),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(seconds=settings.session_lifetime_seconds),
    )
    session.add(record)
    session.flush()
    return StartedSession(record=record, token=token, csrf_token=csrf_token)


def find(*, session: Session, token: str, settings: Settings) -> LoginSession:
    """The live session for a cookie's token, or Unauthenticated."""
    ended = Unauthenticated("the session has ended; log in again")
    record = session.scalar(select(LoginSession).where(LoginSession.token_hash == _hash(token)))
    if record is None or record.ended_at is not None:
        raise ended
    now = utcnow()
    idle = timedelta(seconds=settings.session_idle_seconds)
    if record.expires_at <= now or record.last_seen_at + idle <= now:
        raise ended
    if now - record.last_seen_at > SEEN_RESOLUTION:
        record.last_seen_at = now
    return record


def csrf_matches(record: LoginSession, offered: str | None) -> bool:
    return offered is not None and hmac.compare_digest(record.csrf_hash, _hash(offered))


def end(*, session: Session, record: LoginSession) -> None:
    if record.ended_at is None:
        record.ended_at = utcnow()
        session.flush()


def end_all(*, session: Session, principal_id: uuid.UUID) -> None:
    session.execute(
        update(LoginSession)
        .where(LoginSession.principal_id == principal_id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
