"""Monitors and windows made straight in the database, recorded the way the monitoring
domain records them: the window's row, its ``monitoring.window`` evidence, then every
subscriber of ``on_window_recorded`` in the same transaction. Alerts are judged on
figures, so the tests give the figures rather than prediction data."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bastion.evidence import service as evidence_service
from bastion.evidence.models import Verdict
from bastion.evidence.schemas import EvidenceCreate
from bastion.inventory.enums import SubjectType
from bastion.ledger import service as ledger_service
from bastion.monitoring import service as monitoring_service
from bastion.monitoring.models import Monitor, MonitorWindow
from bastion.storage.database import transaction

START = datetime(2026, 1, 5, tzinfo=UTC)


def drift_rule(**fields: Any) -> dict[str, Any]:
    return {
        "name": "drift-high",
        "metric": "drift.share",
        "condition": "above",
        "threshold": 0.3,
        "for_windows": 2,
        "severity": "high",
    } | fields


@contextmanager
def unit(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One committed transaction, recorded in the ledger as the scheduler's."""
    with transaction(sessions) as session:
        ledger_service.bind(session, ledger_service.SYSTEM)
        yield session


def make_monitor(
    sessions: sessionmaker[Session],
    *,
    project_id: str | uuid.UUID,
    version_id: str | uuid.UUID,
    rules: list[dict[str, Any]],
    name: str = "inputs",
) -> uuid.UUID:
    with unit(sessions) as session:
        monitor = Monitor(
            id=uuid.uuid4(),
            project_id=uuid.UUID(str(project_id)),
            model_version_id=uuid.UUID(str(version_id)),
            name=name,
            reference={"source": "upload"},
            columns=["age", "hours_per_week"],
            categorical=[],
            prediction_column="prediction",
            window={"rows": 1000},
            min_rows=100,
            schedule_seconds=3600,
            alert_rules=rules,
        )
        session.add(monitor)
        session.flush()
        return monitor.id


def set_rules(sessions: sessionmaker[Session], monitor_id: uuid.UUID, rules: list[Any]) -> None:
    with unit(sessions) as session:
        session.get_one(Monitor, monitor_id).alert_rules = rules


def record_window(
    session: Session, monitor_id: uuid.UUID, number: int, metrics: dict[str, float | None]
) -> MonitorWindow:
    """Record window ``number`` (or evaluate it again) with these metrics, in ``session``."""
    monitor = session.get_one(Monitor, monitor_id)
    window = session.scalar(
        select(MonitorWindow).where(
            MonitorWindow.monitor_id == monitor_id, MonitorWindow.number == number
        )
    )
    if window is None:
        window = MonitorWindow(
            project_id=monitor.project_id,
            monitor_id=monitor.id,
            number=number,
            start_at=START + timedelta(hours=number),
            end_at=START + timedelta(hours=number + 1),
            rows=1000,
            status="ok",
            batch_seq=number,
        )
        session.add(window)
    else:
        window.revision += 1
    window.metrics = metrics
    session.flush()
    evidence = evidence_service.record_evidence(
        session=session,
        project_id=monitor.project_id,
        data=EvidenceCreate(
            kind=monitoring_service.WINDOW_KIND,
            subject_type=SubjectType.MODEL_VERSION,
            subject_id=monitor.model_version_id,
            verdict=Verdict.INFO,
            summary=f"window {number} of {monitor.name}",
            result={"schema_version": 1, "window": number, "metrics": metrics},
        ),
    )
    window.evidence_id = evidence.id
    for subscriber in monitoring_service.on_window_recorded:
        subscriber(session, monitor, window, evidence)
    return window


@dataclass
class Windows:
    """Records the windows of one monitor, each in its own committed transaction."""

    sessions: sessionmaker[Session]
    monitor_id: uuid.UUID
    number: int = 0

    def next(self, **metrics: float | None) -> MonitorWindow:
        self.number += 1
        return self.again(self.number, **metrics)

    def again(self, number: int, **metrics: float | None) -> MonitorWindow:
        flat = {name.replace("__", "."): value for name, value in metrics.items()}
        with unit(self.sessions) as session:
            return record_window(session, self.monitor_id, number, flat)
