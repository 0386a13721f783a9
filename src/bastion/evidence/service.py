"""Recording and reading evidence. ``record_evidence`` is the one way any capability
stores a result: it finds the evidence it supersedes, appends the ledger entry, and writes
the record, all in the caller's transaction."""

import uuid
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from bastion import __version__
from bastion.errors import InvalidInput, NotFound
from bastion.evidence import schemas
from bastion.evidence.document import content_digest, evidence_document
from bastion.evidence.models import Evidence
from bastion.evidence.schemas import SUMMARY_LIMIT
from bastion.inventory import service as inventory_service
from bastion.inventory.enums import SubjectType
from bastion.ledger import service as ledger_service
from bastion.storage.base import utcnow
from bastion.storage.pagination import PageResult, paginate

on_recorded: list[Callable[[Session, Evidence], None]] = []
"""Called with each evidence ``record_evidence`` stores, in the same transaction.

Other domains react to evidence here without this module importing them (they import it
to record evidence of their own, so a direct call would be an import cycle): the risk
register (``bastion.risks.service``) subscribes at import to raise risks from failing
evidence. A subscriber that raises fails the recording, and the transaction with it.
"""


def _newer() -> Any:
    newer = aliased(Evidence)
    return exists().where(newer.supersedes == Evidence.id)


def current(
    *, session: Session, project_id: uuid.UUID, kind: str, subject_id: uuid.UUID
) -> Evidence | None:
    """The evidence of ``kind`` about a subject that nothing newer supersedes."""
    return session.scalar(
        select(Evidence).where(
            Evidence.project_id == project_id,
            Evidence.kind == kind,
            Evidence.subject_id == subject_id,
            ~_newer(),
        )
    )


def current_about(
    *, session: Session, project_id: uuid.UUID, subject_id: uuid.UUID
) -> list[Evidence]:
    """Every current piece of evidence about a subject, one per kind, in order of kind."""
    return list(
        session.scalars(
            select(Evidence)
            .where(
                Evidence.project_id == project_id,
                Evidence.subject_id == subject_id,
                ~_newer(),
            )
            .order_by(Evidence.kind)
        )
    )


def current_for(
    *, session: Session, project_id: uuid.UUID, subject_ids: Collection[uuid.UUID]
) -> list[Evidence]:
    """Every current piece of evidence about any of the subjects, oldest first."""
    if not subject_ids:
        return []
    return list(
        session.scalars(
            select(Evidence)
            .where(
                Evidence.project_id == project_id,
                Evidence.subject_id.in_(subject_ids),
                ~_newer(),
            )
            .order_by(Evidence.created_at)
        )
    )


def all_of_kind(
    *, session: Session, project_id: uuid.UUID, kind: str, subject_ids: Collection[uuid.UUID]
) -> list[Evidence]:
    """Every piece of evidence of ``kind`` about the subjects, superseded or not, oldest
    first: the history, where ``current_for`` gives the present."""
    if not subject_ids:
        return []
    return list(
        session.scalars(
            select(Evidence)
            .where(
                Evidence.project_id == project_id,
                Evidence.kind == kind,
                Evidence.subject_id.in_(subject_ids),
            )
            .order_by(Evidence.created_at)
        )
    )


def record_evidence(
    *, session: Session, project_id: uuid.UUID, data: schemas.EvidenceCreate
) -> Evidence:
    """Store a result about a subject of the project, superseding the previous one of the
    same kind, and record it in the ledger."""
    inventory_service.check_subject(
        session=session,
        project_id=project_id,
        subject_type=data.subject_type,
        subject_id=data.subject_id,
    )
    now = utcnow()
    if data.valid_until is not None and data.valid_until <= now:
        raise InvalidInput("valid_until must be in the future", field="valid_until")
    previous = current(
        session=session, project_id=project_id, kind=data.kind, subject_id=data.subject_id
    )
    context = ledger_service.context_of(session)
    software = data.software.model_dump() if data.software else None
    evidence = Evidence(
        id=uuid.uuid4(),
        project_id=project_id,
        kind=data.kind,
        subject_type=data.subject_type,
        subject_id=data.subject_id,
        verdict=data.verdict,
        summary=data.summary,
        result=data.result,
        inputs=[i.model_dump() for i in data.inputs],
        produced_by={
            "principal_id": context.actor_id,
            "credential": context.credential,
            "software": software,
            "recorded_by": {"name": "bastion", "version": __version__},
        },
        created_at=now,
        valid_until=data.valid_until,
        supersedes=previous.id if previous else None,
    )
    evidence.ledger_seq = ledger_service.record(
        session,
        action="evidence.record",
        resource_type="evidence",
        resource_id=evidence.id,
        project_id=project_id,
        details={
            "kind": data.kind,
            "verdict": data.verdict.value,
            "subject_type": data.subject_type.value,
            "subject_id": str(data.subject_id),
            "supersedes": str(previous.id) if previous else None,
            "content_sha256": content_digest(evidence_document(evidence)),
        },
    )
    session.add(evidence)
    session.flush()
    for subscriber in on_recorded:
        subscriber(session, evidence)
    return evidence


def record_result(
    *,
    session: Session,
    project_id: uuid.UUID,
    subject_type: SubjectType,
    subject_id: uuid.UUID,
    result: Any,
    valid_until: datetime | None = None,
) -> Evidence:
    """Record a result the server computed (an assessment, a scan, a check): anything with
    ``evidence_kind``, ``verdict``, ``summary``, ``inputs`` and ``to_dict()``."""
    summary = result.summary
    if len(summary) > SUMMARY_LIMIT:
        summary = summary[: SUMMARY_LIMIT - 1] + "…"
    return record_evidence(
        session=session,
        project_id=project_id,
        data=schemas.EvidenceCreate(
            kind=result.evidence_kind,
            subject_type=subject_type,
            subject_id=subject_id,
            verdict=result.verdict,
            summary=summary,
            result=result.to_dict(),
            inputs=[{"role": r, "sha256": d} for r, d in result.inputs.items()],
            software={"name": "bastion-server", "version": __version__},
            valid_until=valid_until,
        ),
    )


def get_evidence(*, session: Session, project_id: uuid.UUID, evidence_id: uuid.UUID) -> Evidence:
    evidence = session.get(Evidence, evidence_id)
    if evidence is None or evidence.project_id != project_id:
        raise NotFound(f"no evidence with id {evidence_id} in this project")
    return evidence


def list_evidence(
    *, session: Session, project_id: uuid.UUID, query: schemas.EvidenceQuery
) -> PageResult[Evidence]:
    stmt = select(Evidence).where(Evidence.project_id == project_id)
    for name in ("kind", "subject_type", "subject_id", "verdict"):
        value = getattr(query, name)
        if value is not None:
            stmt = stmt.where(getattr(Evidence, name) == value)
    if query.current:
        stmt = stmt.where(~_newer())
    return paginate(
        session,
        stmt,
        entity=Evidence,
        sortable={"created_at": Evidence.created_at, "kind": Evidence.kind},
        sort=query.sort,
        cursor=query.cursor,
        limit=query.limit,
    )
