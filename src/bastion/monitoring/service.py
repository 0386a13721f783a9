"""Monitors of model versions: creating them with their reference, changing them, and the
subscribers told of every evaluated window. Runs are in ``bastion.monitoring.runs``, the
prediction log in ``bastion.monitoring.log``.
"""

import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bastion.drift import read_frame
from bastion.errors import Conflict, NotFound
from bastion.evidence.models import Evidence
from bastion.inventory import files as inventory_files
from bastion.inventory import service as inventory_service
from bastion.ledger import service as ledger_service
from bastion.monitoring import reference as monitor_reference
from bastion.monitoring import schemas
from bastion.monitoring.models import Monitor, MonitorWindow
from bastion.storage.artifacts import ArtifactStore
from bastion.storage.base import utcnow
from bastion.storage.pagination import PageResult, paginate

WINDOW_KIND = "monitoring.window"

on_window_recorded: list[Callable[[Session, Monitor, MonitorWindow, Evidence], None]] = []
"""Called after each window's evidence is recorded, in the same transaction (a first
evaluation or a re-evaluation after late labels).

The alerts domain subscribes at import to judge the monitor's alert rules on the
window's ``metrics``. A subscriber that raises fails the window's transaction: the window
is then evaluated again on the next run.
"""

# Fields whose change means fitting the reference profile again.
_REFIT = frozenset({"columns", "categorical", "label_column", "prediction_column"})


class StaleVersion(Conflict):
    """The change was based on a version of the monitor that someone has changed since."""

    title = "Stale monitor version"
    slug = "monitor-version-conflict"


def get_monitor(*, session: Session, project_id: uuid.UUID, monitor_id: uuid.UUID) -> Monitor:
    monitor = session.get(Monitor, monitor_id)
    if monitor is None or monitor.project_id != project_id:
        raise NotFound(f"no monitor with id {monitor_id} in this project")
    return monitor


def list_monitors(
    *, session: Session, project_id: uuid.UUID, query: schemas.MonitorQuery
) -> PageResult[Monitor]:
    stmt = select(Monitor).where(Monitor.project_id == project_id)
    if query.model_version_id is not None:
        stmt = stmt.where(Monitor.model_version_id == query.model_version_id)
    if query.enabled is not None:
        stmt = stmt.where(Monitor.enabled == query.enabled)
    return paginate(
        session,
        stmt,
        entity=Monitor,
        sortable={"name": Monitor.name, "created_at": Monitor.created_at},
        sort=query.sort,
        cursor=query.cursor,
        limit=query.limit,
    )


def _refuse_taken_name(session: Session, version_id: uuid.UUID, name: str) -> None:
    taken = session.scalar(
        select(Monitor.id).where(Monitor.model_version_id == version_id, Monitor.name == name)
    )
    if taken is not None:
        raise Conflict(f"name: this model version already has a monitor {name!r}", field="name")


def _dataset_frame(
    session: Session, store: ArtifactStore, project_id: uuid.UUID, version_id: uuid.UUID
) -> tuple[pl.DataFrame, str]:
    with tempfile.TemporaryDirectory(prefix="bastion-monitor-") as tmp:
        stored = inventory_files.dataset_table(
            session=session,
            store=store,
            project_id=project_id,
            version_id=version_id,
            workdir=Path(tmp),
            field="dataset_version_id",
        )
        return read_frame(stored.path), stored.sha256


def _own_drift_config(monitor: Monitor) -> dict[str, Any]:
    """The monitor's drift settings without the bands learned from its reference."""
    learned = set(monitor.reference.get("learned", ()))
    if not learned:
        return dict(monitor.drift_config)
    columns = monitor.drift_config.get("columns", {})
    own = {k: v for k, v in columns.items() if k not in learned}
    return monitor.drift_config | {"columns": own}


def _learning(monitor: Monitor, window: dict[str, int]) -> monitor_reference.Learning | None:
    if not monitor.reference.get("learn_thresholds"):
        return None
    return monitor_reference.Learning(
        config=monitor_reference.drift_config(_own_drift_config(monitor)),
        window_rows=window.get("rows"),
    )


def _apply_fit(monitor: Monitor, fitted: monitor_reference.Fitted, source: dict[str, Any]) -> None:
    """Keep what was fitted; learned bands replace those learned before, in drift_config
    where they can be read and edited (an edited band is the user's: never relearned)."""
    fitted_from = {"digest": fitted.reference_digest, "rows": fitted.rows}
    if monitor.reference.get("learn_thresholds"):
        own = _own_drift_config(monitor)
        monitor.drift_config = own | {"columns": own.get("columns", {}) | fitted.learned}
        fitted_from |= {"learn_thresholds": True, "learned": sorted(fitted.learned)}
    monitor.reference = source | fitted_from
    monitor.profile_digest = fitted.profile_digest
    monitor.anomaly_digest = fitted.anomaly_digest
    monitor.columns = fitted.columns
    monitor.categorical = fitted.categorical


def create_monitor(
    *,
    session: Session,
    store: ArtifactStore,
    project_id: uuid.UUID,
    version_id: uuid.UUID,
    data: schemas.MonitorCreate,
) -> Monitor:
    """A monitor of the model version; with a dataset version as reference, its profile
    is fitted now, else it waits for ``set_reference``."""
    version = inventory_service.get_model_version(
        session=session, project_id=project_id, version_id=version_id
    )
    _refuse_taken_name(session, version.id, data.name)
    monitor_reference.drift_config(data.drift_config)
    now = utcnow()
    monitor = Monitor(
        id=uuid.uuid4(),
        project_id=project_id,
        model_version_id=version.id,
        name=data.name,
        description=data.description,
        # The flag lives with the reference: every later fit of it learns again.
        reference={
            "source": "upload",
            **({"learn_thresholds": True} if data.learn_thresholds else {}),
        },
        columns=data.columns or [],
        categorical=data.categorical or [],
        prediction_column=data.prediction_column,
        label_column=data.label_column,
        protected_attributes=list(dict.fromkeys(data.protected_attributes)),
        performance=data.performance.model_dump(mode="json"),
        window=data.window.stored(),
        drift_config=data.drift_config,
        min_rows=data.min_rows,
        schedule_seconds=data.schedule,
        enabled=data.enabled,
        alert_rules=[rule.model_dump(mode="json") for rule in data.alert_rules],
        next_run_at=now,
        created_by=ledger_service.context_of(session).actor_id,
        created_at=now,
    )
    if data.dataset_version_id is not None:
        frame, digest = _dataset_frame(session, store, project_id, data.dataset_version_id)
        fitted = monitor_reference.fit(
            store,
            frame,
            columns=data.columns,
            categorical=data.categorical,
            label_column=data.label_column,
            prediction_column=data.prediction_column,
            learn=_learning(monitor, monitor.window),
        )
        source = {
            "source": "dataset_version",
            "dataset_version_id": str(data.dataset_version_id),
            "dataset_digest": digest,
        }
        _apply_fit(monitor, fitted, source)
    session.add(monitor)
    session.flush()
    ledger_service.record(
        session,
        action="monitoring.monitor.create",
        resource_type="monitor",
        resource_id=monitor.id,
        project_id=project_id,
        details={
            "model_version_id": str(version.id),
            "name": monitor.name,
            "reference": monitor.reference,
        },
    )
    return monitor


def set_reference(
    *,
    session: Session,
    store: ArtifactStore,
    project_id: uuid.UUID,
    monitor_id: uuid.UUID,
    frame: pl.DataFrame,
) -> Monitor:
    """Fit an uploaded reference (a first one, or a replacement: later windows compare
    with it; each window's evidence names the reference it used)."""
    monitor = get_monitor(session=session, project_id=project_id, monitor_id=monitor_id)
    fitted = monitor_reference.fit(
        store,
        frame,
        columns=monitor.columns or None,
        categorical=monitor.categorical or None,
        label_column=monitor.label_column,
        prediction_column=monitor.prediction_column,
        learn=_learning(monitor, monitor.window),
    )
    _apply_fit(monitor, fitted, {"source": "upload"})
    _flush(session)
    ledger_service.record(
        session,
        action="monitoring.monitor.reference",
        resource_type="monitor",
        resource_id=monitor.id,
        project_id=project_id,
        details={"digest": fitted.reference_digest, "rows": fitted.rows},
    )
    return monitor


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise StaleVersion(
            "version: the monitor was changed by someone else meanwhile; read it again",
            field="version",
        ) from None


def has_windows(session: Session, monitor_id: uuid.UUID) -> bool:
    return (
        session.scalar(select(MonitorWindow.id).where(MonitorWindow.monitor_id == monitor_id))
        is not None
    )


def update_monitor(
    *,
    session: Session,
    store: ArtifactStore,
    project_id: uuid.UUID,
    monitor_id: uuid.UUID,
    data: schemas.MonitorUpdate,
) -> Monitor:
    """Change some fields, if ``data.version`` is still the monitor's version.

    Changing the watched columns fits the reference profile again; the window cannot
    change once windows were evaluated (their numbers would mean other rows).
    """
    monitor = get_monitor(session=session, project_id=project_id, monitor_id=monitor_id)
    if data.version != monitor.version:
        raise StaleVersion(
            f"version: the monitor is at version {monitor.version}, not {data.version}: it "
            "was changed after you read it; read it again and reapply your change",
            field="version",
            current_version=monitor.version,
        )
    changes = data.changes()
    changes = {k: v for k, v in changes.items() if getattr(monitor, k) != v}
    if "name" in changes:
        _refuse_taken_name(session, monitor.model_version_id, changes["name"])
    if "window" in changes and has_windows(session, monitor.id):
        raise Conflict(
            "window: this monitor has evaluated windows, whose numbers would mean other rows; "
            "create a new monitor for another window",
            field="window",
        )
    if "drift_config" in changes:
        monitor_reference.drift_config(changes["drift_config"])
        if monitor.reference.get("learned"):
            # A learned band edited (or removed) by hand is the user's from now on.
            before = monitor.drift_config.get("columns", {})
            after = changes["drift_config"].get("columns", {})
            kept = [c for c in monitor.reference["learned"] if after.get(c) == before.get(c)]
            monitor.reference = monitor.reference | {"learned": kept}
    if _REFIT & changes.keys() and monitor.profile_digest is not None:
        frame = monitor_reference.load_frame(store, monitor.reference["digest"])
        columns = changes.get("columns", monitor.columns)
        # Kinds chosen before carry over to the columns still watched; new ones are inferred.
        categorical = changes.get("categorical") or [
            c for c in monitor.categorical if columns is None or c in columns
        ]
        fitted = monitor_reference.fit(
            store,
            frame,
            columns=columns,
            categorical=categorical,
            label_column=changes.get("label_column", monitor.label_column),
            prediction_column=changes.get("prediction_column", monitor.prediction_column),
            reference_digest=monitor.reference["digest"],
            learn=_learning(monitor, changes.get("window", monitor.window)),
        )
        source = {k: v for k, v in monitor.reference.items() if k not in {"digest", "rows"}}
        _apply_fit(monitor, fitted, source)
        changes.pop("columns", None)
        changes.pop("categorical", None)
    for name, value in changes.items():
        setattr(monitor, name, value)
    if {"schedule_seconds", "enabled"} & changes.keys() and monitor.enabled:
        monitor.next_run_at = utcnow()
    if not changes:
        return monitor
    _flush(session)
    ledger_service.record(
        session,
        action="monitoring.monitor.update",
        resource_type="monitor",
        resource_id=monitor.id,
        project_id=project_id,
        details={"fields": sorted(changes)},
    )
    return monitor


def delete_monitor(*, session: Session, project_id: uuid.UUID, monitor_id: uuid.UUID) -> None:
    """Delete the monitor and its window records; the evidence of its windows stays."""
    monitor = get_monitor(session=session, project_id=project_id, monitor_id=monitor_id)
    session.execute(delete(MonitorWindow).where(MonitorWindow.monitor_id == monitor.id))
    session.delete(monitor)
    session.flush()
    ledger_service.record(
        session,
        action="monitoring.monitor.delete",
        resource_type="monitor",
        resource_id=monitor.id,
        project_id=project_id,
        details={"model_version_id": str(monitor.model_version_id), "name": monitor.name},
    )
