"""Monitoring routes: monitors of model versions, the prediction and label log, runs and
evaluated windows with their drift reports."""

import uuid
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from bastion.api.deps import (
    ProjectAccess,
    RecordId,
    RuntimeDep,
    SessionDep,
    SettingsDep,
    StoreDep,
)
from bastion.api.transfer import refuse_declared_excess
from bastion.errors import InvalidInput, PayloadTooLarge
from bastion.iam.permissions import Permission
from bastion.inventory import service as inventory_service
from bastion.inventory.models import Project
from bastion.monitoring import batches, log, runs, schemas
from bastion.monitoring import service as monitoring_service
from bastion.monitoring.models import LabelBatch, PredictionBatch
from bastion.schemas import Page
from bastion.storage.base import utcnow

router = APIRouter(prefix="/api/v1/projects/{project}", tags=["monitoring"])

Reader = Annotated[Project, ProjectAccess(Permission.MONITORING_READ)]
Writer = Annotated[Project, ProjectAccess(Permission.MONITORING_WRITE)]
Logger = Annotated[Project, ProjectAccess(Permission.MONITORING_LOG)]
WindowNumber = Annotated[int, Path(ge=0, description="The window's index.")]
ColumnQuery = Annotated[str, Query(min_length=1, max_length=200)]

_TABLE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            **{t: {"schema": {"type": "string", "format": "binary"}} for t in batches.MEDIA_TYPES},
            batches.JSON_TYPE: {"schema": {"type": "array", "items": {"type": "object"}}},
        },
    }
}


async def _table_body(request: Request, session: SessionDep, *, max_size: int) -> tuple[bytes, str]:
    """The body and its media type; the checks so far are committed first, so that a slow
    client holds no database lock while its body arrives."""
    content_type = request.headers.get("content-type")
    if content_type is None:
        raise InvalidInput(
            f"Content-Type: send the batch as one of {', '.join(batches.MEDIA_TYPES)}",
            field="Content-Type",
        )
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in batches.MEDIA_TYPES:
        raise batches.UnsupportedMediaType(
            f"Content-Type: {media_type!r} is not read here; send one of "
            f"{', '.join(batches.MEDIA_TYPES)}",
            field="Content-Type",
        )
    await run_in_threadpool(session.commit)
    refuse_declared_excess(request, max_size=max_size, what="batch")
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > max_size:
                raise PayloadTooLarge(
                    f"batch exceeds the limit of {max_size} bytes", limit=max_size
                )
    except ClientDisconnect:
        raise InvalidInput("batch interrupted before the end of the body", field="body") from None
    return bytes(body), media_type


# The prediction and label log ------------------------------------------------------------


@router.post(
    "/model-versions/{record_id}/predictions",
    status_code=status.HTTP_201_CREATED,
    operation_id="log_predictions",
    responses={200: {"description": "The same content was logged before; nothing was added."}},
    openapi_extra=_TABLE_BODY,
)
async def log_predictions(
    request: Request,
    response: Response,
    session: SessionDep,
    project: Logger,
    record_id: RecordId,
    runtime: RuntimeDep,
    settings: SettingsDep,
    id_column: ColumnQuery = batches.ID,
    timestamp_column: ColumnQuery = batches.TIMESTAMP,
) -> schemas.PredictionBatchRead:
    """Log a batch of predictions: Parquet, Arrow IPC, or (small batches) a JSON list of
    row objects, with a prediction id column, the prediction, the features and optionally
    a timestamp (else the time of receipt). Duplicate ids in the batch are refused (422
    naming the rows); ids logged by an earlier batch are counted in `duplicates` and the
    earlier rows count. The batch is stored whole or not at all."""
    await run_in_threadpool(
        inventory_service.get_model_version,
        session=session,
        project_id=project.id,
        version_id=record_id,
    )
    body, media_type = await _table_body(request, session, max_size=settings.max_upload_bytes)
    batch, repeated = await run_in_threadpool(
        _log_predictions, session, runtime.store, project.id, record_id, body, media_type,
        id_column, timestamp_column,
    )  # fmt: skip
    if repeated:
        response.status_code = status.HTTP_200_OK
    return schemas.PredictionBatchRead.from_model(batch, repeated=repeated)


def _log_predictions(
    session: SessionDep, store: StoreDep, project_id: uuid.UUID, version_id: uuid.UUID,
    body: bytes, media_type: str, id_column: str, timestamp_column: str,
) -> tuple[PredictionBatch, bool]:  # fmt: skip
    received_at = utcnow()
    prepared = batches.prepare_predictions(
        batches.decode(body, media_type),
        id_column=id_column,
        timestamp_column=timestamp_column,
        received_at=received_at,
        previous_columns=log.previous_columns(session, version_id),
    )
    stored = log.store_predictions(store, prepared)
    return log.record_predictions(
        session=session,
        store=store,
        project_id=project_id,
        version_id=version_id,
        prepared=prepared,
        stored=stored,
        received_at=received_at,
    )


@router.get("/model-versions/{record_id}/predictions", operation_id="list_prediction_batches")
def list_prediction_batches(
    session: SessionDep,
    project: Reader,
    record_id: RecordId,
    query: Annotated[schemas.BatchQuery, Query()],
) -> Page[schemas.PredictionBatchRead]:
    """The batches logged for the model version, newest first (their rows stay in the
    artifact store)."""
    page = log.list_prediction_batches(
        session=session, project_id=project.id, version_id=record_id, query=query
    )
    return Page(
        items=[schemas.PredictionBatchRead.from_model(b) for b in page.items],
        next_cursor=page.next_cursor,
    )


@router.post(
    "/model-versions/{record_id}/labels",
    status_code=status.HTTP_201_CREATED,
    operation_id="log_labels",
    openapi_extra=_TABLE_BODY,
)
async def log_labels(
    request: Request,
    session: SessionDep,
    project: Logger,
    record_id: RecordId,
    runtime: RuntimeDep,
    settings: SettingsDep,
    id_column: ColumnQuery = batches.ID,
    label_column: ColumnQuery = batches.LABEL,
) -> schemas.LabelBatchRead:
    """Log labels (ground truth) of logged predictions, late or not: a prediction id
    column and a label column. The last label given for an id wins (`duplicates` counts
    the others); labels of ids not logged yet are kept for later (`unknown`). Past windows
    get their performance computed again on the monitor's next run."""
    await run_in_threadpool(
        inventory_service.get_model_version,
        session=session,
        project_id=project.id,
        version_id=record_id,
    )
    body, media_type = await _table_body(request, session, max_size=settings.max_upload_bytes)
    batch, unknown_ids = await run_in_threadpool(
        _log_labels, session, runtime.store, project.id, record_id, body, media_type,
        id_column, label_column,
    )  # fmt: skip
    return schemas.LabelBatchRead.from_model(batch, unknown_ids=unknown_ids)


def _log_labels(
    session: SessionDep, store: StoreDep, project_id: uuid.UUID, version_id: uuid.UUID,
    body: bytes, media_type: str, id_column: str, label_column: str,
) -> tuple[LabelBatch, list[str]]:  # fmt: skip
    prepared = batches.prepare_labels(
        batches.decode(body, media_type),
        id_column=id_column,
        label_column=label_column,
        previous_type=log.label_type(session, store, version_id),
    )
    return log.record_labels(
        session=session, store=store, project_id=project_id, version_id=version_id,
        prepared=prepared,
    )  # fmt: skip


# Monitors ---------------------------------------------------------------------------------


@router.post(
    "/model-versions/{record_id}/monitors",
    status_code=status.HTTP_201_CREATED,
    operation_id="create_monitor",
)
def create_monitor(
    session: SessionDep,
    project: Writer,
    record_id: RecordId,
    store: StoreDep,
    data: schemas.MonitorCreate,
) -> schemas.MonitorRead:
    """Create a monitor of the model version's logged predictions. With
    `dataset_version_id` its reference profile is fitted now from that dataset version's
    data; without, upload the reference with `PUT …/monitors/{id}/reference`."""
    monitor = monitoring_service.create_monitor(
        session=session, store=store, project_id=project.id, version_id=record_id, data=data
    )
    return schemas.MonitorRead.from_model(monitor)


@router.get("/monitors", operation_id="list_monitors")
def list_monitors(
    session: SessionDep, project: Reader, query: Annotated[schemas.MonitorQuery, Query()]
) -> Page[schemas.MonitorRead]:
    page = monitoring_service.list_monitors(session=session, project_id=project.id, query=query)
    return Page(
        items=[schemas.MonitorRead.from_model(m) for m in page.items],
        next_cursor=page.next_cursor,
    )


@router.get("/monitors/{record_id}", operation_id="get_monitor")
def get_monitor(session: SessionDep, project: Reader, record_id: RecordId) -> schemas.MonitorRead:
    monitor = monitoring_service.get_monitor(
        session=session, project_id=project.id, monitor_id=record_id
    )
    return schemas.MonitorRead.from_model(monitor)


@router.patch("/monitors/{record_id}", operation_id="update_monitor")
def update_monitor(
    session: SessionDep,
    project: Writer,
    record_id: RecordId,
    store: StoreDep,
    data: schemas.MonitorUpdate,
) -> schemas.MonitorRead:
    """Change some fields; `version` must be the one you read (else 409, nothing changes).
    Set `enabled` to false to stop scheduled runs and keep everything."""
    monitor = monitoring_service.update_monitor(
        session=session, store=store, project_id=project.id, monitor_id=record_id, data=data
    )
    return schemas.MonitorRead.from_model(monitor)


@router.delete(
    "/monitors/{record_id}", status_code=status.HTTP_204_NO_CONTENT, operation_id="delete_monitor"
)
def delete_monitor(session: SessionDep, project: Writer, record_id: RecordId) -> None:
    """Delete the monitor and its window records; the evidence of its windows stays."""
    monitoring_service.delete_monitor(session=session, project_id=project.id, monitor_id=record_id)


@router.put("/monitors/{record_id}/reference", operation_id="upload_monitor_reference",
            openapi_extra=_TABLE_BODY)  # fmt: skip
async def upload_monitor_reference(
    request: Request,
    session: SessionDep,
    project: Writer,
    record_id: RecordId,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> schemas.MonitorRead:
    """Upload the monitor's reference data (Parquet, Arrow IPC or JSON rows) and fit its
    profile; replacing a reference makes later windows compare with the new one."""
    await run_in_threadpool(
        monitoring_service.get_monitor, session=session, project_id=project.id,
        monitor_id=record_id,
    )  # fmt: skip
    body, media_type = await _table_body(request, session, max_size=settings.max_upload_bytes)

    def fit() -> schemas.MonitorRead:
        frame = pl.DataFrame(batches.decode(body, media_type))
        monitor = monitoring_service.set_reference(
            session=session, store=runtime.store, project_id=project.id, monitor_id=record_id,
            frame=frame,
        )  # fmt: skip
        return schemas.MonitorRead.from_model(monitor)

    return await run_in_threadpool(fit)


@router.post("/monitors/{record_id}/run", operation_id="run_monitor")
def run_monitor(
    session: SessionDep, project: Writer, record_id: RecordId, store: StoreDep
) -> schemas.RunRead:
    """Evaluate the monitor's complete windows now, and re-evaluate past windows that
    late labels changed; what the scheduler does on the monitor's schedule."""
    monitor = monitoring_service.get_monitor(
        session=session, project_id=project.id, monitor_id=record_id
    )
    outcome = runs.run_monitor(session=session, store=store, monitor=monitor, now=utcnow())
    return outcome.read()


@router.get("/monitors/{record_id}/windows", operation_id="list_monitor_windows")
def list_monitor_windows(
    session: SessionDep,
    project: Reader,
    record_id: RecordId,
    query: Annotated[schemas.WindowQuery, Query()],
) -> Page[schemas.WindowRead]:
    """The monitor's evaluated windows, newest first."""
    page = runs.list_windows(
        session=session, project_id=project.id, monitor_id=record_id, query=query
    )
    return Page(
        items=[schemas.WindowRead.from_model(w) for w in page.items],
        next_cursor=page.next_cursor,
    )


@router.get("/monitors/{record_id}/windows/{number}", operation_id="get_monitor_window")
def get_monitor_window(
    session: SessionDep, project: Reader, record_id: RecordId, number: WindowNumber
) -> schemas.WindowRead:
    window = runs.get_window(
        session=session, project_id=project.id, monitor_id=record_id, number=number
    )
    return schemas.WindowRead.from_model(window)


@router.get("/monitors/{record_id}/windows/{number}/report.json", operation_id="window_report_json")
def window_report_json(
    session: SessionDep, project: Reader, record_id: RecordId, number: WindowNumber, store: StoreDep
) -> dict[str, Any]:
    """The window's drift report: per column the test, statistic, threshold and drift
    flag, then the dataset-level verdict."""
    report = runs.window_report(
        session=session, store=store, project_id=project.id, monitor_id=record_id, number=number
    )
    document: dict[str, Any] = report.to_dict()
    return document


@router.get(
    "/monitors/{record_id}/windows/{number}/report.html",
    operation_id="window_report_html",
    response_class=HTMLResponse,
)
def window_report_html(
    session: SessionDep, project: Reader, record_id: RecordId, number: WindowNumber, store: StoreDep
) -> HTMLResponse:
    """The window's drift report as one self-contained HTML page with per-column charts."""
    from bastion.drift import render_html

    report = runs.window_report(
        session=session, store=store, project_id=project.id, monitor_id=record_id, number=number
    )
    return HTMLResponse(render_html(report))
