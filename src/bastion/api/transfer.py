"""Streaming uploads into the artifact store and downloads out of it, in constant memory."""

import re
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from bastion.errors import InvalidInput, PayloadTooLarge
from bastion.storage.artifacts import ArtifactStore, BlobInfo

_UNSAFE_FILENAME = re.compile(r"[\x00-\x1f\x7f/\\]")


def clean_filename(name: str) -> str:
    """A file name safe to store and to send back in Content-Disposition."""
    name = _UNSAFE_FILENAME.sub("_", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip()
    if not name or name in {".", ".."}:
        raise InvalidInput("filename must name a file", field="filename")
    return name[:255]


def refuse_declared_excess(request: Request, *, max_size: int, what: str) -> None:
    """Refuse a body whose Content-Length is malformed (422) or over ``max_size`` (413)
    before reading a byte of it."""
    declared = request.headers.get("content-length")
    if declared is None:
        return
    if not declared.isdigit():
        raise InvalidInput("Content-Length must be a whole number", field="Content-Length")
    if int(declared) > max_size:
        raise PayloadTooLarge(
            f"{what} of {declared} bytes exceeds the limit of {max_size} bytes", limit=max_size
        )


async def receive_blob(
    request: Request,
    session: Session,
    store: ArtifactStore,
    *,
    max_size: int,
    expected_digest: str | None = None,
) -> BlobInfo:
    """Stream the request body into the store; nothing is kept unless it all arrives.

    The checks made so far (credential, record lookups) are committed first: on SQLite a
    transaction holds the database's write lock, and an upload may take minutes.
    """
    await run_in_threadpool(session.commit)
    refuse_declared_excess(request, max_size=max_size, what="upload")
    writer = await run_in_threadpool(store.writer, max_size=max_size)
    try:
        async for chunk in request.stream():
            if chunk:
                await run_in_threadpool(writer.write, chunk)
    except ClientDisconnect:
        writer.abort()
        raise InvalidInput("upload interrupted before the end of the body", field="body") from None
    except BaseException:
        writer.abort()
        raise
    return await run_in_threadpool(writer.commit, expected_digest=expected_digest)


def send_blob(
    store: ArtifactStore, *, digest: str, size: int, filename: str, media_type: str
) -> StreamingResponse:
    chunks = store.open(digest)
    return StreamingResponse(
        chunks,
        media_type=media_type,
        headers={
            "Content-Length": str(size),
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            "ETag": f'"{digest}"',
            "X-Content-SHA256": digest,
        },
    )
