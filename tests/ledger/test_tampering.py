"""Tampering with the ledger directly in the database — modifying, removing, inserting or
swapping entries — is detected by verification, which names the entry.

Each example tampers inside a transaction that is rolled back afterwards, so one ledger
serves every example.
"""

import json
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session

from bastion.ledger import service as ledger_service
from bastion.ledger.entry import entry_leaf_hash
from bastion.ledger.verify import Report
from bastion.runtime import Runtime
from tests.ledger.conftest import allow_tampering, fill, verify_session

SIZE = 24
FIRST_CHECKPOINT = 10

COLUMNS = (
    "recorded_at, actor_kind, actor_id, action, resource_type, resource_id, project_id, "
    "outcome, request_id, client_addr, details, leaf_hash"
)


@pytest.fixture
def ledger(runtime: Runtime) -> Runtime:
    with runtime.unit_of_work() as session:
        ledger_service.bind(session, ledger_service.SYSTEM)
        fill(session, FIRST_CHECKPOINT)
        ledger_service.sign_checkpoint(session=session, signer=runtime.signer)
        fill(session, SIZE - FIRST_CHECKPOINT)
        ledger_service.sign_checkpoint(session=session, signer=runtime.signer)
    return runtime


def _tampered(runtime: Runtime) -> Iterator[Session]:
    session = runtime.sessions()
    try:
        session.begin()
        allow_tampering(session)
        yield session
    finally:
        session.rollback()
        session.close()


def _check(runtime: Runtime, tamper: str, *params: dict[str, object]) -> Report:
    for session in _tampered(runtime):
        for statement, values in zip(tamper.split(";"), params, strict=True):
            session.execute(text(statement), values)
        return verify_session(session, runtime.signer)
    raise AssertionError("unreachable")


def test_untouched_ledger_verifies(ledger: Runtime) -> None:
    with ledger.unit_of_work() as session:
        report = verify_session(session, ledger.signer)
    assert report.intact, report.findings
    assert (report.entries, report.checkpoints) == (SIZE, 2)


_settings = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_settings
@given(seq=st.integers(0, SIZE - 1), outcome=st.sampled_from(["failure", "denied"]))
def test_modified_entry_is_named(ledger: Runtime, seq: int, outcome: str) -> None:
    report = _check(
        ledger, "UPDATE ledger_entries SET outcome = :o WHERE seq = :s", {"o": outcome, "s": seq}
    )
    assert [f.seq for f in report.findings] == [seq]
    assert "modified" in report.findings[0].message


@_settings
@given(seq=st.integers(0, SIZE - 1))
def test_removed_entry_is_named(ledger: Runtime, seq: int) -> None:
    report = _check(ledger, "DELETE FROM ledger_entries WHERE seq = :s", {"s": seq})
    assert [f.seq for f in report.findings] == [seq]
    assert "removed" in report.findings[0].message


@_settings
@given(seq=st.integers(0, SIZE - 2))
def test_removed_and_renumbered_entry_is_named(ledger: Runtime, seq: int) -> None:
    shifts = ";".join(
        f"UPDATE ledger_entries SET seq = {n - 1} WHERE seq = {n}" for n in range(seq + 1, SIZE)
    )
    report = _check(
        ledger,
        f"DELETE FROM ledger_entries WHERE seq = :s;{shifts}",
        {"s": seq},
        *([{}] * (SIZE - seq - 1)),
    )
    assert [f.seq for f in report.findings] == [seq]
    assert "removed" in report.findings[0].message


@_settings
@given(seq=st.integers(0, SIZE - 1))
def test_inserted_entry_is_named(ledger: Runtime, seq: int) -> None:
    """The forger renumbers what follows and gives the new entry a correct leaf hash."""
    for session in _tampered(ledger):
        for n in range(SIZE - 1, seq - 1, -1):
            session.execute(text(f"UPDATE ledger_entries SET seq = {n + 1} WHERE seq = {n}"))
        forged = {
            "seq": seq,
            "recorded_at": "2026-11-26T00:00:00.000000Z",
            "actor_kind": "system",
            "actor_id": None,
            "credential": None,
            "action": "test.forged",
            "resource_type": "thing",
            "resource_id": None,
            "project_id": None,
            "outcome": "success",
            "request_id": None,
            "client_addr": None,
            "details": {},
        }
        session.execute(
            text(
                f"INSERT INTO ledger_entries (seq, {COLUMNS}) VALUES (:seq, :recorded_at, "
                ":actor_kind, :actor_id, :action, :resource_type, :resource_id, :project_id, "
                ":outcome, :request_id, :client_addr, :details, :leaf_hash)"
            ),
            {
                **forged,
                "recorded_at": "2026-11-26 00:00:00+00:00",
                "details": json.dumps({}),
                "leaf_hash": entry_leaf_hash(forged).hex(),
            },
        )
        report = verify_session(session, ledger.signer)
        (finding,) = report.findings
        if seq == SIZE - 1:
            # The displaced last entry lies beyond the ledger's declared size, so only the
            # signed root betrays the forgery, and it narrows it down to its interval.
            assert f"from {FIRST_CHECKPOINT} to {SIZE - 1}" in finding.message
        else:
            assert finding.seq == seq
            assert "inserted" in finding.message


@_settings
@given(pair=st.lists(st.integers(0, SIZE - 1), min_size=2, max_size=2, unique=True))
def test_swapped_entries_are_named(ledger: Runtime, pair: list[int]) -> None:
    first, second = sorted(pair)
    parking = SIZE + 100
    report = _check(
        ledger,
        "UPDATE ledger_entries SET seq = :p WHERE seq = :a;"
        "UPDATE ledger_entries SET seq = :a WHERE seq = :b;"
        "UPDATE ledger_entries SET seq = :b WHERE seq = :p",
        {"p": parking, "a": first},
        {"a": first, "b": second},
        {"b": second, "p": parking},
    )
    assert [f.seq for f in report.findings] == [first]


def test_forged_leaf_hash_is_caught_by_the_checkpoint(ledger: Runtime) -> None:
    """A forger who recomputes the leaf hash still cannot match the signed root."""
    for session in _tampered(ledger):
        session.execute(text("UPDATE ledger_entries SET outcome = 'failure' WHERE seq = 3"))
        entry = ledger_service.get_entry(session=session, seq=3)
        session.refresh(entry)
        forged = entry_leaf_hash(ledger_service.as_document(entry)).hex()
        session.execute(
            text("UPDATE ledger_entries SET leaf_hash = :h WHERE seq = 3"), {"h": forged}
        )
        session.expire_all()
        report = verify_session(session, ledger.signer)
        assert not report.intact
        assert "checkpoint signed at size 10: an entry from 0 to 9" in report.findings[0].message


def test_checkpoint_signed_by_another_key_is_refused(ledger: Runtime) -> None:
    from bastion.checkpoint import NoteSigner

    impostor = NoteSigner.generate(ledger.signer.name)
    with ledger.unit_of_work() as session:
        report = verify_session(session, impostor)
    assert not report.intact
    assert "checkpoint does not verify" in report.findings[0].message
