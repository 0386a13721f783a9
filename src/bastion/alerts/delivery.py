"""Alert notifications leave only once the transaction that decided them has committed.

An alert changes state inside a window's transaction, which may still roll back (a
conflict with another server evaluating the same window, a failing subscriber): a
webhook or an e-mail sent before the commit could announce an alert that never was.
So the alert service puts its notifications on the session (:func:`send_after_commit`),
and a listener hands them to the runtime's notifier and mailer after the commit — or
drops them when the transaction, or the savepoint they were queued in, rolls back.
Both senders queue and return at once, so the commit is never held up by delivery.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from bastion.notify import Notifier
from bastion.notify.email import Mailer

logger = logging.getLogger(__name__)

NOTIFIER_KEY = "bastion.alerts.notifier"
MAILER_KEY = "bastion.alerts.mailer"
_OUTBOX_KEY = "bastion.alerts.outbox"


def session_info(notifier: Notifier, mailer: Mailer) -> dict[str, Any]:
    """What every session carries for alerts (see ``Runtime.start``): where notifications
    go. Alerts change state inside the monitoring domain's transaction, where only the
    session is at hand."""
    return {NOTIFIER_KEY: notifier, MAILER_KEY: mailer}


@dataclass(frozen=True)
class Outgoing:
    """One notification: a webhook event and the e-mail saying the same."""

    event: str
    payload: Mapping[str, Any]
    subject: str
    text: str


@dataclass
class _Queued:
    outgoing: Outgoing
    # The innermost transaction when it was queued: its rollback takes the message back.
    transaction: SessionTransaction | None = field(default=None)


def send_after_commit(session: Session, outgoing: Outgoing) -> None:
    """Send ``outgoing`` when the session's transaction commits; never if it rolls back."""
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_OUTBOX_KEY, []).append(_Queued(outgoing, transaction))


@event.listens_for(Session, "after_commit")
def _deliver(session: Session) -> None:
    queued: list[_Queued] = session.info.pop(_OUTBOX_KEY, [])
    if not queued:
        return
    notifier = session.info.get(NOTIFIER_KEY)
    mailer = session.info.get(MAILER_KEY)
    for item in queued:
        outgoing = item.outgoing
        # The commit has happened: a failure to hand over must not turn it into an error.
        try:
            if notifier is not None:
                notifier.notify(outgoing.event, outgoing.payload)
            if mailer is not None:
                mailer.send(outgoing.subject, outgoing.text)
        except Exception:
            logger.exception("alert notification %s could not be queued", outgoing.event)


def _within(transaction: SessionTransaction | None, rolled_back: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is rolled_back:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _discard(session: Session, previous_transaction: SessionTransaction) -> None:
    queued: list[_Queued] | None = session.info.get(_OUTBOX_KEY)
    if not queued:
        return
    kept = [q for q in queued if not _within(q.transaction, previous_transaction)]
    if kept:
        session.info[_OUTBOX_KEY] = kept
    else:
        session.info.pop(_OUTBOX_KEY)
