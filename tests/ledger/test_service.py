"""Appending in the caller's transaction, proofs from stored nodes, checkpoints, and the
database refusing changes to the append-only tables."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bastion import merkle
from bastion.checkpoint import Checkpoint
from bastion.ledger import service as ledger_service
from bastion.ledger.models import LedgerEntry, LedgerNode
from bastion.runtime import Runtime
from bastion.storage.database import transaction
from tests.ledger.conftest import fill, verify_session


def _leaves(session: Session) -> list[bytes]:
    rows = session.scalars(select(LedgerEntry.leaf_hash).order_by(LedgerEntry.seq))
    return [bytes.fromhex(h) for h in rows]


def test_entries_are_numbered_from_zero_and_form_the_rfc6962_tree(session: Session) -> None:
    fill(session, 13)
    assert [e.seq for e in session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq))] == list(
        range(13)
    )
    leaves = _leaves(session)
    assert ledger_service.size(session=session) == 13
    assert ledger_service.root_at(session=session, tree_size=13) == merkle.root(leaves)
    assert ledger_service.root_at(session=session, tree_size=5) == merkle.root(leaves[:5])
    # Every complete subtree above the leaves is stored once: 13 leaves -> 6 + 3 + 1 nodes.
    assert session.scalar(select(LedgerNode.level).where(LedgerNode.level == 3)) == 3
    assert len(list(session.scalars(select(LedgerNode)))) == 10


def test_inclusion_and_consistency_proofs_verify(session: Session) -> None:
    fill(session, 21)
    leaves = _leaves(session)
    for size in (1, 8, 21):
        root = merkle.root(leaves[:size])
        for seq in range(size):
            proof = ledger_service.prove_inclusion(session=session, seq=seq, tree_size=size)
            assert proof.root_hash == root
            merkle.verify_inclusion(leaves[seq], seq, size, proof.proof, root)
    for first in (1, 7, 16, 21):
        proof = ledger_service.prove_consistency(session=session, first=first, second=21)
        merkle.verify_consistency(
            first, 21, proof, merkle.root(leaves[:first]), merkle.root(leaves)
        )


def test_checkpoint_is_signed_once_per_size(session: Session, runtime: Runtime) -> None:
    fill(session, 3)
    first = ledger_service.sign_checkpoint(session=session, signer=runtime.signer)
    again = ledger_service.sign_checkpoint(session=session, signer=runtime.signer)
    assert first is again
    opened = Checkpoint.open(first.note, [runtime.signer.verifier()])
    assert (opened.size, opened.root_hash.hex()) == (3, first.root_hash)
    assert opened.root_hash == merkle.root(_leaves(session))


def test_no_record_without_an_audit_context(runtime: Runtime) -> None:
    with transaction(runtime.sessions) as session, pytest.raises(RuntimeError, match="audit"):
        ledger_service.record(session, action="x", resource_type="y")


def test_a_rolled_back_action_leaves_no_record(runtime: Runtime) -> None:
    def failing_action() -> None:
        with transaction(runtime.sessions) as session:
            ledger_service.bind(session, ledger_service.SYSTEM)
            fill(session, 2)
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        failing_action()
    with transaction(runtime.sessions) as session:
        assert ledger_service.size(session=session) == 0
        assert session.scalar(select(LedgerEntry)) is None


def test_failure_records_survive_the_rollback(runtime: Runtime) -> None:
    def denied_action() -> None:
        with runtime.unit_of_work() as session:
            ledger_service.bind(session, ledger_service.SYSTEM)
            fill(session, 1)
            ledger_service.record_on_failure(
                session, action="authz.denied", resource_type="x", outcome="denied"
            )
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        denied_action()
    with transaction(runtime.sessions) as session:
        entries = list(session.scalars(select(LedgerEntry)))
        assert [(e.seq, e.action, e.outcome) for e in entries] == [(0, "authz.denied", "denied")]


def test_failure_records_commit_with_a_successful_unit_of_work(runtime: Runtime) -> None:
    with runtime.unit_of_work() as session:
        ledger_service.bind(session, ledger_service.SYSTEM)
        ledger_service.record_on_failure(session, action="login", resource_type="user")
        fill(session, 1)
    with transaction(runtime.sessions) as session:
        actions = session.scalars(select(LedgerEntry.action).order_by(LedgerEntry.seq))
        assert list(actions) == ["test.action", "login"]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_entries SET outcome = 'failure'",
        "DELETE FROM ledger_entries",
        "UPDATE ledger_nodes SET hash = 'x'",
        "DELETE FROM ledger_nodes",
        "UPDATE ledger_checkpoints SET note = 'x'",
        "DELETE FROM ledger_checkpoints",
    ],
)
def test_database_refuses_changes_to_the_ledger(runtime: Runtime, statement: str) -> None:
    with transaction(runtime.sessions) as session:
        ledger_service.bind(session, ledger_service.SYSTEM)
        fill(session, 4)
        ledger_service.sign_checkpoint(session=session, signer=runtime.signer)
    with pytest.raises(DBAPIError, match="append-only"), transaction(runtime.sessions) as session:
        session.execute(text(statement))
    with transaction(runtime.sessions) as session:
        assert verify_session(session, runtime.signer).intact
