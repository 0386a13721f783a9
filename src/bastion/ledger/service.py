"""Appending to the ledger, proving what it holds, and signing checkpoints.

``record`` is called by every domain's service inside the transaction of the action it
records, so that the action and its record commit or roll back together. Who acts, under
which request and from where, comes from the ``AuditContext`` bound to the session by
the interface (the API binds the caller's; the CLI and jobs bind their own). A session
with no context refuses to record: an unaudited write is a bug, and it fails loudly.
"""

import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar, cast

from sqlalchemy import Select, Table, and_, bindparam, insert, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bastion.checkpoint import Checkpoint, NoteSigner, NoteVerifier
from bastion.errors import InvalidInput, NotFound
from bastion.ledger.entry import entry_leaf_hash, format_time
from bastion.ledger.export import FORMATS, Header, cef_line, checkpoint_line, entry_line
from bastion.ledger.models import LedgerCheckpoint, LedgerEntry, LedgerHead, LedgerNode
from bastion.ledger.verify import Report, verify
from bastion.merkle import GetNode, TreeBuilder, consistency_proof, inclusion_proof
from bastion.storage.base import JSONType, utcnow

Outcome = Literal["success", "failure", "denied"]
_CONTEXT_KEY = "bastion.audit_context"
_PENDING_KEY = "bastion.audit_pending"
_HEAD_ID = 1


@dataclass(frozen=True)
class AuditContext:
    """Who acts. ``actor_id`` is an opaque id (never a name or an e-mail address)."""

    actor_kind: str
    actor_id: str | None = None
    credential: str | None = None
    """How the actor authenticated, e.g. ``api_key:<key id>``; never the secret itself."""
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


# Core statements on the tables, built once: this runs on every write request, where
# building statements and the ORM's bookkeeping cost more than the append itself.
_ENTRIES = cast(Table, LedgerEntry.__table__)
_NODES = cast(Table, LedgerNode.__table__)
_HEAD = cast(Table, LedgerHead.__table__)
_LOCK_HEAD = select(_HEAD.c.size, _HEAD.c.frontier).where(_HEAD.c.id == _HEAD_ID).with_for_update()
_INSERT_ENTRY = insert(_ENTRIES)
_INSERT_NODE = insert(_NODES)
_MOVE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == _HEAD_ID)
    .values(size=bindparam("new_size"), frontier=bindparam("new_frontier", type_=JSONType))
)


def _locked_head(session: Session) -> tuple[int, TreeBuilder]:
    """The tree's size and right edge, locked until the transaction ends: appenders and
    signers queue here (FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already does)."""
    head = session.connection().execute(_LOCK_HEAD).one_or_none()
    if head is None:
        raise RuntimeError("the ledger head row is missing; run the migrations")
    return int(head.size), TreeBuilder(head.size, [bytes.fromhex(h) for h in head.frontier])


def record(
    session: Session,
    *,
    action: str,
    resource_type: str,
    resource_id: str | uuid.UUID | None = None,
    project_id: uuid.UUID | None = None,
    outcome: Outcome = "success",
    details: Mapping[str, Any] | None = None,
) -> int:
    """Append one entry in the caller's transaction; its sequence number.

    ``details`` must hold no secret and no personal data: ids, names of records, counts,
    digests, reasons.
    """
    context = context_of(session)
    connection = session.connection()
    seq, builder = _locked_head(session)
    recorded_at = utcnow()
    row = {
        "seq": seq,
        "recorded_at": recorded_at,
        "actor_kind": context.actor_kind,
        "actor_id": context.actor_id,
        "credential": context.credential,
        "action": action,
        "resource_type": resource_type,
        "resource_id": None if resource_id is None else str(resource_id),
        "project_id": project_id,
        "outcome": outcome,
        "request_id": context.request_id,
        "client_addr": context.client_addr,
        "details": dict(details or {}),
    }
    document = {
        **row,
        "recorded_at": format_time(recorded_at),
        "project_id": None if project_id is None else str(project_id),
    }
    leaf = entry_leaf_hash(document, check=True)
    connection.execute(_INSERT_ENTRY, {**row, "leaf_hash": leaf.hex()})
    nodes = [
        {"level": n.level, "index": n.index, "hash": n.hash.hex()}
        for n in builder.append(leaf)
        if n.level > 0
    ]
    if nodes:
        connection.execute(_INSERT_NODE, nodes)
    frontier = [h.hex() for h in builder.hashes]
    connection.execute(_MOVE_HEAD, {"new_size": builder.size, "new_frontier": frontier})
    return seq


def record_on_failure(session: Session, **fields: Any) -> None:
    """Record ``fields`` (as for :func:`record`) even though the caller's transaction is
    about to fail: for permission denials and failed logins.

    The record is written by :func:`settle` when the unit of work ends: in its own
    transaction after the rollback (writing it while the failing transaction still holds
    its locks would wait on ourselves), or in the same transaction if it commits after all.
    """
    session.info.setdefault(_PENDING_KEY, []).append(fields)


def settle(session: Session, sessions: sessionmaker[Session], *, committed: bool) -> None:
    """Write the records that :func:`record_on_failure` left on ``session``.

    Called by the unit of work (``Runtime.unit_of_work``): before the commit with
    ``committed=True``, or after the rollback with ``committed=False``.
    """
    pending: list[dict[str, Any]] = session.info.pop(_PENDING_KEY, [])
    if not pending:
        return
    if committed:
        for fields in pending:
            record(session, **fields)
        return
    context = session.info.get(_CONTEXT_KEY) or AuditContext(actor_kind="anonymous")
    with sessions() as failure_session, failure_session.begin():
        bind(failure_session, context)
        for fields in pending:
            record(failure_session, **fields)


def as_document(entry: Any) -> dict[str, Any]:
    """The fields of an entry (a row or a LedgerEntry) as hashed and exported."""
    return {
        "seq": entry.seq,
        "recorded_at": format_time(entry.recorded_at),
        "actor_kind": entry.actor_kind,
        "actor_id": entry.actor_id,
        "credential": entry.credential,
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
    return session.scalar(select(LedgerHead.size).where(LedgerHead.id == _HEAD_ID)) or 0


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
) -> Iterator[Any]:
    """Entries in seq order as plain rows (read-only, no ORM bookkeeping: exports read
    millions), fetched in batches so that memory stays flat."""
    rows = stmt.with_only_columns(*_ENTRIES.columns)
    # Through the connection: the ORM's row loading would cost more than the hashing.
    result = session.connection().execute(rows.execution_options(yield_per=batch))
    try:
        yield from result
    finally:
        # A reader that stops early (a verifier at its first finding) must not leave a
        # server-side cursor open on PostgreSQL.
        result.close()


T = TypeVar("T")


def _with_nodes(session: Session, compute: Callable[[GetNode], T]) -> T:
    """Run a tree computation on stored nodes, fetched in two queries.

    Which nodes a proof or a root needs depends only on the sizes and indices, not on the
    hashes, so a first dry run collects their addresses and a second runs on the fetched
    hashes: two round trips instead of one per node.
    """
    wanted: set[tuple[int, int]] = set()

    def collect(level: int, index: int) -> bytes:
        wanted.add((level, index))
        return bytes(32)

    compute(collect)
    leaves = [index for level, index in wanted if level == 0]
    inner = [(level, index) for level, index in wanted if level > 0]
    found: dict[tuple[int, int], str] = {}
    if leaves:
        rows = session.execute(
            select(LedgerEntry.seq, LedgerEntry.leaf_hash).where(LedgerEntry.seq.in_(leaves))
        )
        found.update(((0, seq), value) for seq, value in rows)
    if inner:
        by_level: dict[int, list[int]] = {}
        for level, index in inner:
            by_level.setdefault(level, []).append(index)
        # One primary-key range per level: SQLite plans a row-value IN list as a scan.
        node_rows = session.execute(
            select(LedgerNode.level, LedgerNode.index, LedgerNode.hash).where(
                or_(
                    *(
                        and_(LedgerNode.level == level, LedgerNode.index.in_(indices))
                        for level, indices in by_level.items()
                    )
                )
            )
        )
        found.update(((level, index), value) for level, index, value in node_rows)

    def get_node(level: int, index: int) -> bytes:
        value = found.get((level, index))
        if value is None:
            raise NotFound(f"ledger node ({level}, {index}) is missing")
        return bytes.fromhex(value)

    return compute(get_node)


def _check_size(session: Session, tree_size: int, field: str) -> None:
    current = size(session=session)
    if not 0 <= tree_size <= current:
        raise InvalidInput(f"{field} must be between 0 and the ledger size {current}", field=field)


def root_at(*, session: Session, tree_size: int) -> bytes:
    _check_size(session, tree_size, "size")
    return _with_nodes(session, lambda get: TreeBuilder.from_nodes(tree_size, get).root())


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

    def compute(get: GetNode) -> tuple[bytes, list[bytes]]:
        return TreeBuilder.from_nodes(tree_size, get).root(), inclusion_proof(seq, tree_size, get)

    root, proof = _with_nodes(session, compute)
    return InclusionProof(
        seq=seq,
        tree_size=tree_size,
        leaf_hash=bytes.fromhex(entry.leaf_hash),
        root_hash=root,
        proof=proof,
    )


def prove_consistency(*, session: Session, first: int, second: int) -> list[bytes]:
    _check_size(session, second, "second")
    if not 0 < first <= second:
        raise InvalidInput("first must be at least 1 and at most second", field="first")
    return _with_nodes(session, lambda get: consistency_proof(first, second, get))


# Checkpoints ---------------------------------------------------------------------------


def sign_checkpoint(*, session: Session, signer: NoteSigner) -> LedgerCheckpoint:
    """Sign the current tree head; the existing checkpoint if the size has not moved."""
    tree_size, builder = _locked_head(session)
    existing = session.get(LedgerCheckpoint, tree_size)
    if existing is not None:
        return existing
    root = builder.root()
    note = Checkpoint(origin=signer.name, size=tree_size, root_hash=root).sign(signer)
    checkpoint = LedgerCheckpoint(
        size=tree_size, root_hash=root.hex(), note=note, created_at=utcnow()
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


# Export --------------------------------------------------------------------------------


def export(
    *,
    session: Session,
    verifier_key: str,
    origin: str,
    fmt: str,
    project_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[str]:
    """Stream the ledger as lines, up to its size when the export starts.

    Entries are append-only, so reading up to a fixed size is a consistent snapshot even
    while new entries arrive.
    """
    if fmt not in FORMATS:
        raise InvalidInput(f"format must be one of {', '.join(FORMATS)}", field="format")
    tree_size = size(session=session)
    complete = project_id is None and since is None and until is None
    if fmt == "jsonl":
        yield Header(
            origin=origin,
            verifier_key=verifier_key,
            size=tree_size,
            complete=complete,
            exported_at=format_time(utcnow()),
        ).line()
        for checkpoint in checkpoints(session=session):
            if checkpoint.size <= tree_size:
                yield checkpoint_line(checkpoint.size, checkpoint.note)
    stmt = entries_query(project_id=project_id, since=since, until=until).where(
        LedgerEntry.seq < tree_size
    )
    for entry in stream_entries(session=session, stmt=stmt):
        document = as_document(entry)
        yield cef_line(document) if fmt == "cef" else entry_line(document, entry.leaf_hash)


def verify_stored(*, session: Session, verifier: NoteVerifier) -> Report:
    """Verify the ledger as stored, without the round trip through an export's JSON."""
    tree_size = size(session=session)
    notes = [c.note for c in checkpoints(session=session) if c.size <= tree_size]
    stmt = entries_query().where(LedgerEntry.seq < tree_size)
    documents = (
        {**as_document(row), "leaf_hash": row.leaf_hash}
        for row in stream_entries(session=session, stmt=stmt)
    )
    return verify(documents, notes, verifier, expected_size=tree_size)
