"""The assessment run route: assess a model version on the server, get the evidence."""

from typing import Annotated

from fastapi import APIRouter, status

from bastion.api.deps import ProjectAccess, RecordId, SessionDep, SettingsDep, StoreDep
from bastion.evidence.schemas import EvidenceRead
from bastion.iam.permissions import Permission
from bastion.inventory.models import Project
from bastion.runs import schemas
from bastion.runs import service as run_service

router = APIRouter(prefix="/api/v1/projects/{project}", tags=["assessments"])

Runner = Annotated[Project, ProjectAccess(Permission.ASSESSMENT_RUN)]


@router.post(
    "/model-versions/{record_id}/assessments",
    status_code=status.HTTP_201_CREATED,
    operation_id="run_assessment",
)
def run_assessment(
    session: SessionDep,
    project: Runner,
    record_id: RecordId,
    spec: schemas.AssessmentRunCreate,
    store: StoreDep,
    settings: SettingsDep,
) -> EvidenceRead:
    """Run an assessment of the model version on a registered dataset version, on the
    server, and record the result as evidence about the model version.

    The model is loaded only after a safety scan (skops, ONNX, or a pickle whose imports
    are all allowed); without prediction or score columns it makes the predictions.
    The run stops at the server's time budget (`BASTION_ASSESSMENT_TIME_BUDGET`)."""
    evidence = run_service.run_assessment(
        session=session,
        store=store,
        settings=settings,
        project_id=project.id,
        model_version_id=record_id,
        spec=spec,
    )
    return EvidenceRead.model_validate(evidence)
