"""Outgoing notifications: signed webhooks for approvals (release gates) and alerts, and
e-mails for alerts.

Callers hold a :class:`Notifier` made once by :func:`notifier_from_settings` and call
``notify(event, payload)``, which returns at once and never fails the action; receivers
check what they get with :func:`verify`. E-mails go the same way through a :class:`Mailer`
(:func:`mailer_from_settings`, ``send(subject, text)``). See docs/notifications.md.
"""

from bastion.notify.delivery import DeliveryStats
from bastion.notify.email import EmailNotifier, Mailer, NullMailer, mailer_from_settings
from bastion.notify.notifier import Notifier, NullNotifier, notifier_from_settings
from bastion.notify.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
    verify,
)
from bastion.notify.webhook import WebhookNotifier

__all__ = [
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "DeliveryStats",
    "EmailNotifier",
    "Mailer",
    "Notifier",
    "NullMailer",
    "NullNotifier",
    "WebhookNotifier",
    "mailer_from_settings",
    "notifier_from_settings",
    "sign",
    "verify",
]
