"""Data-protection routes: scan, measure and anonymize registered data; check a model's
data minimization. Each answers with the evidence it recorded."""

from typing import Annotated

from fastapi import APIRouter, status

from bastion.api.deps import ProjectAccess, RecordId, SessionDep, SettingsDep, StoreDep
from bastion.dataprotection import schemas
from bastion.dataprotection import service as protection_service
from bastion.evidence.schemas import EvidenceRead
from bastion.iam.permissions import Permission
from bastion.inventory.models import Project
from bastion.inventory.schemas import DatasetVersionRead

router = APIRouter(prefix="/api/v1/projects/{project}", tags=["data protection"])

Runner = Annotated[Project, ProjectAccess(Permission.ASSESSMENT_RUN)]
Writer = Annotated[Project, ProjectAccess(Permission.INVENTORY_WRITE)]


@router.post(
    "/dataset-versions/{record_id}/scans/pii",
    status_code=status.HTTP_201_CREATED,
    operation_id="scan_dataset_version_pii",
)
def scan_pii(
    session: SessionDep,
    project: Runner,
    record_id: RecordId,
    request: schemas.PiiScanCreate,
    store: StoreDep,
) -> EvidenceRead:
    """Scan the dataset version's table for personal data (per column: the entity, its
    share, confidence and likelihood; special categories), record it as `scan.pii`
    evidence, and suggest the version's classification level in the result."""
    evidence = protection_service.scan_dataset_version(
        session=session, store=store, project_id=project.id, version_id=record_id,
        request=request,
    )  # fmt: skip
    return EvidenceRead.model_validate(evidence)


@router.post(
    "/dataset-versions/{record_id}/assessments/reidentification",
    status_code=status.HTTP_201_CREATED,
    operation_id="assess_dataset_version_reidentification",
)
def assess_reidentification(
    session: SessionDep,
    project: Runner,
    record_id: RecordId,
    request: schemas.ReidentificationCreate,
    store: StoreDep,
) -> EvidenceRead:
    """k-anonymity, l-diversity and t-closeness of the dataset version's table for the
    given quasi-identifiers and sensitive columns, recorded as evidence."""
    evidence = protection_service.assess_reidentification(
        session=session, store=store, project_id=project.id, version_id=record_id,
        request=request,
    )  # fmt: skip
    return EvidenceRead.model_validate(evidence)


@router.post(
    "/dataset-versions/{record_id}/anonymize",
    status_code=status.HTTP_201_CREATED,
    operation_id="anonymize_dataset_version",
)
def anonymize(
    session: SessionDep,
    project: Writer,
    record_id: RecordId,
    request: schemas.AnonymizationCreate,
    store: StoreDep,
    settings: SettingsDep,
) -> schemas.AnonymizationRead:
    """Anonymize the dataset version with a spec, using the server's managed key, into a
    new version of the same dataset; the source is never changed."""
    created, evidence = protection_service.anonymize_dataset_version(
        session=session, store=store, settings=settings, project_id=project.id,
        version_id=record_id, request=request,
    )  # fmt: skip
    return schemas.AnonymizationRead(
        dataset_version=DatasetVersionRead.model_validate(created),
        evidence=EvidenceRead.model_validate(evidence),
    )


@router.post(
    "/model-versions/{record_id}/checks/data-minimization",
    status_code=status.HTTP_201_CREATED,
    operation_id="check_data_minimization",
)
def check_minimization(
    session: SessionDep,
    project: Runner,
    record_id: RecordId,
    request: schemas.MinimizationCreate,
    store: StoreDep,
    settings: SettingsDep,
) -> EvidenceRead:
    """Flag personal and special-category data used as features, and personal data held
    in the training data but unused, from the PII scans of the training data."""
    evidence = protection_service.check_minimization(
        session=session, store=store, settings=settings, project_id=project.id,
        model_version_id=record_id, request=request,
    )  # fmt: skip
    return EvidenceRead.model_validate(evidence)
