"""The fairness benchmark still runs and agrees with fairlearn and plain numpy (a small
run by default; the full 10M-row run under ``-m slow``)."""

import pytest

from benchmarks import bench_fairness


def test_fairness_benchmark_smoke() -> None:
    result = bench_fairness.run(rows=20_000, repeat=1)
    one, two = result["cases"]
    assert (one["groups"], two["groups"]) == (5, 15)
    assert one["fairlearn_seconds"] > 0
    assert one["ours_peak_mb"] > 0


@pytest.mark.slow
def test_fairness_benchmark_full() -> None:
    result = bench_fairness.run(rows=10_000_000, repeat=3)
    for case in result["cases"]:
        assert case["speedup_vs_fairlearn"] >= 100
        assert case["ratio_to_numpy"] <= 3
        assert case["memory_fraction_of_fairlearn"] <= 0.25
