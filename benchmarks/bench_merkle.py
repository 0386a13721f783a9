"""Benchmark of bastion.merkle: the root of N leaves, the tree builder with a node store,
and inclusion and consistency proofs answered from stored nodes (a dict standing in for
the ledger's table), as the audit ledger will use them.

When pymerkle (a maintained RFC 9162 Merkle tree library on PyPI, not a dependency of
Bastion) is installed, the same tree is built with it to check that roots and proofs
agree, and the time ratio is printed.

Usage: ``python -m benchmarks.bench_merkle [--leaves N] [--proofs K] [--anchor-leaves M]``
"""

from __future__ import annotations

import argparse
import random
import sys
from typing import Any

from bastion.merkle import (
    TreeBuilder,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root,
    verify_consistency,
    verify_inclusion,
)
from benchmarks.common import machine, timed


def _entries(n: int) -> list[bytes]:
    return [i.to_bytes(8, "big") for i in range(n)]


def _anchor(entries: list[bytes], ours_seconds: float, proofs: int) -> dict[str, Any]:
    """Compare with pymerkle on the first len(entries) leaves, if it is installed."""
    try:
        import pymerkle  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        return {"available": False}
    n = len(entries)
    seconds, tree = timed(lambda: pymerkle.InmemoryTree.init_from_entries(entries))
    theirs_root = tree.get_root()
    leaves = [leaf_hash(e) for e in entries]
    store = {(node.level, node.index): node.hash for node in TreeBuilder().extend(leaves)}
    rng = random.Random(6962)
    indices = [rng.randrange(n) for _ in range(proofs)]
    inclusion_agrees = all(
        # pymerkle's path is the leaf hash followed by the RFC 9162 audit path.
        tree.prove_inclusion(i + 1).path[1:]
        == inclusion_proof(i, n, lambda lvl, idx: store[(lvl, idx)])
        for i in indices
    )
    # pymerkle lays consistency paths out its own way (not the RFC 9162 SUBPROOF list),
    # so those are not compared node by node: both libraries must agree on the earlier
    # roots, and our proofs must verify against pymerkle's roots.
    consistency_agrees = True
    for size1 in {rng.randrange(1, n + 1) for _ in range(min(proofs, 200))}:
        theirs_root1 = tree.get_root(size1)
        ours = consistency_proof(size1, n, lambda lvl, idx: store[(lvl, idx)])
        consistency_agrees &= theirs_root1 == root(leaves[:size1])
        try:
            verify_consistency(size1, n, ours, theirs_root1, theirs_root)
        except ValueError:
            consistency_agrees = False
    return {
        "available": True,
        "version": pymerkle.__version__,
        "leaves": n,
        "build_and_root_seconds": seconds,
        "root_agrees": theirs_root == root(leaves),
        "inclusion_proofs_agree": inclusion_agrees,
        "consistency_roots_agree": consistency_agrees,
        "time_ratio": seconds / ours_seconds if ours_seconds else float("nan"),
    }


def run(
    leaves: int = 1_000_000, proofs: int = 1000, anchor_leaves: int | None = None
) -> dict[str, Any]:
    """Run the benchmark and return its figures.

    Parameters
    ----------
    leaves
        Tree size N.
    proofs
        How many inclusion and consistency proofs to generate and verify.
    anchor_leaves
        Tree size for the pymerkle comparison (default: ``leaves``; 0 skips it).

    Returns
    -------
    dict
        Seconds for each stage, microseconds per proof, the root, and the comparison
        with pymerkle (``{"available": False}`` when it is not installed).
    """
    if leaves < 1:
        raise ValueError("leaves must be >= 1")
    entries = _entries(leaves)
    hash_seconds, leaf_hashes = timed(lambda: [leaf_hash(e) for e in entries])
    root_seconds, tree_root = timed(lambda: root(leaf_hashes), repeat=3)

    def build() -> tuple[TreeBuilder, dict[tuple[int, int], bytes]]:
        builder = TreeBuilder()
        store: dict[tuple[int, int], bytes] = {}
        for h in leaf_hashes:
            for node in builder.append(h):
                store[(node.level, node.index)] = node.hash
        return builder, store

    build_seconds, built = timed(build)
    builder: TreeBuilder = built[0]
    store: dict[tuple[int, int], bytes] = built[1]
    assert builder.root() == tree_root

    def get_node(level: int, index: int) -> bytes:
        return store[(level, index)]

    rng = random.Random(9162)
    indices = [rng.randrange(leaves) for _ in range(proofs)]
    prove_seconds, paths = timed(lambda: [inclusion_proof(i, leaves, get_node) for i in indices])

    def verify_all() -> None:
        for i, path in zip(indices, paths, strict=True):
            verify_inclusion(leaf_hashes[i], i, leaves, path, tree_root)

    verify_seconds, _ = timed(verify_all)

    sizes = [rng.randrange(1, leaves + 1) for _ in range(proofs)]
    cons_seconds, cons = timed(lambda: [consistency_proof(s, leaves, get_node) for s in sizes])
    # The earlier roots, as checkpoints would give them, come from the builder's state.
    roots1 = [TreeBuilder.from_nodes(s, get_node).root() for s in sizes]

    def verify_cons() -> None:
        for s, proof, r1 in zip(sizes, cons, roots1, strict=True):
            verify_consistency(s, leaves, proof, r1, tree_root)

    cons_verify_seconds, _ = timed(verify_cons)

    anchor_n = leaves if anchor_leaves is None else anchor_leaves
    if anchor_n > 0:
        anchor_entries = entries[:anchor_n] if anchor_n <= leaves else _entries(anchor_n)
        ours_seconds, _ = timed(lambda: root([leaf_hash(e) for e in anchor_entries]))
        anchor = _anchor(anchor_entries, ours_seconds, min(proofs, 1000))
        if anchor.get("available"):
            anchor["ours_hash_and_root_seconds"] = ours_seconds
    else:
        anchor = {"available": False, "skipped": True}

    per_us = 1e6 / proofs
    return {
        "leaves": leaves,
        "proofs": proofs,
        "root_hex": tree_root.hex(),
        "leaf_hash_seconds": hash_seconds,
        "root_seconds": root_seconds,
        "builder_with_store_seconds": build_seconds,
        "stored_nodes": len(store),
        "inclusion_proof_us": prove_seconds * per_us,
        "inclusion_verify_us": verify_seconds * per_us,
        "consistency_proof_us": cons_seconds * per_us,
        "consistency_verify_us": cons_verify_seconds * per_us,
        **machine(),
        "pymerkle": anchor,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leaves", type=int, default=1_000_000, help="tree size N")
    parser.add_argument("--proofs", type=int, default=1000, help="proofs to generate")
    parser.add_argument(
        "--anchor-leaves",
        type=int,
        default=None,
        help="tree size for the pymerkle comparison (default: --leaves; 0 skips it)",
    )
    args = parser.parse_args(argv)
    r = run(args.leaves, args.proofs, args.anchor_leaves)
    print(
        f"bastion.merkle, {r['leaves']:,} leaves — Python {r['python']}, "
        f"{r['cpu']} ({r['cpus']} CPUs)"
    )
    print(f"  leaf hashes                    {r['leaf_hash_seconds']:8.3f} s")
    print(f"  root (best of 3)               {r['root_seconds']:8.3f} s   {r['root_hex']}")
    print(
        f"  builder + node store           {r['builder_with_store_seconds']:8.3f} s   "
        f"{r['stored_nodes']:,} nodes"
    )
    print(
        f"  inclusion proof from store     {r['inclusion_proof_us']:8.1f} µs each ({r['proofs']})"
    )
    print(f"  inclusion verify               {r['inclusion_verify_us']:8.1f} µs each")
    print(f"  consistency proof from store   {r['consistency_proof_us']:8.1f} µs each")
    print(f"  consistency verify             {r['consistency_verify_us']:8.1f} µs each")
    a = r["pymerkle"]
    if a.get("available"):
        print(
            f"pymerkle {a['version']}, {a['leaves']:,} leaves: build + root "
            f"{a['build_and_root_seconds']:.3f} s vs ours (leaf hashes + root) "
            f"{a['ours_hash_and_root_seconds']:.3f} s — ratio {a['time_ratio']:.1f}x"
        )
        print(
            f"  roots agree: {a['root_agrees']}; inclusion proofs agree: "
            f"{a['inclusion_proofs_agree']}; earlier roots agree and our consistency "
            f"proofs verify against them: {a['consistency_roots_agree']}"
        )
        agrees = a["root_agrees"] and a["inclusion_proofs_agree"] and a["consistency_roots_agree"]
        if not agrees:
            return 1
    elif not a.get("skipped"):
        print("pymerkle not installed: no comparison (pip install pymerkle to compare)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
