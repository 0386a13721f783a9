"""Appending to the ledger, proving what it holds, and signing checkpoints.

``record`` is called by every domain's service inside the transaction of the action it
records, so that the action and its record commit or roll back together. Who acts, under
which request and from where, comes from the ``AuditContext`` bound to the session by
the interface (the API binds the caller's; the CLI and jobs bind their own). A session
with no context refuses to record: an unaudited write is a bug, and it fails loudly.
"""

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, sessionmaker

from bastion.checkpoint import Checkpoint, NoteSigner
from bastion.errors import InvalidInput, NotFound
from bastion.ledger.entry import entry_leaf_hash, format_time
from bastion.ledger.models import LedgerCheckpoint, LedgerEntry, LedgerHead, LedgerNode
from bastion.merkle import TreeBuilder, consistency_proof, inclusion_proof
from bastion.storage.base import utcnow

Outcome = Literal["success", "failure", "denied"]
_CONTEXT_KEY = "bastion.audit_context"
_HEAD_ID = 1


@dataclass(frozen=True)
class AuditContext:
    """Who acts. ``actor_id`` is an opaque id (never a name or an e-mail address)."""

    actor_kind: str
    actor_id: str | None = None
    request_id: str | None = None
    client_addr: str | None = None


SYSTEM = AuditContext(actor_kind="system")


def bind(session: Session, context: AuditContext) -> None:
    session.info[_CONTEXT_KEY] = context


def context_of(session: Session) -> AuditContext:
    context = session.info.get(_CONTEXT_KEY)
    if not isinstance(context, AuditContext):
        raise RuntimeError("no audit context bound to this session; refusing an unaudited write")
    return context


def _lock_head(session: Session) -> LedgerHead:
    # FOR UPDATE serializes appenders on PostgreSQL (SQLite's BEGIN IMMEDIATE already does).
    stmt = (
        select(LedgerHead)
        .where(LedgerHead.id == _HEAD_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    head = session.scalar(stmt)
    if head is None:
        raise RuntimeError("the ledger head row is missing; run the migrations")
    return head


def _builder(head: LedgerHead) -> TreeBuilder:
    return TreeBuilder(head.size, [bytes.fromhex(h) for h in head.frontier])


def record(
    session: Session,
    *,
    action: str,
    resource_type: str,
    resource_id: str | uuid.UUID | None = None,
    project_id: uuid.UUID | None = None,
    outcome: Outcome = "success",
    details: Mapping[str, Any] | None = None,
) -> LedgerEntry:
    """Append one entry in the caller's transaction.

    ``details`` must hold no secret and no personal data: ids, names of records, counts,
    digests, reasons.
    """
    context = context_of(session)
    head = _lock_head(session)
    builder = _builder(head)
    entry = LedgerEntry(
        seq=head.size,
        recorded_at=utcnow(),
        actor_kind=context.actor_kind,
        actor_id=context.actor_id,
        action=action,
        resource_type=resource_type,
        resource_id=None if resource_id is None else str(resource_id),
        project_id=project_id,
        outcome=outcome,
        request_id=context.request_id,
        client_addr=context.client_addr,
        details=dict(details or {}),
    )
    leaf = entry_leaf_hash(as_document(entry))
    entry.leaf_hash = leaf.hex()
    session.add(entry)
    for node in builder.append(leaf):
        if node.level > 0:
            session.add(LedgerNode(level=node.level, index=node.index, hash=node.hash.hex()))
    head.size = builder.size
    head.frontier = [h.hex() for h in builder.hashes]
    session.flush()
    return entry


def record_alone(sessions: sessionmaker[Session], context: AuditContext, **fields: Any) -> None:
    """Record in a transaction of its own: for failed logins and denials, whose request
    rolls back but whose record must stay."""
    with sessions() as session, session.begin():
        bind(session, context)
        record(session, **fields)


def as_document(entry: LedgerEntry) -> dict[str, Any]:
    """The entry's fields as hashed and exported."""
    return {
        "seq": entry.seq,
        "recorded_at": format_time(entry.recorded_at),
        "actor_kind": entry.actor_kind,
        "actor_id": entry.actor_id,
        "action": entry.action,
        "resource_type": entry.resource_type,
        "resource_id": entry.resource_id,
        "project_id": None if entry.project_id is None else str(entry.project_id),
        "outcome": entry.outcome,
        "request_id": entry.request_id,
        "client_addr": entry.client_addr,
        "details": entry.details,
    }


# Reading -------------------------------------------------------------------------------


def size(*, session: Session) -> int:
    head = session.get(LedgerHead, _HEAD_ID)
    return 0 if head is None else head.size


def get_entry(*, session: Session, seq: int) -> LedgerEntry:
    entry = session.get(LedgerEntry, seq)
    if entry is None:
        raise NotFound(f"no ledger entry {seq}")
    return entry


def entries_query(
    *,
    project_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    action: str | None = None,
    after_seq: int | None = None,
) -> Select[LedgerEntry]:
    stmt = select(LedgerEntry).order_by(LedgerEntry.seq)
    if project_id is not None:
        stmt = stmt.where(LedgerEntry.project_id == project_id)
    if since is not None:
        stmt = stmt.where(LedgerEntry.recorded_at >= since)
    if until is not None:
        stmt = stmt.where(LedgerEntry.recorded_at < until)
    if action is not None:
        stmt = stmt.where(LedgerEntry.action == action)
    if after_seq is not None:
        stmt = stmt.where(LedgerEntry.seq > after_seq)
    return stmt


def stream_entries(
    *, session: Session, stmt: Select[LedgerEntry], batch: int = 5000
) -> Iterator[LedgerEntry]:
    """Entries in seq order, fetched in batches so that memory stays flat."""
    yield from session.scalars(stmt.execution_options(yield_per=batch))


def _node_lookup(session: Session) -> Any:
    def get_node(level: int, index: int) -> bytes:
        if level == 0:
            value = session.scalar(select(LedgerEntry.leaf_hash).where(LedgerEntry.seq == index))
        else:
            value = session.scalar(
                select(LedgerNode.hash).where(LedgerNode.level == level, LedgerNode.index == index)
            )
        if value is None:
            raise NotFound(f"ledger node ({level}, {index}) is missing")
        return bytes.fromhex(value)

    return get_node


def _check_size(session: Session, tree_size: int, field: str) -> None:
    current = size(session=session)
    if not 0 <= tree_size <= current:
        raise InvalidInput(f"{field} must be between 0 and the ledger size {current}", field=field)


def root_at(*, session: Session, tree_size: int) -> bytes:
    _check_size(session, tree_size, "size")
    return TreeBuilder.from_nodes(tree_size, _node_lookup(session)).root()


@dataclass(frozen=True)
class InclusionProof:
    seq: int
    tree_size: int
    leaf_hash: bytes
    root_hash: bytes
    proof: list[bytes]


def prove_inclusion(*, session: Session, seq: int, tree_size: int) -> InclusionProof:
    entry = get_entry(session=session, seq=seq)
    _check_size(session, tree_size, "size")
    if seq >= tree_size:
        raise InvalidInput(f"entry {seq} is not in a tree of size {tree_size}", field="size")
    get_node = _node_lookup(session)
    return InclusionProof(
        seq=seq,
        tree_size=tree_size,
        leaf_hash=bytes.fromhex(entry.leaf_hash),
        root_hash=TreeBuilder.from_nodes(tree_size, get_node).root(),
        proof=inclusion_proof(seq, tree_size, get_node),
    )


def prove_consistency(*, session: Session, first: int, second: int) -> list[bytes]:
    _check_size(session, second, "second")
    if not 0 < first <= second:
        raise InvalidInput("first must be at least 1 and at most second", field="first")
    return consistency_proof(first, second, _node_lookup(session))


# Checkpoints ---------------------------------------------------------------------------


def sign_checkpoint(*, session: Session, signer: NoteSigner) -> LedgerCheckpoint:
    """Sign the current tree head; the existing checkpoint if the size has not moved."""
    head = _lock_head(session)
    existing = session.get(LedgerCheckpoint, head.size)
    if existing is not None:
        return existing
    root = _builder(head).root()
    note = Checkpoint(origin=signer.name, size=head.size, root_hash=root).sign(signer)
    checkpoint = LedgerCheckpoint(
        size=head.size, root_hash=root.hex(), note=note, created_at=utcnow()
    )
    session.add(checkpoint)
    session.flush()
    return checkpoint


def latest_checkpoint(*, session: Session) -> LedgerCheckpoint:
    checkpoint = session.scalar(
        select(LedgerCheckpoint).order_by(LedgerCheckpoint.size.desc()).limit(1)
    )
    if checkpoint is None:
        raise NotFound("no checkpoint has been signed yet")
    return checkpoint


def checkpoints(*, session: Session) -> list[LedgerCheckpoint]:
    return list(session.scalars(select(LedgerCheckpoint).order_by(LedgerCheckpoint.size)))
