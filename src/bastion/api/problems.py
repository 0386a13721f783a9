"""RFC 9457 problem+json responses: the one place where errors become HTTP."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException

from bastion.errors import BastionError
from bastion.logs import request_id_var

logger = logging.getLogger("bastion.api")

PROBLEM_TYPE_BASE = "https://bastion.dev/problems/"
MEDIA_TYPE = "application/problem+json"


def problem(status: int, title: str, detail: str, *, slug: str, **extra: Any) -> JSONResponse:
    body = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "request_id": request_id_var.get(),
        **extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra["retry_after"])
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _field_path(loc: tuple[Any, ...]) -> str:
    # ("body", "datasets", 0, "role") -> "datasets[0].role"; the source is in "in".
    path = ""
    for part in loc[1:]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or str(loc[0])


async def _bastion_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BastionError)  # noqa: S101 - registered for this type only
    extra: dict[str, Any] = dict(exc.extra)
    if exc.field:
        extra["field"] = exc.field
    return problem(exc.status, exc.title, exc.detail, slug=exc.slug, **extra)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    errors = [
        {"field": _field_path(tuple(e["loc"])), "in": e["loc"][0], "message": e["msg"]}
        for e in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    # The first field at fault also goes where the services' own errors put it, so that
    # a client reads `field` the same way for every 422.
    return problem(
        422, "Invalid input", detail, slug="invalid-input", field=errors[0]["field"], errors=errors
    )


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)  # noqa: S101
    return problem(
        exc.status_code, str(exc.detail), str(exc.detail), slug=f"http-{exc.status_code}"
    )


async def _integrity_error(_request: Request, exc: Exception) -> JSONResponse:
    # Reached only when a concurrent request won a race that the service's own checks
    # could not see; the database constraint kept the data consistent.
    logger.warning("integrity error: %s", type(exc).__name__)
    return problem(
        409, "Conflict", "the change conflicts with a concurrent change; retry", slug="conflict"
    )


async def _database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    logger.error("database error: %s", str(exc).splitlines()[0])
    return problem(
        503,
        "Storage unavailable",
        "the database is unavailable; retry later",
        slug="storage-unavailable",
    )


async def unexpected_error(_request: Request, exc: Exception) -> JSONResponse:
    """The answer to an error nobody raised on purpose; called by ``app.RequestContext``."""
    logger.exception("unhandled error", exc_info=exc)
    return problem(
        500,
        "Internal error",
        "an unexpected error occurred; quote the request id when reporting it",
        slug="internal",
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(BastionError, _bastion_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    # Not registered for Exception: Starlette runs that handler outside every middleware,
    # where the request id is gone. ``app.RequestContext`` calls ``unexpected_error``.
