"""Running due monitors in the server, without an extra service: the runtime's monitor
thread calls ``run_due`` every ``monitor_interval_seconds``.

Safe with several server replicas: a replica claims a due monitor by moving its
``next_run_at`` forward with a conditional UPDATE (the replica whose UPDATE matched runs
it, the others see no row changed and skip it), and a window is recorded once whatever
happens (unique per monitor and window number). Each monitor runs in its own
transactions: one that fails is logged and noted on the monitor (``last_error``), and
the others run.
"""

import logging
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bastion.ledger import service as ledger_service
from bastion.monitoring import runs
from bastion.monitoring.models import Monitor
from bastion.storage.artifacts import ArtifactStore
from bastion.storage.base import utcnow

logger = logging.getLogger("bastion.monitoring")

UnitOfWork = Callable[[], AbstractContextManager[Session]]
MAX_MONITORS_PER_TICK = 100
_ERROR_LENGTH = 2000


def _due(unit_of_work: UnitOfWork, now: datetime) -> list[tuple[uuid.UUID, datetime | None]]:
    with unit_of_work() as session:
        rows = session.execute(
            select(Monitor.id, Monitor.next_run_at)
            .where(
                Monitor.enabled.is_(True),
                Monitor.profile_digest.is_not(None),
                or_(Monitor.next_run_at.is_(None), Monitor.next_run_at <= now),
            )
            .order_by(Monitor.next_run_at)
            .limit(MAX_MONITORS_PER_TICK)
        )
        return [(row[0], row[1]) for row in rows]


def _claim(
    unit_of_work: UnitOfWork, monitor_id: uuid.UUID, seen: datetime | None, now: datetime
) -> bool:
    """Move the monitor's next run forward if no other replica did since ``seen``."""
    with unit_of_work() as session:
        monitor = session.get(Monitor, monitor_id)
        if monitor is None:
            return False
        condition = Monitor.next_run_at.is_(None) if seen is None else Monitor.next_run_at == seen
        result = session.execute(
            update(Monitor)
            .where(Monitor.id == monitor_id, condition)
            .values(
                next_run_at=now + timedelta(seconds=monitor.schedule_seconds),
                updated_at=Monitor.updated_at,  # not an edit: keep the column's onupdate off
            )
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))


def _note_failure(unit_of_work: UnitOfWork, monitor_id: uuid.UUID, error: Exception) -> None:
    with unit_of_work() as session:
        session.execute(
            update(Monitor)
            .where(Monitor.id == monitor_id)
            .values(
                last_error=f"{type(error).__name__}: {error}"[:_ERROR_LENGTH],
                updated_at=Monitor.updated_at,
            )
            .execution_options(synchronize_session=False)
        )


def run_due(unit_of_work: UnitOfWork, store: ArtifactStore, *, now: datetime | None = None) -> int:
    """Run every enabled monitor whose next run is due; how many this replica ran."""
    now = now or utcnow()
    ran = 0
    for monitor_id, seen in _due(unit_of_work, now):
        try:
            if not _claim(unit_of_work, monitor_id, seen, now):
                continue
            with unit_of_work() as session:
                ledger_service.bind(session, ledger_service.SYSTEM)
                monitor = session.get(Monitor, monitor_id)
                if monitor is None:
                    continue
                runs.run_monitor(session=session, store=store, monitor=monitor, now=now)
            ran += 1
        except Exception as exc:  # one monitor's failure must not stop the others
            logger.exception("monitor %s failed", monitor_id)
            try:
                _note_failure(unit_of_work, monitor_id, exc)
            except Exception:
                logger.exception("could not note the failure of monitor %s", monitor_id)
    return ran
