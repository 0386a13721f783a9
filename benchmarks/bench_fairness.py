"""Benchmark of bastion.fairness against fairlearn's MetricFrame and a plain numpy count,
against the goals of the model-assessment issue: at 10M rows, at least 100x faster than
fairlearn, within 3x of plain numpy, and at most 1/4 of fairlearn's peak memory.

The data are N synthetic rows drawn from UCI Adult's distributions (race, an age band,
and each group's rate of ">50K"; fixed frequencies if ``shared/data`` is absent), with
string-valued sensitive columns as read from a CSV file. Two cases: one sensitive
feature with 5 groups (race) and two with 5 x 3 groups (race x age band). Each case runs

- ``assess_fairness`` — the full assessment: validation, counts, every per-group rate,
  fairlearn's aggregates, AIF360's and Aequitas' comparisons and the verdict;
- a plain numpy computation of the same counts: ``pandas.factorize`` of each string
  column (the fastest factorization there is; ``np.unique`` on strings is ten times
  slower), combined codes, one ``np.bincount``, four rates — no validation, no result;
- fairlearn ``MetricFrame`` with selection rate, TPR, FPR and accuracy;

asserts that the three agree (counts exactly, rates to 1e-9), and reports the time of
each (best of ``repeat``; fairlearn once) and the peak memory each allocates
(tracemalloc, measured in a separate run so that tracing does not slow the timing).
The first run's results are the ones compared.
fairlearn's pins do not clash with Bastion's, so it runs in the same process.

Usage: ``python -m benchmarks.bench_fairness [--rows N] [--repeat R] [--no-fairlearn]``
"""

from __future__ import annotations

import argparse
import gc
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bastion.fairness import assess_fairness
from benchmarks.common import machine, timed

ADULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "adult" / "adult.data"
RACES = ["White", "Black", "Asian-Pac-Islander", "Amer-Indian-Eskimo", "Other"]
AGE_BANDS = ["<30", "30-49", ">=50"]
TOL = 1e-9


def _adult_distribution() -> tuple[np.ndarray, np.ndarray]:
    """Joint frequency of (race, age band) and the rate of >50K in each, from Adult."""
    if not ADULT.is_file():
        freq = np.outer([0.854, 0.096, 0.032, 0.010, 0.008], [0.35, 0.45, 0.20])
        return freq, np.full((5, 3), 0.24)
    frame = pd.read_csv(ADULT, header=None, skipinitialspace=True, usecols=[0, 8, 14])
    frame.columns = ["age", "race", "income"]
    band = np.digitize(frame["age"], [30, 50])
    race = frame["race"].map({r: i for i, r in enumerate(RACES)}).to_numpy()
    positive = (frame["income"] == ">50K").to_numpy()
    counts = np.zeros((5, 3))
    pos = np.zeros((5, 3))
    np.add.at(counts, (race, band), 1)
    np.add.at(pos, (race, band), positive)
    return counts / counts.sum(), (pos + 1) / (counts + 2)


def synthetic(rows: int, seed: int = 48842) -> dict[str, np.ndarray]:
    """``rows`` rows: race and age band (strings), y_true and a noisy y_pred (0/1)."""
    rng = np.random.default_rng(seed)
    freq, rate = _adult_distribution()
    cell = rng.choice(freq.size, size=rows, p=freq.ravel())
    race_i, band_i = np.divmod(cell, 3)
    y_true = (rng.random(rows) < rate.ravel()[cell]).astype(np.int64)
    # A classifier that is right 80 % of the time, and selects some groups more often.
    bias = np.array([0.0, -0.05, 0.02, -0.08, -0.03])[race_i]
    flip = rng.random(rows) < 0.2
    y_pred = np.where(flip, rng.random(rows) < 0.3 + bias, y_true).astype(np.int64)
    return {
        "race": np.array(RACES, dtype=object)[race_i],
        "age_band": np.array(AGE_BANDS, dtype=object)[band_i],
        "y_true": y_true,
        "y_pred": y_pred,
    }


def plain_numpy(data: dict[str, np.ndarray], features: list[str]) -> dict[str, Any]:
    """The same counts and four rates with the fewest steps."""
    code = np.zeros(len(data["y_true"]), dtype=np.intp)
    keys: list[list[Any]] = [[]]
    for f in features:
        codes, uniques = pd.factorize(data[f])
        code = code * len(uniques) + codes
        keys = [[*k, u] for k in keys for u in uniques]
    cells = np.bincount(code * 4 + data["y_true"] * 2 + data["y_pred"], minlength=4 * len(keys))
    c = cells.reshape(-1, 2, 2).astype(np.float64)
    tn, fp, fn, tp = c[:, 0, 0], c[:, 0, 1], c[:, 1, 0], c[:, 1, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = {
            "selection_rate": (tp + fp) / c.sum(axis=(1, 2)),
            "true_positive_rate": tp / (tp + fn),
            "false_positive_rate": fp / (fp + tn),
            "accuracy": (tp + tn) / c.sum(axis=(1, 2)),
        }
    return {"keys": [tuple(k) for k in keys], "counts": cells.reshape(-1, 4), "rates": rates}


def ours(data: dict[str, np.ndarray], features: list[str]) -> Any:
    return assess_fairness(
        data["y_true"], data["y_pred"], sensitive_features={f: data[f] for f in features}
    )


def fairlearn_frame(data: dict[str, np.ndarray], features: list[str]) -> Any:
    from fairlearn.metrics import (
        MetricFrame,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )
    from sklearn.metrics import accuracy_score

    return MetricFrame(
        metrics={
            "selection_rate": selection_rate,
            "true_positive_rate": true_positive_rate,
            "false_positive_rate": false_positive_rate,
            "accuracy": accuracy_score,
        },
        y_true=data["y_true"],
        y_pred=data["y_pred"],
        sensitive_features=pd.DataFrame({f: data[f] for f in features}),
    )


def peak_bytes(fn: Callable[[], Any]) -> int:
    """Peak memory allocated while ``fn`` runs (tracemalloc sees numpy and pandas)."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _check(result: Any, base: dict[str, Any], frame: Any | None, features: list[str]) -> None:
    by_group = result.to_frame()
    index = list(by_group.index) if len(features) > 1 else [(k,) for k in by_group.index]
    position = {k: i for i, k in enumerate(base["keys"])}
    order = [position[k] for k in index]
    counts = np.array([result.counts.confusion[g].ravel() for g in range(len(index))])
    assert (counts == base["counts"][order]).all(), "counts differ from plain numpy"
    for name, values in base["rates"].items():
        mine = by_group[name].to_numpy(float)
        assert np.allclose(mine, values[order], atol=TOL, rtol=0, equal_nan=True), name
        if frame is not None:
            # fairlearn (through scikit-learn) reports a 0/0 rate as 0; we report NaN.
            theirs = frame.by_group[name].to_numpy(float)
            assert np.allclose(np.nan_to_num(mine), theirs, atol=TOL, rtol=0), name


def run_case(
    data: dict[str, np.ndarray], features: list[str], repeat: int, with_fairlearn: bool
) -> dict[str, Any]:
    ours_s, result = timed(lambda: ours(data, features), repeat)
    numpy_s, base = timed(lambda: plain_numpy(data, features), repeat)
    out: dict[str, Any] = {
        "features": " x ".join(features),
        "groups": len(result.groups),
        "ours_seconds": ours_s,
        "numpy_seconds": numpy_s,
        "ratio_to_numpy": ours_s / numpy_s,
        "ours_peak_mb": peak_bytes(lambda: ours(data, features)) / 2**20,
        "numpy_peak_mb": peak_bytes(lambda: plain_numpy(data, features)) / 2**20,
    }
    frame = None
    if with_fairlearn:
        fl_s, frame = timed(lambda: fairlearn_frame(data, features))
        out["fairlearn_seconds"] = fl_s
        out["speedup_vs_fairlearn"] = fl_s / ours_s
        out["fairlearn_peak_mb"] = peak_bytes(lambda: fairlearn_frame(data, features)) / 2**20
        out["memory_fraction_of_fairlearn"] = out["ours_peak_mb"] / out["fairlearn_peak_mb"]
    _check(result, base, frame, features)
    return out


def run(rows: int = 1_000_000, repeat: int = 3, with_fairlearn: bool = True) -> dict[str, Any]:
    """Both cases at ``rows`` rows; the figures as a dict."""
    data = synthetic(rows)
    cases = [
        run_case(data, ["race"], repeat, with_fairlearn),
        run_case(data, ["race", "age_band"], repeat, with_fairlearn),
    ]
    return {"rows": rows, "cases": cases, **machine()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-fairlearn", action="store_true", help="skip the fairlearn runs")
    args = parser.parse_args(argv)
    r = run(args.rows, args.repeat, not args.no_fairlearn)
    print(f"fairness, {r['rows']:,} rows — Python {r['python']}, {r['cpu']} ({r['cpus']} CPUs)")
    for c in r["cases"]:
        print(f"  {c['features']} ({c['groups']} groups)")
        print(
            f"    bastion.fairness   {c['ours_seconds']:8.3f} s  {c['ours_peak_mb']:8.1f} MB peak"
        )
        print(
            f"    plain numpy        {c['numpy_seconds']:8.3f} s  {c['numpy_peak_mb']:8.1f} MB peak"
            f"   → ours / numpy {c['ratio_to_numpy']:.2f}x (goal ≤ 3x)"
        )
        if "fairlearn_seconds" in c:
            print(
                f"    fairlearn          {c['fairlearn_seconds']:8.3f} s  "
                f"{c['fairlearn_peak_mb']:8.1f} MB peak"
                f"   → {c['speedup_vs_fairlearn']:.0f}x faster (goal ≥ 100x at 10M), memory "
                f"{c['memory_fraction_of_fairlearn']:.3f} of fairlearn's (goal ≤ 0.25)"
            )
    agreed = "" if args.no_fairlearn else ", rates equal fairlearn's to 1e-9"
    print(f"  results identical: counts equal plain numpy's{agreed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
