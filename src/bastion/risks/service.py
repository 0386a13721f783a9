"""The risk register: create, change, read, export and import the risks of a project's AI
systems, and raise them from failing evidence.

Method (ISO 31000 §6.4-6.5, ISO/IEC 23894 §6.4-6.5): a risk is rated before treatment
(inherent: likelihood x impact, level from the configured matrix), treated (mitigate,
accept, transfer, avoid) with controls, rated again after treatment (residual), and
reviewed by a date. Every change is an entry in the risk's history (``risk_events``:
``{field: [old, new]}``) and in the audit ledger, in the caller's transaction.

After each operation the register of every AI system it touched is summarized once as
``risk.register`` evidence about the system: ``fail`` while an untreated high or critical
risk exists, ``warn`` while a review is overdue, ``pass`` otherwise.

Failing evidence raises risks: ``raise_from_evidence`` is subscribed to
``evidence_service.on_recorded`` when this module is imported (``bastion.runtime`` imports
it, so every server and every session made by a runtime has it).
"""

import csv
import io
import json
import re
import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, Literal

import pydantic
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bastion.errors import InvalidInput, NotFound
from bastion.evidence import service as evidence_service
from bastion.evidence.models import Evidence, Verdict
from bastion.inventory import service as inventory_service
from bastion.inventory.enums import SubjectType
from bastion.inventory.models import AISystem
from bastion.ledger import service as ledger_service
from bastion.risks import schemas
from bastion.risks.enums import RiskAction, RiskCategory, RiskSource, RiskStatus
from bastion.risks.errors import StaleVersion
from bastion.risks.matrix import (
    DEFAULT_MATRIX,
    HIGH_LEVELS,
    LEVELS,
    SESSION_KEY,
    RiskMatrix,
    is_high,
    load_matrix,
)
from bastion.risks.models import Risk, RiskEvent
from bastion.settings import Settings
from bastion.storage.base import utcnow
from bastion.storage.numbered import get_numbered
from bastion.storage.pagination import PageResult, paginate

REGISTER_KIND = "risk.register"
MAX_IMPORT_ROWS = 10_000
ImportFormat = Literal["csv", "json"]

# The fields a risk's history tracks, in the order the API shows them.
TRACKED = (
    "system_id", "title", "description", "category", "lifecycle_stage", "owner",
    "likelihood", "impact", "inherent_score", "inherent_level", "treatment",
    "treatment_plan", "controls", "residual_likelihood", "residual_impact",
    "residual_score", "residual_level", "contingency_plan", "status", "review_date",
    "evidence_ids",
)  # fmt: skip
_LEDGER_VERBS = {
    RiskAction.CREATED: "create",
    RiskAction.UPDATED: "update",
    RiskAction.RAISED_FROM_EVIDENCE: "raise",
    RiskAction.IMPORTED: "import",
    RiskAction.CLOSED: "close",
}


# The configured matrix -----------------------------------------------------------------


def session_info(settings: Settings) -> dict[str, RiskMatrix]:
    """What every session carries for this domain (see ``Runtime.start``): the risk matrix
    of ``settings``. Risks change inside other domains' transactions too (recording a
    failing evidence raises one), where only the session is at hand."""
    return {SESSION_KEY: load_matrix(settings.risk_matrix_file)}


def matrix_of(session: Session) -> RiskMatrix:
    """The matrix the session's runtime was configured with; the default one otherwise."""
    matrix = session.info.get(SESSION_KEY)
    return matrix if isinstance(matrix, RiskMatrix) else DEFAULT_MATRIX


# Helpers -------------------------------------------------------------------------------


def _today() -> date:
    return datetime.now(UTC).date()


def _plain(value: Any) -> Any:
    """A value as JSON holds it (the history's diffs, the exports)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _snapshot(risk: Risk) -> dict[str, Any]:
    return {name: _plain(getattr(risk, name)) for name in TRACKED}


def _diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [before.get(name), after[name]] for name in after if before.get(name) != after[name]
    }


def _rate(risk: Risk, matrix: RiskMatrix) -> None:
    inherent = matrix.rate(risk.likelihood, risk.impact)
    risk.inherent_score, risk.inherent_level = inherent.score, inherent.level
    if risk.residual_likelihood is not None and risk.residual_impact is not None:
        residual = matrix.rate(risk.residual_likelihood, risk.residual_impact)
        risk.residual_score, risk.residual_level = residual.score, residual.level
    else:
        risk.residual_score = risk.residual_level = None


def _rule_errors(state: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What is wrong between the fields of a risk (``state``: field → value), as
    (field, message) pairs; each message starts with its field."""
    errors = []
    has_likelihood = state.get("residual_likelihood") is not None
    has_impact = state.get("residual_impact") is not None
    if has_likelihood != has_impact:
        name = "residual_impact" if has_likelihood else "residual_likelihood"
        errors.append((name, f"{name}: give residual_likelihood and residual_impact together"))
    if (has_likelihood or has_impact) and state.get("treatment") is None:
        name = "residual_likelihood" if has_likelihood else "residual_impact"
        errors.append(
            (
                name,
                f"{name}: a residual rating is the rating after treatment; choose a "
                "treatment (mitigate, accept, transfer or avoid) to give one",
            )
        )
    if state.get("status") == RiskStatus.CLOSED and state.get("treatment") is None:
        errors.append(
            (
                "status",
                "status: an untreated risk cannot be closed; choose a treatment (mitigate, "
                "accept, transfer or avoid) first",
            )
        )
    return errors


def _refuse(errors: Sequence[tuple[str, str]]) -> None:
    if errors:
        name = errors[0][0]
        raise InvalidInput(
            "; ".join(m for _, m in errors),
            field=name,
            errors=[{"field": f, "message": m} for f, m in errors],
        )


def _system(session: Session, project_id: uuid.UUID, system_id: uuid.UUID) -> AISystem:
    """The system a request body names: a missing one is the body's fault (422)."""
    try:
        return inventory_service.get_system(
            session=session, project_id=project_id, system_id=system_id
        )
    except NotFound:
        raise InvalidInput(
            f"system_id: no AI system with id {system_id} in this project", field="system_id"
        ) from None


def _missing_evidence(
    session: Session, project_id: uuid.UUID, evidence_ids: Collection[uuid.UUID]
) -> list[uuid.UUID]:
    missing = []
    for evidence_id in evidence_ids:
        try:
            evidence_service.get_evidence(
                session=session, project_id=project_id, evidence_id=evidence_id
            )
        except NotFound:
            missing.append(evidence_id)
    return missing


def _check_evidence(session: Session, project_id: uuid.UUID, ids: Collection[uuid.UUID]) -> None:
    missing = _missing_evidence(session, project_id, ids)
    if missing:
        raise InvalidInput(
            f"evidence_ids: no evidence with id {', '.join(map(str, missing))} in this project",
            field="evidence_ids",
        )


def _unique(values: Iterable[Any]) -> list[str]:
    return list(dict.fromkeys(str(v) for v in values))


def _next_number(session: Session, project_id: uuid.UUID, *, lock: bool = True) -> int:
    if lock:
        inventory_service.lock_project(session=session, project_id=project_id)
    highest = session.scalar(select(func.max(Risk.number)).where(Risk.project_id == project_id))
    return (highest or 0) + 1


def _record_event(
    session: Session,
    risk: Risk,
    action: RiskAction,
    changes: dict[str, list[Any]],
    *,
    note: str = "",
    first: bool = False,
    evidence_id: uuid.UUID | None = None,
) -> RiskEvent:
    """Append one entry to the risk's history, and its record to the audit ledger.

    The ledger gets the risk's number, its system and the names of the changed fields
    only: the values (owners, descriptions) may be personal data, which it never holds.
    """
    if first:
        seq = 1
    else:
        last = session.scalar(select(func.max(RiskEvent.seq)).where(RiskEvent.risk_id == risk.id))
        seq = (last or 0) + 1
    details: dict[str, Any] = {
        "number": risk.number,
        "system_id": str(risk.system_id),
        "event": seq,
        "fields": sorted(changes),
    }
    if evidence_id is not None:
        details["evidence_id"] = str(evidence_id)
    ledger_seq = ledger_service.record(
        session,
        action=f"risk.{_LEDGER_VERBS[action]}",
        resource_type="risk",
        resource_id=risk.id,
        project_id=risk.project_id,
        details=details,
    )
    event = RiskEvent(
        project_id=risk.project_id,
        risk_id=risk.id,
        seq=seq,
        at=utcnow(),
        principal_id=ledger_service.context_of(session).actor_id,
        action=action,
        changes=changes,
        note=note,
        ledger_seq=ledger_seq,
    )
    session.add(event)
    return event


def _build(
    *,
    project_id: uuid.UUID,
    system: AISystem,
    data: schemas.RiskCreate,
    number: int,
    source: RiskSource,
    matrix: RiskMatrix,
) -> Risk:
    fields = data.model_dump(exclude={"system_id", "lifecycle_stage", "owner", "evidence_ids"})
    risk = Risk(
        id=uuid.uuid4(),
        project_id=project_id,
        system_id=system.id,
        number=number,
        lifecycle_stage=data.lifecycle_stage or system.lifecycle_stage,
        owner=system.owner if data.owner is None else data.owner,
        evidence_ids=_unique(data.evidence_ids),
        source=source,
        **fields,
    )
    risk.controls = list(dict.fromkeys(data.controls))
    _rate(risk, matrix)
    return risk


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        # The row lock makes this unreachable in practice; a lost race must still be a 409.
        raise StaleVersion(
            "version: the risk was changed by someone else meanwhile; read it again",
            field="version",
        ) from None


# The register of a system, as evidence -------------------------------------------------


@dataclass(frozen=True)
class RegisterSummary:
    """The state of one AI system's risk register, recorded as ``risk.register`` evidence
    (``evidence_service.record_result`` reads ``evidence_kind``, ``verdict``, ``summary``,
    ``inputs`` and ``to_dict()``)."""

    system_id: uuid.UUID
    system_name: str
    as_of: date
    risks: list[str]
    by_level: dict[str, int]
    by_status: dict[str, int]
    untreated_high: list[str]
    overdue_review: list[str]
    evidence_kind: str = REGISTER_KIND
    inputs: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, system: AISystem, risks: Sequence[Risk], today: date) -> "RegisterSummary":
        active = [r for r in risks if r.status != RiskStatus.CLOSED]
        return cls(
            system_id=system.id,
            system_name=system.name,
            as_of=today,
            risks=[r.ref for r in risks],
            # Closed risks no longer weigh on the system: levels count the others.
            by_level={level: sum(r.inherent_level == level for r in active) for level in LEVELS},
            by_status={s.value: sum(r.status == s for r in risks) for s in RiskStatus},
            untreated_high=[r.ref for r in active if _untreated_high(r)],
            overdue_review=[r.ref for r in active if _overdue(r, today)],
        )

    @property
    def verdict(self) -> Verdict:
        if self.untreated_high:
            return Verdict.FAIL
        if self.overdue_review:
            return Verdict.WARN
        return Verdict.PASS

    @property
    def summary(self) -> str:
        active = sum(n for s, n in self.by_status.items() if s != RiskStatus.CLOSED)
        levels = ", ".join(
            f"{self.by_level[level]} {level}" for level in reversed(LEVELS) if self.by_level[level]
        )
        text = f"{self.system_name}: {active} open risk{'s' if active != 1 else ''}"
        text += f" ({levels})" if levels else ""
        if self.untreated_high:
            text += f", untreated high or critical: {', '.join(self.untreated_high)}"
        if self.overdue_review:
            text += f", review overdue: {', '.join(self.overdue_review)}"
        return text + "."

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "system_id": str(self.system_id),
            "as_of": self.as_of.isoformat(),
            "total": len(self.risks),
            "risks": self.risks,
            "by_level": self.by_level,
            "by_status": self.by_status,
            "untreated_high": self.untreated_high,
            "overdue_review": self.overdue_review,
        }


def _untreated_high(risk: Risk) -> bool:
    return risk.treatment is None and is_high(risk.inherent_level)


def _overdue(risk: Risk, today: date) -> bool:
    return risk.review_date is not None and risk.review_date < today


def record_register(
    *, session: Session, project_id: uuid.UUID, system_ids: Iterable[uuid.UUID]
) -> list[Evidence]:
    """Record ``risk.register`` evidence about each system, once each."""
    today = _today()
    recorded = []
    for system_id in sorted(set(system_ids)):
        system = inventory_service.get_system(
            session=session, project_id=project_id, system_id=system_id
        )
        risks = session.scalars(
            select(Risk).where(Risk.system_id == system_id).order_by(Risk.number)
        ).all()
        recorded.append(
            evidence_service.record_result(
                session=session,
                project_id=project_id,
                subject_type=SubjectType.AI_SYSTEM,
                subject_id=system_id,
                result=RegisterSummary.of(system, risks, today),
            )
        )
    return recorded


# Create, read, update ------------------------------------------------------------------


def create_risk(*, session: Session, project_id: uuid.UUID, data: schemas.RiskCreate) -> Risk:
    """Add a risk to the register (source ``manual``), with its first history entry.

    Raises
    ------
    InvalidInput
        If the system or an evidence id is not in the project, or the fields contradict
        each other (a residual rating without a treatment, closed untreated).
    """
    system = _system(session, project_id, data.system_id)
    _refuse(_rule_errors(data.model_dump()))
    _check_evidence(session, project_id, data.evidence_ids)
    risk = _build(
        project_id=project_id,
        system=system,
        data=data,
        number=_next_number(session, project_id),
        source=RiskSource.MANUAL,
        matrix=matrix_of(session),
    )
    session.add(risk)
    _flush(session)
    _record_event(session, risk, RiskAction.CREATED, _diff({}, _snapshot(risk)), first=True)
    record_register(session=session, project_id=project_id, system_ids=[risk.system_id])
    return risk


_NUMBER = re.compile(r"^[Rr]-?(\d{1,9})$")


def get_risk(
    *, session: Session, project_id: uuid.UUID, ref: str | uuid.UUID, lock: bool = False
) -> Risk:
    """A risk by id, or by number (``R-12``)."""
    return get_numbered(
        session, Risk, project_id=project_id, ref=ref, number=_NUMBER,
        noun="risk", example="R-12", lock=lock,
    )  # fmt: skip


def _filtered(project_id: uuid.UUID, query: schemas.RiskQuery, today: date) -> Any:
    stmt = select(Risk).where(Risk.project_id == project_id)
    for name in ("system_id", "category", "status"):
        value = getattr(query, name)
        if value is not None:
            stmt = stmt.where(getattr(Risk, name) == value)
    if query.level is not None:
        stmt = stmt.where(Risk.inherent_level == query.level)
    if query.overdue:
        stmt = stmt.where(_overdue_clause(today))
    if query.untreated_high:
        stmt = stmt.where(_untreated_high_clause())
    return stmt


def _overdue_clause(today: date) -> Any:
    return and_(
        Risk.review_date.is_not(None), Risk.review_date < today, Risk.status != RiskStatus.CLOSED
    )


def _untreated_high_clause() -> Any:
    return and_(
        Risk.treatment.is_(None),
        Risk.inherent_level.in_(sorted(HIGH_LEVELS)),
        Risk.status != RiskStatus.CLOSED,
    )


def list_risks(
    *, session: Session, project_id: uuid.UUID, query: schemas.RiskQuery
) -> PageResult[Risk]:
    return paginate(
        session,
        _filtered(project_id, query, _today()),
        entity=Risk,
        sortable={
            "number": Risk.number,
            "created_at": Risk.created_at,
            "updated_at": Risk.updated_at,
            "inherent_score": Risk.inherent_score,
        },
        sort=query.sort,
        cursor=query.cursor,
        limit=query.limit,
    )


def update_risk(
    *, session: Session, project_id: uuid.UUID, ref: str | uuid.UUID, data: schemas.RiskUpdate
) -> Risk:
    """Change some fields of a risk, if ``data.version`` is still its version.

    The ratings are computed again, the change is recorded in the history as
    ``{field: [old, new]}`` (``closed`` when it closes the risk), and the register of the
    system (both systems, when the risk moves) is recorded again.

    Raises
    ------
    StaleVersion
        If the risk was changed since ``data.version`` was read (409); nothing changes.
    InvalidInput
        If the risk as changed would break a rule (a residual rating without a treatment,
        closed untreated), or names a system or evidence not in the project.
    """
    risk = get_risk(session=session, project_id=project_id, ref=ref, lock=True)
    if data.version != risk.version:
        raise StaleVersion(
            f"version: the risk is at version {risk.version}, not {data.version}: it was "
            "changed after you read it; read it again and reapply your change",
            field="version",
            current_version=risk.version,
        )
    changes = data.changes()
    if "system_id" in changes:
        _system(session, project_id, changes["system_id"])
    if "evidence_ids" in changes:
        _check_evidence(session, project_id, changes["evidence_ids"])
        changes["evidence_ids"] = _unique(changes["evidence_ids"])
    if "controls" in changes:
        changes["controls"] = list(dict.fromkeys(changes["controls"]))
    state = {name: getattr(risk, name) for name in TRACKED} | changes
    _refuse(_rule_errors(state))
    before = _snapshot(risk)
    for name, value in changes.items():
        setattr(risk, name, value)
    _rate(risk, matrix_of(session))
    diff = _diff(before, _snapshot(risk))
    if not diff and not data.note:
        return risk
    if diff:
        _flush(session)
    closing = "status" in diff and diff["status"][1] == RiskStatus.CLOSED.value
    action = RiskAction.CLOSED if closing else RiskAction.UPDATED
    _record_event(session, risk, action, diff, note=data.note or "")
    if diff:
        systems = {risk.system_id, uuid.UUID(before["system_id"])}
        record_register(session=session, project_id=project_id, system_ids=systems)
    session.flush()
    return risk


def history(*, session: Session, project_id: uuid.UUID, ref: str | uuid.UUID) -> list[RiskEvent]:
    """Every change of the risk, oldest first."""
    risk = get_risk(session=session, project_id=project_id, ref=ref)
    return list(
        session.scalars(
            select(RiskEvent).where(RiskEvent.risk_id == risk.id).order_by(RiskEvent.seq)
        )
    )


def attention(
    *, session: Session, project_id: uuid.UUID, today: date | None = None
) -> schemas.Attention:
    """Risks that need someone: a review date passed (not closed), or high or critical
    and untreated; each with why, most severe first."""
    today = today or _today()
    risks = session.scalars(
        select(Risk).where(
            Risk.project_id == project_id,
            or_(_overdue_clause(today), _untreated_high_clause()),
        )
    ).all()
    items = []
    for risk in risks:
        reasons = []
        if _untreated_high(risk):
            reasons.append(
                schemas.AttentionReason(
                    code="untreated_high",
                    detail=f"{risk.inherent_level} risk (score {risk.inherent_score}) with no "
                    "treatment chosen",
                )
            )
        due = risk.review_date
        if due is not None and due < today and risk.status != RiskStatus.CLOSED:
            days = (today - due).days
            reasons.append(
                schemas.AttentionReason(
                    code="overdue_review",
                    detail=f"review was due on {due.isoformat()} "
                    f"({days} day{'s' if days != 1 else ''} ago)",
                )
            )
        items.append(schemas.AttentionItem(risk=schemas.RiskRead.from_model(risk), reasons=reasons))
    items.sort(
        key=lambda i: (-LEVELS.index(i.risk.inherent_level), -i.risk.inherent_score, i.risk.number)
    )
    return schemas.Attention(as_of=today, items=items)


# Raised from evidence ------------------------------------------------------------------

# Failing evidence of these kinds raises a risk of this category; None: the category the
# result names in "risk_category", else performance_operational.
EVIDENCE_CATEGORIES: Mapping[str, RiskCategory | None] = {
    "assessment.fairness": RiskCategory.BIAS_FAIRNESS,
    "assessment.fairness_mitigation": RiskCategory.BIAS_FAIRNESS,
    "assessment.robustness": RiskCategory.ROBUSTNESS_ADVERSARIAL,
    "assessment.privacy_attack": RiskCategory.PRIVACY,
    "assessment.reidentification": RiskCategory.PRIVACY,
    "scan.pii": RiskCategory.PRIVACY,
    "check.data_minimization": RiskCategory.PRIVACY,
    "scan.model": RiskCategory.SECURITY,
    "assessment.performance": RiskCategory.PERFORMANCE_OPERATIONAL,
    "assessment.explainability": RiskCategory.TRANSPARENCY_EXPLAINABILITY,
    "monitoring.window": None,
    "monitoring.alert": None,
    "incident.report": None,
}
_TITLES = {
    "assessment.fairness": "Failing fairness assessment",
    "assessment.fairness_mitigation": "Failing fairness mitigation",
    "assessment.robustness": "Failing robustness assessment",
    "assessment.privacy_attack": "Failing privacy attack assessment",
    "assessment.reidentification": "Failing re-identification assessment",
    "scan.pii": "Failing PII scan",
    "check.data_minimization": "Failing data minimization check",
    "scan.model": "Failing model file scan",
    "assessment.performance": "Failing performance assessment",
    "assessment.explainability": "Failing explainability assessment",
    "monitoring.window": "Failing monitoring window",
    "monitoring.alert": "Monitoring alert",
    "incident.report": "Incident",
}
RAISED_LIKELIHOOD = 4
RAISED_IMPACT = 4


def category_of(evidence: Evidence) -> RiskCategory | None:
    """The category of risk a failing evidence raises; None if its kind raises none."""
    if evidence.kind not in EVIDENCE_CATEGORIES:
        return None
    category = EVIDENCE_CATEGORIES[evidence.kind]
    if category is not None:
        return category
    named = evidence.result.get("risk_category")
    if isinstance(named, str) and named in RiskCategory._value2member_map_:
        return RiskCategory(named)
    return RiskCategory.PERFORMANCE_OPERATIONAL


def _subject_label(session: Session, evidence: Evidence) -> str:
    project_id, subject_id = evidence.project_id, evidence.subject_id
    kind = evidence.subject_type
    if kind is SubjectType.MODEL_VERSION:
        version = inventory_service.get_model_version(
            session=session, project_id=project_id, version_id=subject_id
        )
        model = inventory_service.get_model(
            session=session, project_id=project_id, model_id=version.model_id
        )
        return f"{model.name} {version.version}"
    if kind is SubjectType.DATASET_VERSION:
        data_version = inventory_service.get_dataset_version(
            session=session, project_id=project_id, version_id=subject_id
        )
        dataset = inventory_service.get_dataset(
            session=session, project_id=project_id, dataset_id=data_version.dataset_id
        )
        return f"{dataset.name} {data_version.version}"
    if kind is SubjectType.MODEL:
        return inventory_service.get_model(
            session=session, project_id=project_id, model_id=subject_id
        ).name
    if kind is SubjectType.DEPLOYMENT:
        return inventory_service.get_deployment(
            session=session, project_id=project_id, deployment_id=subject_id
        ).name
    if kind is SubjectType.AI_SYSTEM:
        return inventory_service.get_system(
            session=session, project_id=project_id, system_id=subject_id
        ).name
    return str(subject_id)


def raise_from_evidence(session: Session, evidence: Evidence) -> list[Risk]:
    """Raise or update a risk for each AI system a failing evidence is about.

    Only ``fail`` evidence of the kinds in ``EVIDENCE_CATEGORIES`` raises risks. For each
    system of the subject (``inventory_service.systems_of_subject``), the system's risk of
    that category raised from evidence and not closed gets the evidence id, a
    ``raised_from_evidence`` history entry, and a likelihood of at least 4; without one, a
    new risk is opened (likelihood 4, impact 4, untreated, owned by the system's owner).
    Then the register of each system is recorded once.
    """
    if evidence.verdict != Verdict.FAIL:
        return []
    category = category_of(evidence)
    if category is None:
        return []
    systems = inventory_service.systems_of_subject(
        session=session,
        project_id=evidence.project_id,
        subject_type=evidence.subject_type,
        subject_id=evidence.subject_id,
    )
    if not systems:
        return []
    matrix = matrix_of(session)
    note = f"{evidence.kind} evidence {evidence.id} failed: {evidence.summary}"
    raised = []
    for system in systems:
        risk = session.scalar(
            select(Risk)
            .where(
                Risk.system_id == system.id,
                Risk.category == category,
                Risk.source == RiskSource.EVIDENCE,
                Risk.status != RiskStatus.CLOSED,
            )
            .order_by(Risk.number)
            .limit(1)
            .with_for_update()
        )
        if risk is None:
            title = f"{_TITLES[evidence.kind]}: {_subject_label(session, evidence)}"
            data = schemas.RiskCreate(
                system_id=system.id,
                title=title[:200],
                description=f"Raised from failing {evidence.kind} evidence: {evidence.summary}",
                category=category,
                likelihood=RAISED_LIKELIHOOD,
                impact=RAISED_IMPACT,
                evidence_ids=[evidence.id],
            )
            risk = _build(
                project_id=evidence.project_id,
                system=system,
                data=data,
                number=_next_number(session, evidence.project_id),
                source=RiskSource.EVIDENCE,
                matrix=matrix,
            )
            session.add(risk)
            _flush(session)
            changes = _diff({}, _snapshot(risk))
            _record_event(
                session, risk, RiskAction.RAISED_FROM_EVIDENCE, changes, note=note, first=True,
                evidence_id=evidence.id,
            )  # fmt: skip
        else:
            before = _snapshot(risk)
            risk.evidence_ids = _unique([*risk.evidence_ids, evidence.id])
            risk.likelihood = max(risk.likelihood, RAISED_LIKELIHOOD)
            _rate(risk, matrix)
            _flush(session)
            _record_event(
                session, risk, RiskAction.RAISED_FROM_EVIDENCE, _diff(before, _snapshot(risk)),
                note=note, evidence_id=evidence.id,
            )  # fmt: skip
        raised.append(risk)
    session.flush()
    record_register(
        session=session, project_id=evidence.project_id, system_ids=[s.id for s in systems]
    )
    return raised


def _on_evidence_recorded(session: Session, evidence: Evidence) -> None:
    raise_from_evidence(session, evidence)


# Subscribed rather than called by the evidence service: this module records evidence
# itself (``risk.register``), so evidence importing it back would be an import cycle.
if _on_evidence_recorded not in evidence_service.on_recorded:
    evidence_service.on_recorded.append(_on_evidence_recorded)


# Export --------------------------------------------------------------------------------

CSV_COLUMNS = (
    "ref", "id", "system_id", "system", "title", "description", "category",
    "lifecycle_stage", "owner", "likelihood", "impact", "inherent_score", "inherent_level",
    "treatment", "treatment_plan", "controls", "residual_likelihood", "residual_impact",
    "residual_score", "residual_level", "contingency_plan", "status", "review_date",
    "evidence_ids", "source", "created_at", "updated_at", "version",
)  # fmt: skip
# Columns an import reads; the others of an export are computed or assigned, and ignored.
WRITABLE = frozenset(
    {
        "system_id", "system", "title", "description", "category", "lifecycle_stage",
        "owner", "likelihood", "impact", "treatment", "treatment_plan", "controls",
        "residual_likelihood", "residual_impact", "contingency_plan", "status",
        "review_date", "evidence_ids",
    }
)  # fmt: skip
IGNORED = frozenset(
    {
        "ref", "id", "project_id", "number", "inherent_score", "inherent_level",
        "residual_score", "residual_level", "source", "created_at", "updated_at", "version",
    }
)  # fmt: skip
_LIST_COLUMNS = ("controls", "evidence_ids")
_TEXT_COLUMNS = frozenset(
    {"system", "title", "description", "owner", "treatment_plan", "contingency_plan", "controls"}
)
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection):
# such text is exported behind a quote, which the import takes off again.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_untext(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


def _csv_list(values: Sequence[str]) -> str:
    # "a; b" for people, a JSON list when a value holds the separator itself.
    if any(";" in v for v in values):
        return json.dumps(list(values))
    return "; ".join(values)


def _export_record(risk: Risk, system_name: str) -> dict[str, Any]:
    return schemas.RiskRead.from_model(risk).model_dump(mode="json") | {"system": system_name}


def export_risks(
    *,
    session: Session,
    project_id: uuid.UUID,
    fmt: ImportFormat,
    system_id: uuid.UUID | None = None,
    batch: int = 500,
) -> Iterator[str]:
    """The project's risks (or one system's), in order of number, as CSV or as a JSON
    list, in pieces: rows are read in batches, so memory stays flat."""
    stmt = select(Risk).where(Risk.project_id == project_id).order_by(Risk.number)
    if system_id is not None:
        stmt = stmt.where(Risk.system_id == system_id)
    names: dict[uuid.UUID, str] = {}

    def name_of(risk: Risk) -> str:
        if risk.system_id not in names:
            names[risk.system_id] = inventory_service.get_system(
                session=session, project_id=project_id, system_id=risk.system_id
            ).name
        return names[risk.system_id]

    risks = session.scalars(stmt.execution_options(yield_per=batch))
    if fmt == "json":
        yield "["
        for index, risk in enumerate(risks):
            yield ("," if index else "") + "\n" + json.dumps(_export_record(risk, name_of(risk)))
        yield "\n]\n"
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: Sequence[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield line(CSV_COLUMNS)
    for risk in risks:
        record = _export_record(risk, name_of(risk))
        cells = []
        for column in CSV_COLUMNS:
            value = record[column]
            if column in _LIST_COLUMNS:
                value = _csv_list(value)
            if value is None:
                value = ""
            if column in _TEXT_COLUMNS:
                value = _csv_text(str(value))
            cells.append(value)
        yield line(cells)


# Import --------------------------------------------------------------------------------


@dataclass
class _Row:
    row: int
    line: int | None
    values: dict[str, Any]


@dataclass
class _Checked:
    row: int
    system: AISystem
    data: schemas.RiskCreate


def _row_error(row: int, line: int | None, name: str, message: str) -> schemas.RowError:
    return schemas.RowError(row=row, line=line, field=name, message=message)


def _csv_rows(text: str) -> tuple[list[_Row], list[schemas.RowError]]:
    """The records of a CSV text (header first), and what is wrong with its shape.

    A quoting error ends the reading: where the next record starts is then a guess.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[_Row] = []
    errors: list[schemas.RowError] = []
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return [], [_row_error(0, reader.line_num, "header", f"header: bad CSV: {exc}")]
    if not header or not any(h.strip() for h in header):
        message = "header: the CSV is empty; its first line must name the columns"
        return [], [_row_error(0, 1, "header", message)]
    names = [h.strip().lstrip("\ufeff") for h in header]
    unknown = [n for n in names if n not in WRITABLE | IGNORED]
    if unknown:
        plural = "s" if len(unknown) > 1 else ""
        message = (
            f"header: unknown column{plural} {', '.join(map(repr, unknown))}; an import reads "
            f"{', '.join(sorted(WRITABLE))}"
        )
        errors.append(_row_error(0, 1, "header", message))
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        errors.append(
            _row_error(0, 1, "header", f"header: column {', '.join(repeated)} appears twice")
        )
    number = 0
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            errors.append(
                _row_error(number + 1, start, "body", f"line {start}: bad CSV quoting: {exc}")
            )
            break
        if cells is None:
            break
        if not any(c.strip() for c in cells):
            continue  # blank lines
        number += 1
        if len(cells) != len(names):
            message = f"columns: the row has {len(cells)} values and the header {len(names)}"
            errors.append(_row_error(number, start, "columns", message))
            continue
        values: dict[str, Any] = {}
        for name, cell in zip(names, cells, strict=True):
            cell = cell.strip()
            if name in IGNORED or not cell:
                continue
            if name in _TEXT_COLUMNS:
                cell = _csv_untext(cell)
            if name in _LIST_COLUMNS:
                values[name] = _split_list(cell)
            else:
                values[name] = cell
        rows.append(_Row(row=number, line=start, values=values))
    return rows, errors


def _split_list(cell: str) -> Any:
    if cell.startswith("["):
        try:
            return json.loads(cell)
        except json.JSONDecodeError:
            return cell  # refused by the schema, naming the column
    return [part.strip() for part in cell.split(";") if part.strip()]


def _json_rows(text: str) -> tuple[list[_Row], list[schemas.RowError]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [_row_error(0, None, "body", f"body: not valid JSON: {exc}")]
    if isinstance(data, dict) and isinstance(data.get("risks"), list):
        data = data["risks"]
    if not isinstance(data, list):
        return [], [
            _row_error(0, None, "body", 'body: expected a JSON list of risks (or {"risks": [...]})')
        ]
    rows, errors = [], []
    for index, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            errors.append(_row_error(index, None, "body", f"body: row {index} is not an object"))
            continue
        values = {k: v for k, v in item.items() if k not in IGNORED and v is not None}
        rows.append(_Row(row=index, line=None, values=values))
    return rows, errors


def _location(loc: Sequence[Any]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


@dataclass
class _Known:
    """What an import has looked up already: its rows name the same few systems."""

    systems: dict[str, AISystem | None] = field(default_factory=dict)
    evidence: dict[uuid.UUID, bool] = field(default_factory=dict)

    def system(self, session: Session, project_id: uuid.UUID, ref: str) -> AISystem | None:
        if ref not in self.systems:
            self.systems[ref] = inventory_service.find_system(
                session=session, project_id=project_id, ref=ref
            )
        return self.systems[ref]

    def has_evidence(self, session: Session, project_id: uuid.UUID, ref: uuid.UUID) -> bool:
        if ref not in self.evidence:
            self.evidence[ref] = not _missing_evidence(session, project_id, [ref])
        return self.evidence[ref]


def _check_row(
    session: Session, project_id: uuid.UUID, row: _Row, known: _Known
) -> tuple[_Checked | None, list[schemas.RowError]]:
    values = dict(row.values)
    errors: list[schemas.RowError] = []

    def fail(name: str, message: str) -> None:
        errors.append(_row_error(row.row, row.line, name, message))

    by_id, by_name = values.pop("system_id", None), values.pop("system", None)
    system = None
    if by_id is not None:
        try:
            system_uuid = uuid.UUID(str(by_id))
        except ValueError:
            fail("system_id", f"system_id: {by_id!r} is not an id; name the system in 'system'")
        else:
            system = known.system(session, project_id, str(system_uuid))
            if system is None:
                fail("system_id", f"system_id: no AI system with id {by_id} in this project")
    elif by_name is not None:
        system = known.system(session, project_id, str(by_name))
        if system is None:
            fail("system", f"system: no AI system named (or with id) {by_name!r} in this project")
    else:
        fail("system", "system: name the AI system ('system': its name or id, or 'system_id')")
    unknown = sorted(set(values) - WRITABLE)
    for name in unknown:
        fail(name, f"{name}: unknown field; an import reads {', '.join(sorted(WRITABLE))}")
        values.pop(name)
    # A stand-in id when the system is missing, so the schema reports only the other fields.
    values["system_id"] = system.id if system is not None else uuid.UUID(int=0)
    try:
        data = schemas.RiskCreate.model_validate(values)
    except pydantic.ValidationError as exc:
        for error in exc.errors():
            name = _location(error["loc"])
            fail(name, f"{name}: {error['msg']}")
        return None, errors
    for name, message in _rule_errors(data.model_dump()):
        fail(name, message)
    for evidence_id in data.evidence_ids:
        if not known.has_evidence(session, project_id, evidence_id):
            fail("evidence_ids", f"evidence_ids: no evidence with id {evidence_id} in this project")
    if errors or system is None:
        return None, errors
    return _Checked(row=row.row, system=system, data=data), errors


def import_risks(
    *,
    session: Session,
    project_id: uuid.UUID,
    content: bytes,
    fmt: ImportFormat,
    dry_run: bool,
) -> schemas.RiskImportResult:
    """Add the risks of a CSV or JSON document (the export's format) to the register.

    Every row is checked first; if any is invalid, nothing is written and the error lists
    every invalid value with its row (and, for CSV, its line). Systems are named by id
    (``system_id``) or by name or id (``system``); computed and assigned columns of an
    export (``ref``, ``id``, scores, levels, ``source``, timestamps, ``version``) are
    ignored, so an export imports as new risks. A dry run checks and numbers the rows,
    and writes nothing.

    Raises
    ------
    InvalidInput
        With ``errors``: ``[{row, line, field, message}, …]``, if any row is invalid.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"body: not UTF-8 text (byte {exc.start} cannot be decoded)", field="body"
        ) from None
    rows, errors = _csv_rows(text) if fmt == "csv" else _json_rows(text)
    if len(rows) > MAX_IMPORT_ROWS:
        raise InvalidInput(
            f"body: {len(rows)} rows; an import takes at most {MAX_IMPORT_ROWS}", field="body"
        )
    checked: list[_Checked] = []
    known = _Known()
    for row in rows:
        ok, row_errors = _check_row(session, project_id, row, known)
        errors.extend(row_errors)
        if ok is not None:
            checked.append(ok)
    if not rows and not errors:
        errors.append(_row_error(0, None, "body", "body: no risks to import"))
    if errors:
        bad_rows = sorted({e.row for e in errors})
        listed = "; ".join(f"row {e.row}: {e.message}" for e in errors[:10])
        more = f"; and {len(errors) - 10} more" if len(errors) > 10 else ""
        raise InvalidInput(
            f"{len(bad_rows)} invalid row{'s' if len(bad_rows) != 1 else ''} of "
            f"{max(len(rows), 1)}; nothing was imported: {listed}{more}",
            field=errors[0].field,
            errors=[e.model_dump() for e in errors],
        )
    matrix = matrix_of(session)
    first = _next_number(session, project_id, lock=not dry_run)
    items = []
    for offset, item in enumerate(checked):
        risk = _build(
            project_id=project_id,
            system=item.system,
            data=item.data,
            number=first + offset,
            source=RiskSource.IMPORT,
            matrix=matrix,
        )
        if not dry_run:
            session.add(risk)
            _flush(session)
            _record_event(
                session, risk, RiskAction.IMPORTED, _diff({}, _snapshot(risk)), first=True,
                note=f"imported from {fmt.upper()} row {item.row}",
            )  # fmt: skip
        items.append(
            schemas.RiskImportItem(
                row=item.row,
                id=None if dry_run else risk.id,
                number=risk.number,
                ref=risk.ref,
                system_id=risk.system_id,
                title=risk.title,
                category=risk.category,
                status=risk.status,
                treatment=risk.treatment,
                inherent_score=risk.inherent_score,
                inherent_level=risk.inherent_level,
                residual_score=risk.residual_score,
                residual_level=risk.residual_level,
            )
        )
    if not dry_run:
        session.flush()
        record_register(
            session=session, project_id=project_id, system_ids={c.system.id for c in checked}
        )
    return schemas.RiskImportResult(
        dry_run=dry_run, created=0 if dry_run else len(items), items=items
    )


def risks_of_system(*, session: Session, project_id: uuid.UUID, system_id: uuid.UUID) -> list[Risk]:
    """Every risk of one AI system, by number (for its compliance report)."""
    return list(
        session.scalars(
            select(Risk)
            .where(Risk.project_id == project_id, Risk.system_id == system_id)
            .order_by(Risk.number)
        )
    )
