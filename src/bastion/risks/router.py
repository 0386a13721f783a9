"""Risk register routes: the risks of a project's AI systems, their history, what needs
attention, and CSV/JSON export and import."""

import uuid
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from bastion.api.deps import ProjectAccess, RuntimeDep, SessionDep, SettingsDep
from bastion.api.transfer import refuse_declared_excess
from bastion.errors import InvalidInput, NotFound, PayloadTooLarge
from bastion.iam.permissions import Permission
from bastion.inventory import service as inventory_service
from bastion.inventory.models import Project
from bastion.risks import schemas
from bastion.risks import service as risk_service
from bastion.risks.errors import UnsupportedMediaType
from bastion.schemas import Page

router = APIRouter(prefix="/api/v1/projects/{project}", tags=["risks"])

Reader = Annotated[Project, ProjectAccess(Permission.INVENTORY_READ)]
Writer = Annotated[Project, ProjectAccess(Permission.RISK_WRITE)]
RiskRef = Annotated[
    str, Path(description="Risk id (UUID) or number (`R-12`).", min_length=1, max_length=40)
]

MAX_IMPORT_BYTES = 5 * 1024 * 1024
_IMPORT_TYPES: dict[str, risk_service.ImportFormat] = {
    "text/csv": "csv",
    "application/json": "json",
}


@router.post("/risks", status_code=status.HTTP_201_CREATED, operation_id="create_risk")
def create_risk(session: SessionDep, project: Writer, data: schemas.RiskCreate) -> schemas.RiskRead:
    """Add a risk of one of the project's AI systems; its score and level come from the
    risk matrix."""
    risk = risk_service.create_risk(session=session, project_id=project.id, data=data)
    return schemas.RiskRead.from_model(risk)


@router.get("/risks", operation_id="list_risks")
def list_risks(
    session: SessionDep, project: Reader, query: Annotated[schemas.RiskQuery, Query()]
) -> Page[schemas.RiskRead]:
    """The register, filtered by system, category, status, level, overdue review or
    untreated high risk."""
    page = risk_service.list_risks(session=session, project_id=project.id, query=query)
    return Page(
        items=[schemas.RiskRead.from_model(r) for r in page.items], next_cursor=page.next_cursor
    )


@router.get("/risks/attention", operation_id="risks_needing_attention")
def risks_needing_attention(session: SessionDep, project: Reader) -> schemas.Attention:
    """Risks whose review date has passed, and untreated high or critical risks, each
    with why."""
    return risk_service.attention(session=session, project_id=project.id)


@router.get(
    "/risks/export",
    operation_id="export_risks",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}, "application/json": {}}}},
)
def export_risks(
    session: SessionDep,
    project: Reader,
    runtime: RuntimeDep,
    format: Literal["csv", "json"] = "csv",
    system_id: uuid.UUID | None = None,
) -> StreamingResponse:
    """Stream the register (or one system's risks) as CSV or a JSON list, in the format
    that `POST …/risks/import` reads."""
    if system_id is not None:
        try:
            inventory_service.get_system(
                session=session, project_id=project.id, system_id=system_id
            )
        except NotFound:
            raise InvalidInput(
                f"system_id: no AI system with id {system_id} in this project", field="system_id"
            ) from None
    project_id = project.id

    def pieces() -> Iterator[str]:
        # Its own read-only session: the request's commits before the body streams.
        with runtime.read_sessions() as reader, reader.begin():
            yield from risk_service.export_risks(
                session=reader, project_id=project_id, fmt=format, system_id=system_id
            )

    media_type = "text/csv; charset=utf-8" if format == "csv" else "application/json"
    return StreamingResponse(
        pieces(),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="risks-{project.slug}.{format}"'},
    )


async def _read_body(request: Request, *, max_size: int) -> bytes:
    """The whole request body, refused (413) beyond ``max_size``, as uploads are."""
    refuse_declared_excess(request, max_size=max_size, what="import")
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > max_size:
                raise PayloadTooLarge(
                    f"import exceeds the limit of {max_size} bytes", limit=max_size
                )
    except ClientDisconnect:
        raise InvalidInput("import interrupted before the end of the body", field="body") from None
    return bytes(body)


@router.post(
    "/risks/import",
    operation_id="import_risks",
    responses={201: {"description": "The risks were created."}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            },
        }
    },
)
async def import_risks(
    request: Request,
    response: Response,
    session: SessionDep,
    project: Writer,
    settings: SettingsDep,
    dry_run: bool = False,
) -> schemas.RiskImportResult:
    """Import risks from CSV (`text/csv`) or JSON (`application/json`), in the export's
    format. Every row is checked first: if any is invalid, nothing is written and the
    422 problem lists every invalid value (`errors`: row, line, field, message). A dry
    run (`dry_run=true`) checks and answers what would be created, writing nothing."""
    content_type = request.headers.get("content-type")
    if content_type is None:
        raise InvalidInput(
            "body: send the risks as CSV (Content-Type: text/csv) or JSON "
            "(Content-Type: application/json)",
            field="body",
        )
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in _IMPORT_TYPES:
        raise UnsupportedMediaType(
            f"Content-Type: {media_type!r} is not imported; send text/csv or application/json",
            field="Content-Type",
        )
    # The checks so far are committed first: on SQLite a transaction holds the write
    # lock, and a slow client must not hold it while its body arrives.
    await run_in_threadpool(session.commit)
    content = await _read_body(request, max_size=min(settings.max_upload_bytes, MAX_IMPORT_BYTES))
    result = await run_in_threadpool(
        risk_service.import_risks,
        session=session,
        project_id=project.id,
        content=content,
        fmt=_IMPORT_TYPES[media_type],
        dry_run=dry_run,
    )
    response.status_code = status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED
    return result


@router.get("/risks/{record_id}", operation_id="get_risk")
def get_risk(session: SessionDep, project: Reader, record_id: RiskRef) -> schemas.RiskRead:
    risk = risk_service.get_risk(session=session, project_id=project.id, ref=record_id)
    return schemas.RiskRead.from_model(risk)


@router.patch("/risks/{record_id}", operation_id="update_risk")
def update_risk(
    session: SessionDep, project: Writer, record_id: RiskRef, data: schemas.RiskUpdate
) -> schemas.RiskRead:
    """Change some fields; `version` must be the one you read (else 409, nothing changes).
    The change is kept in the risk's history as `{field: [old, new]}`."""
    risk = risk_service.update_risk(
        session=session, project_id=project.id, ref=record_id, data=data
    )
    return schemas.RiskRead.from_model(risk)


@router.get("/risks/{record_id}/history", operation_id="risk_history")
def risk_history(
    session: SessionDep, project: Reader, record_id: RiskRef
) -> list[schemas.RiskEventRead]:
    """Every change of the risk, oldest first: who, when, what changed, and why."""
    events = risk_service.history(session=session, project_id=project.id, ref=record_id)
    return [schemas.RiskEventRead.from_model(e) for e in events]
