"""Running an assessment on the server: fetch the registered data and model from the
artifact store, load the model safely, compute, and record the result as evidence.

The database lock is released while the assessment computes (it may take minutes); the
evidence and its ledger entry are then written in one transaction of their own.
"""

import tempfile
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bastion.assessment.tables import read_table
from bastion.evidence import service as evidence_service
from bastion.evidence.models import Evidence
from bastion.inventory import files as inventory_files
from bastion.inventory import service as inventory_service
from bastion.inventory.enums import SubjectType
from bastion.inventory.models import ModelVersion
from bastion.runs.schemas import AssessmentRunCreate
from bastion.settings import Settings
from bastion.storage.artifacts import ArtifactStore
from bastion.storage.base import utcnow
from bastion.suite import AssessmentKind


def _needs_model(spec: AssessmentRunCreate) -> bool:
    if spec.kind in (AssessmentKind.EXPLAINABILITY, AssessmentKind.ROBUSTNESS):
        return True
    if spec.kind is AssessmentKind.PRIVACY_ATTACK:
        return spec.member is None
    return spec.prediction is None and spec.score is None


def _table(
    session: Session, store: ArtifactStore, project_id: uuid.UUID, version_id: uuid.UUID,
    field: str, workdir: Path,
) -> tuple[Any, str]:  # fmt: skip
    stored = inventory_files.dataset_table(
        session=session, store=store, project_id=project_id, version_id=version_id,
        workdir=workdir, field=field,
    )  # fmt: skip
    return read_table(stored.path), stored.sha256


def run_assessment(
    *,
    session: Session,
    store: ArtifactStore,
    settings: Settings,
    project_id: uuid.UUID,
    model_version_id: uuid.UUID,
    spec: AssessmentRunCreate,
) -> Evidence:
    """Assess a model version on a dataset version and record the result as evidence."""
    # The compute libraries (shap, ART, onnxruntime, …) load on the first run, not with
    # the server: most requests never need them.
    from bastion.model_files import load_model
    from bastion.suite.runner import run

    version: ModelVersion = inventory_service.get_model_version(
        session=session, project_id=project_id, version_id=model_version_id
    )
    inputs: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="bastion-run-") as tmp:
        workdir = Path(tmp)
        frame, inputs["data"] = _table(
            session, store, project_id, spec.dataset_version_id, "dataset_version_id", workdir
        )
        train = None
        if spec.training_dataset_version_id is not None:
            train, inputs["training_data"] = _table(
                session, store, project_id, spec.training_dataset_version_id,
                "training_dataset_version_id", workdir,
            )  # fmt: skip
        model = None
        if _needs_model(spec):
            stored = inventory_files.model_file(
                store=store, version=version, workdir=workdir,
                why="this assessment needs the model (or give prediction or score columns)",
            )  # fmt: skip
            model = load_model(stored.path, max_bytes=settings.max_upload_bytes)
            inputs["model"] = stored.sha256
        # Nothing is written until the result is in: release the write lock meanwhile.
        session.commit()
        result = run(
            spec,
            frame,
            model=model,
            train=train,
            inputs=inputs,
            time_budget=settings.assessment_time_budget,
        )
    return evidence_service.record_result(
        session=session,
        project_id=project_id,
        subject_type=SubjectType.MODEL_VERSION,
        subject_id=version.id,
        result=result,
        valid_until=utcnow() + timedelta(days=spec.valid_days) if spec.valid_days else None,
    )
