"""The gate benchmark (``benchmarks/bench_gate.py``): the goal is assembling the evidence
document of a model version with 50 pieces of evidence and evaluating the built-in
production gate under 50 ms at the median. The full run under ``-m slow`` holds it; the
small run in the default test run shares the machine with the rest of the suite (two
workers), so it allows twice that, which still catches a slowdown of a different order."""

import pytest

from benchmarks import bench_gate


def test_gate_benchmark_smoke() -> None:
    result = bench_gate.run(decisions=20)
    assert result["evidence_records"] == 50
    assert result["evidence_kinds"] >= 45
    assert result["allow"] is False  # evidence of every kind, but no approvals
    assert result["decision"]["median_ms"] < 2 * bench_gate.GOAL_MS


@pytest.mark.slow
def test_gate_benchmark_full() -> None:
    result = bench_gate.run()
    assert result["decision"]["median_ms"] < bench_gate.GOAL_MS
