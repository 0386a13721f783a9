"""Monitors run in the server on their schedule: due monitors only, each window once even
when several replicas run at the same time, and one failing monitor never stops the
others."""

import threading
import time
import uuid
from datetime import timedelta

from sqlalchemy import func, select, update

from bastion.ledger import service as ledger_service
from bastion.monitoring import runs, scheduler
from bastion.monitoring.models import Monitor, MonitorWindow
from bastion.runtime import Runtime
from bastion.storage.base import utcnow
from tests.inventory.conftest import app_runtime
from tests.monitoring.conftest import World, adult


def window_count(runtime: Runtime, monitor_id: str) -> int:
    with runtime.sessions() as session:
        count = session.scalar(
            select(func.count())
            .select_from(MonitorWindow)
            .where(MonitorWindow.monitor_id == uuid.UUID(monitor_id))
        )
    return int(count or 0)


def test_a_server_runs_due_monitors_on_its_own(world: World) -> None:
    monitor = world.monitor()
    world.log(adult().current.head(4000))
    # A second server on the same database and store, looking for due monitors every second.
    replica = Runtime.start(
        app_runtime(world.client).settings.model_copy(update={"monitor_interval_seconds": 1})
    )
    try:
        replica.start_monitor_schedule()
        deadline = time.monotonic() + 20
        while window_count(replica, monitor["id"]) < 2:
            assert time.monotonic() < deadline, "the schedule did not run the monitor"
            time.sleep(0.2)
    finally:
        replica.close()
    after = world.client.get(world.url(f"/monitors/{monitor['id']}")).json()
    assert after["last_run_at"] is not None
    # Scheduling is not an edit: no stale-version conflict for whoever read the monitor.
    assert (after["version"], after["updated_at"]) == (1, monitor["updated_at"])


def test_only_due_monitors_run_and_a_claimed_one_runs_once(world: World) -> None:
    runtime = app_runtime(world.client)
    later = world.monitor(name="later", enabled=False)
    due = world.monitor(name="due")
    world.log(adult().current.head(2000))
    now = utcnow() + timedelta(seconds=5)
    with runtime.unit_of_work() as session:
        session.execute(
            update(Monitor).where(Monitor.id == uuid.UUID(due["id"])).values(next_run_at=now)
        )
    assert scheduler.run_due(runtime.unit_of_work, runtime.store, now=now) == 1
    # The claim moved its next run a schedule ahead: a second replica's round finds nothing.
    assert scheduler.run_due(runtime.unit_of_work, runtime.store, now=now) == 0
    assert window_count(runtime, due["id"]) == 1
    assert window_count(runtime, later["id"]) == 0


def test_one_failing_monitor_does_not_stop_the_others(world: World) -> None:
    runtime = app_runtime(world.client)
    broken = world.monitor(name="broken")
    healthy = world.monitor(name="healthy")
    world.log(adult().current.head(2000))
    with runtime.unit_of_work() as session:
        # Its profile blob is gone from the store: every run of it fails.
        session.execute(
            update(Monitor)
            .where(Monitor.id == uuid.UUID(broken["id"]))
            .values(profile_digest="0" * 64)
        )
    now = utcnow() + timedelta(seconds=5)
    assert scheduler.run_due(runtime.unit_of_work, runtime.store, now=now) == 1
    assert window_count(runtime, healthy["id"]) == 1
    failed = world.client.get(world.url(f"/monitors/{broken['id']}")).json()
    assert "not in the store" in failed["last_error"]


def test_replicas_running_the_same_monitor_record_each_window_once(world: World) -> None:
    runtime = app_runtime(world.client)
    monitor = world.monitor(window={"rows": 1000}, min_rows=100)
    world.log(adult().current.head(4000))
    errors: list[BaseException] = []
    outcomes: list[runs.Outcome] = []

    def replica() -> None:
        try:
            with runtime.unit_of_work() as session:
                ledger_service.bind(session, ledger_service.SYSTEM)
                record = session.get(Monitor, uuid.UUID(monitor["id"]))
                outcomes.append(
                    runs.run_monitor(
                        session=session, store=runtime.store, monitor=record, now=utcnow()
                    )
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    windows = world.windows(monitor["id"])
    assert [w["index"] for w in windows] == [0, 1, 2, 3]
    assert sum(len(o.evaluated) for o in outcomes) == 4  # each window by one replica
    evidence = world.client.get(
        world.url("/evidence"), params={"kind": "monitoring.window", "limit": 50}
    ).json()["items"]
    assert len(evidence) == 4
