"""The model card route: JSON for programs, Markdown for repositories, HTML for people."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from bastion.api.deps import ProjectAccess, RecordId, SessionDep
from bastion.cards import render
from bastion.cards import service as card_service
from bastion.iam.permissions import Permission
from bastion.inventory.models import Project

router = APIRouter(prefix="/api/v1/projects/{project}", tags=["model cards"])

Reader = Annotated[Project, ProjectAccess(Permission.INVENTORY_READ)]
# The HTML card is self-contained: it needs inline styles and SVG, and nothing else —
# no scripts, no requests — so the browser is told to allow exactly that.
_HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@router.get(
    "/model-versions/{record_id}/card",
    operation_id="get_model_card",
    response_class=Response,
    responses={
        200: {
            "description": "The model card.",
            "content": {media: {} for media in render.MEDIA_TYPES.values()},
        }
    },
)
def get_model_card(
    session: SessionDep,
    project: Reader,
    record_id: RecordId,
    format: Annotated[render.Format, Query(description="json, md or html")] = "json",
) -> Response:
    """The model card of a model version, generated now from its inventory record and the
    current evidence about it."""
    card = card_service.build_card(session=session, project=project, model_version_id=record_id)
    headers = {"Content-Security-Policy": _HTML_POLICY} if format == "html" else {}
    return Response(
        render.render(card, format), media_type=render.MEDIA_TYPES[format], headers=headers
    )
