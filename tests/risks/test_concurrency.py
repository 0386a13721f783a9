"""Concurrent writers on SQLite and PostgreSQL: a change based on a version another
transaction is changing waits for it and is refused (the risk row is locked before the
version is compared), and concurrent creations get distinct numbers (the project row is
locked while a number is handed out)."""

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.orm import Session

from bastion.ledger import service as ledger_service
from bastion.risks import schemas
from bastion.risks import service as risk_service
from bastion.risks.errors import StaleVersion
from bastion.storage.database import transaction
from tests.inventory.conftest import app_runtime
from tests.risks.conftest import Register

HOLD = 0.5  # seconds the first writer keeps its transaction open after its change


def _in_transaction(reg: Register, work: Callable[[Session], object], hold: float = 0) -> None:
    with transaction(app_runtime(reg.client).sessions) as session:
        ledger_service.bind(session, ledger_service.AuditContext(actor_kind="test"))
        work(session)
        time.sleep(hold)


def test_a_second_change_of_the_same_version_waits_and_is_refused(reg: Register) -> None:
    risk = reg.create()
    project_id = uuid.UUID(reg.inv.project["id"])

    def change(likelihood: int) -> Callable[[Session], object]:
        data = schemas.RiskUpdate(version=1, likelihood=likelihood)
        return lambda session: risk_service.update_risk(
            session=session, project_id=project_id, ref=risk["id"], data=data
        )

    changed, errors = threading.Event(), []

    def first() -> None:
        try:
            _in_transaction(reg, lambda s: (change(5)(s), changed.set()), hold=HOLD)
        except BaseException as exc:
            errors.append(exc)
            changed.set()

    thread = threading.Thread(target=first)
    thread.start()
    assert changed.wait(timeout=30)
    started = time.monotonic()
    with pytest.raises(StaleVersion):
        _in_transaction(reg, change(1))
    waited = time.monotonic() - started
    thread.join(timeout=30)
    assert errors == []
    assert waited >= HOLD * 0.8  # it queued behind the first writer
    after = reg.get("R-1")
    assert (after["likelihood"], after["version"]) == (5, 2)
    assert [e["action"] for e in reg.history("R-1")] == ["created", "updated"]


def test_concurrent_creations_get_distinct_numbers(reg: Register) -> None:
    project_id = uuid.UUID(reg.inv.project["id"])
    data = schemas.RiskCreate.model_validate(reg.body())

    def create(_: int) -> None:
        _in_transaction(
            reg,
            lambda s: risk_service.create_risk(session=s, project_id=project_id, data=data),
            hold=0.05,
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(create, range(8)))
    assert sorted(r["number"] for r in reg.listing()) == list(range(1, 9))
