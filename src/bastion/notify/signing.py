"""Signatures of outgoing webhook notifications, and their verification by a receiver.

The sender (:class:`bastion.notify.WebhookNotifier`) signs ``f"{timestamp}.".encode() +
body`` with HMAC-SHA256 (RFC 2104) under a secret shared with the receiver; the receiver
recomputes it with :func:`verify`. Binding the timestamp into the signed bytes is the
scheme Stripe and Slack use: a captured request replayed later carries a stale timestamp
that cannot be changed without breaking the signature. Pure functions, no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import time

__all__ = [
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "SIGNATURE_PREFIX",
    "TIMESTAMP_HEADER",
    "sign",
    "verify",
]

SIGNATURE_HEADER = "X-Bastion-Signature"
"""``sha256=<hex HMAC-SHA256>`` of the timestamp and the body."""
TIMESTAMP_HEADER = "X-Bastion-Timestamp"
"""Unix seconds at which this attempt was signed (each retry is signed afresh)."""
EVENT_HEADER = "X-Bastion-Event"
"""The event type, e.g. ``release_gate.approved``."""
DELIVERY_HEADER = "X-Bastion-Delivery"
"""A UUID per notification, the same on every retry: receivers de-duplicate on it."""
SIGNATURE_PREFIX = "sha256="

DEFAULT_TOLERANCE_SECONDS = 300


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``f"{timestamp}.".encode() + body`` under ``secret``.

    Parameters
    ----------
    secret
        The secret shared with the receiver.
    timestamp
        Unix seconds, sent alongside in ``X-Bastion-Timestamp``.
    body
        The exact bytes of the request body.

    Returns
    -------
    str
        64 lowercase hex digits (the header carries ``sha256=`` before them).
    """
    message = f"{int(timestamp)}.".encode("ascii") + body
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def verify(
    secret: bytes,
    body: bytes,
    signature_header: str | None,
    timestamp_header: str | None,
    *,
    now: float | None = None,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """Whether a received notification is authentic and fresh.

    Parameters
    ----------
    secret
        The secret shared with the sender.
    body
        The raw request body, exactly as received (before any JSON parsing).
    signature_header
        The value of ``X-Bastion-Signature`` (``sha256=<hex>``), or ``None`` if absent.
    timestamp_header
        The value of ``X-Bastion-Timestamp`` (Unix seconds), or ``None`` if absent.
    now
        The receiver's current Unix time; defaults to :func:`time.time`.
    tolerance_seconds
        How far the timestamp may lie from ``now``, in the past or in the future.

    Returns
    -------
    bool
        ``False`` for a missing or malformed header, a timestamp outside the tolerance
        (a replay or a badly wrong clock), or a signature that does not match; never raises
        on what a client sent.
    """
    if signature_header is None or timestamp_header is None:
        return False
    # Digits only: int() would also take " 12", "+12" and "1_2", which sign() never writes;
    # and a bounded length, since int() raises on a string of more than 4300 digits.
    if not (
        len(timestamp_header) <= 20 and timestamp_header.isascii() and timestamp_header.isdigit()
    ):
        return False
    timestamp = int(timestamp_header)
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_seconds:
        return False
    if not signature_header.startswith(SIGNATURE_PREFIX):
        return False
    received = signature_header[len(SIGNATURE_PREFIX) :]
    expected = sign(secret, timestamp, body)
    # Compare bytes: compare_digest refuses non-ASCII str, and a client chooses this one.
    return hmac.compare_digest(expected.encode("ascii"), received.encode("utf-8", "replace"))
