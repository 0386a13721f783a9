"""Shared FastAPI dependencies, as ``Annotated`` aliases used by every router."""

import uuid
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from bastion.errors import NotFound, PermissionDenied, Unauthenticated
from bastion.iam import oidc
from bastion.iam import service as iam_service
from bastion.iam import sessions as iam_sessions
from bastion.iam.permissions import Permission
from bastion.iam.service import Principal
from bastion.inventory import service as inventory_service
from bastion.inventory.models import Project
from bastion.ledger import service as ledger_service
from bastion.logs import request_id_var
from bastion.runtime import Runtime
from bastion.settings import Settings
from bastion.storage.artifacts import ArtifactStore


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_settings(runtime: RuntimeDep) -> Settings:
    return runtime.settings


def get_store(runtime: RuntimeDep) -> ArtifactStore:
    return runtime.store


def get_session(runtime: RuntimeDep) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on error.

    Upload routes commit once before they stream the body (see ``api.transfer``), so that
    a slow upload holds no lock; what they record afterwards is again one transaction.
    """
    with runtime.unit_of_work() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[ArtifactStore, Depends(get_store)]
# scope="function": the commit runs before the response is sent, so a failed commit is an
# error response and never a success reply for lost data.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

_bearer = HTTPBearer(
    auto_error=False,
    description="An API key (`Authorization: Bearer bst_…`) or an OIDC access token (a JWT).",
)


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def deny(
    session: Session,
    request: Request,
    permission: Permission,
    *,
    project_id: uuid.UUID | None = None,
    reason: str | None = None,
) -> PermissionDenied:
    """The error to raise for a denial, recorded in the ledger although the request's
    transaction rolls back (``record_on_failure``)."""
    route = request.scope.get("route")
    details = {
        "permission": permission.value,
        "method": request.method,
        "route": getattr(route, "path", None),
    }
    if reason:
        details["reason"] = reason
    ledger_service.record_on_failure(
        session,
        action="authz.denied",
        resource_type="project" if project_id else "organization",
        resource_id=project_id,
        project_id=project_id,
        outcome="denied",
        details=details,
    )
    if reason == "csrf":
        return PermissionDenied(f"missing or wrong {iam_sessions.CSRF_HEADER} header")
    if permission.writes and reason == "read-only":
        return PermissionDenied("this credential is read-only")
    return PermissionDenied(f"your roles do not grant {permission.value}")


def _authenticate(
    request: Request,
    runtime: Runtime,
    session: Session,
    credentials: HTTPAuthorizationCredentials | None,
) -> Principal:
    settings = runtime.settings
    if credentials is not None:
        secret = credentials.credentials
        if oidc.looks_like_jwt(secret):
            return iam_service.authenticate_token(session=session, token=secret, settings=settings)
        return iam_service.authenticate_api_key(session=session, secret=secret)
    cookie = request.cookies.get(iam_sessions.SESSION_COOKIE)
    if not cookie:
        raise Unauthenticated("missing credential: send 'Authorization: Bearer <API key or token>'")
    principal, record = iam_service.authenticate_session(
        session=session, token=cookie, settings=settings
    )
    request.state.login_session = record
    if request.method not in iam_sessions.SAFE_METHODS and not iam_sessions.csrf_matches(
        record, request.headers.get(iam_sessions.CSRF_HEADER)
    ):
        _bind(session, request, principal)
        raise deny(session, request, Permission.OWN_CREDENTIALS, reason="csrf")
    return principal


def _bind(session: Session, request: Request, principal: Principal | None) -> None:
    ledger_service.bind(
        session,
        ledger_service.AuditContext(
            actor_kind=principal.kind if principal else "anonymous",
            actor_id=str(principal.id) if principal else None,
            credential=principal.credential if principal else None,
            request_id=request_id_var.get(),
            client_addr=client_address(request),
        ),
    )


def get_principal(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Who calls: an API key or OIDC token in the Authorization header, or a console
    session cookie (with its CSRF token on unsafe methods)."""
    # Bound before authentication: a first OIDC login records its new principal.
    _bind(session, request, None)
    principal = _authenticate(request, runtime, session, credentials)
    # Everything this request records in the ledger names this principal (by id only).
    _bind(session, request, principal)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
ProjectRef = Annotated[str, Path(description="Project slug or id.", max_length=63 + 36)]


def ProjectAccess(permission: Permission) -> Any:  # noqa: N802 - reads as a type in routes
    """The project of the path, if the caller's roles in it grant ``permission``.

    A caller with no role in the project gets 404, as for a project that does not exist;
    one whose roles fall short gets 403, recorded in the ledger as ``authz.denied``.
    """

    def project_access(
        request: Request,
        session: SessionDep,
        principal: CurrentPrincipal,
        project: ProjectRef,
    ) -> Project:
        record = inventory_service.resolve_project(session=session, ref=project)
        if not principal.is_admin and not principal.roles_in(record.id):
            raise NotFound(f"no project {project!r}")
        if not principal.can(permission, record.id):
            reason = "read-only" if principal.scope != "write" else None
            raise deny(session, request, permission, project_id=record.id, reason=reason)
        return record

    project_access.__name__ = f"project_access_{permission.name.lower()}"
    return Depends(project_access)


def OrgAccess(permission: Permission) -> Any:  # noqa: N802
    """The caller, if it holds an organization-wide ``permission`` (admins), or the
    permission every principal has over its own credentials."""

    def org_access(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Principal:
        if not principal.can(permission):
            reason = "read-only" if principal.scope != "write" else None
            raise deny(session, request, permission, reason=reason)
        return principal

    org_access.__name__ = f"org_access_{permission.name.lower()}"
    return Depends(org_access)


# Project routes name the permission they need: ``Annotated[Project, ProjectAccess(P.X)]``.
ProjectDep = Annotated[Project, ProjectAccess(Permission.PROJECT_READ)]
"""Read access to the project; routes that do more declare their own ``ProjectAccess``."""
RecordId = Annotated[uuid.UUID, Path(description="Record id (UUID).")]
