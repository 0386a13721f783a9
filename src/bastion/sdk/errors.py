"""The SDK's own exception tree, and the translation of HTTP and transport failures into it.

Modelled on httpx's ``map_exceptions``: callers catch ``BastionClientError`` (or one of its
subclasses) and never see an httpx exception. A server error arrives as RFC 9457
problem+json (``bastion.api.problems``); ``ApiError`` keeps every part of it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pydantic


class BastionClientError(Exception):
    """Root of every error the SDK raises."""

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class TransportError(BastionClientError):
    """The server could not be reached, or did not answer in time.

    Attributes
    ----------
    url : str
        The base URL of the server.
    reason : str
        What went wrong, e.g. ``connection refused`` or ``timed out after 30.0 s``.
    """

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot reach Bastion at {url}: {reason}")
        self.url = url
        self.reason = reason


class InvalidRequestError(BastionClientError, ValueError):
    """Arguments that fail the API schema, found before anything is sent."""


class DigestMismatchError(BastionClientError):
    """A downloaded file does not have the SHA-256 digest the server announced.

    Nothing is written at the destination when this is raised.
    """

    def __init__(self, detail: str, *, expected: str | None, actual: str) -> None:
        super().__init__(detail, field="digest")
        self.expected = expected
        self.actual = actual


class ApiError(BastionClientError):
    """The server answered with an error status.

    Attributes
    ----------
    status : int
        The HTTP status code.
    title : str
        Short summary of the problem type.
    detail : str
        Human explanation of this occurrence.
    field : str or None
        The request field at fault, when the server names one.
    request_id : str or None
        Id of the request in the server's logs and audit ledger; quote it in reports.
    body : dict
        The whole problem+json document (empty if the server sent something else).
    """

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        field: str | None = None,
        request_id: str | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail, field=field)
        self.status = status
        self.title = title
        self.request_id = request_id
        self.body = body or {}

    def __str__(self) -> str:
        return f"{self.detail} (field: {self.field})" if self.field else self.detail


class AuthenticationError(ApiError):
    """401: the API key is missing, wrong, expired or revoked."""


class PermissionDeniedError(ApiError):
    """403: the key is valid but may not do this."""


class NotFoundError(ApiError):
    """404: no such record, or none that this key may see."""


class ConflictError(ApiError):
    """409: the change clashes with existing data (duplicate name, declared digest, stage)."""


class GateDeniedError(ConflictError):
    """409 from a stage change: the release gate denied it. ``decision`` holds the gate's
    answer (``allow``, ``reasons``, ``approvals``, the recorded evidence)."""

    @property
    def decision(self) -> dict[str, Any]:
        decision = self.body.get("decision")
        return decision if isinstance(decision, dict) else {}


class PayloadTooLargeError(ApiError):
    """413: the upload is larger than the server accepts."""


class InvalidInputError(ApiError):
    """422: the server refused the request's content; ``field`` names the culprit."""


class ServerError(ApiError):
    """5xx: the server failed; retrying later may help."""


class ServiceUnavailableError(ServerError):
    """503: the server is up but its storage is not."""


_BY_STATUS: dict[int, type[ApiError]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    422: InvalidInputError,
    503: ServiceUnavailableError,
}


def _problem_field(body: dict[str, Any]) -> str | None:
    field = body.get("field")
    if isinstance(field, str):
        return field
    # Schema validation problems list every error; the first one names the field to fix.
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0].get("field")
        return first if isinstance(first, str) else None
    return None


def error_from_response(response: httpx.Response) -> ApiError:
    """The ``ApiError`` subclass for an error response, filled from its problem+json body."""
    try:
        parsed = response.json()
    except ValueError:
        parsed = None
    body: dict[str, Any] = parsed if isinstance(parsed, dict) else {}
    status = response.status_code
    title = str(body.get("title") or response.reason_phrase or f"HTTP {status}")
    detail = str(body.get("detail") or response.text.strip()[:200] or title)
    request_id = body.get("request_id") or response.headers.get("x-request-id")
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else ApiError)
    if status == 409 and str(body.get("type", "")).endswith("/gate-denied"):
        cls = GateDeniedError
    return cls(
        status,
        title,
        detail,
        field=_problem_field(body),
        request_id=str(request_id) if request_id else None,
        body=body,
    )


def _reason(exc: httpx.TransportError, timeout: float) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out after {timeout} s"
    if isinstance(exc, httpx.ConnectError):
        # The OS message ("[Errno 111] Connection refused") is the useful part.
        text = str(exc) or "connection failed"
        return text.split("] ", 1)[-1].lower() if "] " in text else text
    return str(exc) or type(exc).__name__


@contextmanager
def map_transport_errors(url: str, timeout: float) -> Iterator[None]:
    """Turn httpx transport failures inside the block into ``TransportError``."""
    try:
        yield
    except httpx.TransportError as exc:
        raise TransportError(url, _reason(exc, timeout)) from exc


def invalid_request(exc: pydantic.ValidationError) -> InvalidRequestError:
    """A local schema failure, worded like the server's 422 (``field: message``)."""
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    detail = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'request'}: {e['msg']}" for e in exc.errors()
    )
    return InvalidRequestError(detail, field=field)
