"""Benchmark of the audit ledger, against the goals of the identity-and-ledger issue:

- full verification of a ledger of N entries (goal: 1,000,000 in under 10 s on one core),
  both offline from parsed entries and end to end from the database through an export;
- inclusion proof for any entry of that ledger, from the database (goal: under 5 ms);
- ledger appends per second under concurrent write requests to a real server;
- the overhead of auditing on a write request (goal: under 15 % of the request time),
  measured by serving the same requests with the ledger append switched off.

The ledger of N entries is laid down in bulk (the same leaf hashes and nodes that
appending one by one produces — the benchmark checks the root against a second
computation) so that building a million entries does not dominate the run.

Usage: ``python -m benchmarks.bench_ledger [--entries N] [--requests R] [--writers W]
[--database-url URL]``
"""

import argparse
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import uvicorn
from sqlalchemy import insert

from bastion import merkle
from bastion.api.app import create_app
from bastion.ledger import service as ledger_service
from bastion.ledger.entry import entry_leaf_hash
from bastion.ledger.models import LedgerEntry, LedgerHead, LedgerNode
from bastion.ledger.verify import verify
from bastion.runtime import Runtime
from bastion.settings import Settings
from benchmarks.common import machine, timed


def _document(seq: int) -> dict[str, Any]:
    return {
        "seq": seq,
        "recorded_at": "2026-11-26T06:00:00.000000Z",
        "actor_kind": "user",
        "actor_id": "4f1c2b8e-0000-4000-8000-000000000001",
        "credential": "api_key:9b2d6a51-0000-4000-8000-000000000003",
        "action": "ai_system.update",
        "resource_type": "ai_system",
        "resource_id": f"00000000-0000-4000-8000-{seq:012d}",
        "project_id": "7d3e9a10-0000-4000-8000-000000000002",
        "outcome": "success",
        "request_id": f"{seq:032x}",
        "client_addr": "10.0.0.1",
        "details": {"fields": ["owner", "purpose"]},
    }


def _lay_down(runtime: Runtime, count: int, batch: int = 20_000) -> bytes:
    """Write ``count`` entries and their tree nodes in bulk; the root."""
    import uuid
    from datetime import UTC, datetime

    builder = merkle.TreeBuilder()
    when = datetime(2026, 11, 26, 6, tzinfo=UTC)
    with runtime.unit_of_work() as session:
        for start in range(0, count, batch):
            rows, nodes = [], []
            for seq in range(start, min(start + batch, count)):
                document = _document(seq)
                leaf = entry_leaf_hash(document)
                rows.append(
                    {
                        **document,
                        "recorded_at": when,
                        "project_id": uuid.UUID(document["project_id"]),
                        "leaf_hash": leaf.hex(),
                    }
                )
                nodes += [
                    {"level": n.level, "index": n.index, "hash": n.hash.hex()}
                    for n in builder.append(leaf)
                    if n.level > 0
                ]
            session.execute(insert(LedgerEntry), rows)
            if nodes:
                session.execute(insert(LedgerNode), nodes)
        head = session.get(LedgerHead, 1)
        assert head is not None
        head.size = builder.size
        head.frontier = [h.hex() for h in builder.hashes]
    return builder.root()


def _verify_offline(entries: int, note: str, runtime: Runtime) -> float:
    """Verification alone, on entries already parsed (as from an export file)."""
    documents = [{**_document(seq), "leaf_hash": None} for seq in range(entries)]
    seconds, report = timed(lambda: verify(documents, [note], runtime.signer.verifier()))
    assert report.intact, report.findings
    return seconds


def _verify_from_database(runtime: Runtime) -> tuple[float, int]:
    def run() -> int:
        with runtime.read_sessions() as session, session.begin():
            report = ledger_service.verify_stored(
                session=session, verifier=runtime.signer.verifier()
            )
        assert report.intact, report.findings
        return report.entries

    return timed(run)


@contextmanager
def _server(settings: Settings) -> Iterator[tuple[str, str]]:
    keys: list[str] = []
    app = create_app(settings, on_start=lambda rt: keys.append(rt.bootstrap_admin_key() or ""))
    with _socket_port() as port:
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", log_config=None)
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.01)
        try:
            yield f"http://127.0.0.1:{port}/api/v1", keys[0]
        finally:
            server.should_exit = True
            thread.join(timeout=30)


@contextmanager
def _socket_port() -> Iterator[int]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    yield port


def _post_systems(api: str, key: str, prefix: str, count: int, writers: int) -> list[float]:
    """POST ``count`` AI systems from ``writers`` threads; each request's seconds."""
    latencies: list[float] = []
    lock = threading.Lock()

    def writer(w: int) -> None:
        with httpx.Client(headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
            for n in range(w, count, writers):
                started = time.perf_counter()
                client.post(f"{api}/projects/bench/systems", json={"name": f"{prefix}{n}"})
                with lock:
                    latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def run(
    entries: int = 1_000_000,
    proofs: int = 1000,
    requests: int = 2000,
    writers: int = 8,
    database_url: str | None = None,
) -> dict[str, Any]:
    """Run the benchmark on a fresh data directory; the figures as a dict."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp), database_url=database_url, checkpoint_interval_seconds=0
        )
        runtime = Runtime.start(settings)
        try:
            with runtime.read_sessions() as session, session.begin():
                if ledger_service.size(session=session) != 0:
                    raise SystemExit("the benchmark needs an empty database")
            build_seconds, expected_root = timed(lambda: _lay_down(runtime, entries))
            checkpoint_size = runtime.sign_checkpoint()
            with runtime.unit_of_work() as session:
                stored_root = ledger_service.root_at(session=session, tree_size=entries)
            assert checkpoint_size == entries
            assert stored_root == expected_root

            with runtime.read_sessions() as session, session.begin():
                note = ledger_service.latest_checkpoint(session=session).note
            offline_seconds = _verify_offline(entries, note, runtime)
            database_seconds, verified = _verify_from_database(runtime)

            rng = random.Random(6962)
            picks = [rng.randrange(entries) for _ in range(proofs)]
            with runtime.read_sessions() as session, session.begin():
                proof_seconds, made = timed(
                    lambda: [
                        ledger_service.prove_inclusion(session=session, seq=s, tree_size=entries)
                        for s in picks
                    ]
                )
            for proof in made[:50]:
                merkle.verify_inclusion(
                    proof.leaf_hash, proof.seq, entries, proof.proof, expected_root
                )
        finally:
            runtime.close()

        with _server(settings) as (api, key):
            headers = {"Authorization": f"Bearer {key}"}
            httpx.post(f"{api}/projects", json={"name": "bench"}, headers=headers)
            _post_systems(api, key, "warm", 50, 1)
            before = time.perf_counter()
            _post_systems(api, key, "c", requests, writers)
            append_seconds = time.perf_counter() - before
            # Alternate audited and unaudited rounds so that drift in the machine's speed
            # falls on both alike.
            audited: list[float] = []
            unaudited: list[float] = []
            for round_ in range(10):
                audited += _post_systems(api, key, f"a{round_}-", requests // 20, 1)
                # The same requests with the append switched off: what auditing costs.
                with mock.patch.object(ledger_service, "record") as record:
                    unaudited += _post_systems(api, key, f"u{round_}-", requests // 20, 1)
                assert record.call_count >= requests // 20
    audited_ms = statistics.mean(audited) * 1000
    unaudited_ms = statistics.mean(unaudited) * 1000
    return {
        "entries": entries,
        "database": (database_url or "sqlite").split(":")[0],
        "bulk_build_seconds": build_seconds,
        "verify_offline_seconds": offline_seconds,
        "verify_from_database_seconds": database_seconds,
        "verified_entries": verified,
        "inclusion_proof_ms": proof_seconds * 1000 / proofs,
        "appends_per_second": requests / append_seconds,
        "writers": writers,
        "write_request_ms_audited": audited_ms,
        "write_request_ms_unaudited": unaudited_ms,
        "audit_overhead_percent": (audited_ms / unaudited_ms - 1) * 100,
        **machine(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp dir")
    args = parser.parse_args(argv)
    r = run(args.entries, args.proofs, args.requests, args.writers, args.database_url)
    print(
        f"audit ledger on {r['database']}, {r['entries']:,} entries — Python {r['python']}, "
        f"{r['cpu']} ({r['cpus']} CPUs)"
    )
    print(
        f"  verify, offline (parsed entries)   {r['verify_offline_seconds']:8.2f} s  (goal < 10 s)"
    )
    print(f"  verify, from the database          {r['verify_from_database_seconds']:8.2f} s")
    print(f"  inclusion proof from the database  {r['inclusion_proof_ms']:8.2f} ms (goal < 5 ms)")
    print(f"  appends under {r['writers']} concurrent writers  {r['appends_per_second']:8.0f} /s")
    print(
        f"  write request, audited / not       {r['write_request_ms_audited']:8.2f} / "
        f"{r['write_request_ms_unaudited']:.2f} ms — overhead "
        f"{r['audit_overhead_percent']:.1f} % (goal < 15 %)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
