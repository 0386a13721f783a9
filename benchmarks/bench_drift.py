"""Benchmark of bastion.drift against Evidently's DataDriftPreset, against the goals of the
monitoring issue: on the same reference and current data (20 numeric + 5 categorical
columns) at 100k and 1M rows, at least 30x faster than Evidently and at most 1/4 of its
peak memory; and once a reference profile exists, a new 1M-row window scored in under 2 s.

The data come from ``benchmarks/drift_data.py`` (seeded): a reference and a current
Parquet file of N rows each, where 13 of the 25 columns are shifted (mean, scale, mixture
and category-mix changes, nulls, new categories) and the rest are drawn from the
reference distribution. Both engines read the same files, each in its own process, so
that time and memory are measured the same way for both:

- **Evidently** 0.7 (``evidently_runner.py``, in its own virtualenv
  ``benchmarks/.venvs/evidently``, created here on first use: Evidently 0.7 needs
  pandas < 3, Bastion runs on pandas 3): ``pandas.read_parquet``, then
  ``Report([DataDriftPreset()], include_tests=True).run(current, reference)`` with the
  column types declared, results read out of the snapshot. Timed once.
- **Bastion** (this module, ``--bastion-side``, in a child process of the project's
  Python): ``bastion.drift.read_frame`` (polars' Parquet reader), then
  ``fit_profile(reference)``, ``summarize(current, profile)``, ``compare(profile,
  summary)``, timed best of ``repeat``; then the *window* figure: the profile stored as
  JSON and read back, and ``summarize`` + ``compare`` of the current data against it,
  best of ``repeat``. Its Jensen-Shannon distance takes Evidently's natural logarithm
  (``DriftConfig(js_base=math.e)``; Bastion's default is base 2, 1.2x larger); every
  other setting is Bastion's default.
- **Bastion from the files** (another child): ``fit_profile`` and ``summarize`` given the
  paths, which read the reference a column at a time and the current data in batches,
  then ``compare``; set against Evidently's reading + report.

The goals are judged on the in-memory figures: reading the files is timed apart on both
sides and left out of those ratios. Peak memory is each process's ``VmHWM`` (peak
resident set, /proc/self/status); Bastion's is read before the window timings, so both
cover reading the data and one full comparison. The resident set after the imports is
reported too (Evidently's imports alone take ~300 MB).

**Agreement.** For every column: the same method (Evidently's stat test names), the same
threshold, the same drift flag, and statistics within :data:`TOLERANCE` of each other;
and the same dataset verdict. Bastion computes its statistics from per-column summaries
(histograms on reference-quantile bins, category counts) where Evidently works on the raw
values, so its numeric statistics are approximations: see :data:`TOLERANCE` for how
close they must be and why. Both sides' flags are also checked against the generator's
truth (``drift_data.DRIFTED``).

Usage: ``python -m benchmarks.bench_drift [--rows 100000,1000000] [--seed S] [--repeat R]
[--smoke] [--no-evidently | --no-bastion] [--json FILE]``; ``--make-venv`` only creates
Evidently's virtualenv (``make evidently-venv`` runs it).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from benchmarks import drift_data
from benchmarks.common import machine
from benchmarks.evidently_runner import memory_kb

HERE = Path(__file__).resolve().parent
EVIDENTLY_VENV = HERE / ".venvs" / "evidently"
EVIDENTLY_RUNNER = HERE / "evidently_runner.py"
# Pinned so that figures can be compared from one run to the next; bump it deliberately.
# Evidently 0.7.23 declares pandas >= 1.3.5 but imports a helper that pandas 3 removed.
EVIDENTLY_REQUIREMENTS = ("evidently==0.7.23", "pandas<3")
GOAL_SPEEDUP = 30.0
GOAL_MEMORY_FRACTION = 0.25
GOAL_WINDOW_SECONDS = 2.0
GOAL_WINDOW_ROWS = 1_000_000  # the window goal is stated for 1M rows
# How far Bastion's statistic may be from Evidently's, per method (absolute).
# Jensen-Shannon: both count the same categories (a numeric column of at most 5 values
# has one fine bin per value), so only rounding may differ. Wasserstein: Bastion places
# each of its ~1,000 reference-quantile bins' values at the bin's mean, which moves each
# distribution by at most the mean width of the bins its values fall in; normed by the
# reference's sd, that is a few thousandths at worst (few rows per bin, heavy tails with
# wide outer bins). Measured (seed 0): at most 0.0017 at 5,000 rows (lognormal), 0.0011
# at 100k (Student t), 0.0001 at 1M. 0.005 is 5 % of the 0.1 threshold: a column scoring
# within 0.005 of it could be flagged differently, which the generated data keep clear of.
TOLERANCE = {"wasserstein": 0.005, "jensenshannon": 1e-9}

EvidentlyMode = Literal["require", "if-present", "skip"]


# --- Evidently's virtualenv -----------------------------------------------------------------


def evidently_python(*, create: bool) -> Path | None:
    """The Python of Evidently's virtualenv; made (``venv`` + ``pip``) if ``create``."""
    python = EVIDENTLY_VENV / "bin" / "python"
    if _evidently_installed(python):
        return python
    if not create:
        return None
    EVIDENTLY_VENV.parent.mkdir(parents=True, exist_ok=True)
    # S603: every argument here is a fixed path or a pinned requirement, none is input.
    subprocess.run([sys.executable, "-m", "venv", str(EVIDENTLY_VENV)], check=True)  # noqa: S603
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)  # noqa: S603
    subprocess.run([*pip, *EVIDENTLY_REQUIREMENTS], check=True)  # noqa: S603
    if not _evidently_installed(python):
        raise RuntimeError(f"evidently did not install into {EVIDENTLY_VENV}")
    return python


# The installed versions, checked from package metadata: importing Evidently takes seconds,
# and a bumped pin should reinstall.
_PROBE = (
    "import sys; from importlib.metadata import version; "
    "sys.exit(version('evidently') != {pin!r} or int(version('pandas').split('.')[0]) >= 3)"
)


def _evidently_installed(python: Path) -> bool:
    if not python.is_file():
        return False
    pin = EVIDENTLY_REQUIREMENTS[0].split("==")[1]
    probe = subprocess.run(  # noqa: S603 (a fixed path and a fixed command)
        [str(python), "-c", _PROBE.format(pin=pin)], capture_output=True, check=False
    )
    return probe.returncode == 0


# --- the two sides, each in its own process -------------------------------------------------


def _job(files: drift_data.DriftFiles, repeat: int, mode: str = "memory") -> dict[str, Any]:
    return {
        "mode": mode,
        "reference": str(files.reference),
        "current": str(files.current),
        "numerical": list(drift_data.NUMERIC),
        "categorical": list(drift_data.CATEGORICAL),
        "repeat": repeat,
    }


def _run_child(command: list[str], job: dict[str, Any], tmp: Path) -> dict[str, Any]:
    path, out = tmp / "job.json", tmp / "result.json"
    path.write_text(json.dumps(job), encoding="utf-8")
    out.unlink(missing_ok=True)
    # S603: our own runner, our temporary files.
    subprocess.run([*command, str(path), str(out)], check=True, cwd=HERE.parent)  # noqa: S603
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def run_evidently(python: Path, files: drift_data.DriftFiles, tmp: Path) -> dict[str, Any]:
    """``evidently_runner.py`` in Evidently's virtualenv on the files (timed once)."""
    return _run_child([str(python), str(EVIDENTLY_RUNNER)], _job(files, 1), tmp)


def run_bastion(
    files: drift_data.DriftFiles, repeat: int, tmp: Path, mode: str = "memory"
) -> dict[str, Any]:
    """:func:`bastion_side` in a child process of this Python, on the files."""
    command = [sys.executable, "-m", "benchmarks.bench_drift", "--bastion-side"]
    return _run_child(command, _job(files, repeat, mode), tmp)


def bastion_side(job: dict[str, Any]) -> dict[str, Any]:
    """Bastion's side, run in the child process (``job["mode"]``: ``memory`` or ``files``)."""
    from bastion.drift import DriftConfig

    # Evidently's Jensen-Shannon distance takes the natural logarithm, Bastion's default
    # base 2 (bounded by 1): the same base makes the statistics and thresholds the same.
    config = DriftConfig(js_base=math.e)
    rss_after_import = memory_kb("VmRSS")
    run = _in_memory if job["mode"] == "memory" else _from_files
    return {"rss_after_import_kb": rss_after_import, **run(job, config)}


def _best_of(repeat: int, steps: dict[str, Callable[[], Any]]) -> tuple[dict[str, Any], Any]:
    """Run ``steps`` in order ``repeat`` times; the fastest round's times, and the last
    step's result (steps hand results on through a dict they share)."""
    best: dict[str, Any] = {"seconds": math.inf}
    result: Any = None
    for _ in range(repeat):
        times = {}
        for name, step in steps.items():
            start = time.perf_counter()
            result = step()
            times[name] = time.perf_counter() - start
        if sum(times.values()) < best["seconds"]:
            best = {"seconds": sum(times.values()), "steps": times}
    return best, result


def _in_memory(job: dict[str, Any], config: Any) -> dict[str, Any]:
    """Read both files, then fit + summarize + compare (best of ``repeat``); the peak
    memory; then summarize + compare against the profile stored and read back."""
    from bastion.drift import Profile, compare, fit_profile, read_frame, summarize

    columns, categorical = job["numerical"] + job["categorical"], job["categorical"]
    start = time.perf_counter()
    reference = read_frame(job["reference"])  # polars.read_parquet, with clear errors
    current = read_frame(job["current"])
    read_seconds = time.perf_counter() - start
    done: dict[str, Any] = {}
    best, report = _best_of(
        job["repeat"],
        {
            "fit": lambda: done.update(profile=fit_profile(reference, columns, categorical)),
            "summarize": lambda: done.update(summary=summarize(current, done["profile"])),
            "compare": lambda: compare(done["profile"], done["summary"], config),
        },
    )
    peak = memory_kb("VmHWM")

    # A new window against a reference profile that exists: stored as JSON and read back.
    stored = json.dumps(done["profile"].to_dict())
    loaded = Profile.from_dict(json.loads(stored))
    window, window_report = _best_of(
        job["repeat"], {"window": lambda: compare(loaded, summarize(current, loaded), config)}
    )
    if window_report.drifted_columns != report.drifted_columns:
        raise RuntimeError("the stored profile judges the window differently from the fitted one")
    return {
        "rows": [reference.height, current.height],
        "read_seconds": read_seconds,
        **best,
        "window_seconds": window["seconds"],
        "profile_kb": len(stored) / 1024,
        "peak_rss_kb": peak,
        **_results(report),
    }


def _from_files(job: dict[str, Any], config: Any) -> dict[str, Any]:
    """fit_profile and summarize given the paths (the reference read a column at a time,
    the current in batches), then compare (best of ``repeat``); the peak memory."""
    from bastion.drift import compare, fit_profile, summarize

    columns, categorical = job["numerical"] + job["categorical"], job["categorical"]
    done: dict[str, Any] = {}
    best, report = _best_of(
        job["repeat"],
        {
            "fit": lambda: done.update(profile=fit_profile(job["reference"], columns, categorical)),
            "summarize": lambda: done.update(summary=summarize(job["current"], done["profile"])),
            "compare": lambda: compare(done["profile"], done["summary"], config),
        },
    )
    return {**best, "peak_rss_kb": memory_kb("VmHWM"), **_results(report)}


def _results(report: Any) -> dict[str, Any]:
    return {
        "columns": {
            c.column: {
                "kind": c.kind,
                "method": c.test,
                "score": c.statistic,
                "threshold": c.threshold,
                "drifted": c.drifted,
                "status": c.status,
            }
            for c in report.columns
        },
        "drift_share": report.drift_share,
        "dataset_drift": report.drifted,
    }


# --- agreement ------------------------------------------------------------------------------


def agreement(bastion: dict[str, Any], evidently: dict[str, Any]) -> dict[str, Any]:
    """Per column, whether the two engines agree (method, threshold, flag, statistic
    within :data:`TOLERANCE`), and whether their dataset verdicts are the same."""
    columns: dict[str, dict[str, Any]] = {}
    for name in drift_data.NUMERIC + drift_data.CATEGORICAL:
        b, e = bastion["columns"].get(name), evidently["columns"].get(name)
        if b is None or e is None:
            columns[name] = {"agrees": False, "why": "missing on one side"}
            continue
        difference = abs(b["score"] - e["score"])
        checks = {
            "method": b["method"] == e["method"],
            "threshold": math.isclose(b["threshold"], e["threshold"]),
            "flag": b["drifted"] == e["drifted"],
            "statistic": difference <= TOLERANCE.get(e["method"], 0.0),
        }
        columns[name] = {
            "difference": difference,
            **checks,
            "agrees": all(checks.values()),
            "why": ", ".join(k for k, ok in checks.items() if not ok),
        }
    same_verdict = bastion["dataset_drift"] == evidently["dataset_drift"]
    return {
        "columns": columns,
        "dataset_verdict": same_verdict,
        "all": same_verdict and all(c["agrees"] for c in columns.values()),
        "max_difference": {
            method: max(
                (
                    c["difference"]
                    for n, c in columns.items()
                    if "difference" in c and evidently["columns"][n]["method"] == method
                ),
                default=0.0,
            )
            for method in sorted({c["method"] for c in evidently["columns"].values()})
        },
    }


def correct_flags(side: dict[str, Any]) -> dict[str, Any]:
    """The columns whose flag differs from the generator's truth, and the verdict's."""
    wrong = sorted(
        name
        for name in drift_data.NUMERIC + drift_data.CATEGORICAL
        if side["columns"].get(name, {}).get("drifted") != (name in drift_data.DRIFTED)
    )
    expected_verdict = drift_data.DRIFT_SHARE >= 0.5
    return {"wrong_columns": wrong, "verdict": side["dataset_drift"] == expected_verdict}


# --- the run --------------------------------------------------------------------------------


def run_size(
    rows: int, *, seed: int, repeat: int, evidently: Path | None, bastion: bool
) -> dict[str, Any]:
    """Both sides on one generated pair of files of ``rows`` rows each."""
    with tempfile.TemporaryDirectory(prefix="bench-drift-") as tmp_name:
        tmp = Path(tmp_name)
        files = drift_data.write(tmp / "data", rows, seed)
        out: dict[str, Any] = {
            "rows": rows,
            "parquet_mb": (files.reference.stat().st_size + files.current.stat().st_size) / 1e6,
        }
        if bastion:
            out["bastion"] = run_bastion(files, repeat, tmp)
            out["bastion"]["truth"] = correct_flags(out["bastion"])
            out["bastion_files"] = run_bastion(files, repeat, tmp, mode="files")
            out["bastion_files"]["truth"] = correct_flags(out["bastion_files"])
        if evidently is not None:
            out["evidently"] = run_evidently(evidently, files, tmp)
            out["evidently"]["truth"] = correct_flags(out["evidently"])
    if "bastion" in out and "evidently" in out:
        b, f, e = out["bastion"], out["bastion_files"], out["evidently"]
        speedup = e["seconds"] / b["seconds"]
        memory = b["peak_rss_kb"] / e["peak_rss_kb"]
        out["agreement"] = agreement(b, e)
        out["speedup"] = speedup
        out["memory_fraction"] = memory
        # From the files: Bastion streams them; Evidently's time includes its reading.
        out["files_speedup"] = (e["read_seconds"] + e["seconds"]) / f["seconds"]
        out["files_memory_fraction"] = f["peak_rss_kb"] / e["peak_rss_kb"]
        out["files_agreement"] = agreement(f, e)["all"]
        out["goals"] = {
            "speedup": speedup >= GOAL_SPEEDUP,
            "memory": memory <= GOAL_MEMORY_FRACTION,
            "agreement": out["agreement"]["all"],
        }
    if "bastion" in out and rows >= GOAL_WINDOW_ROWS:
        out.setdefault("goals", {})["window"] = out["bastion"]["window_seconds"] < (
            GOAL_WINDOW_SECONDS
        )
    return out


def run(
    *,
    rows: tuple[int, ...] = (100_000, 1_000_000),
    seed: int = 0,
    repeat: int = 3,
    evidently: EvidentlyMode = "require",
    bastion: bool = True,
) -> dict[str, Any]:
    """Generate the data at each size, run both sides, compare them; the figures as a dict.

    Parameters
    ----------
    rows : tuple of int
        Rows of the reference and of the current data, one run per size.
    seed : int
        Seed of the generated data.
    repeat : int
        Bastion's timings are the best of ``repeat`` runs; Evidently runs once (it
        takes minutes at 1M rows).
    evidently : {"require", "if-present", "skip"}
        ``require`` creates Evidently's virtualenv if it is missing; ``if-present`` runs
        Evidently only if the virtualenv exists.
    bastion : bool
        Run bastion.drift (switch off to look at Evidently's side alone).
    """
    python = None if evidently == "skip" else evidently_python(create=evidently == "require")
    sizes = [run_size(n, seed=seed, repeat=repeat, evidently=python, bastion=bastion) for n in rows]
    out: dict[str, Any] = {
        "seed": seed,
        "repeat": repeat,
        "columns": [
            {"name": c.name, "kind": c.kind, "shape": c.shape, "shift": c.shift, "drifts": c.drifts}
            for c in drift_data.COLUMNS
        ],
        "sizes": sizes,
        **machine(),
    }
    for size in sizes:
        if "evidently" in size:
            out["evidently_version"] = size["evidently"]["evidently_version"]
    return out


# --- output ---------------------------------------------------------------------------------


def _mb(kb: int) -> str:
    return f"{kb / 1024:,.0f} MB"


def _score(side: dict[str, Any] | None, name: str) -> str:
    if side is None or name not in side["columns"]:
        return f"{'—':>27}"
    c = side["columns"][name]
    flag = "DRIFT" if c["drifted"] else "-"
    return f"{c['method']:>13} {c['score']:7.4f} {flag:>5}"


def report(r: dict[str, Any]) -> str:
    """The figures side by side, as printed by ``main``."""
    version = r.get("evidently_version", "not run")
    lines = [
        f"Data drift: bastion.drift vs Evidently {version} DataDriftPreset — Python "
        f"{r['python']}, {r['cpu']} ({r['cpus']} CPUs); 20 numeric + 5 categorical columns, "
        f"{len(drift_data.DRIFTED)} shifted (seed {r['seed']})",
    ]
    for size in r["sizes"]:
        b, e, a = size.get("bastion"), size.get("evidently"), size.get("agreement")
        lines += [
            f"{size['rows']:,} reference + {size['rows']:,} current rows "
            f"({size['parquet_mb']:.0f} MB of Parquet)",
            f"  {'column':<24}{'truth':>6}  {'Bastion':>27}  {'Evidently':>27}  {'|diff|':>7}",
        ]
        for c in drift_data.COLUMNS:
            truth = "DRIFT" if c.drifts else "-"
            diff, mark = "", ""
            if a is not None:
                row = a["columns"][c.name]
                diff = f"{row['difference']:7.4f}" if "difference" in row else ""
                mark = "" if row["agrees"] else f"   DIFFERS: {row['why']}"
            lines.append(
                f"  {c.name:<24}{truth:>6}  {_score(b, c.name)}  {_score(e, c.name)}  "
                f"{diff:>7}{mark}"
            )
        for name, side in (("Bastion", b), ("Evidently", e)):
            if side is None:
                continue
            wrong = side["truth"]["wrong_columns"]
            lines.append(
                f"  {name}: drift share {side['drift_share']:.2f}, dataset drift "
                f"{side['dataset_drift']}; flags "
                + (f"WRONG on {', '.join(wrong)}" if wrong else "right on every column")
            )
        if b is not None:
            steps = ", ".join(f"{k} {v:.3f} s" for k, v in b["steps"].items())
            lines.append(
                f"  Bastion:   {b['seconds']:8.3f} s ({steps}), peak {_mb(b['peak_rss_kb'])} "
                f"({_mb(b['rss_after_import_kb'])} after imports); reading the files "
                f"{b['read_seconds']:.2f} s"
            )
            goal = f" (goal < {GOAL_WINDOW_SECONDS:.0f} s at 1M rows)"
            lines.append(
                f"  Bastion, new window against the existing profile (summarize + compare): "
                f"{b['window_seconds']:.3f} s{goal}"
            )
        f = size.get("bastion_files")
        if f is not None:
            steps = ", ".join(f"{k} {v:.3f} s" for k, v in f["steps"].items())
            lines.append(
                f"  Bastion from the files (read as it goes): {f['seconds']:.3f} s ({steps}), "
                f"peak {_mb(f['peak_rss_kb'])}"
            )
        if e is not None:
            lines.append(
                f"  Evidently: {e['seconds']:8.3f} s, peak {_mb(e['peak_rss_kb'])} "
                f"({_mb(e['rss_after_import_kb'])} after imports); reading the files "
                f"{e['read_seconds']:.2f} s"
            )
        if a is not None:
            diffs = ", ".join(f"{m} {d:.4f}" for m, d in a["max_difference"].items())
            lines.append(
                f"  → {size['speedup']:,.1f}x faster (goal ≥ {GOAL_SPEEDUP:.0f}x), memory "
                f"{size['memory_fraction']:.3f} of Evidently's (goal ≤ {GOAL_MEMORY_FRACTION}); "
                f"largest |diff|: {diffs}; "
                + ("all columns and the verdict agree" if a["all"] else "DISAGREEMENT")
            )
            lines.append(
                f"  → from the files, reading included: {size['files_speedup']:,.1f}x faster, "
                f"memory {size['files_memory_fraction']:.3f} of Evidently's; "
                + ("results agree" if size["files_agreement"] else "results DISAGREE")
            )
        if "goals" in size:
            lines.append(
                "  goals: "
                + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in size["goals"].items())
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows",
        type=lambda s: tuple(int(x) for x in s.split(",")),
        default=None,
        help="comma-separated sizes (default 100000,1000000)",
    )
    parser.add_argument("--smoke", action="store_true", help="a small, fast run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-evidently", action="store_true", help="Bastion's side only")
    parser.add_argument("--no-bastion", action="store_true", help="Evidently's side only")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--make-venv", action="store_true", help="only create Evidently's virtualenv, then exit"
    )
    parser.add_argument("--bastion-side", nargs=2, metavar=("JOB", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bastion_side:
        job, out = (Path(p) for p in args.bastion_side)
        result = bastion_side(json.loads(job.read_text(encoding="utf-8")))
        out.write_text(json.dumps(result), encoding="utf-8")
        return 0
    if args.make_venv:
        print(f"Evidently's virtualenv: {evidently_python(create=True)}")
        return 0
    r = run(
        rows=args.rows or (SMOKE_ROWS if args.smoke else FULL_ROWS),
        seed=args.seed,
        repeat=args.repeat,
        evidently="skip" if args.no_evidently else "if-present" if args.smoke else "require",
        bastion=not args.no_bastion,
    )
    print(report(r))
    if args.json:
        args.json.write_text(json.dumps(r, indent=2), encoding="utf-8")
    return 0


FULL_ROWS = (100_000, 1_000_000)
SMOKE_ROWS = (5_000,)

if __name__ == "__main__":
    raise SystemExit(main())
