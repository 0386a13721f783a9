"""Audit ledger routes: entries, proofs, checkpoints, the verifier key, and exports.

Organization-wide routes (/api/v1/audit/…) need the ledger permissions (admins); a
project's own entries and their inclusion proofs need ``audit.read`` in the project.
"""

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from bastion.api.deps import OrgAccess, ProjectAccess, RuntimeDep, SessionDep
from bastion.errors import InvalidInput, NotFound
from bastion.iam.permissions import Permission
from bastion.inventory.models import Project
from bastion.ledger import schemas
from bastion.ledger import service as ledger_service
from bastion.ledger.models import LedgerCheckpoint

router = APIRouter(prefix="/api/v1", tags=["audit"])


LedgerReader = OrgAccess(Permission.LEDGER_READ)
AuditedProject = Annotated[Project, ProjectAccess(Permission.AUDIT_READ)]


def _page(
    session: Session, filters: schemas.EntryFilters, project_id: uuid.UUID | None
) -> schemas.EntryPage:
    stmt = ledger_service.entries_query(
        project_id=project_id,
        since=filters.since,
        until=filters.until,
        action=filters.action,
        after_seq=None if filters.cursor is None else int(filters.cursor),
    )
    rows = list(session.scalars(stmt.limit(filters.limit + 1)))
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    return schemas.EntryPage(
        items=[schemas.EntryRead.model_validate(r) for r in rows],
        next_cursor=str(rows[-1].seq) if more else None,
    )


def _proof(session: Session, seq: int, size: int | None) -> schemas.InclusionProofRead:
    if size is None:
        size = ledger_service.latest_checkpoint(session=session).size
    proof = ledger_service.prove_inclusion(session=session, seq=seq, tree_size=size)
    checkpoint = session.get(LedgerCheckpoint, size)
    return schemas.InclusionProofRead(
        seq=proof.seq,
        tree_size=proof.tree_size,
        leaf_hash=proof.leaf_hash.hex(),
        root_hash=proof.root_hash.hex(),
        proof=[node.hex() for node in proof.proof],
        checkpoint=checkpoint.note if checkpoint else None,
    )


BIGINT = 2**63 - 1  # what the database stores; a larger number is a 422, not a 500
SizeQuery = Annotated[
    int | None,
    Query(ge=1, le=BIGINT, description="Tree size; default: the latest signed checkpoint."),
]
Seq = Annotated[int, Path(ge=0, le=BIGINT, description="Entry number.")]


# Organization-wide ---------------------------------------------------------------------


@router.get("/audit/entries", operation_id="list_audit_entries", dependencies=[LedgerReader])
def list_entries(
    session: SessionDep, filters: Annotated[schemas.LedgerEntryFilters, Query()]
) -> schemas.EntryPage:
    return _page(session, filters, filters.project_id)


@router.get("/audit/entries/{seq}", operation_id="get_audit_entry", dependencies=[LedgerReader])
def get_entry(session: SessionDep, seq: Seq) -> schemas.EntryRead:
    return schemas.EntryRead.model_validate(ledger_service.get_entry(session=session, seq=seq))


@router.get(
    "/audit/entries/{seq}/proof", operation_id="get_inclusion_proof", dependencies=[LedgerReader]
)
def get_inclusion_proof(
    session: SessionDep, seq: Seq, size: SizeQuery = None
) -> schemas.InclusionProofRead:
    """Proof that entry ``seq`` is in the tree of ``size`` entries."""
    return _proof(session, seq, size)


@router.get("/audit/consistency", operation_id="get_consistency_proof", dependencies=[LedgerReader])
def get_consistency_proof(
    session: SessionDep,
    first: Annotated[int, Query(ge=1, le=BIGINT)],
    second: Annotated[int, Query(ge=1, le=BIGINT)],
) -> schemas.ConsistencyProofRead:
    """Proof that the tree of ``second`` entries extends the tree of ``first`` entries."""
    proof = ledger_service.prove_consistency(session=session, first=first, second=second)
    return schemas.ConsistencyProofRead(
        first=first, second=second, proof=[node.hex() for node in proof]
    )


@router.get("/audit/checkpoints", operation_id="list_checkpoints", dependencies=[LedgerReader])
def list_checkpoints(session: SessionDep) -> list[schemas.CheckpointRead]:
    return [
        schemas.CheckpointRead.model_validate(c)
        for c in ledger_service.checkpoints(session=session)
    ]


@router.get(
    "/audit/checkpoints/latest", operation_id="get_latest_checkpoint", dependencies=[LedgerReader]
)
def get_latest_checkpoint(session: SessionDep) -> schemas.CheckpointRead:
    return schemas.CheckpointRead.model_validate(ledger_service.latest_checkpoint(session=session))


@router.post(
    "/audit/checkpoints",
    operation_id="sign_checkpoint",
    status_code=status.HTTP_201_CREATED,
    dependencies=[OrgAccess(Permission.LEDGER_SIGN)],
)
def sign_checkpoint(session: SessionDep, runtime: RuntimeDep) -> schemas.CheckpointRead:
    """Sign the current tree head now (returns the existing checkpoint if nothing changed)."""
    checkpoint = ledger_service.sign_checkpoint(session=session, signer=runtime.signer)
    return schemas.CheckpointRead.model_validate(checkpoint)


@router.get("/audit/verifier-key", operation_id="get_verifier_key", dependencies=[LedgerReader])
def get_verifier_key(runtime: RuntimeDep) -> schemas.VerifierKeyRead:
    """The key that verifies checkpoints. Keep a copy: a verifier that trusts only the key
    it already holds detects a server that swapped its key."""
    return schemas.VerifierKeyRead(origin=runtime.signer.name, key=runtime.signer.verifier().key())


@router.get(
    "/audit/export",
    operation_id="export_ledger",
    dependencies=[LedgerReader],
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}, "text/plain": {}}}},
)
def export_ledger(
    session: SessionDep,
    runtime: RuntimeDep,
    format: Literal["jsonl", "cef"] = "jsonl",
    project_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> StreamingResponse:
    """Stream the ledger: JSON Lines (verifiable offline when unfiltered) or CEF for a SIEM."""
    if since is not None and until is not None and since >= until:
        raise InvalidInput("since must be before until", field="since")
    # Exporting is a read of sensitive material: recorded in the request's transaction,
    # which commits before the body streams.
    ledger_service.record(
        session,
        action="ledger.export",
        resource_type="ledger",
        details={"format": format, "filtered": bool(project_id or since or until)},
    )

    def lines() -> Iterator[str]:
        with runtime.read_sessions() as reader, reader.begin():
            yield from ledger_service.export(
                session=reader,
                verifier_key=runtime.signer.verifier().key(),
                origin=runtime.signer.name,
                fmt=format,
                project_id=project_id,
                since=since,
                until=until,
            )

    media_type = "application/x-ndjson" if format == "jsonl" else "text/plain"
    return StreamingResponse(
        lines(),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="ledger.{format}"'},
    )


# One project's entries -----------------------------------------------------------------


@router.get("/projects/{project}/audit/entries", operation_id="list_project_audit_entries")
def list_project_entries(
    session: SessionDep,
    project: AuditedProject,
    filters: Annotated[schemas.EntryFilters, Query()],
) -> schemas.EntryPage:
    return _page(session, filters, project.id)


@router.get(
    "/projects/{project}/audit/entries/{seq}/proof",
    operation_id="get_project_inclusion_proof",
)
def get_project_inclusion_proof(
    session: SessionDep, project: AuditedProject, seq: Seq, size: SizeQuery = None
) -> schemas.InclusionProofRead:
    entry = ledger_service.get_entry(session=session, seq=seq)
    if entry.project_id != project.id:
        raise NotFound(f"no ledger entry {seq} in this project")
    return _proof(session, seq, size)
