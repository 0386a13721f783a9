"""Concurrent queries cannot overspend a budget: the check and the record happen under a
lock on the budget row (FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite)."""

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from bastion.ledger import service as ledger_service
from bastion.privacy_budget import service as budget_service
from bastion.privacy_budget.errors import BudgetExceeded
from bastion.privacy_budget.schemas import DpQueryCreate
from bastion.storage.database import transaction
from tests.conftest import LiveServer
from tests.inventory.conftest import Inventory, app_runtime
from tests.privacy_budget.conftest import Dataset, make_dataset

HOLD = 0.6  # seconds the first query keeps its transaction open after recording


def test_a_second_query_waits_for_the_first_and_sees_what_it_spent(ds: Dataset) -> None:
    assert ds.set_budget(1.0).status_code == 200
    runtime = app_runtime(ds.client)
    project_id = uuid.UUID(ds.inv.project["id"])
    version_id = uuid.UUID(ds.version_id)
    query = DpQueryCreate(statistic="count", column="age", epsilon=0.6)  # type: ignore[arg-type]
    recorded = threading.Event()
    first_error: list[BaseException] = []

    def run(hold: float) -> None:
        with transaction(runtime.sessions) as session:
            ledger_service.bind(session, ledger_service.AuditContext(actor_kind="test"))
            budget_service.run_query(
                session=session, store=runtime.store, project_id=project_id,
                version_id=version_id, data=query,
            )  # fmt: skip
            recorded.set()
            time.sleep(hold)  # still uncommitted: its lock on the budget is held

    def first() -> None:
        try:
            run(HOLD)
        except BaseException as exc:  # surfaced in the main thread
            first_error.append(exc)
            recorded.set()

    thread = threading.Thread(target=first)
    thread.start()
    assert recorded.wait(timeout=30)
    started = time.monotonic()
    # Without the lock this query would read the budget as unspent (the first query has
    # not committed) and both would be charged: 1.2 of a budget of 1.0.
    with pytest.raises(BudgetExceeded):
        run(0)
    waited = time.monotonic() - started
    thread.join(timeout=30)
    assert first_error == []
    assert waited >= HOLD * 0.8, f"the second query did not wait for the lock ({waited:.2f} s)"
    assert ds.budget()["epsilon_spent"] == 0.6
    assert ds.recorded() == 1


def test_two_concurrent_requests_that_together_exceed_the_budget(
    live_server: LiveServer, adult_csv: bytes
) -> None:
    # The helpers speak to any client with TestClient's methods: here, real HTTP.
    with httpx.Client(
        base_url=live_server.url,
        headers={"Authorization": f"Bearer {live_server.admin_key}"},
        timeout=60,
    ) as http:
        ds = make_dataset(Inventory.create(http, "Race"), adult_csv)  # type: ignore[arg-type]
        assert ds.set_budget(1.0).status_code == 200
        barrier = threading.Barrier(2)

        def query() -> int:
            barrier.wait()
            return ds.mean_age(0.6).status_code

        with ThreadPoolExecutor(max_workers=2) as pool:
            statuses = sorted(pool.map(lambda _: query(), range(2)))
        assert statuses == [201, 409]
        budget = ds.budget()
        assert budget["epsilon_spent"] == 0.6
        assert budget["query_count"] == 1
