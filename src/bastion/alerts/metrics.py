"""Prometheus exposition of monitors, alerts and incidents, read from the database at
scrape time.

Nothing is kept in process memory: every replica behind a load balancer answers a scrape
with the same figures, whichever of them evaluated the windows. The collector reads, for
the projects the caller may read, each monitor's newest window (its metrics, end time and
rows), the state of each alert rule the monitor still has, and the incidents not closed.
"""

from collections.abc import Collection, Iterator
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from bastion.alerts.models import Alert
from bastion.alerts.rules import AlertState, Severity
from bastion.incidents import service as incidents_service
from bastion.inventory.models import Model, ModelVersion, Project
from bastion.monitoring.models import Monitor, MonitorWindow

MONITOR_METRIC = "bastion_monitor_metric"
WINDOW_END = "bastion_monitor_window_end_timestamp_seconds"
WINDOW_ROWS = "bastion_monitor_window_rows"
ALERT_FIRING = "bastion_alert_firing"
INCIDENTS_OPEN = "bastion_incidents_open"
NAMES = (MONITOR_METRIC, WINDOW_END, WINDOW_ROWS, ALERT_FIRING, INCIDENTS_OPEN)
"""Every metric name the collector exposes (the Grafana dashboard's test checks its
queries against these)."""

_MONITOR_LABELS = ["project", "monitor", "model_version"]


class PlatformCollector(Collector):
    """Gauges of the projects ``project_ids`` (``None``: every project), read through
    ``session`` each time :meth:`collect` runs.

    Labels: ``project`` (slug), ``monitor`` (name, unique per model version),
    ``model_version`` (``"<model name> <version>"``), plus ``metric`` for window figures,
    ``rule``, ``metric`` and ``severity`` for alerts, ``severity`` for incidents.
    """

    def __init__(self, session: Session, project_ids: Collection[Any] | None) -> None:
        self.session = session
        self.project_ids = project_ids

    def _projects(self) -> dict[Any, str]:
        stmt = select(Project.id, Project.slug)
        if self.project_ids is not None:
            stmt = stmt.where(Project.id.in_(self.project_ids))
        return dict(self.session.execute(stmt).all())

    def collect(self) -> Iterator[GaugeMetricFamily]:
        projects = self._projects()
        metric = GaugeMetricFamily(
            MONITOR_METRIC,
            "A metric of the newest window of a monitor (drift, quality, performance, "
            "fairness, anomalies), by its flat name.",
            labels=[*_MONITOR_LABELS, "metric"],
        )
        end = GaugeMetricFamily(
            WINDOW_END,
            "When the newest window of a monitor ends (Unix seconds).",
            labels=_MONITOR_LABELS,
        )
        rows = GaugeMetricFamily(
            WINDOW_ROWS, "Predictions in the newest window of a monitor.", labels=_MONITOR_LABELS
        )
        firing = GaugeMetricFamily(
            ALERT_FIRING,
            "1 while an alert rule of a monitor fires, 0 otherwise.",
            labels=[*_MONITOR_LABELS, "rule", "metric", "severity"],
        )
        incidents = GaugeMetricFamily(
            INCIDENTS_OPEN,
            "Incidents not closed, by project and severity.",
            labels=["project", "severity"],
        )
        monitors = self._monitors(projects)
        for window in self._newest_windows(monitors):
            labels = monitors[window.monitor_id][1]
            end.add_metric(labels, window.end_at.timestamp())
            rows.add_metric(labels, window.rows)
            for name, value in sorted((window.metrics or {}).items()):
                # Figures only: a window may also hold None for "insufficient data".
                if isinstance(value, int | float) and not isinstance(value, bool):
                    metric.add_metric([*labels, name], float(value))
        for alert in self._alerts(monitors):
            monitor, labels = monitors[alert.monitor_id]
            if alert.rule not in {r.get("name") for r in monitor.alert_rules or []}:
                continue  # a rule since removed from the monitor
            state = 1.0 if alert.state == AlertState.FIRING else 0.0
            metric_name = str(alert.definition.get("metric", ""))
            firing.add_metric([*labels, alert.rule, metric_name, alert.severity.value], state)
        counts = incidents_service.open_counts(session=self.session, project_ids=list(projects))
        for project_id, slug in sorted(projects.items(), key=lambda item: item[1]):
            for severity in Severity:
                incidents.add_metric([slug, severity.value], counts.get((project_id, severity), 0))
        yield from (metric, end, rows, firing, incidents)

    def _monitors(self, projects: dict[Any, str]) -> dict[Any, tuple[Monitor, list[str]]]:
        if not projects:
            return {}
        stmt = (
            select(Monitor, Model.name, ModelVersion.version)
            .join(ModelVersion, ModelVersion.id == Monitor.model_version_id)
            .join(Model, Model.id == ModelVersion.model_id)
            .where(Monitor.project_id.in_(list(projects)))
        )
        return {
            monitor.id: (
                monitor,
                [projects[monitor.project_id], monitor.name, f"{model_name} {version}"],
            )
            for monitor, model_name, version in self.session.execute(stmt)
        }

    def _newest_windows(self, monitors: dict[Any, Any]) -> list[MonitorWindow]:
        if not monitors:
            return []
        newest = (
            select(MonitorWindow.monitor_id, func.max(MonitorWindow.number).label("number"))
            .where(MonitorWindow.monitor_id.in_(list(monitors)))
            .group_by(MonitorWindow.monitor_id)
            .subquery()
        )
        stmt = select(MonitorWindow).join(
            newest,
            and_(
                MonitorWindow.monitor_id == newest.c.monitor_id,
                MonitorWindow.number == newest.c.number,
            ),
        )
        return list(self.session.scalars(stmt))

    def _alerts(self, monitors: dict[Any, Any]) -> list[Alert]:
        if not monitors:
            return []
        return list(
            self.session.scalars(
                select(Alert).where(Alert.monitor_id.in_(list(monitors))).order_by(Alert.rule)
            )
        )
