"""Identity routes: console login and logout, the caller, users and service accounts,
API keys, and the members (role bindings) of a project.

Organization-wide changes need ``iam.admin`` (admins); every principal manages its own API
keys and password; a project's owners manage its members.
"""

import math
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from bastion.api.deps import (
    CurrentPrincipal,
    OrgAccess,
    ProjectAccess,
    RuntimeDep,
    SessionDep,
    client_address,
)
from bastion.errors import NotFound
from bastion.iam import schemas
from bastion.iam import service as iam_service
from bastion.iam import sessions as iam_sessions
from bastion.iam.errors import TooManyAttempts
from bastion.iam.models import ApiKey, User
from bastion.iam.permissions import Permission, Role
from bastion.iam.service import Principal
from bastion.inventory.models import Project
from bastion.ledger import service as ledger_service
from bastion.logs import request_id_var

router = APIRouter(prefix="/api/v1")

P = Permission
Admin = Annotated[Principal, OrgAccess(P.IAM_ADMIN)]
Self = Annotated[Principal, OrgAccess(P.OWN_CREDENTIALS)]
MembersReader = Annotated[Project, ProjectAccess(P.MEMBERS_READ)]
MembersManager = Annotated[Project, ProjectAccess(P.MEMBERS_MANAGE)]


def _me(principal: Principal) -> schemas.Me:
    return schemas.Me(
        id=principal.id,
        kind=principal.kind,
        name=principal.name,
        is_admin=principal.is_admin,
        credential=principal.credential,
        scope=principal.scope,
        projects=[
            schemas.ProjectRoles(project_id=project_id, roles=sorted(roles))
            for project_id, roles in principal.project_roles.items()
            if roles
        ],
    )


def _user(user: User) -> schemas.UserRead:
    return schemas.UserRead.model_validate(user)


def _key(key: ApiKey) -> schemas.ApiKeyRead:
    return schemas.ApiKeyRead.model_validate(key)


def _issued(issued: iam_service.IssuedKey) -> schemas.IssuedKeyRead:
    return schemas.IssuedKeyRead(key=_key(issued.key), secret=issued.secret)


# Console sessions ----------------------------------------------------------------------


@router.post("/auth/login", operation_id="login", tags=["auth"])
def login(
    request: Request, response: Response, runtime: RuntimeDep, data: schemas.LoginRequest
) -> schemas.LoginRead:
    """Start a console session with a username and password. Public.

    Sets the session cookie (HttpOnly) and a CSRF cookie; send the CSRF token back in the
    `X-CSRF-Token` header with every POST, PUT, PATCH and DELETE. Repeated failures lock
    the account for a time that doubles with each further failure.
    """
    settings = runtime.settings
    context = ledger_service.AuditContext(
        actor_kind="anonymous",
        request_id=request_id_var.get(),
        client_addr=client_address(request),
    )
    retry_after = runtime.login_limiter.hit(context.client_addr or "unknown")
    if retry_after is not None:
        with runtime.unit_of_work() as session:
            ledger_service.bind(session, context)
            ledger_service.record(
                session, action="auth.rate_limited", resource_type="login", outcome="denied"
            )
        raise TooManyAttempts(
            "too many login attempts from this address; try again later",
            retry_after=math.ceil(retry_after),
        )
    result = iam_service.login(
        sessions=runtime.sessions,
        context=context,
        username=data.username,
        password=data.password.get_secret_value(),
        settings=settings,
    )
    started = result.started
    cookie = {
        "max_age": settings.session_lifetime_seconds,
        "secure": settings.effective_cookie_secure,
        "samesite": "strict",
        "path": "/",
    }
    response.set_cookie(iam_sessions.SESSION_COOKIE, started.token, httponly=True, **cookie)  # type: ignore[arg-type]
    # Readable by the console's script, which copies it into the X-CSRF-Token header.
    response.set_cookie(iam_sessions.CSRF_COOKIE, started.csrf_token, httponly=False, **cookie)  # type: ignore[arg-type]
    return schemas.LoginRead(
        principal=_me(result.principal),
        csrf_token=started.csrf_token,
        expires_at=started.record.expires_at,
    )


@router.post(
    "/auth/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="logout",
    tags=["auth"],
)
def logout(request: Request, response: Response, session: SessionDep, _: CurrentPrincipal) -> None:
    """End the console session of the cookie (a no-op for bearer credentials)."""
    record = getattr(request.state, "login_session", None)
    if record is not None:
        iam_service.logout(session=session, record=record)
    response.delete_cookie(iam_sessions.SESSION_COOKIE, path="/")
    response.delete_cookie(iam_sessions.CSRF_COOKIE, path="/")


@router.get("/auth/me", operation_id="get_me", tags=["auth"])
def me(principal: CurrentPrincipal) -> schemas.Me:
    """The caller: id, kind, credential, admin flag and roles per project."""
    return _me(principal)


# Users and service accounts ------------------------------------------------------------


@router.post(
    "/users", status_code=status.HTTP_201_CREATED, operation_id="create_user", tags=["users"]
)
def create_user(session: SessionDep, _: Admin, data: schemas.UserCreate) -> schemas.UserRead:
    """Create a user (who logs in with a password or OIDC) or a service account (API keys)."""
    user = iam_service.create_user(
        session=session,
        kind=data.kind,
        username=data.username,
        display_name=data.display_name,
        password=data.password.get_secret_value() if data.password else None,
        is_admin=data.is_admin,
    )
    return _user(user)


@router.get("/users", operation_id="list_users", tags=["users"])
def list_users(
    session: SessionDep,
    _: Admin,
    kind: Annotated[schemas.PrincipalKind | None, Query()] = None,
) -> list[schemas.UserRead]:
    return [_user(u) for u in iam_service.list_users(session=session, kind=kind)]


@router.get("/users/{user_id}", operation_id="get_user", tags=["users"])
def get_user(session: SessionDep, principal: Self, user_id: uuid.UUID) -> schemas.UserRead:
    """A principal: admins see anyone, others only themselves."""
    if user_id != principal.id and not principal.can(P.IAM_ADMIN):
        raise NotFound(f"no principal with id {user_id}")
    return _user(iam_service.get_user(session=session, user_id=user_id))


@router.post("/users/{user_id}/disable", operation_id="disable_user", tags=["users"])
def disable_user(session: SessionDep, _: Admin, user_id: uuid.UUID) -> schemas.UserRead:
    """Disable a principal: its keys, tokens and sessions stop working at once."""
    return _user(iam_service.disable_user(session=session, user_id=user_id))


@router.put("/users/{user_id}/password", operation_id="set_password", tags=["users"])
def set_password(
    session: SessionDep, principal: Self, user_id: uuid.UUID, data: schemas.PasswordChange
) -> schemas.UserRead:
    """Set a password: admins for any user, users for themselves (with the current one).
    Ends the user's console sessions."""
    user = iam_service.set_password(
        session=session,
        user_id=user_id,
        password=data.password.get_secret_value(),
        current_password=(
            data.current_password.get_secret_value() if data.current_password else None
        ),
        actor=principal,
    )
    return _user(user)


# API keys ------------------------------------------------------------------------------


@router.post(
    "/keys", status_code=status.HTTP_201_CREATED, operation_id="create_api_key", tags=["keys"]
)
def create_api_key(
    session: SessionDep, principal: Self, data: schemas.ApiKeyCreate
) -> schemas.IssuedKeyRead:
    """Create an API key, for yourself or (admins) for another principal; the secret is in
    this response only."""
    owner = data.principal_id or principal.id
    if owner != principal.id and not principal.can(P.IAM_ADMIN):
        raise NotFound(f"no principal with id {owner}")
    issued = iam_service.create_api_key(
        session=session,
        principal_id=owner,
        name=data.name,
        scope=data.scope,
        expires_at=data.expires_at,
        created_by=principal.id,
    )
    return _issued(issued)


@router.get("/keys", operation_id="list_api_keys", tags=["keys"])
def list_api_keys(
    session: SessionDep,
    principal: CurrentPrincipal,
    principal_id: Annotated[
        uuid.UUID | None, Query(description="Whose keys (admins); default: yours.")
    ] = None,
    all_principals: Annotated[
        bool, Query(alias="all", description="Every principal's keys (admins).")
    ] = False,
) -> list[schemas.ApiKeyRead]:
    others = all_principals or (principal_id is not None and principal_id != principal.id)
    if others and not principal.is_admin:
        raise NotFound("no such principal")
    owner = None if all_principals else (principal_id or principal.id)
    return [_key(k) for k in iam_service.list_api_keys(session=session, principal_id=owner)]


@router.get("/keys/{key_id}", operation_id="get_api_key", tags=["keys"])
def get_api_key(
    session: SessionDep, principal: CurrentPrincipal, key_id: uuid.UUID
) -> schemas.ApiKeyRead:
    return _key(iam_service.get_api_key(session=session, key_id=key_id, actor=principal))


@router.post("/keys/{key_id}/revoke", operation_id="revoke_api_key", tags=["keys"])
def revoke_api_key(session: SessionDep, principal: Self, key_id: uuid.UUID) -> schemas.ApiKeyRead:
    """Revoke a key; the next request made with it is refused."""
    return _key(iam_service.revoke_api_key(session=session, key_id=key_id, actor=principal))


@router.post(
    "/keys/{key_id}/rotate",
    status_code=status.HTTP_201_CREATED,
    operation_id="rotate_api_key",
    tags=["keys"],
)
def rotate_api_key(
    session: SessionDep, principal: Self, key_id: uuid.UUID
) -> schemas.IssuedKeyRead:
    """Replace a key: a new secret (shown once), and the old key revoked at the same time."""
    return _issued(iam_service.rotate_api_key(session=session, key_id=key_id, actor=principal))


# Project members -----------------------------------------------------------------------

MembersPath = "/projects/{project}/members"


@router.get(MembersPath, operation_id="list_members", tags=["members"])
def list_members(session: SessionDep, project: MembersReader) -> list[schemas.MemberRead]:
    """Who holds which roles in the project (roles granted here; not those from OIDC claims)."""
    return [
        schemas.MemberRead(
            principal_id=m.principal.id,
            kind=m.principal.kind,
            name=m.principal.display_name or m.principal.username or "",
            roles=sorted(m.roles),
        )
        for m in iam_service.list_members(session=session, project_id=project.id)
    ]


@router.post(
    MembersPath,
    status_code=status.HTTP_201_CREATED,
    operation_id="grant_role",
    tags=["members"],
)
def grant_role(
    session: SessionDep,
    principal: CurrentPrincipal,
    project: MembersManager,
    data: schemas.RoleGrant,
) -> schemas.RoleBindingRead:
    """Give a principal a role in the project (owners and admins)."""
    binding = iam_service.grant_role(
        session=session,
        project_id=project.id,
        principal_id=data.principal_id,
        role=data.role,
        granted_by=principal.id,
    )
    return schemas.RoleBindingRead.model_validate(binding)


@router.delete(
    MembersPath + "/{principal_id}/roles/{role}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="revoke_role",
    tags=["members"],
)
def revoke_role(
    session: SessionDep, project: MembersManager, principal_id: uuid.UUID, role: Role
) -> None:
    """Take a role away (owners and admins); effective at the principal's next request."""
    iam_service.revoke_role(
        session=session, project_id=project.id, principal_id=principal_id, role=role
    )
