"""Identity and access services: principals, API keys, role bindings, authentication.

Typed, keyword-only functions over a session passed in, like every domain's services;
each change appends its ledger entry in the same transaction. ``login`` is the exception:
a failed login must leave its record (and the failure count that drives the lockout)
although the request fails, so it runs its own transactions, as ``record_alone`` does.

The ledger names principals by id only: usernames and display names are personal data.
"""

import dataclasses
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, sessionmaker

from bastion.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Unauthenticated
from bastion.iam import oidc, passwords
from bastion.iam import sessions as login_sessions
from bastion.iam.errors import TooManyAttempts
from bastion.iam.models import ApiKey, LoginSession, RoleBinding, User
from bastion.iam.permissions import Permission, Role, permissions_of
from bastion.inventory import schemas as inventory_schemas
from bastion.inventory import service as inventory_service
from bastion.inventory.models import Project
from bastion.ledger import service as ledger_service
from bastion.settings import Settings
from bastion.storage.base import utcnow
from bastion.storage.database import transaction
from bastion.storage.pagination import PageResult

KEY_SCHEME = "bst"
# Recording every use would turn each read request into a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)

Kind = Literal["user", "service_account"]
Scope = Literal["read", "write"]
SCOPES: tuple[Scope, ...] = ("read", "write")
INVALID_LOGIN = "invalid username or password"


# The caller --------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """Who is calling, with what credential, and their roles, as of this request."""

    id: uuid.UUID
    kind: str
    name: str
    is_admin: bool
    credential: str = "api_key"
    """How they authenticated: ``api_key:<key id>``, ``oidc`` or ``session:<session id>``;
    never the secret."""
    scope: Scope = "write"
    project_roles: Mapping[uuid.UUID, frozenset[Role]] = field(default_factory=dict)

    def roles_in(self, project_id: uuid.UUID) -> frozenset[Role]:
        return self.project_roles.get(project_id, frozenset())

    def can(self, permission: Permission, project_id: uuid.UUID | None = None) -> bool:
        """Default deny: the permission must be granted by admin or by a role."""
        if permission.writes and self.scope != "write":
            return False
        if permission is Permission.OWN_CREDENTIALS or self.is_admin:
            return True
        if permission.organization_wide or project_id is None:
            return False
        return permission in permissions_of(self.roles_in(project_id))


def _audit(
    session: Session,
    action: str,
    resource_type: str,
    resource_id: uuid.UUID | str | None,
    *,
    project_id: uuid.UUID | None = None,
    outcome: ledger_service.Outcome = "success",
    **details: Any,
) -> None:
    ledger_service.record(
        session,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        project_id=project_id,
        outcome=outcome,
        details=details,
    )


def _act_as(session: Session, user: User) -> None:
    """Name ``user`` as the actor of what this session records from now on."""
    context = ledger_service.context_of(session)
    ledger_service.bind(
        session, dataclasses.replace(context, actor_kind=user.kind, actor_id=str(user.id))
    )


def _project_roles(session: Session, user_id: uuid.UUID) -> dict[uuid.UUID, frozenset[Role]]:
    roles: dict[uuid.UUID, set[Role]] = {}
    rows = session.execute(
        select(RoleBinding.project_id, RoleBinding.role).where(RoleBinding.principal_id == user_id)
    )
    for project_id, role in rows:
        roles.setdefault(project_id, set()).add(Role(role))
    return {project_id: frozenset(r) for project_id, r in roles.items()}


def _principal(
    session: Session,
    user: User,
    *,
    credential: str,
    scope: Scope = "write",
    extra_roles: Mapping[uuid.UUID, frozenset[Role]] | None = None,
    extra_admin: bool = False,
) -> Principal:
    roles = _project_roles(session, user.id)
    for project_id, granted in (extra_roles or {}).items():
        roles[project_id] = roles.get(project_id, frozenset()) | granted
    return Principal(
        id=user.id,
        kind=user.kind,
        name=user.display_name or user.username or str(user.id),
        is_admin=user.is_admin or extra_admin,
        credential=credential,
        scope=scope,
        project_roles=roles,
    )


# Users and service accounts ------------------------------------------------------------


def create_user(
    *,
    session: Session,
    kind: Kind = "user",
    username: str | None = None,
    display_name: str = "",
    password: str | None = None,
    is_admin: bool = False,
) -> User:
    if kind == "service_account" and password is not None:
        raise InvalidInput(
            "service accounts sign in with API keys, not passwords", field="password"
        )
    if kind == "user" and not username:
        raise InvalidInput("a user needs a username", field="username")
    if username and session.scalar(select(exists().where(User.username == username))):
        raise Conflict("that username is taken", field="username")
    user = User(
        kind=kind,
        username=username,
        display_name=display_name,
        password_hash=passwords.hash_password(password) if password is not None else None,
        is_admin=is_admin,
    )
    session.add(user)
    session.flush()
    _audit(session, "principal.create", "principal", user.id, kind=kind, is_admin=is_admin)
    return user


def get_user(*, session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no principal with id {user_id}")
    return user


def list_users(*, session: Session, kind: Kind | None = None) -> list[User]:
    stmt = select(User).order_by(User.created_at, User.id)
    if kind is not None:
        stmt = stmt.where(User.kind == kind)
    return list(session.scalars(stmt))


def disable_user(*, session: Session, user_id: uuid.UUID) -> User:
    """Disable a principal: its keys, tokens and sessions stop working at once."""
    user = get_user(session=session, user_id=user_id)
    if user.disabled_at is None:
        user.disabled_at = utcnow()
        login_sessions.end_all(session=session, principal_id=user.id)
        session.flush()
        _audit(session, "principal.disable", "principal", user.id)
    return user


def set_password(
    *,
    session: Session,
    user_id: uuid.UUID,
    password: str,
    actor: Principal,
    current_password: str | None = None,
) -> User:
    """Set a user's password: admins for anyone, a user for themselves with the current one."""
    if actor.id != user_id and not actor.can(Permission.IAM_ADMIN):
        raise NotFound(f"no principal with id {user_id}")
    user = get_user(session=session, user_id=user_id)
    if user.kind != "user":
        raise InvalidInput("service accounts have no password", field="user_id")
    changing_own = not actor.can(Permission.IAM_ADMIN)
    if (
        changing_own
        and user.password_hash is not None
        and not passwords.verify_password(user.password_hash, current_password or "")
    ):
        raise PermissionDenied("the current password is wrong", field="current_password")
    user.password_hash = passwords.hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    # Whoever knew the old password may hold a session: end them all.
    login_sessions.end_all(session=session, principal_id=user.id)
    session.flush()
    _audit(session, "principal.password_change", "principal", user.id)
    return user


# API keys ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str
    """The whole key. Shown to the caller once and never stored."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_key(
    session: Session,
    *,
    principal_id: uuid.UUID,
    name: str,
    scope: Scope,
    expires_at: datetime | None,
    created_by: uuid.UUID | None,
    rotated_from: uuid.UUID | None = None,
) -> IssuedKey:
    if scope not in SCOPES:
        raise InvalidInput(f"scope must be one of {', '.join(SCOPES)}", field="scope")
    if expires_at is not None and expires_at <= utcnow():
        raise InvalidInput("expires_at must be in the future", field="expires_at")
    prefix = secrets.token_hex(4)
    secret = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        principal_id=principal_id,
        name=name,
        prefix=prefix,
        secret_hash=_hash(secret),
        scope=scope,
        expires_at=expires_at,
        created_by=created_by,
        rotated_from=rotated_from,
    )
    session.add(key)
    session.flush()
    return IssuedKey(key=key, secret=secret)


def create_api_key(
    *,
    session: Session,
    principal_id: uuid.UUID,
    name: str,
    scope: Scope = "write",
    expires_at: datetime | None = None,
    created_by: uuid.UUID | None = None,
) -> IssuedKey:
    user = get_user(session=session, user_id=principal_id)
    if user.disabled_at is not None:
        raise InvalidInput("this principal is disabled", field="principal_id")
    issued = _new_key(
        session,
        principal_id=principal_id,
        name=name,
        scope=scope,
        expires_at=expires_at,
        created_by=created_by,
    )
    _audit(
        session,
        "api_key.create",
        "api_key",
        issued.key.id,
        principal_id=str(principal_id),
        prefix=issued.key.prefix,
        scope=scope,
    )
    return issued


def get_api_key(*, session: Session, key_id: uuid.UUID, actor: Principal) -> ApiKey:
    """A key of the actor's own, or any key for admins; 404 otherwise."""
    key = session.get(ApiKey, key_id)
    if key is None or (key.principal_id != actor.id and not actor.can(Permission.IAM_ADMIN)):
        raise NotFound(f"no API key with id {key_id}")
    return key


def list_api_keys(*, session: Session, principal_id: uuid.UUID | None) -> list[ApiKey]:
    stmt = select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)
    if principal_id is not None:
        stmt = stmt.where(ApiKey.principal_id == principal_id)
    return list(session.scalars(stmt))


def revoke_api_key(*, session: Session, key_id: uuid.UUID, actor: Principal) -> ApiKey:
    """Revoke at once: the next request with the key is refused."""
    key = get_api_key(session=session, key_id=key_id, actor=actor)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.flush()
        _audit(session, "api_key.revoke", "api_key", key.id, principal_id=str(key.principal_id))
    return key


def rotate_api_key(*, session: Session, key_id: uuid.UUID, actor: Principal) -> IssuedKey:
    """A new key with the same owner, name, scope and expiry; the old one revoked, in the
    caller's one transaction."""
    old = get_api_key(session=session, key_id=key_id, actor=actor)
    if old.revoked_at is not None:
        raise Conflict("this key is revoked; create a new one instead", field="key_id")
    old.revoked_at = utcnow()
    issued = _new_key(
        session,
        principal_id=old.principal_id,
        name=old.name,
        scope="read" if old.scope == "read" else "write",
        expires_at=old.expires_at if old.expires_at and old.expires_at > utcnow() else None,
        created_by=actor.id,
        rotated_from=old.id,
    )
    _audit(
        session,
        "api_key.rotate",
        "api_key",
        old.id,
        principal_id=str(old.principal_id),
        new_key_id=str(issued.key.id),
        prefix=issued.key.prefix,
    )
    return issued


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
    user = session.get(User, key.principal_id)
    if user is None or user.disabled_at is not None:
        raise invalid
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        key.last_used_at = now
    return _principal(
        session,
        user,
        credential=f"api_key:{key.id}",
        scope="read" if key.scope == "read" else "write",
    )


def ensure_bootstrap_key(*, session: Session) -> IssuedKey | None:
    """On an empty database: an admin user and an API key for it; None if any principal
    exists."""
    if session.scalar(select(func.count()).select_from(User)):
        return None
    admin = create_user(session=session, username="admin", display_name="Admin", is_admin=True)
    return create_api_key(session=session, principal_id=admin.id, name="bootstrap admin")


# OIDC bearer tokens --------------------------------------------------------------------


def authenticate_token(*, session: Session, token: str, settings: Settings) -> Principal:
    """The principal of a verified OIDC token; a user record keyed by (issuer, subject) is
    created at its first use. Roles named by the token's claims are added for this request
    only, so that removing someone from a group in the identity provider takes effect with
    their next token."""
    claims = oidc.verify_token(token, settings)
    issuer, subject = str(claims["iss"]), str(claims["sub"])
    user = session.scalar(
        select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject)
    )
    name = claims.get(settings.oidc_username_claim)
    display_name = name[:200] if isinstance(name, str) else ""
    if user is None:
        user = User(
            kind="user", oidc_issuer=issuer, oidc_subject=subject, display_name=display_name
        )
        session.add(user)
        session.flush()
        _act_as(session, user)
        _audit(session, "principal.create", "principal", user.id, kind="user", source="oidc")
    elif display_name and user.display_name != display_name:
        user.display_name = display_name
    if user.disabled_at is not None:
        raise Unauthenticated("invalid token: this principal is disabled")
    claimed = oidc.roles_from_claims(claims, settings)
    extra: dict[uuid.UUID, frozenset[Role]] = {}
    if claimed.by_project_slug:
        rows = session.execute(
            select(Project.id, Project.slug).where(Project.slug.in_(claimed.by_project_slug))
        )
        extra = {project_id: claimed.by_project_slug[slug] for project_id, slug in rows}
    return _principal(
        session, user, credential="oidc", extra_roles=extra, extra_admin=claimed.is_admin
    )


# Console sessions and logins -----------------------------------------------------------


@dataclass(frozen=True)
class Login:
    principal: Principal
    started: login_sessions.StartedSession


def _lockout_seconds(failures: int, settings: Settings) -> int:
    """0 below the threshold; then the base, doubling with each further failure."""
    over = failures - settings.login_max_failures
    if over < 0:
        return 0
    return int(
        min(settings.login_lockout_seconds * 2 ** min(over, 32), settings.login_lockout_max_seconds)
    )


def login(
    *,
    sessions: sessionmaker[Session],
    context: ledger_service.AuditContext,
    username: str,
    password: str,
    settings: Settings,
) -> Login:
    """Check a username and password and start a console session.

    Runs in its own transaction, which commits on failure too: the failure count, the
    lockout and their ledger entries must outlive the refused request.
    """
    failure: Exception | None = None
    result: Login | None = None
    with transaction(sessions) as session:
        ledger_service.bind(session, context)
        now = utcnow()
        user = session.scalar(select(User).where(User.username == username, User.kind == "user"))
        if user is None:
            passwords.verify_password(None, password)  # the same time as a real check
            _audit(session, "auth.login", "principal", None, outcome="failure", reason="unknown")
            failure = Unauthenticated(INVALID_LOGIN)
        elif user.locked_until is not None and user.locked_until > now:
            retry = max(1, int((user.locked_until - now).total_seconds()))
            _audit(session, "auth.login", "principal", user.id, outcome="denied", reason="locked")
            failure = TooManyAttempts(
                f"too many failed logins; try again in {retry} seconds", retry_after=retry
            )
        elif user.disabled_at is not None or not passwords.verify_password(
            user.password_hash, password
        ):
            user.failed_logins += 1
            reason = "disabled" if user.disabled_at is not None else "password"
            _audit(
                session,
                "auth.login",
                "principal",
                user.id,
                outcome="failure",
                reason=reason,
                failures=user.failed_logins,
            )
            locked_for = _lockout_seconds(user.failed_logins, settings)
            if locked_for:
                user.locked_until = now + timedelta(seconds=locked_for)
                _audit(
                    session,
                    "auth.lockout",
                    "principal",
                    user.id,
                    failures=user.failed_logins,
                    seconds=locked_for,
                )
            failure = Unauthenticated(INVALID_LOGIN)
        else:
            user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
            if user.password_hash and passwords.needs_rehash(user.password_hash):
                user.password_hash = passwords.HASHER.hash(password)
            _act_as(session, user)
            started = login_sessions.start(session=session, principal_id=user.id, settings=settings)
            principal = _principal(session, user, credential=f"session:{started.record.id}")
            _audit(
                session,
                "auth.login",
                "principal",
                user.id,
                method="password",
                session_id=str(started.record.id),
            )
            result = Login(principal=principal, started=started)
    if failure is not None:
        raise failure
    assert result is not None  # noqa: S101 - one of the branches set it
    return result


def authenticate_session(
    *, session: Session, token: str, settings: Settings
) -> tuple[Principal, LoginSession]:
    record = login_sessions.find(session=session, token=token, settings=settings)
    user = session.get(User, record.principal_id)
    if user is None or user.disabled_at is not None:
        raise Unauthenticated("the session has ended; log in again")
    return _principal(session, user, credential=f"session:{record.id}"), record


def logout(*, session: Session, record: LoginSession) -> None:
    login_sessions.end(session=session, record=record)
    _audit(session, "auth.logout", "session", record.id)


# Roles ---------------------------------------------------------------------------------


def grant_role(
    *,
    session: Session,
    project_id: uuid.UUID,
    principal_id: uuid.UUID,
    role: Role,
    granted_by: uuid.UUID | None,
) -> RoleBinding:
    if session.get(User, principal_id) is None:
        raise InvalidInput(
            f"principal_id: no principal with id {principal_id}", field="principal_id"
        )
    existing = session.scalar(
        select(RoleBinding).where(
            RoleBinding.project_id == project_id,
            RoleBinding.principal_id == principal_id,
            RoleBinding.role == role.value,
        )
    )
    if existing is not None:
        return existing
    binding = RoleBinding(
        project_id=project_id, principal_id=principal_id, role=role.value, created_by=granted_by
    )
    session.add(binding)
    session.flush()
    _audit(
        session,
        "role.grant",
        "role_binding",
        binding.id,
        project_id=project_id,
        principal_id=str(principal_id),
        role=role.value,
    )
    return binding


def revoke_role(
    *, session: Session, project_id: uuid.UUID, principal_id: uuid.UUID, role: Role
) -> None:
    binding = session.scalar(
        select(RoleBinding).where(
            RoleBinding.project_id == project_id,
            RoleBinding.principal_id == principal_id,
            RoleBinding.role == role.value,
        )
    )
    if binding is None:
        raise NotFound(f"principal {principal_id} has no role {role.value} in this project")
    session.delete(binding)
    session.flush()
    _audit(
        session,
        "role.revoke",
        "role_binding",
        binding.id,
        project_id=project_id,
        principal_id=str(principal_id),
        role=role.value,
    )


@dataclass(frozen=True)
class Member:
    principal: User
    roles: list[Role]


def list_members(*, session: Session, project_id: uuid.UUID) -> list[Member]:
    rows = session.execute(
        select(User, RoleBinding.role)
        .join(RoleBinding, RoleBinding.principal_id == User.id)
        .where(RoleBinding.project_id == project_id)
        .order_by(User.created_at, User.id)
    )
    members: dict[uuid.UUID, Member] = {}
    for user, role in rows:
        members.setdefault(user.id, Member(principal=user, roles=[])).roles.append(Role(role))
    return list(members.values())


# Projects the principal may see --------------------------------------------------------


def create_project(
    *, session: Session, data: inventory_schemas.ProjectCreate, creator: Principal
) -> Project:
    """Create a project; its creator becomes its owner."""
    project = inventory_service.create_project(session=session, data=data)
    grant_role(
        session=session,
        project_id=project.id,
        principal_id=creator.id,
        role=Role.OWNER,
        granted_by=creator.id,
    )
    return project


def list_projects(
    *, session: Session, principal: Principal, query: inventory_schemas.ProjectQuery
) -> PageResult[Project]:
    """Admins see every project; everyone else those they hold a role in."""
    if principal.is_admin:
        return inventory_service.list_projects(session=session, query=query)
    visible = [project_id for project_id, roles in principal.project_roles.items() if roles]
    return inventory_service.list_projects(session=session, query=query, only=visible)
