"""Evidence routes: record a result about a project's record, read the project's evidence."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from bastion.api.deps import ProjectAccess, RecordId, SessionDep
from bastion.evidence import schemas
from bastion.evidence import service as evidence_service
from bastion.iam.permissions import Permission
from bastion.inventory.models import Project
from bastion.schemas import Page

router = APIRouter(prefix="/api/v1/projects/{project}/evidence", tags=["evidence"])

Writer = Annotated[Project, ProjectAccess(Permission.INVENTORY_WRITE)]
Reader = Annotated[Project, ProjectAccess(Permission.INVENTORY_READ)]


@router.post("", status_code=status.HTTP_201_CREATED, operation_id="record_evidence")
def record_evidence(
    session: SessionDep, project: Writer, data: schemas.EvidenceCreate
) -> schemas.EvidenceRead:
    """Record a result (an assessment computed in a notebook or CI, for example) about a
    record of the project. It supersedes the previous evidence of the same kind."""
    evidence = evidence_service.record_evidence(session=session, project_id=project.id, data=data)
    return schemas.EvidenceRead.model_validate(evidence)


@router.get("", operation_id="list_evidence")
def list_evidence(
    session: SessionDep, project: Reader, query: Annotated[schemas.EvidenceQuery, Query()]
) -> Page[schemas.EvidenceRead]:
    page = evidence_service.list_evidence(session=session, project_id=project.id, query=query)
    return Page(
        items=[schemas.EvidenceRead.model_validate(e) for e in page.items],
        next_cursor=page.next_cursor,
    )


@router.get("/{record_id}", operation_id="get_evidence")
def get_evidence(session: SessionDep, project: Reader, record_id: RecordId) -> schemas.EvidenceRead:
    evidence = evidence_service.get_evidence(
        session=session, project_id=project.id, evidence_id=record_id
    )
    return schemas.EvidenceRead.model_validate(evidence)
