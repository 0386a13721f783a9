"""Incident routes: report, list, read (with the timeline), update, add notes, close."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from bastion.api.deps import ProjectAccess, SessionDep
from bastion.iam.permissions import Permission
from bastion.incidents import schemas
from bastion.incidents import service as incidents_service
from bastion.inventory.models import Project
from bastion.schemas import Page

router = APIRouter(prefix="/api/v1/projects/{project}", tags=["incidents"])

Reader = Annotated[Project, ProjectAccess(Permission.INVENTORY_READ)]
Writer = Annotated[Project, ProjectAccess(Permission.INCIDENT_WRITE)]
IncidentRef = Annotated[
    str, Path(description="Incident id (UUID) or number (`I-3`).", min_length=1, max_length=40)
]


@router.post("/incidents", status_code=status.HTTP_201_CREATED, operation_id="create_incident")
def create_incident(
    session: SessionDep, project: Writer, data: schemas.IncidentCreate
) -> schemas.IncidentDetail:
    """Report an incident of an AI system by hand. It is recorded as failing
    `incident.report` evidence, which raises a risk of `risk_category` in the register."""
    incident = incidents_service.create_incident(session=session, project_id=project.id, data=data)
    return incidents_service.detail(session=session, incident=incident)


@router.get("/incidents", operation_id="list_incidents")
def list_incidents(
    session: SessionDep, project: Reader, query: Annotated[schemas.IncidentQuery, Query()]
) -> Page[schemas.IncidentRead]:
    """The project's incidents, filtered by system, status or severity, or only those
    not closed."""
    page = incidents_service.list_incidents(session=session, project_id=project.id, query=query)
    return Page(
        items=incidents_service.reads(session=session, incidents=page.items),
        next_cursor=page.next_cursor,
    )


@router.get("/incidents/{record_id}", operation_id="get_incident")
def get_incident(
    session: SessionDep, project: Reader, record_id: IncidentRef
) -> schemas.IncidentDetail:
    """An incident with its links and timeline."""
    record = incidents_service.get_incident(session=session, project_id=project.id, ref=record_id)
    return incidents_service.detail(session=session, incident=record)


@router.patch("/incidents/{record_id}", operation_id="update_incident")
def update_incident(
    session: SessionDep, project: Writer, record_id: IncidentRef, data: schemas.IncidentUpdate
) -> schemas.IncidentDetail:
    """Change title, description, severity, owner, or status (open → investigating →
    mitigated, and back to investigating); a closed incident is final (409)."""
    record = incidents_service.update_incident(
        session=session, project_id=project.id, ref=record_id, data=data
    )
    return incidents_service.detail(session=session, incident=record)


@router.post(
    "/incidents/{record_id}/notes",
    status_code=status.HTTP_201_CREATED,
    operation_id="add_incident_note",
)
def add_incident_note(
    session: SessionDep, project: Writer, record_id: IncidentRef, data: schemas.IncidentNote
) -> schemas.IncidentEventRead:
    """Add a note to the incident's timeline."""
    event = incidents_service.add_note(
        session=session, project_id=project.id, ref=record_id, note=data.note
    )
    return schemas.IncidentEventRead.from_model(event)


@router.post("/incidents/{record_id}/close", operation_id="close_incident")
def close_incident(
    session: SessionDep, project: Writer, record_id: IncidentRef, data: schemas.IncidentClose
) -> schemas.IncidentDetail:
    """Close with a resolution; refused (409) while an alert it links still fires. The
    closed incident is recorded as `incident.report` evidence (verdict `info`)."""
    record = incidents_service.close_incident(
        session=session, project_id=project.id, ref=record_id, resolution=data.resolution
    )
    return incidents_service.detail(session=session, incident=record)
