"""Outgoing notifications: signed webhooks for approvals (release gates) and alerts.

Callers hold a :class:`Notifier` made once by :func:`notifier_from_settings` and call
``notify(event, payload)``, which returns at once and never fails the action; receivers
check what they get with :func:`verify`. See docs/notifications.md.
"""

from bastion.notify.notifier import Notifier, NullNotifier, notifier_from_settings
from bastion.notify.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
    verify,
)
from bastion.notify.webhook import DeliveryStats, WebhookNotifier

__all__ = [
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "DeliveryStats",
    "Notifier",
    "NullNotifier",
    "WebhookNotifier",
    "notifier_from_settings",
    "sign",
    "verify",
]
