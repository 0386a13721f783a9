"""Inventory routes: parse, authorize (through the dependencies), call the service, return.

The create/get/update/list routes of every project record have the same shape, so one
function declares them; what differs is data (paths, schemas, service functions).
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from bastion.api.deps import (
    CurrentPrincipal,
    OrgAccess,
    ProjectAccess,
    RecordId,
    SessionDep,
    SettingsDep,
    StoreDep,
)
from bastion.api.transfer import clean_filename, receive_blob, send_blob
from bastion.errors import Conflict, NotFound
from bastion.iam import service as iam_service
from bastion.iam.permissions import Permission
from bastion.iam.service import Principal
from bastion.inventory import lineage as lineage_service
from bastion.inventory import schemas
from bastion.inventory import service as inventory_service
from bastion.inventory.enums import SubjectType
from bastion.inventory.models import Project
from bastion.schemas import Name, Page, ShortText

router = APIRouter(prefix="/api/v1")
ProjectPath = "/projects/{project}"

# What each route needs: the permission names come from ``bastion.iam.permissions``, whose
# one table says which roles hold them.
P = Permission
ReadProject = Annotated[Project, ProjectAccess(P.PROJECT_READ)]
UpdateProject = Annotated[Project, ProjectAccess(P.PROJECT_UPDATE)]
ReadInventory = Annotated[Project, ProjectAccess(P.INVENTORY_READ)]
WriteInventory = Annotated[Project, ProjectAccess(P.INVENTORY_WRITE)]
DownloadModels = Annotated[Project, ProjectAccess(P.ARTIFACT_DOWNLOAD)]
DownloadData = Annotated[Project, ProjectAccess(P.DATA_DOWNLOAD)]
WriteDocuments = Annotated[Project, ProjectAccess(P.DOCUMENT_WRITE)]
DownloadDocuments = Annotated[Project, ProjectAccess(P.DOCUMENT_DOWNLOAD)]
ProjectCreator = Annotated[Principal, OrgAccess(P.PROJECT_CREATE)]


# Projects ------------------------------------------------------------------------------


@router.post(
    "/projects",
    status_code=status.HTTP_201_CREATED,
    operation_id="create_project",
    tags=["projects"],
)
def create_project(
    session: SessionDep, principal: ProjectCreator, data: schemas.ProjectCreate
) -> schemas.ProjectRead:
    """Create a project (organization admins); the creator becomes its owner."""
    project = iam_service.create_project(session=session, data=data, creator=principal)
    return schemas.ProjectRead.model_validate(project)


@router.get("/projects", operation_id="list_projects", tags=["projects"])
def list_projects(
    session: SessionDep,
    principal: CurrentPrincipal,
    query: Annotated[schemas.ProjectQuery, Query()],
) -> Page[schemas.ProjectRead]:
    """The projects the caller holds a role in (admins: every project)."""
    page = iam_service.list_projects(session=session, principal=principal, query=query)
    return Page(
        items=[schemas.ProjectRead.model_validate(p) for p in page.items],
        next_cursor=page.next_cursor,
    )


@router.get(ProjectPath, operation_id="get_project", tags=["projects"])
def get_project(project: ReadProject) -> schemas.ProjectRead:
    return schemas.ProjectRead.model_validate(project)


@router.patch(ProjectPath, operation_id="update_project", tags=["projects"])
def update_project(
    session: SessionDep, project: UpdateProject, data: schemas.ProjectUpdate
) -> schemas.ProjectRead:
    updated = inventory_service.update_project(session=session, project=project, data=data)
    return schemas.ProjectRead.model_validate(updated)


# Project records -----------------------------------------------------------------------


@dataclass(frozen=True)
class RecordRoutes:
    """How one kind of project record is exposed: paths, schemas and service functions."""

    path: str
    singular: str
    plural: str
    id_name: str
    read: type[schemas.Record]
    create: type[Any]
    update: type[Any]
    query: type[Any]
    create_fn: Callable[..., Any]
    get_fn: Callable[..., Any]
    update_fn: Callable[..., Any]
    list_fn: Callable[..., Any]


def _declare(spec: RecordRoutes) -> None:
    read, create, update, query = spec.read, spec.create, spec.update, spec.query
    base, item = f"{ProjectPath}/{spec.path}", f"{ProjectPath}/{spec.path}/{{record_id}}"
    tags: list[str | Any] = [spec.plural.replace("_", " ")]

    def create_route(session: SessionDep, project: WriteInventory, data: create) -> read:  # type: ignore[valid-type]
        record = spec.create_fn(session=session, project_id=project.id, data=data)
        return read.model_validate(record)

    def get_route(session: SessionDep, project: ReadInventory, record_id: RecordId) -> read:  # type: ignore[valid-type]
        record = spec.get_fn(session=session, project_id=project.id, **{spec.id_name: record_id})
        return read.model_validate(record)

    def update_route(
        session: SessionDep,
        project: WriteInventory,
        record_id: RecordId,
        data: update,  # type: ignore[valid-type]
    ) -> read:  # type: ignore[valid-type]
        record = spec.update_fn(
            session=session, project_id=project.id, data=data, **{spec.id_name: record_id}
        )
        return read.model_validate(record)

    def list_route(
        session: SessionDep,
        project: ReadInventory,
        q: Annotated[query, Query()],  # type: ignore[valid-type]
    ) -> Page[read]:  # type: ignore[valid-type]
        page = spec.list_fn(session=session, project_id=project.id, query=q)
        return Page(
            items=[read.model_validate(r) for r in page.items], next_cursor=page.next_cursor
        )

    router.add_api_route(
        base,
        create_route,
        methods=["POST"],
        status_code=status.HTTP_201_CREATED,
        operation_id=f"create_{spec.singular}",
        tags=tags,
    )
    router.add_api_route(
        base, list_route, methods=["GET"], operation_id=f"list_{spec.plural}", tags=tags
    )
    router.add_api_route(
        item, get_route, methods=["GET"], operation_id=f"get_{spec.singular}", tags=tags
    )
    router.add_api_route(
        item, update_route, methods=["PATCH"], operation_id=f"update_{spec.singular}", tags=tags
    )


S = inventory_service
for _spec in (
    RecordRoutes(
        "systems",
        "system",
        "systems",
        "system_id",
        schemas.SystemRead,
        schemas.SystemCreate,
        schemas.SystemUpdate,
        schemas.SystemQuery,
        S.create_system,
        S.get_system,
        S.update_system,
        S.list_systems,
    ),
    RecordRoutes(
        "models",
        "model",
        "models",
        "model_id",
        schemas.ModelRead,
        schemas.ModelCreate,
        schemas.ModelUpdate,
        schemas.ModelQuery,
        S.create_model,
        S.get_model,
        S.update_model,
        S.list_models,
    ),
    RecordRoutes(
        "model-versions",
        "model_version",
        "model_versions",
        "version_id",
        schemas.ModelVersionRead,
        schemas.ModelVersionCreate,
        schemas.ModelVersionUpdate,
        schemas.ModelVersionQuery,
        S.create_model_version,
        S.get_model_version,
        S.update_model_version,
        S.list_model_versions,
    ),
    RecordRoutes(
        "datasets",
        "dataset",
        "datasets",
        "dataset_id",
        schemas.DatasetRead,
        schemas.DatasetCreate,
        schemas.DatasetUpdate,
        schemas.DatasetQuery,
        S.create_dataset,
        S.get_dataset,
        S.update_dataset,
        S.list_datasets,
    ),
    RecordRoutes(
        "dataset-versions",
        "dataset_version",
        "dataset_versions",
        "version_id",
        schemas.DatasetVersionRead,
        schemas.DatasetVersionCreate,
        schemas.DatasetVersionUpdate,
        schemas.DatasetVersionQuery,
        S.create_dataset_version,
        S.get_dataset_version,
        S.update_dataset_version,
        S.list_dataset_versions,
    ),
    RecordRoutes(
        "deployments",
        "deployment",
        "deployments",
        "deployment_id",
        schemas.DeploymentRead,
        schemas.DeploymentCreate,
        schemas.DeploymentUpdate,
        schemas.DeploymentQuery,
        S.create_deployment,
        S.get_deployment,
        S.update_deployment,
        S.list_deployments,
    ),
):
    _declare(_spec)


# Artifacts -----------------------------------------------------------------------------

FilenameQuery = Annotated[
    str, Query(min_length=1, max_length=255, description="Name of the uploaded file.")
]


@router.put(
    f"{ProjectPath}/model-versions/{{record_id}}/artifact",
    operation_id="upload_model_artifact",
    tags=["model versions"],
    openapi_extra={"requestBody": {"content": {"application/octet-stream": {}}, "required": True}},
)
async def upload_model_artifact(
    request: Request,
    session: SessionDep,
    project: WriteInventory,
    record_id: RecordId,
    store: StoreDep,
    settings: SettingsDep,
    filename: FilenameQuery,
) -> schemas.ModelVersionRead:
    """Upload the model file as the raw request body; it is stored once and never replaced."""
    name = clean_filename(filename)
    version = await run_in_threadpool(
        S.get_model_version, session=session, project_id=project.id, version_id=record_id
    )
    if version.artifact_size is not None:
        raise Conflict("this model version already has an artifact", field="artifact")
    blob = await receive_blob(
        request,
        session,
        store,
        max_size=settings.max_upload_bytes,
        expected_digest=version.artifact_digest,
    )
    updated = await run_in_threadpool(
        S.attach_model_artifact, session=session, version=version, blob=blob, filename=name
    )
    return schemas.ModelVersionRead.model_validate(updated)


@router.get(
    f"{ProjectPath}/model-versions/{{record_id}}/artifact",
    operation_id="download_model_artifact",
    tags=["model versions"],
    response_class=StreamingResponse,
)
def download_model_artifact(
    session: SessionDep, project: DownloadModels, record_id: RecordId, store: StoreDep
) -> StreamingResponse:
    version = S.get_model_version(session=session, project_id=project.id, version_id=record_id)
    if version.artifact_size is None or version.artifact_digest is None:
        raise NotFound("this model version has no uploaded artifact")
    S.record_download(session=session, record=version)
    return send_blob(
        store,
        digest=version.artifact_digest,
        size=version.artifact_size,
        filename=version.artifact_filename or "model",
        media_type="application/octet-stream",
    )


@router.put(
    f"{ProjectPath}/dataset-versions/{{record_id}}/artifact",
    operation_id="upload_dataset_artifact",
    tags=["dataset versions"],
    openapi_extra={"requestBody": {"content": {"application/octet-stream": {}}, "required": True}},
)
async def upload_dataset_artifact(
    request: Request,
    session: SessionDep,
    project: WriteInventory,
    record_id: RecordId,
    store: StoreDep,
    settings: SettingsDep,
    filename: FilenameQuery,
) -> schemas.DatasetVersionRead:
    """Upload the data file as the raw request body; it must match a declared digest."""
    name = clean_filename(filename)
    version = await run_in_threadpool(
        S.get_dataset_version, session=session, project_id=project.id, version_id=record_id
    )
    if version.artifact_size is not None:
        raise Conflict("this dataset version already has its data", field="artifact")
    blob = await receive_blob(
        request,
        session,
        store,
        max_size=settings.max_upload_bytes,
        expected_digest=version.content_digest,
    )
    updated = await run_in_threadpool(
        S.attach_dataset_artifact, session=session, version=version, blob=blob, filename=name
    )
    return schemas.DatasetVersionRead.model_validate(updated)


@router.get(
    f"{ProjectPath}/dataset-versions/{{record_id}}/artifact",
    operation_id="download_dataset_artifact",
    tags=["dataset versions"],
    response_class=StreamingResponse,
)
def download_dataset_artifact(
    session: SessionDep, project: DownloadData, record_id: RecordId, store: StoreDep
) -> StreamingResponse:
    version = S.get_dataset_version(session=session, project_id=project.id, version_id=record_id)
    if version.artifact_size is None or version.content_digest is None:
        raise NotFound("this dataset version has no uploaded data")
    S.record_download(session=session, record=version)
    return send_blob(
        store,
        digest=version.content_digest,
        size=version.artifact_size,
        filename=version.artifact_filename or "data",
        media_type="application/octet-stream",
    )


# Documents -----------------------------------------------------------------------------


@router.post(
    f"{ProjectPath}/documents",
    status_code=status.HTTP_201_CREATED,
    operation_id="upload_document",
    tags=["documents"],
    openapi_extra={"requestBody": {"content": {"application/octet-stream": {}}, "required": True}},
)
async def upload_document(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    project: WriteDocuments,
    store: StoreDep,
    settings: SettingsDep,
    subject_type: Annotated[SubjectType, Query()],
    subject_id: Annotated[uuid.UUID, Query()],
    title: Annotated[Name, Query()],
    filename: FilenameQuery,
    kind: Annotated[ShortText, Query(min_length=1)] = "document",
) -> schemas.DocumentRead:
    """Attach a file (the raw request body) to a record; its Content-Type is kept."""
    name = clean_filename(filename)
    await run_in_threadpool(
        S.check_subject,
        session=session,
        project_id=project.id,
        subject_type=subject_type,
        subject_id=subject_id,
    )
    media_type = request.headers.get("content-type", "application/octet-stream")[:255]
    blob = await receive_blob(request, session, store, max_size=settings.max_upload_bytes)
    document = await run_in_threadpool(
        S.create_document,
        session=session,
        project_id=project.id,
        subject_type=subject_type,
        subject_id=subject_id,
        title=title,
        kind=kind,
        filename=name,
        media_type=media_type,
        blob=blob,
        uploaded_by=principal.id,
    )
    return schemas.DocumentRead.model_validate(document)


@router.get(f"{ProjectPath}/documents", operation_id="list_documents", tags=["documents"])
def list_documents(
    session: SessionDep, project: ReadInventory, query: Annotated[schemas.DocumentQuery, Query()]
) -> Page[schemas.DocumentRead]:
    page = S.list_documents(session=session, project_id=project.id, query=query)
    return Page(
        items=[schemas.DocumentRead.model_validate(d) for d in page.items],
        next_cursor=page.next_cursor,
    )


@router.get(
    f"{ProjectPath}/documents/{{record_id}}", operation_id="get_document", tags=["documents"]
)
def get_document(
    session: SessionDep, project: ReadInventory, record_id: RecordId
) -> schemas.DocumentRead:
    document = S.get_document(session=session, project_id=project.id, document_id=record_id)
    return schemas.DocumentRead.model_validate(document)


@router.patch(
    f"{ProjectPath}/documents/{{record_id}}", operation_id="update_document", tags=["documents"]
)
def update_document(
    session: SessionDep, project: WriteDocuments, record_id: RecordId, data: schemas.DocumentUpdate
) -> schemas.DocumentRead:
    document = S.update_document(
        session=session, project_id=project.id, document_id=record_id, data=data
    )
    return schemas.DocumentRead.model_validate(document)


@router.get(
    f"{ProjectPath}/documents/{{record_id}}/content",
    operation_id="download_document",
    tags=["documents"],
    response_class=StreamingResponse,
)
def download_document(
    session: SessionDep, project: DownloadDocuments, record_id: RecordId, store: StoreDep
) -> StreamingResponse:
    document = S.get_document(session=session, project_id=project.id, document_id=record_id)
    S.record_download(session=session, record=document)
    return send_blob(
        store,
        digest=document.digest,
        size=document.size,
        filename=document.filename,
        media_type=document.media_type,
    )


# Lineage -------------------------------------------------------------------------------


@router.get(f"{ProjectPath}/lineage", operation_id="get_lineage", tags=["lineage"])
def get_lineage(
    session: SessionDep,
    project: ReadInventory,
    subject_type: Annotated[SubjectType, Query()],
    subject_id: Annotated[uuid.UUID, Query()],
    direction: lineage_service.Direction = lineage_service.Direction.BOTH,
    depth: Annotated[int, Query(ge=1, le=lineage_service.MAX_DEPTH)] = lineage_service.MAX_DEPTH,
) -> schemas.LineageGraph:
    """Which data trained or evaluated a model version, and where versions are deployed."""
    return lineage_service.lineage(
        session=session,
        project_id=project.id,
        subject_type=subject_type,
        subject_id=subject_id,
        direction=direction,
        depth=depth,
    )
