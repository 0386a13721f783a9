"""Alert routes (each rule's state on each monitor) and the Prometheus ``/metrics``."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client.exposition import choose_encoder

from bastion.alerts import schemas
from bastion.alerts import service as alerts_service
from bastion.alerts.metrics import PlatformCollector
from bastion.api.deps import ProjectAccess, RecordId, RuntimeDep, SessionDep, get_principal
from bastion.iam.permissions import Permission
from bastion.inventory.models import Project
from bastion.schemas import Page

router = APIRouter(prefix="/api/v1/projects/{project}", tags=["alerts"])
metrics_router = APIRouter(tags=["metrics"])

Reader = Annotated[Project, ProjectAccess(Permission.MONITORING_READ)]
_bearer = HTTPBearer(auto_error=False, description="An API key or an OIDC access token.")


@router.get("/alerts", operation_id="list_alerts")
def list_alerts(
    session: SessionDep, project: Reader, query: Annotated[schemas.AlertQuery, Query()]
) -> Page[schemas.AlertRead]:
    """The state of every alert rule of the project's monitors, filtered by monitor,
    model version, state or severity."""
    page = alerts_service.list_alerts(session=session, project_id=project.id, query=query)
    return Page(
        items=[schemas.AlertRead.model_validate(a) for a in page.items],
        next_cursor=page.next_cursor,
    )


@router.get("/alerts/{record_id}", operation_id="get_alert")
def get_alert(session: SessionDep, project: Reader, record_id: RecordId) -> schemas.AlertRead:
    alert = alerts_service.get_alert(session=session, project_id=project.id, alert_id=record_id)
    return schemas.AlertRead.model_validate(alert)


# Not in the OpenAPI document: Prometheus's text format, not a JSON API.
@metrics_router.get("/metrics", include_in_schema=False)
def metrics(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Response:
    """Monitor values, alert states and open incidents in Prometheus's format.

    Authenticated unless ``BASTION_METRICS_PUBLIC`` is set: a caller sees the projects it
    may read (``project.read``; admins: all), so a read-scoped API key of a service
    account with the viewer role is enough for a scraper.
    """
    project_ids = None
    if not runtime.settings.metrics_public:
        principal = get_principal(request, runtime, session, credentials)
        if not principal.is_admin:
            project_ids = [
                project_id
                for project_id in principal.project_roles
                if principal.can(Permission.PROJECT_READ, project_id)
            ]
    encoder, content_type = choose_encoder(request.headers.get("accept", ""))
    body = encoder(PlatformCollector(session, project_ids))
    return Response(body, media_type=content_type)
