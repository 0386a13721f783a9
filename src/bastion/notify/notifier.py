"""What callers hold: a :class:`Notifier`, a webhook one or a :class:`NullNotifier` when no
webhook is configured, chosen once from the settings by :func:`notifier_from_settings`."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any, Protocol

from pydantic import SecretStr

from bastion.errors import InvalidInput
from bastion.notify.delivery import DeliveryStats
from bastion.notify.webhook import WebhookNotifier, check_event_type

__all__ = ["Notifier", "NullNotifier", "notifier_from_settings"]

logger = logging.getLogger(__name__)


class Notifier(Protocol):
    """The interface of every notifier: ``notify`` never blocks nor fails the caller."""

    @property
    def deliveries(self) -> DeliveryStats: ...

    def notify(self, event: str, payload: Mapping[str, Any]) -> str: ...

    def close(self, timeout: float = 10.0) -> None: ...


class NullNotifier:
    """A notifier that sends nothing, for when no webhook is configured."""

    def __repr__(self) -> str:
        return "NullNotifier()"

    @property
    def deliveries(self) -> DeliveryStats:
        """Always zero: nothing is sent, failed or dropped."""
        return DeliveryStats()

    def notify(self, event: str, payload: Mapping[str, Any]) -> str:
        """Return a fresh delivery id and send nothing.

        The event type is checked as :class:`WebhookNotifier` checks it, so that a bad one
        shows up where no webhook is configured too (in development, in tests).
        """
        check_event_type(event)
        return str(uuid.uuid4())

    def close(self, timeout: float = 10.0) -> None:
        """Nothing to close."""


def notifier_from_settings(
    url: str | None, secret: SecretStr | None, *, allow_insecure: bool = False
) -> Notifier:
    """The notifier the settings ask for.

    Parameters
    ----------
    url
        ``notification_webhook_url`` (``BASTION_NOTIFICATION_WEBHOOK_URL``); none or
        empty means no notifications.
    secret
        ``notification_webhook_secret`` (``BASTION_NOTIFICATION_WEBHOOK_SECRET``), the HMAC
        key, used as its UTF-8 bytes. Required with a URL.
    allow_insecure
        Passed to :class:`WebhookNotifier`: accept plain http to a non-loopback host.

    Raises
    ------
    InvalidInput
        For a URL without a secret, or a URL :class:`WebhookNotifier` refuses — at start-up,
        rather than when the first notification is due.
    """
    if not url:
        if secret is not None:
            logger.warning("a notification webhook secret is set but no URL: notifications are off")
        return NullNotifier()
    key = secret.get_secret_value().encode("utf-8") if secret is not None else b""
    if not key:
        raise InvalidInput(
            "a notification webhook URL needs a secret (BASTION_NOTIFICATION_WEBHOOK_SECRET) "
            "so that the receiver can tell Bastion's notifications from forged ones",
            field="notification_webhook_secret",
        )
    return WebhookNotifier(url, key, allow_insecure=allow_insecure)
