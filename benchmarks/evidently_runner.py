"""Evidently's side of the drift benchmark. Runs inside Evidently's own virtualenv
(``benchmarks/.venvs/evidently``, made by ``bench_drift``): Evidently 0.7 needs pandas < 3,
Bastion runs on pandas 3, so this imports nothing from Bastion or the benchmarks, only the
standard library, pandas and Evidently.

It reads the reference and current Parquet files with pandas (``read_parquet``, its
defaults, as a user would), declares the column types (``DataDefinition``: the numeric
and categorical columns the job names, so that Evidently does not guess a column of
integers to be categorical), and runs ``Report([DataDriftPreset()], include_tests=True)``
— the 0.7 API, with the preset's defaults; the tests are Evidently's own drift flags.
``Report.run`` and reading the results out of the snapshot are timed; reading the files
is timed apart.

Memory is the process's peak resident set (``VmHWM`` of /proc/self/status), read at the
end, and its resident set after the imports (``VmRSS``), so that the caller can tell the
libraries' own footprint from the data's.

Input (JSON): ``{"reference": path, "current": path, "numerical": [column],
"categorical": [column]}``.
Output (JSON): versions; ``read_seconds``, ``seconds``; ``rss_after_import_kb``,
``peak_rss_kb``; per column ``{"method", "score", "threshold", "drifted"}`` (``method`` is
Evidently's stat test name: ``wasserstein``, ``jensenshannon`` …); the share of drifted
columns and the dataset verdict.

Usage: ``python evidently_runner.py INPUT.json OUTPUT.json``
"""

from __future__ import annotations

import json
import sys
import time
from importlib.metadata import version
from typing import Any


def memory_kb(field: str) -> int:
    """A ``/proc/self/status`` figure in kB (``VmHWM``: the peak resident set so far)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} is not in /proc/self/status")


def stat_test_names() -> dict[str, str]:
    """Evidently's stat tests, display name → name (the snapshot carries display names)."""
    from evidently.legacy.calculations import stattests
    from evidently.legacy.calculations.stattests.registry import StatTest

    tests = (v for v in vars(stattests).values() if isinstance(v, StatTest))
    return {t.display_name: t.name for t in tests}


def results(snapshot: Any, names: dict[str, str]) -> dict[str, Any]:
    """Per column method, score, threshold and flag, and the dataset's share and verdict,
    from a snapshot's ``dict()``: ``ValueDrift`` metrics carry the score and the resolved
    method and threshold, their tests the flag (FAIL: drift); ``DriftedColumnsCount``
    carries the share, its test (``share < drift_share``) the dataset verdict."""
    data = snapshot.dict()
    columns: dict[str, dict[str, Any]] = {}
    share: float | None = None
    for metric in data["metrics"]:
        config = metric["config"]
        if config["type"].endswith(":ValueDrift"):
            columns[config["column"]] = {
                "method": names.get(config["method"], config["method"]),
                "score": float(metric["value"]),
                "threshold": float(config["threshold"]),
            }
        elif config["type"].endswith(":DriftedColumnsCount"):
            share = float(metric["value"]["share"])
    dataset_drift: bool | None = None
    for test in data["tests"]:
        params = test["metric_config"]["params"]
        if params["type"].endswith(":ValueDrift"):
            columns[params["column"]]["drifted"] = test["status"] == "FAIL"
        elif params["type"].endswith(":DriftedColumnsCount"):
            dataset_drift = test["status"] == "FAIL"
    missing = [c for c, r in columns.items() if "drifted" not in r]
    if share is None or dataset_drift is None or missing:
        raise RuntimeError(f"the snapshot lacks results: share {share}, flags of {missing}")
    return {"columns": columns, "drift_share": share, "dataset_drift": dataset_drift}


def run(job: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    names = stat_test_names()
    rss_after_import = memory_kb("VmRSS")

    start = time.perf_counter()
    reference = pd.read_parquet(job["reference"])
    current = pd.read_parquet(job["current"])
    read_seconds = time.perf_counter() - start

    start = time.perf_counter()
    definition = DataDefinition(
        numerical_columns=list(job["numerical"]), categorical_columns=list(job["categorical"])
    )
    report = Report([DataDriftPreset()], include_tests=True)
    snapshot = report.run(
        Dataset.from_pandas(current, data_definition=definition),
        Dataset.from_pandas(reference, data_definition=definition),
    )
    out = results(snapshot, names)
    seconds = time.perf_counter() - start
    return {
        "evidently_version": version("evidently"),
        "pandas_version": version("pandas"),
        "python": sys.version.split()[0],
        "rows": [len(reference), len(current)],
        "read_seconds": read_seconds,
        "seconds": seconds,
        "rss_after_import_kb": rss_after_import,
        "peak_rss_kb": memory_kb("VmHWM"),
        **out,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        job = json.load(f)
    result = run(job)
    with open(argv[1], "w", encoding="utf-8") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
