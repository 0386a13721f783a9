"""The one exception tree of the platform.

Services raise these; the API turns them into RFC 9457 problem+json responses in one
handler (``bastion.api.problems``) and the CLI into one readable line and a non-zero exit.
"""

from typing import Any


class BastionError(Exception):
    """Root of every error Bastion raises on purpose."""

    status: int = 500
    title: str = "Internal error"
    slug: str = "internal"

    def __init__(self, detail: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra


class InvalidInput(BastionError):
    status = 422
    title = "Invalid input"
    slug = "invalid-input"


class Unauthenticated(BastionError):
    status = 401
    title = "Authentication required"
    slug = "unauthenticated"


class PermissionDenied(BastionError):
    status = 403
    title = "Permission denied"
    slug = "permission-denied"


class NotFound(BastionError):
    status = 404
    title = "Not found"
    slug = "not-found"


class Conflict(BastionError):
    status = 409
    title = "Conflict"
    slug = "conflict"


class PayloadTooLarge(BastionError):
    status = 413
    title = "Payload too large"
    slug = "payload-too-large"


class StorageUnavailable(BastionError):
    status = 503
    title = "Storage unavailable"
    slug = "storage-unavailable"
