"""Shared FastAPI dependencies, as ``Annotated`` aliases used by every router."""

import uuid
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from bastion.errors import NotFound, Unauthenticated
from bastion.iam import service as iam_service
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
    with runtime.sessions() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[ArtifactStore, Depends(get_store)]
# scope="function": the commit runs before the response is sent, so a failed commit is an
# error response and never a success reply for lost data.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer bst_…`")


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def get_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthenticated("missing credential: send 'Authorization: Bearer <API key>'")
    principal = iam_service.authenticate_api_key(session=session, secret=credentials.credentials)
    # Everything this request records in the ledger names this principal.
    ledger_service.bind(
        session,
        ledger_service.AuditContext(
            actor_kind=principal.kind,
            actor_id=str(principal.id),
            request_id=request_id_var.get(),
            client_addr=client_address(request),
        ),
    )
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def get_project(
    session: SessionDep,
    principal: CurrentPrincipal,
    project: Annotated[str, Path(description="Project slug or id.", max_length=63 + 36)],
) -> Project:
    # Default deny. Until per-project roles exist only admins are members of any project;
    # a principal without a role sees 404, so that a project's existence does not leak.
    if not principal.is_admin:
        raise NotFound(f"no project {project!r}")
    return inventory_service.resolve_project(session=session, ref=project)


ProjectDep = Annotated[Project, Depends(get_project)]
RecordId = Annotated[uuid.UUID, Path(description="Record id (UUID).")]
