"""A server killed with SIGKILL in the middle of concurrent writes loses no acknowledged
action from the ledger, and what it recorded still verifies."""

import os
import signal
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from bastion.inventory.models import AISystem
from bastion.ledger.models import LedgerEntry
from bastion.runtime import Runtime
from bastion.settings import Settings
from tests.conftest import free_port
from tests.ledger.conftest import verify_session
from tests.serve import ServeProcess

WRITERS = 4


def test_kill_9_during_concurrent_writes(tmp_path: Path, database_url: str) -> None:
    port = free_port()
    server = ServeProcess(tmp_path / "data", port, database_url)
    try:
        banner = server.read_until("export BASTION_API_KEY=")
        key = banner.rsplit("export BASTION_API_KEY=", 1)[1].split()[0]
        api = f"http://127.0.0.1:{port}/api/v1"
        headers = {"Authorization": f"Bearer {key}"}
        httpx.post(f"{api}/projects", json={"name": "p"}, headers=headers).raise_for_status()

        acknowledged: list[str] = []
        lock = threading.Lock()

        def write(writer: int) -> None:
            with httpx.Client(headers=headers, timeout=10) as client:
                for n in range(10_000):
                    try:
                        response = client.post(
                            f"{api}/projects/p/systems", json={"name": f"w{writer}-{n}"}
                        )
                    except httpx.TransportError:
                        return  # the server is gone
                    if response.status_code == 201:
                        with lock:
                            acknowledged.append(response.json()["id"])

        threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while len(acknowledged) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(server.process.pid, signal.SIGKILL)
        for thread in threads:
            thread.join(timeout=30)
    finally:
        if server.process.poll() is None:
            server.process.kill()
        server.stop()
    assert len(acknowledged) >= 40

    runtime = Runtime.start(Settings(data_dir=tmp_path / "data", database_url=database_url))
    try:
        runtime.sign_checkpoint()
        with runtime.unit_of_work() as session:
            recorded = set(
                session.scalars(
                    select(LedgerEntry.resource_id).where(LedgerEntry.action == "ai_system.create")
                )
            )
            stored = {str(i) for i in session.scalars(select(AISystem.id))}
            report = verify_session(session, runtime.signer)
    finally:
        runtime.close()
    assert set(acknowledged) <= recorded
    # No record of an action that did not happen, and no action without its record.
    assert recorded == stored
    assert report.intact, report.findings
