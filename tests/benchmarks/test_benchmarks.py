"""Every benchmark runs here: a small, fast run by default (it checks that the benchmark
still works and agrees with itself), the full run under ``-m slow``."""

import pytest

from bastion import merkle
from benchmarks import bench_ledger, bench_merkle


def test_merkle_benchmark_smoke() -> None:
    result = bench_merkle.run(leaves=3000, proofs=30, anchor_leaves=0)
    leaves = [merkle.leaf_hash(i.to_bytes(8, "big")) for i in range(3000)]
    assert result["root_hex"] == merkle.root(leaves).hex()
    assert result["stored_nodes"] == 2 * 3000 - (3000).bit_count()  # every complete subtree
    assert result["inclusion_proof_us"] > 0


def test_ledger_benchmark_smoke() -> None:
    result = bench_ledger.run(entries=2000, proofs=20, requests=40, writers=2)
    assert result["verified_entries"] == 2000
    assert result["appends_per_second"] > 0
    assert result["write_request_ms_audited"] > 0


@pytest.mark.slow
def test_merkle_benchmark_full() -> None:
    result = bench_merkle.run()
    assert result["root_seconds"] < 5


@pytest.mark.slow
def test_ledger_benchmark_full() -> None:
    result = bench_ledger.run()
    assert result["verified_entries"] == 1_000_000
    assert result["inclusion_proof_ms"] < 5
