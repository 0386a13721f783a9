"""Compliance of AI systems: their EU AI Act classification, the questionnaires the law
asks for, how each framework requirement is implemented, and the status that follows
from the evidence.

The status is never stored: it is computed from the current evidence each time it is
asked for (``bastion.frameworks.evaluate``), so it cannot drift from what the evidence
says.
"""

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bastion import classification, questionnaires
from bastion.compliance import schemas
from bastion.compliance.models import ControlImplementation
from bastion.errors import InvalidInput
from bastion.evidence import service as evidence_service
from bastion.evidence.models import Evidence, Verdict
from bastion.evidence.schemas import EvidenceCreate
from bastion.frameworks import (
    Catalog,
    EvidenceItem,
    FrameworkStatus,
    Implementation,
    SystemProfile,
    applies,
    evaluate,
)
from bastion.inventory import service as inventory_service
from bastion.inventory.enums import ActorRole, ModelStage, RiskTier, SubjectType
from bastion.inventory.models import (
    AISystem,
    DatasetVersion,
    Document,
    Model,
    ModelVersion,
    ModelVersionDataset,
    Project,
)
from bastion.ledger import service as ledger_service
from bastion.storage.base import utcnow

CLASSIFICATION_KIND = "classification.eu_ai_act"
EU_AI_ACT = "eu_ai_act"


def purpose_digest(system: AISystem) -> str:
    """What the classification depends on: when it changes, the system must be classified
    again (the EU AI Act's tiers follow from the intended purpose)."""
    described = {
        "purpose": system.purpose,
        "intended_use": system.intended_use,
        "deployment_context": system.deployment_context,
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


def _inputs(digests: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"role": role, "sha256": digest} for role, digest in digests.items()]


# Classification ------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassificationState:
    evidence: Evidence | None
    stale: bool

    @property
    def reason(self) -> str:
        if self.evidence is None:
            return "the system has not been classified"
        if self.stale:
            return "the system's purpose changed after it was classified: classify it again"
        return "current"


def classification_state(
    *, session: Session, project_id: uuid.UUID, system: AISystem
) -> ClassificationState:
    evidence = evidence_service.current(
        session=session, project_id=project_id, kind=CLASSIFICATION_KIND, subject_id=system.id
    )
    stale = evidence is not None and evidence.result.get("purpose_digest") != purpose_digest(system)
    return ClassificationState(evidence=evidence, stale=stale)


def obligations(catalog: Catalog, profile: SystemProfile) -> list[dict[str, str]]:
    """The EU AI Act requirements that apply to a system with this profile."""
    framework = catalog.framework(EU_AI_ACT)
    return [
        {"requirement": f"{EU_AI_ACT}:{r.id}", "ref": r.ref, "title": r.title}
        for r in framework.requirements
        if applies(r, profile)[0]
    ]


def classify_system(
    *,
    session: Session,
    catalog: Catalog,
    project_id: uuid.UUID,
    system_id: uuid.UUID,
    answers: Mapping[str, Any],
) -> Evidence:
    """Classify the system from the answers: record the classification as evidence and set
    the system's risk tier and role from it."""
    system = inventory_service.get_system(
        session=session, project_id=project_id, system_id=system_id
    )
    result = classification.classify(answers)
    # The shipped tree always asks the role; a custom tree may not, and then the role
    # recorded on the system stands.
    role = result.role or system.actor_role.value
    profile = SystemProfile(risk_tier=result.tier, role=role, facts=result.facts)
    document = result.to_dict() | {
        "obligations": obligations(catalog, profile),
        "purpose_digest": purpose_digest(system),
        "catalog_digest": catalog.digest,
    }
    evidence = evidence_service.record_evidence(
        session=session,
        project_id=project_id,
        data=EvidenceCreate(
            kind=result.evidence_kind,
            subject_type=SubjectType.AI_SYSTEM,
            subject_id=system.id,
            verdict=Verdict(result.verdict),
            summary=result.summary,
            result=document,
            inputs=_inputs(result.inputs | {"catalog": catalog.digest}),
        ),
    )
    changes = {}
    if system.risk_tier != result.tier:
        changes["risk_tier"] = [system.risk_tier.value, result.tier]
    if system.actor_role != role:
        changes["actor_role"] = [system.actor_role.value, role]
    system.risk_tier = RiskTier(result.tier)
    system.actor_role = ActorRole(role)
    ledger_service.record(
        session,
        action="ai_system.classify",
        resource_type="ai_system",
        resource_id=system.id,
        project_id=project_id,
        details={"evidence_id": str(evidence.id), "changes": changes},
    )
    return evidence


# Questionnaires ------------------------------------------------------------------------


def record_questionnaire(
    *,
    session: Session,
    project_id: uuid.UUID,
    system_id: uuid.UUID,
    questionnaire_id: str,
    answers: Mapping[str, Any],
) -> Evidence:
    """Validate a questionnaire's answers and record them as evidence about the system."""
    system = inventory_service.get_system(
        session=session, project_id=project_id, system_id=system_id
    )
    if questionnaire_id not in questionnaires.BUILTIN_IDS:
        known = ", ".join(sorted(questionnaires.BUILTIN_IDS))
        raise InvalidInput(
            f"no questionnaire {questionnaire_id!r}; known: {known}", field="questionnaire"
        )
    result = questionnaires.evaluate(questionnaires.builtin(questionnaire_id), answers)
    return evidence_service.record_result(
        session=session,
        project_id=project_id,
        subject_type=SubjectType.AI_SYSTEM,
        subject_id=system.id,
        result=result,
    )


# Control implementations ---------------------------------------------------------------


def set_implementation(
    *,
    session: Session,
    catalog: Catalog,
    project_id: uuid.UUID,
    system_id: uuid.UUID,
    requirement: str,
    data: schemas.ImplementationSet,
) -> ControlImplementation:
    system = inventory_service.get_system(
        session=session, project_id=project_id, system_id=system_id
    )
    catalog.requirement(requirement)  # refuses an unknown requirement, naming it
    record = session.scalar(
        select(ControlImplementation).where(
            ControlImplementation.system_id == system.id,
            ControlImplementation.requirement == requirement,
        )
    )
    if record is None:
        record = ControlImplementation(
            project_id=project_id, system_id=system.id, requirement=requirement
        )
        session.add(record)
    changed = [
        name for name, value in data.model_dump().items() if getattr(record, name, None) != value
    ]
    for name, value in data.model_dump().items():
        setattr(record, name, value)
    session.flush()
    # Field names only: owners and notes may name people, and the ledger keeps no values.
    ledger_service.record(
        session,
        action="control.implement",
        resource_type="ai_system",
        resource_id=system.id,
        project_id=project_id,
        details={"requirement": requirement, "changed": sorted(changed)},
    )
    return record


def implementations(*, session: Session, system_id: uuid.UUID) -> dict[str, ControlImplementation]:
    rows = session.scalars(
        select(ControlImplementation).where(ControlImplementation.system_id == system_id)
    )
    return {row.requirement: row for row in rows}


# Status --------------------------------------------------------------------------------


def subjects_of(session: Session, system: AISystem) -> dict[uuid.UUID, SubjectType]:
    """What evidence about a system may be about: the system, the live versions of its
    models (retired ones no longer speak for it), the dataset versions they were trained
    or evaluated on, and the project."""
    subjects = {system.id: SubjectType.AI_SYSTEM, system.project_id: SubjectType.PROJECT}
    versions = session.scalars(
        select(ModelVersion.id)
        .join(Model, Model.id == ModelVersion.model_id)
        .where(Model.system_id == system.id, ModelVersion.stage != ModelStage.RETIRED)
    ).all()
    subjects.update(dict.fromkeys(versions, SubjectType.MODEL_VERSION))
    if versions:
        datasets = session.scalars(
            select(ModelVersionDataset.dataset_version_id)
            .join(DatasetVersion, DatasetVersion.id == ModelVersionDataset.dataset_version_id)
            .where(ModelVersionDataset.model_version_id.in_(versions))
        ).all()
        subjects.update(dict.fromkeys(datasets, SubjectType.DATASET_VERSION))
    return subjects


@dataclass(frozen=True)
class SystemEvidence:
    """The current evidence that can speak for a system, and its uploaded documents."""

    records: list[Evidence]
    documents: list[Document]


def system_evidence(*, session: Session, project_id: uuid.UUID, system: AISystem) -> SystemEvidence:
    subjects = subjects_of(session, system)
    records = evidence_service.current_for(
        session=session, project_id=project_id, subject_ids=list(subjects)
    )
    documents = session.scalars(
        select(Document)
        .where(Document.project_id == project_id, Document.subject_id.in_(list(subjects)))
        .order_by(Document.created_at)
    ).all()
    return SystemEvidence(records=records, documents=list(documents))


def _item(evidence: Evidence, *, expired_now: datetime | None = None) -> EvidenceItem:
    return EvidenceItem(
        id=str(evidence.id),
        kind=evidence.kind,
        verdict=evidence.verdict.value,
        created_at=evidence.created_at,
        # A stale classification has expired the moment the purpose changed; "now" is the
        # latest moment we can name for that.
        valid_until=expired_now if expired_now is not None else evidence.valid_until,
        subject_type=evidence.subject_type.value,
        subject_id=str(evidence.subject_id),
        summary=evidence.summary,
    )


def _document_item(document: Document) -> EvidenceItem:
    return EvidenceItem(
        id=str(document.id),
        kind=document.kind,
        verdict=Verdict.INFO.value,
        created_at=document.created_at,
        valid_until=None,
        subject_type=document.subject_type.value,
        subject_id=str(document.subject_id),
        summary=f"Document: {document.title}",
    )


def _facts(state: ClassificationState, records: list[Evidence]) -> dict[str, bool]:
    facts: dict[str, bool] = {}
    # A stale classification's answers no longer describe the system: drop them, so that
    # every fact is assumed (as for a system never classified) until it is redone.
    if state.evidence is not None and not state.stale:
        facts.update(state.evidence.result.get("facts", {}))
    # A scan that found personal data settles the question, whatever was answered.
    for record in records:
        if record.kind == "scan.pii" and record.subject_type == SubjectType.DATASET_VERSION:
            if record.result.get("columns"):
                facts["personal_data"] = True
            if record.result.get("special_categories"):
                facts["special_category_data"] = True
    return facts


@dataclass(frozen=True)
class SystemCompliance:
    system: AISystem
    classification: ClassificationState
    profile: SystemProfile
    frameworks: list[FrameworkStatus]
    evidence: SystemEvidence


def system_status(
    *,
    session: Session,
    catalog: Catalog,
    project_id: uuid.UUID,
    system_id: uuid.UUID,
    framework: str | None = None,
    now: datetime | None = None,
) -> SystemCompliance:
    """Each applicable requirement of each framework (or one) and its status now."""
    now = now or utcnow()
    system = inventory_service.get_system(
        session=session, project_id=project_id, system_id=system_id
    )
    frameworks = [catalog.framework(framework).id] if framework else list(catalog.frameworks)
    state = classification_state(session=session, project_id=project_id, system=system)
    evidence = system_evidence(session=session, project_id=project_id, system=system)
    profile = SystemProfile(
        risk_tier=system.risk_tier.value,
        role=system.actor_role.value,
        facts=_facts(state, evidence.records),
    )
    if state.stale:
        # Nor does it set the tier: assume every tier applies.
        profile = replace(profile, risk_tier=RiskTier.UNCLASSIFIED.value)
    items = [
        _item(e, expired_now=now if state.stale and e.kind == CLASSIFICATION_KIND else None)
        for e in evidence.records
    ] + [_document_item(d) for d in evidence.documents]
    planned = {
        key: Implementation(
            owner=row.owner or None,
            due_date=row.due_date,
            not_applicable=row.not_applicable,
            notes=row.notes,
        )
        for key, row in implementations(session=session, system_id=system.id).items()
    }
    statuses = [
        evaluate(catalog, framework_id, profile, items, planned, now=now)
        for framework_id in frameworks
    ]
    return SystemCompliance(
        system=system, classification=state, profile=profile, frameworks=statuses, evidence=evidence
    )


def as_read(result: SystemCompliance) -> schemas.ComplianceRead:
    state = result.classification
    return schemas.ComplianceRead(
        system_id=result.system.id,
        system_name=result.system.name,
        risk_tier=result.system.risk_tier.value,
        role=result.system.actor_role.value,
        facts=dict(result.profile.facts),
        classification={
            "status": state.reason,
            "stale": state.stale,
            "evidence_id": str(state.evidence.id) if state.evidence else None,
            "classified_at": state.evidence.created_at.isoformat() if state.evidence else None,
            "reasons": list(state.evidence.result.get("reasons", [])) if state.evidence else [],
        },
        frameworks=[f.to_dict() for f in result.frameworks],
    )


def project_rollup(
    *, session: Session, catalog: Catalog, project_id: uuid.UUID, now: datetime | None = None
) -> list[SystemCompliance]:
    """Every AI system of the project with its status in every framework."""
    systems = session.scalars(
        select(AISystem).where(AISystem.project_id == project_id).order_by(AISystem.name)
    ).all()
    return [
        system_status(
            session=session, catalog=catalog, project_id=project_id, system_id=s.id, now=now
        )
        for s in systems
    ]


def organization_rollup(
    *,
    session: Session,
    catalog: Catalog,
    project_ids: list[uuid.UUID] | None,
    now: datetime | None = None,
) -> list[tuple[Project, list[SystemCompliance]]]:
    """The roll-up of every project (``None``) or of the listed ones, by project name."""
    stmt = select(Project).order_by(Project.name)
    if project_ids is not None:
        stmt = stmt.where(Project.id.in_(project_ids))
    return [
        (project, project_rollup(session=session, catalog=catalog, project_id=project.id, now=now))
        for project in session.scalars(stmt)
    ]
