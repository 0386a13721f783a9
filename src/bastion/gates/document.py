"""The evidence document a gate's policy reads (docs/policy.md, "The evidence document").

Everything a policy may decide on is here, as plain JSON, and nothing else: the policy
never reaches into the database, so a decision can be replayed from the document its
evidence records the digest of.
"""

import hashlib
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bastion.compliance import service as compliance_service
from bastion.evidence import service as evidence_service
from bastion.evidence.models import Evidence
from bastion.frameworks import Catalog
from bastion.gates.models import Approval, PromotionRequest, RequestStatus
from bastion.inventory import service as inventory_service
from bastion.inventory.enums import DatasetRole
from bastion.inventory.models import AISystem, ModelVersion
from bastion.ledger.entry import format_time
from bastion.risks import service as risks_service

SCHEMA_VERSION = 1
# Evidence about the model version speaks for it before evidence about its data, its
# system or its project.
_PRECEDENCE = ("model_version", "dataset_version", "ai_system", "project")


def model_digest(version: ModelVersion) -> str:
    """What an approval approves: the artifact and the data it was trained and evaluated
    on. A change to either makes earlier approvals stale."""
    described = {
        "artifact": version.artifact_digest,
        "version": version.version,
        "datasets": sorted(
            (str(link.dataset_version_id), link.role.value) for link in version.dataset_links
        ),
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


def _features(version: ModelVersion, minimization: Evidence | None) -> list[str]:
    """The model's input columns: as the data minimization check found them, else as
    the version's declared input schema names them (JSON Schema ``properties`` or keys)."""
    if minimization is not None and minimization.result.get("features"):
        return [str(f) for f in minimization.result["features"]]
    schema = version.input_schema or {}
    properties = schema.get("properties")
    return sorted(properties if isinstance(properties, dict) else schema)


def _age_days(moment: datetime, now: datetime) -> int:
    return max(0, (now - moment).days)


def _evidence_entry(record: Evidence, catalog: Catalog, now: datetime) -> dict[str, Any]:
    kind = catalog.evidence_kinds.get(record.kind)
    validity = kind.validity_days if kind else None
    expires = record.valid_until
    if expires is None and validity is not None:
        expires = record.created_at + timedelta(days=validity)
    return {
        "id": str(record.id),
        "verdict": record.verdict.value,
        "age_days": _age_days(record.created_at, now),
        "expired": expires is not None and expires <= now,
        "validity_days": validity,
        "subject_type": record.subject_type.value,
        "summary": record.summary,
    }


def _pii_scan(record: Evidence | None, now: datetime) -> dict[str, Any] | None:
    if record is None:
        return None
    return {
        "verdict": record.verdict.value,
        "age_days": _age_days(record.created_at, now),
        "personal_data": bool(record.result.get("columns")),
        "special_category_columns": sorted(
            {f["column"] for f in record.result.get("special_categories", [])}
        ),
    }


def _minimization(record: Evidence | None, now: datetime) -> dict[str, Any] | None:
    if record is None:
        return None
    special = [
        f for f in record.result.get("findings", []) if f["issue"] == "special_category_feature"
    ]
    return {
        "verdict": record.verdict.value,
        "age_days": _age_days(record.created_at, now),
        "special_category_features": sorted(f["column"] for f in special),
        "justified": sorted(f["column"] for f in special if f.get("justification")),
    }


def _system(
    session: Session, catalog: Catalog, system: AISystem, now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    status = compliance_service.system_status(
        session=session, catalog=catalog, project_id=system.project_id, system_id=system.id, now=now
    )
    state = status.classification
    described = {
        "id": str(system.id),
        "name": system.name,
        "risk_tier": status.profile.risk_tier,
        "role": status.profile.role,
        "facts": dict(status.profile.facts),
        "classification": {
            "present": state.evidence is not None,
            "stale": state.stale,
            "age_days": _age_days(state.evidence.created_at, now) if state.evidence else None,
        },
    }
    compliance = {
        f.framework_id: {s.value: n for s, n in f.counts.items()} for f in status.frameworks
    }
    return described, compliance


def _risks(session: Session, system: AISystem) -> list[dict[str, Any]]:
    return [
        {
            "number": f"R-{r.number}",
            "title": r.title,
            "category": r.category.value,
            "level": r.inherent_level,
            "treatment": r.treatment.value if r.treatment else None,
            "status": r.status.value,
            "residual_level": r.residual_level,
        }
        for r in risks_service.risks_of_system(
            session=session, project_id=system.project_id, system_id=system.id
        )
    ]


def open_request(
    session: Session, version_id: uuid.UUID, stage: str, now: datetime
) -> PromotionRequest | None:
    return session.scalar(
        select(PromotionRequest).where(
            PromotionRequest.model_version_id == version_id,
            PromotionRequest.stage == stage,
            PromotionRequest.status == RequestStatus.OPEN,
            PromotionRequest.expires_at > now,
        )
    )


def _approvals(
    session: Session, request: PromotionRequest | None, digest: str, now: datetime
) -> list[dict[str, Any]]:
    if request is None:
        return []
    rows = session.scalars(
        select(Approval).where(Approval.request_id == request.id).order_by(Approval.created_at)
    )
    return [
        {
            "principal": a.principal_id,
            "roles": list(a.roles),
            "decision": a.decision.value,
            "age_days": _age_days(a.created_at, now),
            "current": a.model_digest == digest,
            "comment": a.comment,
        }
        for a in rows
    ]


def assemble(
    *,
    session: Session,
    catalog: Catalog,
    project_id: uuid.UUID,
    version_id: uuid.UUID,
    gate: str,
    now: datetime,
) -> dict[str, Any]:
    """The evidence document of a model version for one gate."""
    version = inventory_service.get_model_version(
        session=session, project_id=project_id, version_id=version_id
    )
    model = inventory_service.get_model(
        session=session, project_id=project_id, model_id=version.model_id
    )
    system = (
        inventory_service.get_system(
            session=session, project_id=project_id, system_id=model.system_id
        )
        if model.system_id
        else None
    )
    digest = model_digest(version)
    links = list(version.dataset_links)
    subjects = [version.id, project_id, *(link.dataset_version_id for link in links)]
    if system is not None:
        subjects.append(system.id)
    records = evidence_service.current_for(
        session=session, project_id=project_id, subject_ids=subjects
    )
    rank = {name: i for i, name in enumerate(_PRECEDENCE)}
    chosen: dict[str, Evidence] = {}
    for record in sorted(
        records, key=lambda r: rank.get(r.subject_type.value, len(rank)), reverse=True
    ):
        chosen[record.kind] = record  # the last written, of the highest precedence, wins
    scans = {r.subject_id: r for r in records if r.kind == "scan.pii"}
    datasets = []
    for link in links:
        data_version = inventory_service.get_dataset_version(
            session=session, project_id=project_id, version_id=link.dataset_version_id
        )
        dataset = inventory_service.get_dataset(
            session=session, project_id=project_id, dataset_id=data_version.dataset_id
        )
        datasets.append(
            {
                "id": str(data_version.id),
                "name": dataset.name,
                "version": data_version.version,
                "role": link.role.value,
                "pii_scan": _pii_scan(scans.get(data_version.id), now),
            }
        )
    described_system, compliance = (
        (None, {}) if system is None else _system(session, catalog, system, now)
    )
    request = open_request(session, version.id, gate, now)
    minimization = chosen.get("check.data_minimization")
    return {
        "schema_version": SCHEMA_VERSION,
        "gate": gate,
        "evaluated_at": format_time(now),
        "model_version": {
            "id": str(version.id),
            "model": model.name,
            "version": version.version,
            "stage": version.stage.value,
            "task_type": version.task_type.value,
            "artifact_sha256": version.artifact_digest,
            "features": _features(version, minimization),
            "digest": digest,
        },
        "system": described_system,
        "evidence": {kind: _evidence_entry(r, catalog, now) for kind, r in sorted(chosen.items())},
        "datasets": datasets,
        "minimization": _minimization(minimization, now),
        "model_card": {
            "intended_use": bool(system and system.intended_use),
            "training_data": any(link.role == DatasetRole.TRAINING for link in links),
            "performance": "assessment.performance" in chosen,
        },
        "risks": [] if system is None else _risks(session, system),
        "compliance": compliance,
        "request": None
        if request is None
        else {
            "id": str(request.id),
            "requester": request.requester_id,
            "created_at": format_time(request.created_at),
        },
        "approvals": _approvals(session, request, digest, now),
    }
