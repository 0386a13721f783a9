"""Outgoing notifications by signed webhook, delivered in the background.

The action that raises an event (a release gate approved, later a monitoring alert) calls
:meth:`WebhookNotifier.notify`, which serializes the payload, puts it on a bounded queue
and returns at once: a slow, failing or unreachable receiver never blocks or fails the
action. One daemon worker thread, started on the first notification, POSTs each
notification signed as :mod:`bastion.notify.signing` describes, and retries transient
failures with exponential back-off and jitter. What cannot be delivered is counted and
logged — by event type and delivery id, never with the payload, the secret or the URL's
path, which for many webhook services is itself a credential.
"""

from __future__ import annotations

import email.utils
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as time_of_day
from decimal import Decimal
from enum import Enum
from functools import partial
from types import TracebackType
from typing import Any

import httpx

from bastion import __version__
from bastion.errors import InvalidInput
from bastion.notify.delivery import (
    Attempt,
    DeliveryQueue,
    DeliveryStats,
    Outcome,
    backoff_delay,
    is_loopback,
)
from bastion.notify.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    SIGNATURE_PREFIX,
    TIMESTAMP_HEADER,
    sign,
)

# DeliveryStats and backoff_delay live in bastion.notify.delivery; still importable here.
__all__ = ["DeliveryStats", "WebhookNotifier", "backoff_delay", "check_event_type"]

logger = logging.getLogger(__name__)

# Event types go into a header: keep them to a safe, readable alphabet
# (``release_gate.approved``, ``monitoring.alert``).
_EVENT_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_USER_AGENT = f"bastion/{__version__} (webhook)"


@dataclass(frozen=True, slots=True)
class _Delivery:
    id: str
    event: str
    body: bytes


def _retry_after_seconds(value: str | None) -> float | None:
    """RFC 9110 section 10.2.3: delay-seconds or an HTTP-date; ``None`` if unusable."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit() and len(value) <= 10:
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000": the RFC says HTTP-dates are in UTC
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - time.time())


def _json_default(value: object) -> object:
    # The types an event payload naturally holds besides JSON's own.
    if isinstance(value, datetime | date | time_of_day):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _encode(document: Mapping[str, Any]) -> bytes:
    """Canonical UTF-8 JSON: sorted keys, no whitespace, no NaN or infinities."""
    return json.dumps(
        document,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=_json_default,
    ).encode("utf-8")


def check_event_type(event: str) -> None:
    """Raise :class:`InvalidInput` unless ``event`` is 1-128 letters, digits and ``._:-``."""
    if not isinstance(event, str) or not _EVENT_TYPE.fullmatch(event):
        raise InvalidInput(
            "a notification event type is 1-128 letters, digits and '._:-'", field="event"
        )


def _checked_origin(url: str, *, allow_insecure: bool) -> str:
    """``scheme://host[:port]`` of an acceptable webhook URL; raises on any other.

    Error messages name the scheme and host but never the whole URL: the path or query
    of a webhook URL often is a credential (Slack, Teams, Discord).
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise InvalidInput("the notification webhook URL is not a valid URL", field="url") from None
    if parsed.scheme not in ("http", "https"):
        raise InvalidInput(
            f"the notification webhook URL must be http(s), not {parsed.scheme or 'relative'!r}",
            field="url",
        )
    host = parsed.host
    if not host:
        raise InvalidInput("the notification webhook URL has no host", field="url")
    if parsed.scheme == "http" and not allow_insecure and not is_loopback(host):
        raise InvalidInput(
            f"refusing a plain-http notification webhook to {host}: the signature would "
            "not hide the payload, so personal data in notifications would travel in clear, "
            "and anyone on the path could read them and replay them to the receiver. Use "
            "https, or pass allow_insecure=True for a trusted network.",
            field="url",
        )
    shown_host = f"[{host}]" if ":" in host else host
    port = f":{parsed.port}" if parsed.port is not None else ""
    return f"{parsed.scheme}://{shown_host}{port}"


class WebhookNotifier:
    """Sends notifications to one webhook, signed, in the background, with retries.

    Parameters
    ----------
    url
        The receiver's endpoint: https, or http to a loopback host (``localhost``,
        ``127.0.0.0/8``, ``::1``) unless ``allow_insecure``.
    secret
        The HMAC key shared with the receiver; never shown in ``repr`` or logs.
    max_attempts
        Attempts per notification, the first included, before it is counted failed.
    backoff_base, backoff_max
        Seconds: the wait after attempt ``n`` is about ``backoff_base * 2**(n-1)``
        (with jitter), at most ``backoff_max``, which also caps a ``Retry-After``.
    timeout
        Seconds for connecting, and for each read and write, of one attempt.
    queue_size
        Notifications waiting at most; beyond, new ones are dropped with a warning.
    allow_insecure
        Accept plain http to a non-loopback host.

    Raises
    ------
    InvalidInput
        For a URL that is not http(s), plain http to another host without
        ``allow_insecure``, an empty secret or an out-of-range limit.

    Examples
    --------
    >>> notifier = WebhookNotifier("https://hooks.example.com/bastion", b"s3cret")
    >>> delivery_id = notifier.notify("release_gate.approved", {"gate": "prod"})
    >>> notifier.close(timeout=5)  # at shutdown: deliver what can be, then stop
    """

    def __init__(
        self,
        url: str,
        secret: bytes,
        *,
        max_attempts: int = 6,
        backoff_base: float = 1.0,
        backoff_max: float = 300.0,
        timeout: float = 10.0,
        queue_size: int = 1000,
        allow_insecure: bool = False,
    ) -> None:
        self._origin = _checked_origin(url, allow_insecure=allow_insecure)
        if not isinstance(secret, bytes | bytearray) or not secret:
            raise InvalidInput("the notification webhook secret must be non-empty bytes")
        self._queue = DeliveryQueue(
            self._connect,
            describe=self._describe,
            report=self._report,
            sender="notifier",
            thread_name="bastion-notify-webhook",
            logger=logger,
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            backoff_max=backoff_max,
            queue_size=queue_size,
        )
        if not timeout > 0:
            raise InvalidInput("timeout must be positive", field="timeout")
        self._url = url
        self._secret = bytes(secret)
        self._timeout = timeout

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(url={self._origin!r}, "
            f"max_attempts={self._queue.max_attempts}, queue_size={self._queue.queue_size})"
        )

    def __enter__(self) -> WebhookNotifier:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def deliveries(self) -> DeliveryStats:
        """A snapshot of the sent, failed and dropped counts."""
        return self._queue.stats

    def notify(self, event: str, payload: Mapping[str, Any]) -> str:
        """Queue a notification and return its delivery id at once.

        Parameters
        ----------
        event
            The event type (``X-Bastion-Event``): letters, digits and ``._:-``.
        payload
            The event's data, sent as ``data``: JSON types, plus datetimes, dates, UUIDs,
            Decimals and Enums. It is serialized now, so later changes to it are not sent.

        Returns
        -------
        str
            The delivery id (a UUID), sent as ``X-Bastion-Delivery`` and ``id``.

        Raises
        ------
        InvalidInput
            Only for a malformed event type, a programming error. Delivery problems —
            a full queue, an unserializable payload, an unreachable receiver — are logged
            and counted in :attr:`deliveries`, never raised.
        """
        check_event_type(event)
        delivery_id = str(uuid.uuid4())
        document = {
            "id": delivery_id,
            "event": event,
            "created_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "data": payload,
        }
        try:
            body = _encode(document)
        except Exception as exc:  # whatever the payload holds, the action goes on
            self._queue.count_dropped()
            # json's TypeErrors (and ours) name a type; other messages may quote a value.
            reason = str(exc) if isinstance(exc, TypeError) else type(exc).__name__
            logger.error(
                "notification %s (delivery %s) dropped: its payload cannot be encoded as JSON (%s)",
                event,
                delivery_id,
                reason,
            )
            return delivery_id

        self._queue.put(_Delivery(delivery_id, event, body))
        return delivery_id

    def close(self, timeout: float = 10.0) -> None:
        """Deliver what can be delivered within ``timeout`` seconds, then stop.

        New notifications are dropped from now on. Whatever is still queued when the
        time is up is counted as dropped; a request in flight at that moment ends
        within the notifier's own ``timeout``, in the background. Closing twice is
        harmless.
        """
        abandoned = self._queue.close(timeout)
        if abandoned:
            logger.warning(
                "%d notification(s) to %s not delivered: the notifier closed first",
                abandoned,
                self._origin,
            )

    # -- what the delivery queue's worker thread calls -----------------------------

    @contextmanager
    def _connect(self) -> Iterator[Callable[[_Delivery], Attempt]]:
        headers = {"Content-Type": "application/json", "User-Agent": _USER_AGENT}
        # Redirects are not followed: they would carry signed data to another place.
        with httpx.Client(timeout=self._timeout, follow_redirects=False, headers=headers) as client:
            yield partial(self._attempt, client)

    def _describe(self, delivery: _Delivery) -> str:
        return f"notification {delivery.event} (delivery {delivery.id}) to {self._origin}"

    def _attempt(self, client: httpx.Client, delivery: _Delivery) -> Attempt:
        # Signed at each attempt: a retry an hour later must not look like a replay.
        timestamp = int(time.time())
        headers = {
            SIGNATURE_HEADER: SIGNATURE_PREFIX + sign(self._secret, timestamp, delivery.body),
            TIMESTAMP_HEADER: str(timestamp),
            EVENT_HEADER: delivery.event,
            DELIVERY_HEADER: delivery.id,
        }
        try:
            # Streamed and not read: the receiver's answer is its status, and a huge or
            # endless body must not cost memory or time.
            with client.stream("POST", self._url, content=delivery.body, headers=headers) as r:
                status = r.status_code
                retry_after = _retry_after_seconds(r.headers.get("Retry-After"))
        except httpx.TransportError as exc:  # connection refused, timeouts, resets
            return Attempt("retry", type(exc).__name__)
        if 200 <= status < 300:
            return Attempt("sent")
        if status == 429 or status >= 500:
            return Attempt("retry", f"HTTP {status}", retry_after)
        return Attempt("refused", f"HTTP {status}")

    def _report(self, delivery: _Delivery, outcome: Outcome, reason: str) -> None:
        if outcome == "sent":
            logger.debug(
                "notification %s (delivery %s) delivered to %s",
                delivery.event,
                delivery.id,
                self._origin,
            )
        else:
            logger.warning("%s %s: %s", self._describe(delivery), outcome, reason)
