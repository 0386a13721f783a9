"""The policy benchmark (``benchmarks/bench_policy.py``): a small run in the default test
run that asserts the goal for the evaluation alone, and the full run under ``-m slow``."""

import pytest

from benchmarks import bench_policy

GOAL_MS = 50


def test_the_benchmark_document_holds_50_pieces_of_evidence() -> None:
    document = bench_policy.evidence_document(50)
    assert len(document["evidence"]) == 50
    assert len(bench_policy.evidence_document(60)["evidence"]) == 60


def test_policy_benchmark_smoke() -> None:
    result = bench_policy.run(evaluations=20, threads=2)
    assert result["evidence"] == 50
    assert result["evaluation"]["median_ms"] < GOAL_MS
    assert result["threaded_decisions_per_second"] > 0


def test_policy_benchmark_times_the_assembly_it_is_given() -> None:
    document = bench_policy.evidence_document(50)
    result = bench_policy.run(evaluations=10, threads=1, assemble=lambda: dict(document))
    assert result["total"]["median_ms"] >= result["evaluation"]["median_ms"]
    assert result["assembly"]["median_ms"] >= 0


@pytest.mark.slow
def test_policy_benchmark_full() -> None:
    result = bench_policy.run()
    assert result["evaluation"]["median_ms"] < GOAL_MS
