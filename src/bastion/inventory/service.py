"""Inventory services: typed, keyword-only functions over a session passed in.

Every function works inside the caller's transaction and never commits; the caller (one
request, one CLI command) owns the unit of work.
"""

import contextlib
import re
import unicodedata
import uuid
from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, exists, func, literal_column, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import InstrumentedAttribute, Session

from bastion.errors import Conflict, InvalidInput, NotFound
from bastion.inventory import schemas
from bastion.inventory.enums import STAGE_TRANSITIONS, ModelStage, SubjectType
from bastion.inventory.models import (
    AISystem,
    Dataset,
    DatasetVersion,
    Deployment,
    Document,
    Model,
    ModelVersion,
    ModelVersionDataset,
    Project,
)
from bastion.ledger import service as ledger_service
from bastion.schemas import ListQuery
from bastion.storage.artifacts import BlobInfo
from bastion.storage.pagination import PageResult, paginate

R = TypeVar("R", bound=Any)

SUBJECT_TABLES: Mapping[SubjectType, Any] = {
    SubjectType.PROJECT: Project,
    SubjectType.AI_SYSTEM: AISystem,
    SubjectType.MODEL: Model,
    SubjectType.MODEL_VERSION: ModelVersion,
    SubjectType.DATASET: Dataset,
    SubjectType.DATASET_VERSION: DatasetVersion,
    SubjectType.DEPLOYMENT: Deployment,
}
_LABELS = {
    SubjectType.PROJECT: "project",
    SubjectType.AI_SYSTEM: "AI system",
    SubjectType.MODEL: "model",
    SubjectType.MODEL_VERSION: "model version",
    SubjectType.DATASET: "dataset",
    SubjectType.DATASET_VERSION: "dataset version",
    SubjectType.DEPLOYMENT: "deployment",
}


# Shared helpers ------------------------------------------------------------------------


def _label(table: Any) -> str:
    for subject, candidate in SUBJECT_TABLES.items():
        if candidate is table:
            return _LABELS[subject]
    return "document"


def _get(session: Session, table: type[R], *, project_id: uuid.UUID, record_id: uuid.UUID) -> R:
    record = session.get(table, record_id)
    if record is None or record.project_id != project_id:
        raise NotFound(f"no {_label(table)} with id {record_id} in this project")
    return record


def _reference(
    session: Session, table: type[R], *, project_id: uuid.UUID, record_id: uuid.UUID, field: str
) -> R:
    """A record named in a request body: a missing one is the body's fault (422), not 404."""
    record = session.get(table, record_id)
    if record is None or record.project_id != project_id:
        raise InvalidInput(
            f"{field}: no {_label(table)} with id {record_id} in this project", field=field
        )
    return record


def _ensure_unique(session: Session, condition: ColumnElement[bool], message: str) -> None:
    if session.scalar(select(exists().where(condition))):
        raise Conflict(message, field="name")


def _apply(record: Any, changes: Mapping[str, Any]) -> None:
    for name, value in changes.items():
        setattr(record, "metadata_" if name == "metadata" else name, value)


def _has_tag(session: Session, column: Any, tag: str) -> ColumnElement[bool]:
    if session.get_bind().dialect.name == "postgresql":
        return type_coerce(column, JSONB).contains([tag])
    values = func.json_each(column).table_valued("value")
    return exists(select(literal_column("1")).select_from(values).where(values.c.value == tag))


def _list(
    session: Session,
    stmt: Select[R],
    *,
    entity: Any,
    query: ListQuery,
    search: InstrumentedAttribute[str],
    sortable: tuple[str, ...] = ("name", "created_at", "updated_at"),
) -> PageResult[R]:
    for name, value in query.equality_filters().items():
        stmt = stmt.where(getattr(entity, name) == value)
    if query.q:
        stmt = stmt.where(search.icontains(query.q, autoescape=True))
    for tag in query.tag:
        stmt = stmt.where(_has_tag(session, entity.tags, tag))
    return paginate(
        session,
        stmt,
        entity=entity,
        sortable={name: getattr(entity, name) for name in sortable},
        sort=query.sort,
        cursor=query.cursor,
        limit=query.limit,
    )


def _kind(record: Any) -> str:
    """The record's subject type as the ledger names it."""
    for subject, table in SUBJECT_TABLES.items():
        if isinstance(record, table):
            return subject.value
    return "document"


def _audit(session: Session, record: Any, verb: str, **details: Any) -> None:
    # Names of records and of changed fields only: values (owners, descriptions) may be
    # personal data, and the ledger keeps none.
    project_id = record.id if isinstance(record, Project) else record.project_id
    ledger_service.record(
        session,
        action=f"{_kind(record)}.{verb}",
        resource_type=_kind(record),
        resource_id=record.id,
        project_id=project_id,
        details=details,
    )


def _create(session: Session, record: R, data: Mapping[str, Any]) -> R:
    _apply(record, data)
    session.add(record)
    session.flush()
    name = getattr(record, "name", None) or getattr(record, "version", None)
    _audit(session, record, "create", name=name)
    return record


def _update(session: Session, record: R, changes: Mapping[str, Any]) -> R:
    _apply(record, changes)
    session.flush()
    _audit(session, record, "update", fields=sorted(changes))
    return record


# Projects ------------------------------------------------------------------------------


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:63].strip("-")
    return slug or "project"


def create_project(*, session: Session, data: schemas.ProjectCreate) -> Project:
    fields = data.model_dump()
    fields["slug"] = data.slug or slugify(data.name)
    if session.scalar(select(exists().where(Project.slug == fields["slug"]))):
        raise Conflict(f"a project with slug {fields['slug']!r} already exists", field="slug")
    return _create(session, Project(), fields)


def resolve_project(*, session: Session, ref: str) -> Project:
    """A project by UUID or slug."""
    project = None
    with contextlib.suppress(ValueError):
        project = session.get(Project, uuid.UUID(ref))
    # A slug may itself parse as a UUID (32 hex digits), so fall back to the slug.
    if project is None:
        project = session.scalar(select(Project).where(Project.slug == ref))
    if project is None:
        raise NotFound(f"no project {ref!r}")
    return project


def update_project(*, session: Session, project: Project, data: schemas.ProjectUpdate) -> Project:
    return _update(session, project, data.changes())


def list_projects(
    *,
    session: Session,
    query: schemas.ProjectQuery,
    only: Collection[uuid.UUID] | None = None,
) -> PageResult[Project]:
    """Projects matching ``query``; ``only`` narrows them to those ids (a principal's)."""
    stmt = select(Project) if only is None else select(Project).where(Project.id.in_(only))
    return _list(
        session,
        stmt,
        entity=Project,
        query=query,
        search=Project.name,
        sortable=("name", "slug", "created_at", "updated_at"),
    )


# AI systems ----------------------------------------------------------------------------


def _unique_system_name(session: Session, project_id: uuid.UUID, name: str) -> None:
    _ensure_unique(
        session,
        (AISystem.project_id == project_id) & (AISystem.name == name),
        f"an AI system named {name!r} already exists in this project",
    )


def create_system(
    *, session: Session, project_id: uuid.UUID, data: schemas.SystemCreate
) -> AISystem:
    _unique_system_name(session, project_id, data.name)
    return _create(session, AISystem(project_id=project_id), data.model_dump())


def get_system(*, session: Session, project_id: uuid.UUID, system_id: uuid.UUID) -> AISystem:
    return _get(session, AISystem, project_id=project_id, record_id=system_id)


def update_system(
    *, session: Session, project_id: uuid.UUID, system_id: uuid.UUID, data: schemas.SystemUpdate
) -> AISystem:
    system = get_system(session=session, project_id=project_id, system_id=system_id)
    changes = data.changes()
    if "name" in changes and changes["name"] != system.name:
        _unique_system_name(session, project_id, changes["name"])
    return _update(session, system, changes)


def list_systems(
    *, session: Session, project_id: uuid.UUID, query: schemas.SystemQuery
) -> PageResult[AISystem]:
    stmt = select(AISystem).where(AISystem.project_id == project_id)
    return _list(session, stmt, entity=AISystem, query=query, search=AISystem.name)


# Models --------------------------------------------------------------------------------


def _unique_model_name(session: Session, project_id: uuid.UUID, name: str) -> None:
    _ensure_unique(
        session,
        (Model.project_id == project_id) & (Model.name == name),
        f"a model named {name!r} already exists in this project",
    )


def create_model(*, session: Session, project_id: uuid.UUID, data: schemas.ModelCreate) -> Model:
    _unique_model_name(session, project_id, data.name)
    if data.system_id is not None:
        _reference(
            session, AISystem, project_id=project_id, record_id=data.system_id, field="system_id"
        )
    return _create(session, Model(project_id=project_id), data.model_dump())


def get_model(*, session: Session, project_id: uuid.UUID, model_id: uuid.UUID) -> Model:
    return _get(session, Model, project_id=project_id, record_id=model_id)


def update_model(
    *, session: Session, project_id: uuid.UUID, model_id: uuid.UUID, data: schemas.ModelUpdate
) -> Model:
    model = get_model(session=session, project_id=project_id, model_id=model_id)
    changes = data.changes()
    if "name" in changes and changes["name"] != model.name:
        _unique_model_name(session, project_id, changes["name"])
    if changes.get("system_id") is not None:
        _reference(
            session,
            AISystem,
            project_id=project_id,
            record_id=changes["system_id"],
            field="system_id",
        )
    return _update(session, model, changes)


def list_models(
    *, session: Session, project_id: uuid.UUID, query: schemas.ModelQuery
) -> PageResult[Model]:
    stmt = select(Model).where(Model.project_id == project_id)
    return _list(session, stmt, entity=Model, query=query, search=Model.name)


# Model versions ------------------------------------------------------------------------


def _dataset_links(
    session: Session, project_id: uuid.UUID, links: list[schemas.DatasetLink]
) -> list[ModelVersionDataset]:
    unique = {(link.dataset_version_id, link.role) for link in links}
    for dataset_version_id, _role in unique:
        _reference(
            session,
            DatasetVersion,
            project_id=project_id,
            record_id=dataset_version_id,
            field="datasets",
        )
    return [ModelVersionDataset(dataset_version_id=d, role=r) for d, r in sorted(unique)]


# Called with every new model version in its transaction: the release gates' "register"
# gate subscribes (bastion.gates.service), which inventory must not import.
on_version_created: list[Callable[[Session, ModelVersion], None]] = []


def create_model_version(
    *, session: Session, project_id: uuid.UUID, data: schemas.ModelVersionCreate
) -> ModelVersion:
    model = _reference(
        session, Model, project_id=project_id, record_id=data.model_id, field="model_id"
    )
    if session.scalar(
        select(
            exists().where(ModelVersion.model_id == model.id, ModelVersion.version == data.version)
        )
    ):
        raise Conflict(
            f"model {model.name!r} already has a version {data.version!r}", field="version"
        )
    fields = data.model_dump(exclude={"datasets"})
    version = ModelVersion(project_id=project_id)
    version.dataset_links = _dataset_links(session, project_id, data.datasets)
    created = _create(session, version, fields)
    for subscriber in on_version_created:
        subscriber(session, created)
    return created


def get_model_version(
    *, session: Session, project_id: uuid.UUID, version_id: uuid.UUID
) -> ModelVersion:
    return _get(session, ModelVersion, project_id=project_id, record_id=version_id)


def update_model_version(
    *,
    session: Session,
    project_id: uuid.UUID,
    version_id: uuid.UUID,
    data: schemas.ModelVersionUpdate,
) -> ModelVersion:
    version = get_model_version(session=session, project_id=project_id, version_id=version_id)
    changes = data.changes()
    if "stage" in changes and changes["stage"] != version.stage:
        # A stage change passes a release gate: bastion.gates owns it.
        raise InvalidInput(
            "the stage changes through its release gate: POST …/model-versions/{id}/stage",
            field="stage",
        )
    changes.pop("stage", None)
    fields = sorted(changes)
    if "datasets" in changes:
        version.dataset_links = _dataset_links(session, project_id, data.datasets or [])
        del changes["datasets"]
    _apply(version, changes)
    session.flush()
    _audit(session, version, "update", fields=fields)
    return version


def set_stage(*, session: Session, version: ModelVersion, stage: ModelStage) -> ModelVersion:
    """Move a model version to another stage; callers have passed its release gate."""
    check_transition(version.stage, stage)
    previous = version.stage
    version.stage = stage
    session.flush()
    _audit(
        session,
        version,
        "update",
        fields=["stage"],
        stage_from=previous.value,
        stage_to=stage.value,
    )
    return version


def check_transition(current: ModelStage, target: ModelStage) -> None:
    if target == current:
        return
    allowed = STAGE_TRANSITIONS[current]
    if target not in allowed:
        options = ", ".join(sorted(allowed)) or "none, it is final"
        raise Conflict(
            f"a model version cannot move from {current} to {target}; allowed: {options}",
            field="stage",
        )


def list_model_versions(
    *, session: Session, project_id: uuid.UUID, query: schemas.ModelVersionQuery
) -> PageResult[ModelVersion]:
    stmt = select(ModelVersion).where(ModelVersion.project_id == project_id)
    return _list(
        session,
        stmt,
        entity=ModelVersion,
        query=query,
        search=ModelVersion.version,
        sortable=("version", "stage", "created_at", "updated_at"),
    )


def attach_model_artifact(
    *, session: Session, version: ModelVersion, blob: BlobInfo, filename: str
) -> ModelVersion:
    # Re-read under a row lock: another upload may have finished since the caller looked.
    session.refresh(version, with_for_update=True)
    if version.artifact_size is not None:
        raise Conflict(
            "this model version already has an artifact; register a new version instead",
            field="artifact",
        )
    version.artifact_digest = blob.digest
    version.artifact_size = blob.size
    version.artifact_filename = filename
    session.flush()
    _audit(session, version, "artifact.upload", digest=blob.digest, size=blob.size)
    return version


# Datasets ------------------------------------------------------------------------------


def _unique_dataset_name(session: Session, project_id: uuid.UUID, name: str) -> None:
    _ensure_unique(
        session,
        (Dataset.project_id == project_id) & (Dataset.name == name),
        f"a dataset named {name!r} already exists in this project",
    )


def create_dataset(
    *, session: Session, project_id: uuid.UUID, data: schemas.DatasetCreate
) -> Dataset:
    _unique_dataset_name(session, project_id, data.name)
    return _create(session, Dataset(project_id=project_id), data.model_dump())


def get_dataset(*, session: Session, project_id: uuid.UUID, dataset_id: uuid.UUID) -> Dataset:
    return _get(session, Dataset, project_id=project_id, record_id=dataset_id)


def update_dataset(
    *, session: Session, project_id: uuid.UUID, dataset_id: uuid.UUID, data: schemas.DatasetUpdate
) -> Dataset:
    dataset = get_dataset(session=session, project_id=project_id, dataset_id=dataset_id)
    changes = data.changes()
    if "name" in changes and changes["name"] != dataset.name:
        _unique_dataset_name(session, project_id, changes["name"])
    return _update(session, dataset, changes)


def list_datasets(
    *, session: Session, project_id: uuid.UUID, query: schemas.DatasetQuery
) -> PageResult[Dataset]:
    stmt = select(Dataset).where(Dataset.project_id == project_id)
    return _list(session, stmt, entity=Dataset, query=query, search=Dataset.name)


# Dataset versions ----------------------------------------------------------------------


def create_dataset_version(
    *, session: Session, project_id: uuid.UUID, data: schemas.DatasetVersionCreate
) -> DatasetVersion:
    dataset = _reference(
        session, Dataset, project_id=project_id, record_id=data.dataset_id, field="dataset_id"
    )
    check_version_free(session=session, dataset=dataset, version=data.version)
    return _create(session, DatasetVersion(project_id=project_id), data.model_dump())


def check_version_free(*, session: Session, dataset: Dataset, version: str) -> None:
    """Raise Conflict if the dataset already has a version of that name."""
    if session.scalar(
        select(
            exists().where(
                DatasetVersion.dataset_id == dataset.id, DatasetVersion.version == version
            )
        )
    ):
        raise Conflict(
            f"dataset {dataset.name!r} already has a version {version!r}", field="version"
        )


def get_dataset_version(
    *, session: Session, project_id: uuid.UUID, version_id: uuid.UUID
) -> DatasetVersion:
    return _get(session, DatasetVersion, project_id=project_id, record_id=version_id)


def update_dataset_version(
    *,
    session: Session,
    project_id: uuid.UUID,
    version_id: uuid.UUID,
    data: schemas.DatasetVersionUpdate,
) -> DatasetVersion:
    version = get_dataset_version(session=session, project_id=project_id, version_id=version_id)
    return _update(session, version, data.changes())


def list_dataset_versions(
    *, session: Session, project_id: uuid.UUID, query: schemas.DatasetVersionQuery
) -> PageResult[DatasetVersion]:
    stmt = select(DatasetVersion).where(DatasetVersion.project_id == project_id)
    return _list(
        session,
        stmt,
        entity=DatasetVersion,
        query=query,
        search=DatasetVersion.version,
        sortable=("version", "created_at", "updated_at"),
    )


def attach_dataset_artifact(
    *, session: Session, version: DatasetVersion, blob: BlobInfo, filename: str
) -> DatasetVersion:
    # Re-read under a row lock: another upload may have finished since the caller looked.
    session.refresh(version, with_for_update=True)
    if version.artifact_size is not None:
        raise Conflict(
            "this dataset version already has its data; register a new version instead",
            field="artifact",
        )
    version.content_digest = blob.digest
    version.artifact_size = blob.size
    version.artifact_filename = filename
    session.flush()
    _audit(session, version, "artifact.upload", digest=blob.digest, size=blob.size)
    return version


def record_download(*, session: Session, record: ModelVersion | DatasetVersion | Document) -> None:
    """Reading an artifact, data or a document is recorded like a change."""
    verb = "download" if isinstance(record, Document) else "artifact.download"
    _audit(session, record, verb)


# Deployments ---------------------------------------------------------------------------


def create_deployment(
    *, session: Session, project_id: uuid.UUID, data: schemas.DeploymentCreate
) -> Deployment:
    _ensure_unique(
        session,
        (Deployment.project_id == project_id) & (Deployment.name == data.name),
        f"a deployment named {data.name!r} already exists in this project",
    )
    _reference(
        session,
        ModelVersion,
        project_id=project_id,
        record_id=data.model_version_id,
        field="model_version_id",
    )
    return _create(session, Deployment(project_id=project_id), data.model_dump())


def get_deployment(
    *, session: Session, project_id: uuid.UUID, deployment_id: uuid.UUID
) -> Deployment:
    return _get(session, Deployment, project_id=project_id, record_id=deployment_id)


def update_deployment(
    *,
    session: Session,
    project_id: uuid.UUID,
    deployment_id: uuid.UUID,
    data: schemas.DeploymentUpdate,
) -> Deployment:
    deployment = get_deployment(session=session, project_id=project_id, deployment_id=deployment_id)
    changes = data.changes()
    if "model_version_id" in changes:
        _reference(
            session,
            ModelVersion,
            project_id=project_id,
            record_id=changes["model_version_id"],
            field="model_version_id",
        )
    return _update(session, deployment, changes)


def list_deployments(
    *, session: Session, project_id: uuid.UUID, query: schemas.DeploymentQuery
) -> PageResult[Deployment]:
    stmt = select(Deployment).where(Deployment.project_id == project_id)
    return _list(session, stmt, entity=Deployment, query=query, search=Deployment.name)


# Documents -----------------------------------------------------------------------------


def check_subject(
    *, session: Session, project_id: uuid.UUID, subject_type: SubjectType, subject_id: uuid.UUID
) -> None:
    """Raise InvalidInput unless the subject exists in the project."""
    table = SUBJECT_TABLES[subject_type]
    record = session.get(table, subject_id)
    owner = getattr(record, "project_id", getattr(record, "id", None))
    if record is None or owner != project_id:
        raise InvalidInput(
            f"subject_id: no {_LABELS[subject_type]} with id {subject_id} in this project",
            field="subject_id",
        )


def create_document(
    *,
    session: Session,
    project_id: uuid.UUID,
    subject_type: SubjectType,
    subject_id: uuid.UUID,
    title: str,
    kind: str,
    filename: str,
    media_type: str,
    blob: BlobInfo,
    uploaded_by: uuid.UUID | None,
) -> Document:
    check_subject(
        session=session, project_id=project_id, subject_type=subject_type, subject_id=subject_id
    )
    document = Document(
        project_id=project_id,
        subject_type=subject_type,
        subject_id=subject_id,
        title=title,
        kind=kind,
        filename=filename,
        media_type=media_type,
        digest=blob.digest,
        size=blob.size,
        uploaded_by=uploaded_by,
    )
    session.add(document)
    session.flush()
    _audit(
        session,
        document,
        "upload",
        subject_type=subject_type.value,
        subject_id=str(subject_id),
        digest=blob.digest,
        size=blob.size,
    )
    return document


def get_document(*, session: Session, project_id: uuid.UUID, document_id: uuid.UUID) -> Document:
    return _get(session, Document, project_id=project_id, record_id=document_id)


def update_document(
    *, session: Session, project_id: uuid.UUID, document_id: uuid.UUID, data: schemas.DocumentUpdate
) -> Document:
    document = get_document(session=session, project_id=project_id, document_id=document_id)
    return _update(session, document, data.changes())


def list_documents(
    *, session: Session, project_id: uuid.UUID, query: schemas.DocumentQuery
) -> PageResult[Document]:
    stmt = select(Document).where(Document.project_id == project_id)
    return _list(
        session,
        stmt,
        entity=Document,
        query=query,
        search=Document.title,
        sortable=("title", "created_at", "updated_at"),
    )


# The AI systems a record belongs to ----------------------------------------------------


def lock_project(*, session: Session, project_id: uuid.UUID) -> None:
    """Hold the project's row until the transaction ends, to hand out per-project numbers
    one writer at a time.

    FOR NO KEY UPDATE on PostgreSQL: it queues such writers without blocking the inserts
    that reference the project (their foreign key check takes FOR KEY SHARE). SQLite's
    BEGIN IMMEDIATE already serializes writers, and ignores the clause.
    """
    session.execute(
        select(Project.id).where(Project.id == project_id).with_for_update(key_share=True)
    )


def find_system(*, session: Session, project_id: uuid.UUID, ref: str) -> AISystem | None:
    """The project's AI system with this id or, failing that, this exact name."""
    system = None
    with contextlib.suppress(ValueError):
        system = session.get(AISystem, uuid.UUID(ref))
    if system is not None and system.project_id == project_id:
        return system
    return session.scalar(
        select(AISystem).where(AISystem.project_id == project_id, AISystem.name == ref)
    )


def systems_of_subject(
    *, session: Session, project_id: uuid.UUID, subject_type: SubjectType, subject_id: uuid.UUID
) -> list[AISystem]:
    """The AI systems a record is part of, in order of name.

    A system is its own; a model, model version or deployment belongs to its model's
    system (none when the model has no system); a dataset version to the systems of the
    model versions it trained or evaluated. Other records (projects, datasets) belong to
    no system.
    """
    model_ids: Select[Any]
    if subject_type is SubjectType.AI_SYSTEM:
        stmt = select(AISystem).where(AISystem.id == subject_id)
    else:
        if subject_type is SubjectType.MODEL:
            model_ids = select(Model.id).where(Model.id == subject_id)
        elif subject_type is SubjectType.MODEL_VERSION:
            model_ids = select(ModelVersion.model_id).where(ModelVersion.id == subject_id)
        elif subject_type is SubjectType.DEPLOYMENT:
            model_ids = (
                select(ModelVersion.model_id)
                .join(Deployment, Deployment.model_version_id == ModelVersion.id)
                .where(Deployment.id == subject_id)
            )
        elif subject_type is SubjectType.DATASET_VERSION:
            model_ids = (
                select(ModelVersion.model_id)
                .join(ModelVersionDataset, ModelVersionDataset.model_version_id == ModelVersion.id)
                .where(ModelVersionDataset.dataset_version_id == subject_id)
            )
        else:
            return []
        system_ids = select(Model.system_id).where(Model.id.in_(model_ids))
        stmt = select(AISystem).where(AISystem.id.in_(system_ids))
    return list(
        session.scalars(stmt.where(AISystem.project_id == project_id).order_by(AISystem.name))
    )
