"""Benchmark of prediction logging: the SDK's ``log_predictions`` against a real
``bastion serve`` process, batch after batch, on the embedded SQLite database.

Goal (issue #8): ingesting prediction batches at ≥ 100,000 rows/s. Each batch holds a
prediction id, a timestamp, 20 numeric and 5 categorical features and a prediction
(28 columns, seeded); the figure is rows sent divided by the wall time of the SDK calls,
so it includes encoding the table (compressed Arrow IPC), the HTTP round trip, the
server's checks (ids unique within the batch and counted against every earlier batch),
the Parquet blob written and fsynced, and the batch's row committed. Labels for every
prediction are logged afterwards the same way.

No anchor library: Evidently and NannyML take data frames in-process and keep no
prediction log; the figure stands against the goal alone.

Usage: ``python -m benchmarks.bench_ingest [--rows N] [--batch-rows N]``
"""

from __future__ import annotations

import argparse
import os
import queue
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from bastion import Client
from benchmarks.common import machine

GOAL_ROWS_PER_SECOND = 100_000
NUMERIC = 20
CATEGORICAL = 5


def batches(rows: int, batch_rows: int, seed: int = 0) -> Iterator[pa.Table]:
    """Seeded batches of scored predictions with unique ids, an hour of timestamps each."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2026-01-01T00:00:00", "us")
    categories = [np.array([f"c{j}_{k}" for k in range(3 + 10 * j)]) for j in range(CATEGORICAL)]
    for first in range(0, rows, batch_rows):
        n = min(batch_rows, rows - first)
        columns: dict[str, Any] = {
            "prediction_id": pa.array([f"p{first + i}" for i in range(n)]),
            "timestamp": pa.array(
                start + np.arange(first, first + n) * 3_600_000_000 // batch_rows
            ),
        }
        for j in range(NUMERIC):
            columns[f"x{j}"] = rng.normal(j, 1 + j / 10, n)
        for j in range(CATEGORICAL):
            columns[f"cat{j}"] = pa.array(rng.choice(categories[j], n)).dictionary_encode()
        columns["prediction"] = rng.integers(0, 2, n)
        yield pa.table(columns)


@dataclass(frozen=True)
class Server:
    url: str
    api_key: str
    process: subprocess.Popen[str]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(data_dir: Path, database_url: str | None = None) -> Iterator[Server]:
    """``bastion serve`` in a subprocess; its admin key read from what it prints."""
    port = _free_port()
    env = {
        **os.environ,
        "BASTION_DATA_DIR": str(data_dir),
        "BASTION_PORT": str(port),
        "BASTION_LOG_LEVEL": "WARNING",
        "BASTION_MONITOR_INTERVAL_SECONDS": "0",
        "BASTION_CHECKPOINT_INTERVAL_SECONDS": "0",
    }
    env.pop("BASTION_DATABASE_URL", None)
    if database_url:
        env["BASTION_DATABASE_URL"] = database_url
    process = subprocess.Popen(
        [sys.executable, "-m", "bastion.cli.main", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_pump, args=(process, lines), daemon=True).start()
    try:
        key = _admin_key(lines, process)
        yield Server(url=f"http://127.0.0.1:{port}", api_key=key, process=process)
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


def _pump(process: subprocess.Popen[str], lines: queue.Queue[str]) -> None:
    for line in process.stdout or ():
        lines.put(line)


def _admin_key(lines: queue.Queue[str], process: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            if process.poll() is not None:
                raise RuntimeError("bastion serve exited before it was ready") from None
            continue
        if line.strip().startswith("bst_"):
            return line.strip()
    raise RuntimeError("bastion serve printed no admin key within 60 s")


def run(
    rows: int = 1_000_000, batch_rows: int = 100_000, database_url: str | None = None
) -> dict[str, Any]:
    """Log ``rows`` predictions in batches, then their labels; rates and latencies."""
    data = list(batches(rows, batch_rows))
    with (
        tempfile.TemporaryDirectory(prefix="bastion-bench-ingest-") as tmp,
        serve(Path(tmp), database_url) as server,
        Client(server.url, server.api_key, timeout=300) as sdk,
    ):
        project = sdk.create_project(name="Ingest benchmark").slug
        model = sdk.create_model(project, name="scorer")
        version = str(sdk.create_model_version(project, model_id=model.id, version="1").id)
        latencies = []
        started = time.perf_counter()
        for table in data:
            call = time.perf_counter()
            batch = sdk.log_predictions(project, version, table)
            latencies.append(time.perf_counter() - call)
            if batch.duplicates or batch.findings:
                raise RuntimeError(f"unexpected duplicates or findings in batch {batch.seq}")
        predictions = time.perf_counter() - started
        label_started = time.perf_counter()
        for table in data:
            labels = pa.table({"prediction_id": table.column("prediction_id"),
                               "label": table.column("prediction")})  # fmt: skip
            sdk.log_labels(project, version, labels)
        labelled = time.perf_counter() - label_started
        logged = sdk.list_prediction_batches(project, version, limit=500).items
        stored = sum(b.size for b in logged)
    encode_started = time.perf_counter()
    for table in data:
        Client._arrow_stream(table, "data")
    encoding = time.perf_counter() - encode_started
    return {
        "machine": machine(),
        "rows": rows,
        "batch_rows": batch_rows,
        "batches": len(data),
        "columns": data[0].num_columns,
        "database": "postgresql" if database_url else "sqlite",
        "predictions": {
            "seconds": predictions,
            "rows_per_second": rows / predictions,
            "median_batch_ms": statistics.median(latencies) * 1000,
            "max_batch_ms": max(latencies) * 1000,
        },
        "labels": {"seconds": labelled, "rows_per_second": rows / labelled},
        "sdk_encoding_share": encoding / predictions,
        "stored_bytes": stored,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch-rows", type=int, default=100_000)
    parser.add_argument("--database-url", help="PostgreSQL instead of the embedded SQLite.")
    args = parser.parse_args(argv)
    result = run(args.rows, args.batch_rows, args.database_url)
    p, lab = result["predictions"], result["labels"]
    print(machine())
    print(
        f"{result['rows']:,} predictions in {result['batches']} batches of "
        f"{result['batch_rows']:,} ({result['columns']} columns, {result['database']})"
    )
    print(
        f"predictions: {p['rows_per_second']:,.0f} rows/s; batch median {p['median_batch_ms']:.0f} "
        f"ms, max {p['max_batch_ms']:.0f} ms; SDK encoding {result['sdk_encoding_share']:.0%}"
    )
    print(f"labels:      {lab['rows_per_second']:,.0f} rows/s")
    print(f"stored: {result['stored_bytes'] / 1e6:.1f} MB of Parquet")
    ratio = p["rows_per_second"] / GOAL_ROWS_PER_SECOND
    print(
        f"goal {GOAL_ROWS_PER_SECOND:,} rows/s: {'met' if ratio >= 1 else 'missed'} ({ratio:.1f}x)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
