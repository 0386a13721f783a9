"""Incidents of a project's AI systems: opened by firing alerts (``bastion.alerts.service``)
or reported by hand, handled through open → investigating → mitigated → closed, with a
timeline and links to the alerts, evidence and risks involved.

Every change is an entry in the incident's timeline (``incident_events``) and in the
audit ledger, in the caller's transaction. The ledger gets ids, numbers and field names,
never the notes or texts, which may hold personal data.

Evidence: a report by hand records ``incident.report`` evidence about the system with
verdict ``fail``, so that the risk register raises (or updates) a risk of the category
the reporter names; an incident opened by an alert needs none, its ``monitoring.alert``
evidence did that already. Closing records ``incident.report`` with verdict ``info``: the
record of what happened, which judges nothing and so raises nothing.
"""

import re
import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bastion.alerts.models import Alert
from bastion.alerts.rules import AlertState, Severity
from bastion.errors import Conflict, InvalidInput, NotFound
from bastion.evidence import service as evidence_service
from bastion.evidence.models import Evidence, Verdict
from bastion.incidents import schemas
from bastion.incidents.enums import (
    TRANSITIONS,
    EventKind,
    IncidentSource,
    IncidentStatus,
    LinkKind,
)
from bastion.incidents.models import Incident, IncidentEvent, IncidentLink
from bastion.inventory import service as inventory_service
from bastion.inventory.enums import SubjectType
from bastion.inventory.models import AISystem
from bastion.ledger import service as ledger_service
from bastion.risks.enums import RiskCategory, RiskSource, RiskStatus
from bastion.risks.models import Risk
from bastion.storage.base import utcnow
from bastion.storage.numbered import get_numbered
from bastion.storage.pagination import PageResult, paginate

REPORT_KIND = "incident.report"
_NUMBER = re.compile(r"^I-(\d{1,9})$", re.IGNORECASE)
_SEVERITIES = list(Severity)  # in rising order
# What of an event's details the ledger gets: ids and names (no floats, no free text).
_LEDGER_DETAILS = ("source", "alert_id", "monitor_id", "rule", "metric", "evidence_id", "window")
_LEDGER_VERBS = {
    EventKind.OPENED: "open",
    EventKind.ALERT_FIRING: "alert",
    EventKind.ALERT_RESOLVED: "alert",
    EventKind.UPDATED: "update",
    EventKind.NOTE: "note",
    EventKind.CLOSED: "close",
}


def higher(a: Severity, b: Severity) -> Severity:
    """The more severe of two severities."""
    return max(a, b, key=_SEVERITIES.index)


# Evidence --------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentReport:
    """An incident as ``incident.report`` evidence about its AI system
    (``evidence_service.record_result`` reads these attributes)."""

    incident: Incident
    verdict: Verdict
    links: Mapping[str, list[uuid.UUID]]
    risk_category: RiskCategory | None = None
    evidence_kind: str = REPORT_KIND
    inputs: dict[str, str] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        incident = self.incident
        state = "closed" if incident.status == IncidentStatus.CLOSED else "reported"
        return f"Incident {incident.ref} ({incident.severity.value}) {state}: {incident.title}"

    def to_dict(self) -> dict[str, Any]:
        incident = self.incident
        result: dict[str, Any] = {
            "schema_version": 1,
            "incident_id": str(incident.id),
            "ref": incident.ref,
            "severity": incident.severity.value,
            "status": incident.status.value,
            "source": incident.source.value,
            "opened_at": incident.created_at.isoformat(),
            "closed_at": incident.closed_at.isoformat() if incident.closed_at else None,
        }
        result |= {f"{kind}_ids": [str(i) for i in ids] for kind, ids in self.links.items()}
        if self.risk_category is not None:
            result["risk_category"] = self.risk_category.value
        return result


def _report(
    session: Session,
    incident: Incident,
    verdict: Verdict,
    risk_category: RiskCategory | None = None,
) -> Evidence:
    return evidence_service.record_result(
        session=session,
        project_id=incident.project_id,
        subject_type=SubjectType.AI_SYSTEM,
        subject_id=incident.system_id,
        result=IncidentReport(
            incident=incident,
            verdict=verdict,
            links=links_of(session=session, incident_ids=[incident.id])[incident.id],
            risk_category=risk_category,
        ),
    )


def risks_raised_by(
    *, session: Session, evidence: Evidence, system_ids: Collection[uuid.UUID]
) -> list[Risk]:
    """The open risks of these systems that ``evidence`` raised or updated (the register
    adds the evidence's id to each, ``risks_service.raise_from_evidence``)."""
    if not system_ids:
        return []
    candidates = session.scalars(
        select(Risk)
        .where(
            Risk.system_id.in_(system_ids),
            Risk.source == RiskSource.EVIDENCE,
            Risk.status != RiskStatus.CLOSED,
        )
        .order_by(Risk.number)
    )
    return [risk for risk in candidates if str(evidence.id) in risk.evidence_ids]


# Helpers ---------------------------------------------------------------------------------


def _record_event(
    session: Session,
    incident: Incident,
    kind: EventKind,
    *,
    note: str = "",
    details: Mapping[str, Any] | None = None,
    first: bool = False,
) -> IncidentEvent:
    """Append one entry to the incident's timeline, and its record to the audit ledger
    (ids and names only: never the note, nor the values of an update)."""
    if first:
        seq = 1
    else:
        last = session.scalar(
            select(func.max(IncidentEvent.seq)).where(IncidentEvent.incident_id == incident.id)
        )
        seq = (last or 0) + 1
    details = dict(details or {})
    ledger_seq = ledger_service.record(
        session,
        action=f"incident.{_LEDGER_VERBS[kind]}",
        resource_type="incident",
        resource_id=incident.id,
        project_id=incident.project_id,
        details={
            "number": incident.number,
            "system_id": str(incident.system_id),
            "event": seq,
            "kind": kind.value,
        }
        | {k: details[k] for k in _LEDGER_DETAILS if k in details}
        | ({"fields": sorted(details["changes"])} if "changes" in details else {}),
    )
    event = IncidentEvent(
        project_id=incident.project_id,
        incident_id=incident.id,
        seq=seq,
        at=utcnow(),
        principal_id=ledger_service.context_of(session).actor_id,
        kind=kind,
        note=note,
        details=details,
        ledger_seq=ledger_seq,
    )
    session.add(event)
    if not first:
        incident.updated_at = event.at  # activity on the timeline counts as an update
    return event


def _link(session: Session, incident: Incident, kind: LinkKind, ids: Iterable[uuid.UUID]) -> None:
    existing = set(
        session.scalars(
            select(IncidentLink.target_id).where(
                IncidentLink.incident_id == incident.id, IncidentLink.kind == kind
            )
        )
    )
    for target_id in dict.fromkeys(ids):
        if target_id not in existing:
            session.add(
                IncidentLink(
                    project_id=incident.project_id,
                    incident_id=incident.id,
                    kind=kind,
                    target_id=target_id,
                )
            )
    session.flush()


def _next_number(session: Session, project_id: uuid.UUID) -> int:
    inventory_service.lock_project(session=session, project_id=project_id)
    highest = session.scalar(
        select(func.max(Incident.number)).where(Incident.project_id == project_id)
    )
    return (highest or 0) + 1


def _new(
    session: Session,
    *,
    system: AISystem,
    title: str,
    description: str,
    severity: Severity,
    source: IncidentSource,
    owner: str | None = None,
) -> Incident:
    incident = Incident(
        id=uuid.uuid4(),
        project_id=system.project_id,
        system_id=system.id,
        number=_next_number(session, system.project_id),
        title=title[:200],
        description=description,
        severity=severity,
        status=IncidentStatus.OPEN,
        source=source,
        owner=system.owner if owner is None else owner,
    )
    session.add(incident)
    session.flush()
    return incident


def _refuse_if_closed(incident: Incident) -> None:
    if incident.status == IncidentStatus.CLOSED:
        raise Conflict(
            f"status: {incident.ref} is closed, which is final (a new alert opens a new "
            "incident); notes can still be added",
            field="status",
        )


# Read ------------------------------------------------------------------------------------


def get_incident(
    *, session: Session, project_id: uuid.UUID, ref: str | uuid.UUID, lock: bool = False
) -> Incident:
    """An incident by id, or by number (``I-3``)."""
    return get_numbered(
        session, Incident, project_id=project_id, ref=ref, number=_NUMBER,
        noun="incident", example="I-3", lock=lock,
    )  # fmt: skip


def links_of(
    *, session: Session, incident_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, dict[str, list[uuid.UUID]]]:
    """``{incident id: {"alert": [...], "evidence": [...], "risk": [...]}}``, in link order."""
    links: dict[uuid.UUID, dict[str, list[uuid.UUID]]] = {
        i: {kind.value: [] for kind in LinkKind} for i in incident_ids
    }
    if incident_ids:
        rows = session.execute(
            select(IncidentLink.incident_id, IncidentLink.kind, IncidentLink.target_id)
            .where(IncidentLink.incident_id.in_(incident_ids))
            .order_by(IncidentLink.created_at, IncidentLink.id)
        )
        for incident_id, kind, target_id in rows:
            links[incident_id][kind.value].append(target_id)
    return links


def timeline(*, session: Session, incident_id: uuid.UUID) -> list[IncidentEvent]:
    """The incident's timeline, oldest entry first."""
    return list(
        session.scalars(
            select(IncidentEvent)
            .where(IncidentEvent.incident_id == incident_id)
            .order_by(IncidentEvent.seq)
        )
    )


def list_incidents(
    *, session: Session, project_id: uuid.UUID, query: schemas.IncidentQuery
) -> PageResult[Incident]:
    stmt = select(Incident).where(Incident.project_id == project_id)
    if query.system_id is not None:
        stmt = stmt.where(Incident.system_id == query.system_id)
    if query.status is not None:
        stmt = stmt.where(Incident.status == query.status)
    if query.severity is not None:
        stmt = stmt.where(Incident.severity == query.severity)
    if query.open_only:
        stmt = stmt.where(Incident.status != IncidentStatus.CLOSED)
    return paginate(
        session,
        stmt,
        entity=Incident,
        sortable={
            "number": Incident.number,
            "created_at": Incident.created_at,
            "updated_at": Incident.updated_at,
        },
        sort=query.sort,
        cursor=query.cursor,
        limit=query.limit,
    )


def open_counts(
    *, session: Session, project_ids: Collection[uuid.UUID]
) -> dict[tuple[uuid.UUID, Severity], int]:
    """How many incidents are not closed, per project and severity (absent: none)."""
    if not project_ids:
        return {}
    rows = session.execute(
        select(Incident.project_id, Incident.severity, func.count())
        .where(Incident.project_id.in_(project_ids), Incident.status != IncidentStatus.CLOSED)
        .group_by(Incident.project_id, Incident.severity)
    )
    return {(project_id, severity): count for project_id, severity, count in rows}


# Reported by hand --------------------------------------------------------------------------


def create_incident(
    *, session: Session, project_id: uuid.UUID, data: schemas.IncidentCreate
) -> Incident:
    """Report an incident of one of the project's AI systems.

    It is recorded as failing ``incident.report`` evidence about the system, which raises
    (or updates) a risk of ``data.risk_category`` in the register; the incident links
    that evidence and the risk.
    """
    try:
        system = inventory_service.get_system(
            session=session, project_id=project_id, system_id=data.system_id
        )
    except NotFound:
        raise InvalidInput(
            f"system_id: no AI system with id {data.system_id} in this project",
            field="system_id",
        ) from None
    incident = _new(
        session,
        system=system,
        title=data.title,
        description=data.description,
        severity=data.severity,
        source=IncidentSource.MANUAL,
        owner=data.owner,
    )
    _record_event(session, incident, EventKind.OPENED, details={"source": "manual"}, first=True)
    evidence = _report(session, incident, Verdict.FAIL, data.risk_category)
    risks = risks_raised_by(session=session, evidence=evidence, system_ids=[system.id])
    _link(session, incident, LinkKind.EVIDENCE, [evidence.id])
    _link(session, incident, LinkKind.RISK, [r.id for r in risks])
    return incident


# Changed by people -----------------------------------------------------------------------


def update_incident(
    *, session: Session, project_id: uuid.UUID, ref: str, data: schemas.IncidentUpdate
) -> Incident:
    """Change title, description, severity, owner or status (investigating, mitigated:
    see ``enums.TRANSITIONS``); the change and its note go in the timeline."""
    incident = get_incident(session=session, project_id=project_id, ref=ref, lock=True)
    _refuse_if_closed(incident)
    changes = data.changes()
    status = changes.get("status")
    if status is not None and status != incident.status:
        allowed = TRANSITIONS[incident.status]
        if status not in allowed:
            choices = ", ".join(sorted(s.value for s in allowed)) or "none"
            raise Conflict(
                f"status: {incident.ref} cannot go from {incident.status.value} to "
                f"{status.value}; from {incident.status.value} it may go to {choices}, "
                "or be closed with …/close",
                field="status",
            )
    diff = {
        name: [_plain(getattr(incident, name)), _plain(value)]
        for name, value in changes.items()
        if getattr(incident, name) != value
    }
    if not diff and not data.note:
        return incident
    for name, value in changes.items():
        setattr(incident, name, value)
    session.flush()
    _record_event(
        session, incident, EventKind.UPDATED, note=data.note or "", details={"changes": diff}
    )
    return incident


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Severity | IncidentStatus) else value


def add_note(*, session: Session, project_id: uuid.UUID, ref: str, note: str) -> IncidentEvent:
    """Add a note to the incident's timeline (closed incidents included: a post-mortem
    often comes after)."""
    incident = get_incident(session=session, project_id=project_id, ref=ref, lock=True)
    return _record_event(session, incident, EventKind.NOTE, note=note)


def close_incident(
    *, session: Session, project_id: uuid.UUID, ref: str, resolution: str
) -> Incident:
    """Close the incident with its resolution, and record it as ``incident.report``
    evidence (verdict ``info``) about its system.

    Refused while an alert it links is still firing: close once the metric is back.
    """
    incident = get_incident(session=session, project_id=project_id, ref=ref, lock=True)
    _refuse_if_closed(incident)
    alert_ids = links_of(session=session, incident_ids=[incident.id])[incident.id]["alert"]
    firing = session.scalars(
        select(Alert.rule)
        .where(Alert.id.in_(alert_ids), Alert.state == AlertState.FIRING)
        .order_by(Alert.rule)
    ).all()
    if firing:
        raise Conflict(
            f"status: {incident.ref} cannot be closed while its alert(s) {', '.join(firing)} "
            "fire; mark it mitigated, and close it once the alert resolves",
            field="status",
        )
    previous = incident.status
    incident.status = IncidentStatus.CLOSED
    incident.resolution = resolution
    incident.closed_at = utcnow()
    session.flush()
    _record_event(
        session,
        incident,
        EventKind.CLOSED,
        note=resolution,
        details={"changes": {"status": [previous.value, IncidentStatus.CLOSED.value]}},
    )
    evidence = _report(session, incident, Verdict.INFO)
    _link(session, incident, LinkKind.EVIDENCE, [evidence.id])
    return incident


# Driven by alerts ------------------------------------------------------------------------


def open_for_alert(
    *,
    session: Session,
    alert: Alert,
    system: AISystem,
    title: str,
    note: str,
    details: Mapping[str, Any],
    evidence: Evidence,
    risks: Iterable[Risk],
) -> tuple[Incident, bool]:
    """The system's incident for a firing alert, and whether it is new.

    The incident of the system that is not closed and links an alert of the same monitor
    (this one, or another rule: a shift in the data usually fires several, and they are one
    incident) gets a timeline entry, the alert, the new evidence and risks, and the alert's
    severity if higher; without one, a new incident is opened.
    """
    same_monitor = select(Alert.id).where(Alert.monitor_id == alert.monitor_id)
    incident = session.scalar(
        select(Incident)
        .join(IncidentLink, IncidentLink.incident_id == Incident.id)
        .where(
            Incident.system_id == system.id,
            Incident.status != IncidentStatus.CLOSED,
            IncidentLink.kind == LinkKind.ALERT,
            IncidentLink.target_id.in_(same_monitor),
        )
        .order_by(Incident.number)
        .limit(1)
        .with_for_update(of=Incident)
    )
    opened = incident is None
    if incident is None:
        incident = _new(
            session,
            system=system,
            title=title,
            description=note,
            severity=alert.severity,
            source=IncidentSource.ALERT,
        )
        _record_event(session, incident, EventKind.OPENED, note=note, details=details, first=True)
    else:
        if higher(incident.severity, alert.severity) != incident.severity:
            incident.severity = alert.severity
        _record_event(session, incident, EventKind.ALERT_FIRING, note=note, details=details)
    _link(session, incident, LinkKind.ALERT, [alert.id])
    _link(session, incident, LinkKind.EVIDENCE, [evidence.id])
    _link(session, incident, LinkKind.RISK, [r.id for r in risks])
    return incident, opened


def alert_resolved(
    *, session: Session, alert: Alert, note: str, details: Mapping[str, Any]
) -> list[Incident]:
    """Note the recovery in every incident not closed that links the alert; none is
    closed: deciding that the incident is over is someone's call."""
    incidents = session.scalars(
        select(Incident)
        .join(IncidentLink, IncidentLink.incident_id == Incident.id)
        .where(
            Incident.status != IncidentStatus.CLOSED,
            IncidentLink.kind == LinkKind.ALERT,
            IncidentLink.target_id == alert.id,
        )
        .order_by(Incident.number)
        .with_for_update(of=Incident)
    ).all()
    for incident in incidents:
        _record_event(session, incident, EventKind.ALERT_RESOLVED, note=note, details=details)
    return list(incidents)


def detail(*, session: Session, incident: Incident) -> schemas.IncidentDetail:
    """The incident with its links and timeline, as the API shows it."""
    read = schemas.IncidentDetail.model_validate(incident)
    for kind, ids in links_of(session=session, incident_ids=[incident.id])[incident.id].items():
        setattr(read, f"{kind}_ids", ids)
    read.events = [
        schemas.IncidentEventRead.from_model(e)
        for e in timeline(session=session, incident_id=incident.id)
    ]
    return read


def reads(*, session: Session, incidents: Iterable[Incident]) -> list[schemas.IncidentRead]:
    """Incidents with their links, as the API lists them (one query for the links)."""
    items = list(incidents)
    links = links_of(session=session, incident_ids=[i.id for i in items])
    return [schemas.IncidentRead.from_model(i, links[i.id]) for i in items]
