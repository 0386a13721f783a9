"""The Python SDK: ``Client`` over the REST API, and its exception tree."""

from bastion.sdk.client import Client
from bastion.sdk.errors import (
    ApiError,
    AuthenticationError,
    BastionClientError,
    ConflictError,
    DigestMismatchError,
    GateDeniedError,
    InvalidInputError,
    InvalidRequestError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    ServerError,
    ServiceUnavailableError,
    TransportError,
)

__all__ = [
    "ApiError",
    "AuthenticationError",
    "BastionClientError",
    "Client",
    "ConflictError",
    "DigestMismatchError",
    "GateDeniedError",
    "InvalidInputError",
    "InvalidRequestError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "ServerError",
    "ServiceUnavailableError",
    "TransportError",
]
