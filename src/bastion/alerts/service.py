"""Alert states, judged after every monitoring window, and what a change of state sets off.

``evaluate_window`` is subscribed to ``monitoring_service.on_window_recorded`` when this
module is imported (``bastion.runtime`` imports it), so it runs in the window's own
transaction. For each rule of the monitor (``bastion.alerts.rules``) it keeps the newest
``for_windows`` values of the rule's metric on the alert's row and moves the state:

- ok / resolved → **firing** after ``for_windows`` breaching windows in a row: records
  ``monitoring.alert`` evidence (verdict ``fail``) about the model version, from which
  the risk register raises or updates a risk (``risk_category``: ``bias_fairness`` for
  fairness metrics, ``performance_operational`` otherwise); opens or updates an incident
  per AI system of the model version, linked to the alert, the evidence and the risks;
  notifies ``monitoring.alert.firing``.
- firing → **resolved** on a window seen within the threshold: the incidents get a
  timeline entry (they stay open: closing is someone's call); notifies
  ``monitoring.alert.resolved``.

Each change of state is in the audit ledger. Notifications (webhook and e-mail) leave
after the commit (``bastion.alerts.delivery``).

A window evaluated again (late labels) replaces its own value: the state is judged anew
on the corrected values.
"""

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pydantic
from sqlalchemy import select
from sqlalchemy.orm import Session

from bastion.alerts import schemas
from bastion.alerts.delivery import Outgoing, send_after_commit
from bastion.alerts.models import Alert
from bastion.alerts.rules import AlertRule, AlertState, next_state, value_of
from bastion.errors import NotFound
from bastion.evidence import service as evidence_service
from bastion.evidence.models import Evidence, Verdict
from bastion.incidents import service as incidents_service
from bastion.inventory import service as inventory_service
from bastion.inventory.enums import SubjectType
from bastion.inventory.models import Project
from bastion.ledger import service as ledger_service
from bastion.monitoring import service as monitoring_service
from bastion.monitoring.models import Monitor, MonitorWindow
from bastion.risks.enums import RiskCategory
from bastion.storage.base import utcnow
from bastion.storage.pagination import PageResult, paginate

logger = logging.getLogger(__name__)

ALERT_KIND = "monitoring.alert"
FIRING_EVENT = "monitoring.alert.firing"
RESOLVED_EVENT = "monitoring.alert.resolved"
# The parts of a rule that give its values their meaning: changing one starts afresh.
_MEANING = ("metric", "condition", "threshold", "for_windows")


def risk_category(metric: str) -> RiskCategory:
    """The category of risk a firing alert on ``metric`` raises."""
    if metric.startswith("fairness."):
        return RiskCategory.BIAS_FAIRNESS
    return RiskCategory.PERFORMANCE_OPERATIONAL


@dataclass(frozen=True)
class _Context:
    """What every message about one monitor names."""

    project: Project
    monitor: Monitor
    model_label: str

    def payload(self, alert: Alert, rule: AlertRule) -> dict[str, Any]:
        return {
            "project_id": str(self.project.id),
            "project": self.project.slug,
            "monitor_id": str(self.monitor.id),
            "monitor": self.monitor.name,
            "model_version_id": str(self.monitor.model_version_id),
            "model_version": self.model_label,
            "alert_id": str(alert.id),
            "rule": rule.model_dump(mode="json"),
            "severity": rule.severity.value,
            "state": alert.state.value,
            "values": [e["value"] for e in alert.recent],
            "windows": [e["window"] for e in alert.recent],
            "window_end_at": alert.last_window_at.isoformat() if alert.last_window_at else None,
        }


@dataclass(frozen=True)
class AlertResult:
    """A firing alert as ``monitoring.alert`` evidence (what ``record_result`` reads)."""

    context: _Context
    alert: Alert
    rule: AlertRule
    evidence_kind: str = ALERT_KIND
    verdict: Verdict = Verdict.FAIL
    inputs: dict[str, str] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        return _describe(self.context, self.rule, self.alert)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "alert_id": str(self.alert.id),
            "monitor_id": str(self.context.monitor.id),
            "monitor": self.context.monitor.name,
            "rule": self.rule.model_dump(mode="json"),
            "state": AlertState.FIRING.value,
            "values": [e["value"] for e in self.alert.recent],
            "windows": [
                {"number": e["window"], "id": e["window_id"], "end_at": e["end_at"]}
                for e in self.alert.recent
            ],
            "risk_category": risk_category(self.rule.metric).value,
        }


def _number(value: float | None) -> str:
    return "no value" if value is None else f"{value:.4g}"


def _describe(context: _Context, rule: AlertRule, alert: Alert) -> str:
    values = ", ".join(_number(e["value"]) for e in alert.recent)
    if alert.state == AlertState.FIRING:
        what = (
            f"{rule.metric} {rule.condition} {rule.threshold:g} for {rule.for_windows} "
            f"window{'s' if rule.for_windows != 1 else ''} ({values})"
        )
    else:
        what = f"{rule.metric} back within {rule.threshold:g} ({_number(alert.last_value)})"
    return (
        f"Alert {rule.name} ({rule.severity.value}) {alert.state.value} on monitor "
        f"{context.monitor.name} of {context.model_label}: {what}"
    )


def _notify(
    session: Session,
    context: _Context,
    alert: Alert,
    rule: AlertRule,
    payload: dict[str, Any],
    extra: Sequence[str],
) -> None:
    """Queue the webhook event and the e-mail of the alert's new state, for after the
    commit."""
    text = "\n".join(
        [
            _describe(context, rule, alert) + ".",
            "",
            f"Project:        {context.project.slug}",
            f"Model version:  {context.model_label} ({context.monitor.model_version_id})",
            f"Monitor:        {context.monitor.name} ({context.monitor.id})",
            f"Rule:           {rule.name}: {rule.metric} {rule.condition} {rule.threshold:g}, "
            f"{rule.for_windows} window(s), severity {rule.severity.value}",
            "Values:         "
            + ", ".join(f"window {e['window']}: {_number(e['value'])}" for e in alert.recent),
            *extra,
            "",
            "Sent by Bastion; the alert, its evidence and incidents are recorded there.",
        ]
    )
    event = FIRING_EVENT if alert.state == AlertState.FIRING else RESOLVED_EVENT
    subject = (
        f"[Bastion] {alert.state.value.upper()} {rule.severity.value}: {rule.name} on "
        f"{context.monitor.name} ({context.project.slug})"
    )
    send_after_commit(session, Outgoing(event=event, payload=payload, subject=subject, text=text))


# Evaluation ------------------------------------------------------------------------------


def _rules(monitor: Monitor) -> list[AlertRule]:
    rules = []
    for index, raw in enumerate(monitor.alert_rules or []):
        try:
            rules.append(AlertRule.model_validate(raw))
        except pydantic.ValidationError as exc:
            # Validated when the monitor was saved; a bad stored rule must not stop the
            # monitor's windows (a failing subscriber fails the window), so it is skipped.
            logger.error(
                "monitor %s: alert rule %d is invalid and skipped (%d error(s))",
                monitor.id,
                index,
                exc.error_count(),
            )
    return rules


def _context(session: Session, monitor: Monitor) -> _Context:
    version = inventory_service.get_model_version(
        session=session, project_id=monitor.project_id, version_id=monitor.model_version_id
    )
    model = inventory_service.get_model(
        session=session, project_id=monitor.project_id, model_id=version.model_id
    )
    project = session.get_one(Project, monitor.project_id)
    return _Context(project=project, monitor=monitor, model_label=f"{model.name} {version.version}")


def _record(alert: Alert, rule: AlertRule, window: MonitorWindow) -> bool:
    """Put the window's value into the alert's recent values; False if the window is
    older than those kept (a late re-evaluation that cannot change the state)."""
    definition = rule.model_dump(mode="json")
    if any(alert.definition.get(k) != definition[k] for k in _MEANING):
        alert.recent = []
    alert.definition = definition
    alert.severity = rule.severity
    entry = {
        "window": window.number,
        "window_id": str(window.id),
        "end_at": window.end_at.isoformat(),
        "value": value_of(window.metrics or {}, rule.metric),
    }
    recent = list(alert.recent)
    numbers = [e["window"] for e in recent]
    if window.number in numbers:
        recent[numbers.index(window.number)] = entry
    elif not numbers or window.number > max(numbers):
        recent.append(entry)
    else:
        return False
    alert.recent = recent[-rule.for_windows :]
    newest = alert.recent[-1]
    alert.last_value = newest["value"]
    if newest["window"] == window.number:
        alert.last_window_at = window.end_at
    return True


def _alert_row(session: Session, monitor: Monitor, rule: AlertRule) -> Alert:
    alert = session.scalar(
        select(Alert)
        .where(Alert.monitor_id == monitor.id, Alert.rule == rule.name)
        .with_for_update()
    )
    if alert is None:
        alert = Alert(
            id=uuid.uuid4(),
            project_id=monitor.project_id,
            monitor_id=monitor.id,
            model_version_id=monitor.model_version_id,
            rule=rule.name,
            definition=rule.model_dump(mode="json"),
            severity=rule.severity,
            state=AlertState.OK,
            recent=[],
        )
        session.add(alert)
    return alert


def evaluate_window(
    session: Session, monitor: Monitor, window: MonitorWindow, evidence: Evidence
) -> list[Alert]:
    """Judge every alert rule of ``monitor`` on ``window``; the alerts that changed state."""
    rules = _rules(monitor)
    names = {rule.name for rule in rules}
    stale = session.scalars(
        select(Alert)
        .where(Alert.monitor_id == monitor.id, Alert.state == AlertState.FIRING)
        .with_for_update()
    ).all()
    stale = [a for a in stale if a.rule not in names]
    if not rules and not stale:
        return []
    context = _context(session, monitor)
    changed = []
    for rule in rules:
        alert = _alert_row(session, monitor, rule)
        if not _record(alert, rule, window):
            continue
        state = next_state(rule, alert.state, [e["value"] for e in alert.recent])
        if state == alert.state:
            continue
        alert.state = state
        if state == AlertState.FIRING:
            _fire(session, context, alert, rule, window)
        else:
            _resolve(session, context, alert, rule, window, reason="")
        changed.append(alert)
    for alert in stale:
        rule = AlertRule.model_validate(alert.definition)
        alert.state = AlertState.RESOLVED
        _resolve(session, context, alert, rule, window, reason="the rule was removed")
        changed.append(alert)
    session.flush()
    return changed


def _fire(
    session: Session, context: _Context, alert: Alert, rule: AlertRule, window: MonitorWindow
) -> None:
    alert.fired_at = utcnow()
    alert.resolved_at = None
    session.flush()
    evidence = evidence_service.record_result(
        session=session,
        project_id=alert.project_id,
        subject_type=SubjectType.MODEL_VERSION,
        subject_id=alert.model_version_id,
        result=AlertResult(context=context, alert=alert, rule=rule),
    )
    alert.evidence_id = evidence.id
    systems = inventory_service.systems_of_subject(
        session=session,
        project_id=alert.project_id,
        subject_type=SubjectType.MODEL_VERSION,
        subject_id=alert.model_version_id,
    )
    risks = incidents_service.risks_raised_by(
        session=session, evidence=evidence, system_ids=[s.id for s in systems]
    )
    details = {
        "alert_id": str(alert.id),
        "monitor_id": str(context.monitor.id),
        "rule": rule.name,
        "metric": rule.metric,
        "values": [e["value"] for e in alert.recent],
        "windows": [e["window"] for e in alert.recent],
        "evidence_id": str(evidence.id),
    }
    incidents = []
    for system in systems:
        incident, opened = incidents_service.open_for_alert(
            session=session,
            alert=alert,
            system=system,
            title=f"{rule.severity.value.capitalize()} alert {rule.name} on {context.monitor.name}"
            f" ({context.model_label})",
            note=evidence.summary,
            details=details,
            evidence=evidence,
            risks=[r for r in risks if r.system_id == system.id],
        )
        incidents.append((incident, opened))
    ledger_service.record(
        session,
        action="alert.fire",
        resource_type="alert",
        resource_id=alert.id,
        project_id=alert.project_id,
        # Without the values: the ledger holds no floats (its entries hash canonically).
        details={k: v for k, v in details.items() if k != "values"}
        | {"window": window.number, "incidents": [str(i.id) for i, _ in incidents]},
    )
    extra = [f"Evidence:       {evidence.id}"]
    extra += [
        f"Incident:       {i.ref} ({'opened' if opened else 'updated'}) {i.title}"
        for i, opened in incidents
    ]
    extra += [f"Risk:           {r.ref} {r.title}" for r in risks]
    if not systems:
        extra.append("The model version belongs to no AI system: no incident was opened.")
    payload = context.payload(alert, rule) | {
        "evidence_id": str(evidence.id),
        "incidents": [
            {"id": str(i.id), "ref": i.ref, "system_id": str(i.system_id), "opened": opened}
            for i, opened in incidents
        ],
        "risks": [{"id": str(r.id), "ref": r.ref, "system_id": str(r.system_id)} for r in risks],
    }
    _notify(session, context, alert, rule, payload, extra)


def _resolve(
    session: Session,
    context: _Context,
    alert: Alert,
    rule: AlertRule,
    window: MonitorWindow,
    *,
    reason: str,
) -> None:
    alert.resolved_at = utcnow()
    note = _describe(context, rule, alert) + (f": {reason}" if reason else "")
    details = {
        "alert_id": str(alert.id),
        "monitor_id": str(context.monitor.id),
        "rule": rule.name,
        "metric": rule.metric,
        "value": alert.last_value,
        "window": window.number,
    }
    incidents = incidents_service.alert_resolved(
        session=session, alert=alert, note=note, details=details
    )
    ledger_service.record(
        session,
        action="alert.resolve",
        resource_type="alert",
        resource_id=alert.id,
        project_id=alert.project_id,
        details={k: v for k, v in details.items() if k != "value"}
        | {"incidents": [str(i.id) for i in incidents]}
        | ({"reason": reason} if reason else {}),
    )
    extra = [f"Reason:         {reason}"] if reason else []
    extra += [f"Incident:       {i.ref} stays {i.status.value}: {i.title}" for i in incidents]
    payload = context.payload(alert, rule) | {
        "reason": reason or None,
        "incidents": [{"id": str(i.id), "ref": i.ref, "status": i.status.value} for i in incidents],
    }
    _notify(session, context, alert, rule, payload, extra)


def _on_window_recorded(
    session: Session, monitor: Monitor, window: MonitorWindow, evidence: Evidence
) -> None:
    evaluate_window(session, monitor, window, evidence)


# Subscribed rather than called by the monitoring service: this module reads monitors and
# windows, so monitoring importing it back would be an import cycle.
if _on_window_recorded not in monitoring_service.on_window_recorded:
    monitoring_service.on_window_recorded.append(_on_window_recorded)


# Read ------------------------------------------------------------------------------------


def get_alert(*, session: Session, project_id: uuid.UUID, alert_id: uuid.UUID) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None or alert.project_id != project_id:
        raise NotFound(f"no alert with id {alert_id} in this project")
    return alert


def list_alerts(
    *, session: Session, project_id: uuid.UUID, query: schemas.AlertQuery
) -> PageResult[Alert]:
    stmt = select(Alert).where(Alert.project_id == project_id)
    for name in ("monitor_id", "model_version_id", "state", "severity"):
        value = getattr(query, name)
        if value is not None:
            stmt = stmt.where(getattr(Alert, name) == value)
    return paginate(
        session,
        stmt,
        entity=Alert,
        sortable={"updated_at": Alert.updated_at, "created_at": Alert.created_at},
        sort=query.sort,
        cursor=query.cursor,
        limit=query.limit,
    )
