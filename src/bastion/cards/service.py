"""Building a model card from the inventory and the current evidence about a model version.

Figures are copied from evidence results as they were recorded, never recomputed, and
each section says which evidence it came from. What is missing is said, not hidden: a
card without a fairness assessment says so among its caveats.
"""

import math
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from bastion.cards.schemas import (
    CardBreakdown,
    CardDataset,
    CardEvidence,
    CardImportance,
    CardMetric,
    CardModelDetails,
    CardSystem,
    ModelCard,
)
from bastion.evidence import service as evidence_service
from bastion.evidence.models import Evidence
from bastion.inventory import service as inventory_service
from bastion.inventory.enums import DatasetRole
from bastion.inventory.models import Project
from bastion.storage.base import utcnow

# The assessments a card expects before a model is relied on (issue 4's suite).
EXPECTED = {
    "assessment.performance": "performance",
    "assessment.fairness": "fairness",
    "assessment.explainability": "explainability",
    "assessment.robustness": "robustness",
    "assessment.privacy_attack": "privacy attack (membership inference)",
}
# Result fields that describe a group rather than measure it.
_GROUP_FIELDS = {"count", "weight", "small", "intervals"}
_MAX_NOTES_PER_EVIDENCE = 5


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _metrics(evidence: Evidence) -> list[CardMetric]:
    result = evidence.result
    out = [
        CardMetric(name=name, value=_number(value), source=evidence.kind)
        for name, value in (result.get("overall") or {}).items()
        if _number(value) is not None or value is None
    ]
    # fairlearn's aggregates: {"demographic_parity_ratio": {"between_groups": v, ...}}.
    for name, by_method in (result.get("aggregates") or {}).items():
        if isinstance(by_method, dict):
            out += [
                CardMetric(name=f"{name} ({method})", value=_number(v), source=evidence.kind)
                for method, v in by_method.items()
            ]
    return out


def _breakdown(evidence: Evidence) -> CardBreakdown | None:
    result = evidence.result
    groups = result.get("groups")
    features = [str(f) for f in result.get("sensitive_features") or []]
    if not groups or not features or not isinstance(groups, list):
        return None
    metrics: list[str] = []
    for group in groups:
        for key, value in group.items():
            if key in features or key in _GROUP_FIELDS or key in metrics:
                continue
            if value is None or _number(value) is not None:
                metrics.append(key)
    rows = [
        {
            **{f: g.get(f) for f in features},
            "count": g.get("count"),
            "small": g.get("small"),
            **{m: _number(g.get(m)) for m in metrics},
        }
        for g in groups
    ]
    return CardBreakdown(source=evidence.kind, features=features, metrics=metrics, rows=rows)


def _importance(evidence: Evidence) -> list[CardImportance]:
    rows = evidence.result.get("importance") or []
    return [
        CardImportance(feature=str(r.get("feature")), share=_number(r.get("share")))
        for r in rows
        if isinstance(r, dict)
    ]


def _datasets(session: Session, project_id: uuid.UUID, links: Iterable[Any]) -> list[CardDataset]:
    out = []
    for link in links:
        version = inventory_service.get_dataset_version(
            session=session, project_id=project_id, version_id=link.dataset_version_id
        )
        dataset = inventory_service.get_dataset(
            session=session, project_id=project_id, dataset_id=version.dataset_id
        )
        out.append(
            CardDataset(
                role=link.role.value,
                id=version.id,
                dataset=dataset.name,
                version=version.version,
                description=version.description or dataset.description,
                source=version.source or dataset.source,
                rows=version.row_count,
                sha256=version.content_digest,
                classification=(version.classification or dataset.classification).value,
            )
        )
    return out


def _considerations(evidence: list[Evidence], system: CardSystem | None) -> list[str]:
    out = []
    if system is not None:
        out.append(f"Risk tier of the AI system: {system.risk_tier}.")
        if system.affected_groups:
            out.append(f"Groups affected by its decisions: {', '.join(system.affected_groups)}.")
    for e in evidence:
        if e.kind == "assessment.fairness":
            out.append(f"Fairness: {e.summary}")
        elif e.kind == "assessment.privacy_attack":
            level = e.result.get("risk_level")
            out.append(f"Privacy (membership inference, leakage risk {level}): {e.summary}")
        elif e.kind == "assessment.explainability":
            out.append(f"Explainability: {e.summary}")
    return out


def _caveats(evidence: list[Evidence], now: datetime) -> list[str]:
    kinds = {e.kind for e in evidence}
    out = [
        f"No {label} assessment is recorded."
        for kind, label in EXPECTED.items()
        if kind not in kinds
    ]
    for e in evidence:
        if e.valid_until is not None and e.valid_until <= now:
            out.append(f"The {e.kind} evidence expired on {e.valid_until:%Y-%m-%d}.")
        if e.verdict.value in ("warn", "fail"):
            out.append(f"{e.kind} {e.verdict.value}s: {e.summary}")
        notes = [n for n in e.result.get("notes") or [] if isinstance(n, str)]
        out += [f"{e.kind}: {n}" for n in notes[:_MAX_NOTES_PER_EVIDENCE]]
    return out


def build_card(*, session: Session, project: Project, model_version_id: uuid.UUID) -> ModelCard:
    """The model card of a model version, from its record, its AI system, its datasets and
    the current evidence about it."""
    version = inventory_service.get_model_version(
        session=session, project_id=project.id, version_id=model_version_id
    )
    model = inventory_service.get_model(
        session=session, project_id=project.id, model_id=version.model_id
    )
    system = None
    if model.system_id is not None:
        s = inventory_service.get_system(
            session=session, project_id=project.id, system_id=model.system_id
        )
        system = CardSystem(
            id=s.id,
            name=s.name,
            purpose=s.purpose,
            intended_use=s.intended_use,
            deployment_context=s.deployment_context,
            affected_groups=list(s.affected_groups),
            risk_tier=s.risk_tier.value,
            actor_role=s.actor_role.value,
            owner=s.owner,
        )
    now = utcnow()
    evidence = evidence_service.current_about(
        session=session, project_id=project.id, subject_id=version.id
    )
    datasets = _datasets(session, project.id, version.dataset_links)
    breakdowns = [b for e in evidence if (b := _breakdown(e)) is not None]
    factors = sorted({f for b in breakdowns for f in b.features})
    if system is not None:
        factors += [g for g in system.affected_groups if g not in factors]
    return ModelCard(
        generated_at=now,
        project={"slug": project.slug, "name": project.name},
        model=CardModelDetails(
            id=version.id,
            name=model.name,
            version=version.version,
            description=version.description or model.description,
            framework=version.framework,
            task_type=version.task_type.value,
            stage=version.stage.value,
            owner=model.owner,
            artifact_filename=version.artifact_filename,
            artifact_sha256=version.artifact_digest,
            artifact_size=version.artifact_size,
            created_at=version.created_at.astimezone(UTC),
            tags=list(version.tags),
            metadata=dict(version.metadata_),
        ),
        system=system,
        intended_use=(system.intended_use or system.purpose) if system else "",
        factors=factors,
        metrics=[m for e in evidence for m in _metrics(e)],
        training_data=[d for d in datasets if d.role == DatasetRole.TRAINING.value],
        evaluation_data=[d for d in datasets if d.role == DatasetRole.EVALUATION.value],
        breakdowns=breakdowns,
        importance=[i for e in evidence for i in _importance(e)],
        ethical_considerations=_considerations(evidence, system),
        caveats=_caveats(evidence, now),
        evidence=[
            CardEvidence(
                id=e.id,
                kind=e.kind,
                verdict=e.verdict,
                summary=e.summary,
                created_at=e.created_at,
                valid_until=e.valid_until,
                expired=e.valid_until is not None and e.valid_until <= now,
                ledger_seq=e.ledger_seq,
                inputs=list(e.inputs),
            )
            for e in evidence
        ],
    )
