"""Assemble a system's compliance report and evidence pack from the compliance status,
the risk register and the evidence."""

import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bastion import __version__
from bastion.checkpoint import NoteSigner
from bastion.compliance import service as compliance_service
from bastion.evidence import service as evidence_service
from bastion.frameworks import Catalog
from bastion.inventory.models import Project
from bastion.ledger.entry import format_time
from bastion.reports import render
from bastion.reports.pack import build_pack
from bastion.risks import service as risks_service
from bastion.storage.artifacts import ArtifactStore
from bastion.storage.base import utcnow


def _when(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    return format_time(value) if isinstance(value, datetime) else value.isoformat()


def _risk_row(risk: Any, today: date) -> dict[str, Any]:
    residual = f"{risk.residual_level} ({risk.residual_score})" if risk.residual_score else None
    return {
        "number": f"R-{risk.number}",
        "title": risk.title,
        "category": risk.category.value,
        "inherent": f"{risk.inherent_level} ({risk.inherent_score})",
        "treatment": risk.treatment.value if risk.treatment else None,
        "residual": residual,
        "status": risk.status.value,
        "owner": risk.owner,
        "review_date": _when(risk.review_date),
        "overdue": bool(
            risk.review_date and risk.review_date < today and risk.status.value != "closed"
        ),
    }


def _score_text(score: float | None) -> str:
    return "-" if score is None else f"{score:.0%}"


def report_document(
    *,
    session: Session,
    catalog: Catalog,
    project: Project,
    system_id: uuid.UUID,
    now: datetime | None = None,
) -> tuple[dict[str, Any], compliance_service.SystemCompliance, dict[str, Any]]:
    """The report as a plain document, the status it was built from, and that status as
    the API returns it."""
    now = now or utcnow()
    result = compliance_service.system_status(
        session=session, catalog=catalog, project_id=project.id, system_id=system_id, now=now
    )
    status = compliance_service.as_read(result).model_dump(mode="json")
    system = result.system
    overrides = [
        {
            "when": _when(e.created_at),
            "gate": e.result.get("gate"),
            "model_version_id": str(e.subject_id),
            "justification": e.result["break_glass"].get("justification", ""),
            "ledger_seq": e.ledger_seq,
        }
        for e in evidence_service.all_of_kind(
            session=session,
            project_id=project.id,
            kind="policy.decision",
            subject_ids=list(compliance_service.subjects_of(session, system)),
        )
        if e.result.get("break_glass")
    ]
    risks = risks_service.risks_of_system(
        session=session, project_id=project.id, system_id=system.id
    )
    report = {
        "software_version": __version__,
        "generated_at": format_time(now),
        "catalog_digest": catalog.digest,
        "project": {"id": str(project.id), "name": project.name},
        "system": {
            "id": str(system.id),
            "name": system.name,
            "purpose": system.purpose,
            "intended_use": system.intended_use,
            "owner": system.owner,
            "lifecycle_stage": system.lifecycle_stage.value,
        },
        "risk_tier": status["risk_tier"],
        "role": status["role"],
        "facts": status["facts"],
        "classification": status["classification"],
        "risks": [_risk_row(r, now.date()) for r in risks],
        "break_glass": overrides,
        "frameworks": [f | {"score_text": _score_text(f["score"])} for f in status["frameworks"]],
        "evidence": [
            {
                "id": str(e.id),
                "kind": e.kind,
                "verdict": e.verdict.value,
                "summary": e.summary,
                "subject_type": e.subject_type.value,
                "created_at": _when(e.created_at),
                "valid_until": _when(e.valid_until),
                "ledger_seq": e.ledger_seq,
            }
            for e in result.evidence.records
        ],
        "documents": [
            {
                "title": d.title,
                "kind": d.kind,
                "filename": d.filename,
                "digest": d.digest,
                "created_at": _when(d.created_at),
            }
            for d in result.evidence.documents
        ],
    }
    return report, result, status


def report(
    *,
    session: Session,
    catalog: Catalog,
    project: Project,
    system_id: uuid.UUID,
    format: render.Format,
) -> bytes:
    document, _, _ = report_document(
        session=session, catalog=catalog, project=project, system_id=system_id
    )
    return render.render(document, format)


def evidence_pack(
    *,
    session: Session,
    store: ArtifactStore,
    signer: NoteSigner,
    catalog: Catalog,
    project: Project,
    system_id: uuid.UUID,
) -> Path:
    document, result, status = report_document(
        session=session, catalog=catalog, project=project, system_id=system_id
    )
    return build_pack(
        session=session,
        store=store,
        signer=signer,
        compliance=result,
        compliance_json=status,
        report_html=render.html(document),
    )
