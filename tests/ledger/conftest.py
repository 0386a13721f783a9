"""Helpers for ledger tests: fill a ledger, export it, tamper with it in SQL."""

from collections.abc import Generator
from contextlib import closing

from sqlalchemy import text
from sqlalchemy.orm import Session

from bastion.checkpoint import NoteSigner
from bastion.ledger import service as ledger_service
from bastion.ledger.export import read_jsonl
from bastion.ledger.models import APPEND_ONLY_TABLES
from bastion.ledger.verify import Report, verify


def fill(session: Session, count: int) -> None:
    for i in range(count):
        ledger_service.record(
            session,
            action="test.action",
            resource_type="thing",
            resource_id=f"thing-{i}",
            details={"index": i, "tags": ["a", "b"], "nested": {"ok": True}},
        )


def export_lines(session: Session, signer: NoteSigner) -> Generator[str]:
    return ledger_service.export(
        session=session,
        verifier_key=signer.verifier().key(),
        origin=signer.name,
        fmt="jsonl",
    )


def verify_session(session: Session, signer: NoteSigner) -> Report:
    with closing(export_lines(session, signer)) as lines:
        header, notes, entries = read_jsonl(lines)
        return verify(entries, notes, signer.verifier(), expected_size=header["size"])


def allow_tampering(session: Session) -> None:
    """Remove the append-only guard inside the current transaction, as an attacker with
    database access would."""
    if session.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY_TABLES:
            session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
    else:
        for table in APPEND_ONLY_TABLES:
            for operation in ("update", "delete"):
                session.execute(text(f"DROP TRIGGER {table}_no_{operation}"))
