"""Data protection on registered records: each operation copies the registered table out
of the store, releases the database lock while it computes, and records its result as
evidence (and, for anonymization, a new dataset version) in one transaction."""

import tempfile
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bastion.dataprotection import schemas
from bastion.errors import InvalidInput
from bastion.evidence import service as evidence_service
from bastion.evidence.models import Evidence
from bastion.inventory import files as inventory_files
from bastion.inventory import schemas as inventory_schemas
from bastion.inventory import service as inventory_service
from bastion.inventory.enums import DatasetRole, SubjectType
from bastion.inventory.models import DatasetVersion
from bastion.settings import Settings
from bastion.storage.artifacts import CHUNK_SIZE, ArtifactStore, BlobInfo


def scan_dataset_version(
    *,
    session: Session,
    store: ArtifactStore,
    project_id: uuid.UUID,
    version_id: uuid.UUID,
    request: schemas.PiiScanCreate,
) -> Evidence:
    """Scan a dataset version's table for personal data; ``scan.pii`` evidence about it,
    whose result suggests the version's classification level."""
    from bastion.pii import scan_file

    with tempfile.TemporaryDirectory(prefix="bastion-scan-") as tmp:
        stored = inventory_files.dataset_table(
            session=session, store=store, project_id=project_id, version_id=version_id,
            workdir=Path(tmp), field="dataset_version",
        )  # fmt: skip
        session.commit()  # release the write lock while the scan reads the file
        result = scan_file(
            stored.path, sample=request.sample, exact=request.exact,
            entities=request.entities, encoding=request.encoding,
        )  # fmt: skip
    return evidence_service.record_result(
        session=session,
        project_id=project_id,
        subject_type=SubjectType.DATASET_VERSION,
        subject_id=version_id,
        result=result,
    )


def assess_reidentification(
    *,
    session: Session,
    store: ArtifactStore,
    project_id: uuid.UUID,
    version_id: uuid.UUID,
    request: schemas.ReidentificationCreate,
) -> Evidence:
    """k-anonymity, l-diversity and t-closeness of a dataset version's table."""
    from bastion.reident import assess_reidentification as assess

    with tempfile.TemporaryDirectory(prefix="bastion-reident-") as tmp:
        stored = inventory_files.dataset_table(
            session=session, store=store, project_id=project_id, version_id=version_id,
            workdir=Path(tmp), field="dataset_version",
        )  # fmt: skip
        session.commit()
        result = assess(
            stored.path, quasi_identifiers=request.quasi_identifiers,
            sensitive=request.sensitive, k=request.k, l=request.l, t=request.t,
            inputs={"data": stored.sha256},
        )  # fmt: skip
    return evidence_service.record_result(
        session=session,
        project_id=project_id,
        subject_type=SubjectType.DATASET_VERSION,
        subject_id=version_id,
        result=result,
    )


def _column_entities(
    session: Session, project_id: uuid.UUID, version_id: uuid.UUID
) -> dict[str, str]:
    scan = evidence_service.current(
        session=session, project_id=project_id, kind="scan.pii", subject_id=version_id
    )
    if scan is None:
        return {}
    return {
        str(c["column"]): str(c["entity"])
        for c in scan.result.get("columns", [])
        if c.get("entity")
    }


def _store_file(store: ArtifactStore, path: Path, max_size: int) -> BlobInfo:
    writer = store.writer(max_size=max_size)
    try:
        with path.open("rb") as f:
            while chunk := f.read(CHUNK_SIZE):
                writer.write(chunk)
    except BaseException:
        writer.abort()
        raise
    return writer.commit()


def _server_keys(path: Path) -> Any:
    """The server's anonymization keys, generated at first use. Of two first uses at once,
    one writes the key file (it is never overwritten) and both then read it."""
    from bastion.anonymize import KeyMaterialError, Keys, generate_key_file

    if not path.exists():
        try:
            generate_key_file(path)
        except KeyMaterialError:
            if not path.exists():
                raise
    return Keys.from_file(path)


def anonymize_dataset_version(
    *,
    session: Session,
    store: ArtifactStore,
    settings: Settings,
    project_id: uuid.UUID,
    version_id: uuid.UUID,
    request: schemas.AnonymizationCreate,
) -> tuple[DatasetVersion, Evidence]:
    """Anonymize a dataset version's table with the server's key into a new version of the
    same dataset; ``transform.anonymization`` evidence about the new version."""
    from bastion.anonymize import anonymize_file, load_spec

    spec = load_spec(request.spec)
    source = inventory_service.get_dataset_version(
        session=session, project_id=project_id, version_id=version_id
    )
    dataset = inventory_service.get_dataset(
        session=session, project_id=project_id, dataset_id=source.dataset_id
    )
    # Refused before the work, not after it.
    inventory_service.check_version_free(session=session, dataset=dataset, version=request.version)
    entities = _column_entities(session, project_id, version_id) if request.use_scan else {}
    keys = _server_keys(settings.effective_anonymization_key_file)
    with tempfile.TemporaryDirectory(prefix="bastion-anonymize-") as tmp:
        workdir = Path(tmp)
        stored = inventory_files.dataset_table(
            session=session, store=store, project_id=project_id, version_id=version_id,
            workdir=workdir, field="dataset_version",
        )  # fmt: skip
        session.commit()
        dest = workdir / f"anonymized{stored.path.suffix}"
        report = anonymize_file(stored.path, dest, spec, keys=keys, column_entities=entities)
        blob = _store_file(store, dest, settings.max_upload_bytes)
    created = inventory_service.create_dataset_version(
        session=session,
        project_id=project_id,
        data=inventory_schemas.DatasetVersionCreate(
            dataset_id=dataset.id,
            version=request.version,
            description=f"Anonymized from version {source.version}.",
            source=f"bastion anonymization of dataset version {source.id}",
            row_count=report.rows_out,
            content_digest=blob.digest,
            metadata={"derived_from": str(source.id), "spec_sha256": report.spec_digest},
        ),
    )
    filename = f"{request.version}{stored.path.suffix}"
    inventory_service.attach_dataset_artifact(
        session=session, version=created, blob=blob, filename=filename
    )
    evidence = evidence_service.record_result(
        session=session,
        project_id=project_id,
        subject_type=SubjectType.DATASET_VERSION,
        subject_id=created.id,
        result=report,
    )
    return created, evidence


def check_minimization(
    *,
    session: Session,
    store: ArtifactStore,
    settings: Settings,
    project_id: uuid.UUID,
    model_version_id: uuid.UUID,
    request: schemas.MinimizationCreate,
) -> Evidence:
    """Check a model version's features against the PII scans of its training data;
    ``check.data_minimization`` evidence about the model version. A training dataset
    version without a current scan is scanned first (and that scan recorded)."""
    from bastion.minimization import check_minimization as check

    version = inventory_service.get_model_version(
        session=session, project_id=project_id, version_id=model_version_id
    )
    training = [
        link.dataset_version_id
        for link in version.dataset_links
        if link.role is DatasetRole.TRAINING
    ]
    if not training:
        raise InvalidInput(
            "model_version: no training dataset version is linked to this model version; "
            "link one (datasets with role training) first",
            field="model_version",
        )
    features = request.features or _features(store, settings, version)
    columns: list[dict[str, Any]] = []
    special: list[dict[str, Any]] = []
    digests: dict[str, str] = {}
    for n, dataset_version_id in enumerate(training):
        scan = evidence_service.current(
            session=session, project_id=project_id, kind="scan.pii",
            subject_id=dataset_version_id,
        )  # fmt: skip
        if scan is None:
            scan = scan_dataset_version(
                session=session, store=store, project_id=project_id,
                version_id=dataset_version_id, request=schemas.PiiScanCreate(),
            )  # fmt: skip
        columns += scan.result.get("columns", [])
        special += scan.result.get("special_categories", [])
        scanned = next((i["sha256"] for i in scan.inputs if i["role"] == "data"), None)
        if scanned is not None:
            digests[f"training_data_{n}" if n else "training_data"] = scanned
    result = check(
        features, {"columns": columns, "special_categories": special},
        justifications=request.justifications, ignore=request.label, inputs=digests,
    )  # fmt: skip
    return evidence_service.record_result(
        session=session,
        project_id=project_id,
        subject_type=SubjectType.MODEL_VERSION,
        subject_id=version.id,
        result=result,
    )


def _features(store: ArtifactStore, settings: Settings, version: Any) -> list[str]:
    """The model's input columns: from its input schema, else from its model file."""
    schema = version.input_schema or {}
    for key in ("properties", "columns", "features"):
        named = schema.get(key)
        if isinstance(named, dict) and named:
            return [str(k) for k in named]
        if isinstance(named, list) and named:
            return [str(c.get("name", c)) if isinstance(c, dict) else str(c) for c in named]
    from bastion.assessment.model import native
    from bastion.model_files import load_model

    with tempfile.TemporaryDirectory(prefix="bastion-features-") as tmp:
        stored = inventory_files.model_file(
            store=store, version=version, workdir=Path(tmp),
            why="the features were not given and the input schema names none",
        )  # fmt: skip
        model = load_model(stored.path, max_bytes=settings.max_upload_bytes)
    names = getattr(native(model), "feature_names_in_", None)
    if names is None:
        raise InvalidInput(
            "features: the model file does not name its input columns; give features",
            field="features",
        )
    return [str(n) for n in names]
