"""Report and evidence-pack routes of an AI system."""

import hashlib
import os
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from bastion.api.deps import ProjectAccess, RecordId, RuntimeDep, SessionDep, StoreDep
from bastion.iam.permissions import Permission
from bastion.inventory.models import Project
from bastion.reports import render
from bastion.reports import service as reports_service

router = APIRouter(prefix="/api/v1/projects/{project}", tags=["reports"])

Reader = Annotated[Project, ProjectAccess(Permission.INVENTORY_READ)]
Exporter = Annotated[Project, ProjectAccess(Permission.EVIDENCE_EXPORT)]
# The HTML report is self-contained: inline styles and nothing else.
_HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


@router.get(
    "/systems/{record_id}/report",
    operation_id="get_compliance_report",
    response_class=Response,
    responses={
        200: {
            "description": "The compliance report.",
            "content": {media: {} for media in render.MEDIA_TYPES.values()},
        }
    },
)
def get_compliance_report(
    session: SessionDep,
    project: Reader,
    record_id: RecordId,
    runtime: RuntimeDep,
    format: Annotated[render.Format, Query(description="html or pdf")] = "html",
) -> Response:
    """The system's compliance report: classification, risks, requirement-by-requirement
    status in every framework and an evidence appendix, generated now."""
    content = reports_service.report(
        session=session,
        catalog=runtime.catalog,
        project=project,
        system_id=record_id,
        format=format,
    )
    headers = {"Content-Security-Policy": _HTML_POLICY} if format == "html" else {}
    if format == "pdf":
        headers["Content-Disposition"] = 'attachment; filename="compliance-report.pdf"'
    return Response(content, media_type=render.MEDIA_TYPES[format], headers=headers)


@router.get(
    "/systems/{record_id}/evidence-pack",
    operation_id="export_evidence_pack",
    response_class=FileResponse,
    responses={200: {"description": "The evidence pack.", "content": {"application/zip": {}}}},
)
def export_evidence_pack(
    session: SessionDep,
    project: Exporter,
    record_id: RecordId,
    runtime: RuntimeDep,
    store: StoreDep,
) -> FileResponse:
    """A zip of the system's evidence and documents with a manifest of SHA-256 digests,
    the ledger entries that recorded them with inclusion proofs, and a checkpoint signed
    now: `bastion evidence-pack verify` checks it offline. The export is recorded in the
    audit ledger."""
    path = reports_service.evidence_pack(
        session=session,
        store=store,
        signer=runtime.signer,
        catalog=runtime.catalog,
        project=project,
        system_id=record_id,
    )
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return FileResponse(
        path,
        media_type="application/zip",
        filename="evidence-pack.zip",
        headers={"X-Content-SHA256": digest.hexdigest()},
        background=BackgroundTask(os.unlink, path),
    )
