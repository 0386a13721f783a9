"""RFC 9162 Merkle hashing, proofs and verification: the transparency-dev/merkle
conformance vectors, the RFC's recursive definitions, and property tests."""

import base64
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bastion import merkle
from bastion.merkle import (
    EMPTY_ROOT,
    Node,
    ProofError,
    TreeBuilder,
    consistency_proof,
    consistency_proof_from_leaves,
    inclusion_proof,
    inclusion_proof_from_leaves,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)

# The repository checkout sits beside shared/ (locally and in CI alike).
VECTORS = Path(__file__).parents[2] / ".." / "shared" / "testvectors" / "rfc6962" / "testdata"
MISSING = (
    f"RFC 6962 test vectors not found at {VECTORS.resolve()}: the checkout must sit beside "
    "shared/ (see shared/testvectors/README.md)"
)

# The reference tree of shared/testvectors/README.md.
REFERENCE_DATA = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
REFERENCE_ROOT = bytes.fromhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
REFERENCE_LEAVES = [leaf_hash(d) for d in REFERENCE_DATA]


def _vector_files(kind: str) -> list[Any]:
    files = sorted((VECTORS / kind).rglob("*.json")) if VECTORS.is_dir() else []
    # An empty list would make pytest skip the test; a missing folder must fail it.
    return [pytest.param(p, id=str(p.relative_to(VECTORS))) for p in files] or [
        pytest.param(None, id=f"{kind}-vectors-missing")
    ]


def _load(path: Path | None) -> dict[str, Any]:
    if path is None:
        pytest.fail(MISSING)
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _b64(value: str) -> bytes:
    return base64.b64decode(value, validate=True)


def _proof(data: dict[str, Any]) -> list[bytes]:
    # The vectors write an absent proof as null and an empty one as [].
    return [_b64(p) for p in data["proof"] or []]


# --- RFC 9162 section 2.1, written as literally as the RFC states it -------------------


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def naive_mth(leaves: Sequence[bytes]) -> bytes:
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = _k(n)
    return hashlib.sha256(b"\x01" + naive_mth(leaves[:k]) + naive_mth(leaves[k:])).digest()


def naive_path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return [*naive_path(m, leaves[:k]), naive_mth(leaves[k:])]
    return [*naive_path(m - k, leaves[k:]), naive_mth(leaves[:k])]


def naive_subproof(m: int, leaves: Sequence[bytes], b: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if b else [naive_mth(leaves)]
    k = _k(n)
    if m <= k:
        return [*naive_subproof(m, leaves[:k], b), naive_mth(leaves[k:])]
    return [*naive_subproof(m - k, leaves[k:], False), naive_mth(leaves[:k])]


def _leaves(n: int, salt: int = 0) -> list[bytes]:
    return [leaf_hash(f"{salt}:{i}".encode()) for i in range(n)]


def _store(leaves: Sequence[bytes]) -> dict[tuple[int, int], bytes]:
    """What the ledger keeps: every complete subtree node that the builder reports."""
    builder = TreeBuilder()
    return {(n.level, n.index): n.hash for n in builder.extend(leaves)}


def _flip(value: bytes, bit: int) -> bytes:
    out = bytearray(value)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


# --- hashing --------------------------------------------------------------------------


def test_hashing_matches_rfc_9162_definitions() -> None:
    assert hashlib.sha256(b"").digest() == EMPTY_ROOT
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    left, right = leaf_hash(b"l"), leaf_hash(b"r")
    assert node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    # Domain separation: a leaf whose data is two hashes does not hash like their node.
    assert leaf_hash(left + right) != node_hash(left, right)


def test_reference_tree_root_from_readme() -> None:
    assert merkle.root(REFERENCE_LEAVES) == REFERENCE_ROOT
    assert naive_mth(REFERENCE_LEAVES) == REFERENCE_ROOT
    builder = TreeBuilder()
    builder.extend(REFERENCE_LEAVES)
    assert builder.root() == REFERENCE_ROOT


def test_root_of_no_leaves_and_one_leaf() -> None:
    assert merkle.root([]) == EMPTY_ROOT
    assert TreeBuilder().root() == EMPTY_ROOT
    assert merkle.root([REFERENCE_LEAVES[3]]) == REFERENCE_LEAVES[3]


def test_root_accepts_a_stream() -> None:
    assert merkle.root(iter(REFERENCE_LEAVES)) == REFERENCE_ROOT


def test_root_rejects_a_leaf_that_is_not_a_hash() -> None:
    with pytest.raises(ValueError, match="leaf hash 2 is 3 bytes long"):
        merkle.root([REFERENCE_LEAVES[0], REFERENCE_LEAVES[1], b"abc"])


@settings(max_examples=60, deadline=None)
@given(n=st.integers(min_value=0, max_value=140))
def test_root_agrees_with_builder_and_rfc_at_every_size(n: int) -> None:
    leaves = _leaves(n)
    builder = TreeBuilder()
    assert builder.root() == EMPTY_ROOT
    for size in range(1, n + 1):
        builder.append(leaves[size - 1])
        expected = naive_mth(leaves[:size])
        assert builder.size == size
        assert builder.root() == expected
        assert merkle.root(leaves[:size]) == expected


# --- the tree builder -----------------------------------------------------------------


def test_builder_reports_every_complete_subtree_exactly_once() -> None:
    leaves = _leaves(13)
    builder = TreeBuilder()
    created: list[Node] = []
    for i, leaf in enumerate(leaves):
        new = builder.append(leaf)
        assert new[0] == Node(0, i, leaf)
        created.extend(new)
    keys = [(n.level, n.index) for n in created]
    assert len(keys) == len(set(keys))
    # 13 leaves: 13 leaves + 6 level-1 + 3 level-2 + 1 level-3 complete subtrees.
    assert sorted(keys) == sorted((lvl, i) for lvl in range(4) for i in range(13 >> lvl))
    for n in created:
        assert n.hash == naive_mth(leaves[n.index << n.level : (n.index + 1) << n.level])


def test_builder_compact_range_and_resume_from_stored_nodes() -> None:
    leaves = _leaves(22)  # 22 = 16 + 4 + 2
    store = _store(leaves)
    builder = TreeBuilder()
    builder.extend(leaves)
    assert [(n.level, n.index) for n in builder.nodes()] == [(4, 0), (2, 4), (1, 10)]
    assert builder.hashes == (
        naive_mth(leaves[:16]),
        naive_mth(leaves[16:20]),
        naive_mth(leaves[20:22]),
    )
    lookups: list[tuple[int, int]] = []

    def get_node(level: int, index: int) -> bytes:
        lookups.append((level, index))
        return store[(level, index)]

    resumed = TreeBuilder.from_nodes(22, get_node)
    assert len(lookups) == 3
    assert resumed.root() == builder.root()
    more = _leaves(5, salt=1)
    resumed.extend(more)
    assert resumed.root() == naive_mth(leaves + more)
    assert TreeBuilder(builder.size, builder.hashes).root() == builder.root()


def test_builder_rejects_inconsistent_state_and_bad_leaves() -> None:
    with pytest.raises(ValueError, match="size 3 has 2 complete subtree roots"):
        TreeBuilder(3, [REFERENCE_LEAVES[0]])
    with pytest.raises(ValueError, match="size must be >= 0"):
        TreeBuilder(-1)
    with pytest.raises(ValueError, match="compact range hash 0 is 2 bytes"):
        TreeBuilder(1, [b"ab"])
    with pytest.raises(ValueError, match="leaf hash is 31 bytes"):
        TreeBuilder().append(bytes(31))
    with pytest.raises(TypeError, match="leaf hash must be bytes"):
        TreeBuilder().append("00" * 32)  # type: ignore[arg-type]


# --- conformance vectors --------------------------------------------------------------


def test_vector_folders_are_present() -> None:
    assert VECTORS.is_dir(), MISSING
    assert len(list(VECTORS.rglob("*.json"))) >= 190, MISSING


@pytest.mark.parametrize("path", _vector_files("inclusion"))
def test_inclusion_vector(path: Path | None) -> None:
    data = _load(path)
    args = (
        _b64(data["leafHash"]),
        data["leafIdx"],
        data["treeSize"],
        _proof(data),
        _b64(data["root"]),
    )
    if data["wantErr"]:
        with pytest.raises(ProofError):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)


@pytest.mark.parametrize("path", _vector_files("consistency"))
def test_consistency_vector(path: Path | None) -> None:
    data = _load(path)
    args = (
        data["size1"],
        data["size2"],
        _proof(data),
        _b64(data["root1"]),
        _b64(data["root2"]),
    )
    if data["wantErr"]:
        with pytest.raises(ProofError):
            verify_consistency(*args)
    else:
        verify_consistency(*args)


def _happy_paths(kind: str) -> list[Path]:
    return sorted((VECTORS / kind).glob("[0-9]*/happy-path.json")) if VECTORS.is_dir() else []


def test_generated_proofs_are_byte_identical_to_the_vectors() -> None:
    """The numbered happy paths are proofs in the reference tree; we must produce them."""
    inclusion, consistency = _happy_paths("inclusion"), _happy_paths("consistency")
    assert len(inclusion) == 5, MISSING
    assert len(consistency) == 5, MISSING
    for path in inclusion:
        data = _load(path)
        leaves = REFERENCE_LEAVES[: data["treeSize"]]
        assert merkle.root(leaves) == _b64(data["root"]), path
        assert inclusion_proof_from_leaves(leaves, data["leafIdx"]) == _proof(data), path
    for path in consistency:
        data = _load(path)
        leaves = REFERENCE_LEAVES[: data["size2"]]
        assert merkle.root(leaves) == _b64(data["root2"]), path
        assert consistency_proof_from_leaves(leaves, data["size1"]) == _proof(data), path


# --- proofs from stored nodes ---------------------------------------------------------


def test_inclusion_proof_uses_logarithmic_lookups() -> None:
    size = 1000
    store = _store(_leaves(size))
    lookups = 0

    def get_node(level: int, index: int) -> bytes:
        nonlocal lookups
        lookups += 1
        return store[(level, index)]

    for index in (0, 511, 512, 999):
        lookups = 0
        proof = inclusion_proof(index, size, get_node)
        assert lookups <= 2 * size.bit_length()
        assert len(proof) <= size.bit_length()
    lookups = 0
    consistency_proof(333, size, get_node)
    assert lookups <= 2 * size.bit_length()


def test_proof_generation_rejects_bad_arguments() -> None:
    store = _store(_leaves(4))
    with pytest.raises(ValueError, match="leaf index 4 is not below tree size 4"):
        inclusion_proof(4, 4, lambda lvl, i: store[(lvl, i)])
    with pytest.raises(ValueError, match="index must be >= 0"):
        inclusion_proof(-1, 4, lambda lvl, i: store[(lvl, i)])
    with pytest.raises(ValueError, match="need 0 < size1 <= size2"):
        consistency_proof(0, 4, lambda lvl, i: store[(lvl, i)])
    with pytest.raises(ValueError, match="need 0 < size1 <= size2"):
        consistency_proof(5, 4, lambda lvl, i: store[(lvl, i)])
    with pytest.raises(ValueError, match=r"get_node\(0, 1\) returned b'x'"):
        inclusion_proof(0, 2, lambda lvl, i: b"x")
    assert consistency_proof(4, 4, lambda lvl, i: store[(lvl, i)]) == []


# --- verification edge cases (RFC 9162 sections 2.1.3.2 and 2.1.4.2) ------------------


def test_verify_inclusion_messages() -> None:
    leaves = REFERENCE_LEAVES
    proof = inclusion_proof_from_leaves(leaves, 5)
    verify_inclusion(leaves[5], 5, 8, proof, REFERENCE_ROOT)
    with pytest.raises(ProofError, match="leaf index 8 is not below tree size 8"):
        verify_inclusion(leaves[5], 8, 8, proof, REFERENCE_ROOT)
    with pytest.raises(ProofError, match="leaf index 0 is not below tree size 0"):
        verify_inclusion(leaves[5], 0, 0, [], EMPTY_ROOT)
    with pytest.raises(ProofError, match="must have 3 nodes, got 2"):
        verify_inclusion(leaves[5], 5, 8, proof[:2], REFERENCE_ROOT)
    with pytest.raises(ProofError, match="must have 3 nodes, got 4"):
        verify_inclusion(leaves[5], 5, 8, [*proof, proof[0]], REFERENCE_ROOT)
    with pytest.raises(ProofError, match="proof node 1 is 31 bytes"):
        verify_inclusion(leaves[5], 5, 8, [proof[0], proof[1][1:], proof[2]], REFERENCE_ROOT)
    with pytest.raises(ProofError, match=r"leads to root .* not the expected"):
        verify_inclusion(leaves[4], 5, 8, proof, REFERENCE_ROOT)
    with pytest.raises(ProofError, match="leaf index must be a non-negative int"):
        verify_inclusion(leaves[5], -1, 8, proof, REFERENCE_ROOT)


def test_verify_consistency_edge_cases() -> None:
    leaves = REFERENCE_LEAVES
    root5 = merkle.root(leaves[:5])
    verify_consistency(5, 5, [], root5, root5)
    with pytest.raises(ProofError, match=r"sizes are equal .* roots differ"):
        verify_consistency(5, 5, [], root5, REFERENCE_ROOT)
    with pytest.raises(ProofError, match=r"sizes are equal .* proof is not empty"):
        verify_consistency(5, 5, [root5], root5, root5)
    with pytest.raises(ProofError, match="empty tree"):
        verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    with pytest.raises(ProofError, match="empty tree"):
        verify_consistency(0, 8, [], EMPTY_ROOT, REFERENCE_ROOT)
    with pytest.raises(ProofError, match=r"size2 \(4\) is smaller than size1 \(5\)"):
        verify_consistency(5, 4, [], root5, root5)
    with pytest.raises(ProofError, match="empty consistency proof"):
        verify_consistency(5, 8, [], root5, REFERENCE_ROOT)
    proof = consistency_proof_from_leaves(leaves, 5)
    verify_consistency(5, 8, proof, root5, REFERENCE_ROOT)
    with pytest.raises(ProofError, match=f"must have {len(proof)} nodes"):
        verify_consistency(5, 8, proof[:-1], root5, REFERENCE_ROOT)
    with pytest.raises(ProofError, match="for size 5, not the expected"):
        verify_consistency(5, 8, proof, merkle.root(leaves[:4]), REFERENCE_ROOT)
    with pytest.raises(ProofError, match="for size 8, not the expected"):
        verify_consistency(5, 8, proof, root5, root5)


# --- properties -----------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(n=st.integers(min_value=1, max_value=70), data=st.data())
def test_inclusion_proofs_verify_and_tampering_fails(n: int, data: st.DataObject) -> None:
    # One list of leaves for the tree and its extensions: changing the size means
    # checking against the root that a checkpoint of that size would sign.
    leaves = _leaves(n + 3)
    tree_root = merkle.root(leaves[:n])
    store = _store(leaves[:n])
    for index in range(n):
        proof = inclusion_proof(index, n, lambda lvl, i: store[(lvl, i)])
        assert proof == naive_path(index, leaves[:n])
        verify_inclusion(leaves[index], index, n, proof, tree_root)
        for pos in range(len(proof)):
            bit = data.draw(st.integers(0, 8 * merkle.HASH_SIZE - 1), label="bit")
            bad = [*proof[:pos], _flip(proof[pos], bit), *proof[pos + 1 :]]
            with pytest.raises(ProofError):
                verify_inclusion(leaves[index], index, n, bad, tree_root)
        if n > 1:
            other = (index + data.draw(st.integers(1, n - 1), label="offset")) % n
            with pytest.raises(ProofError):
                verify_inclusion(leaves[index], other, n, proof, tree_root)
        for size in {n - 1, n + 1, 2 * n}:
            if index < size <= len(leaves) and size != n:
                with pytest.raises(ProofError):
                    verify_inclusion(leaves[index], index, size, proof, merkle.root(leaves[:size]))
        with pytest.raises(ProofError):
            verify_inclusion(_flip(leaves[index], 0), index, n, proof, tree_root)


@settings(max_examples=150, deadline=None)
@given(
    sizes=st.tuples(st.integers(1, 200), st.integers(1, 200)).map(sorted),
    data=st.data(),
)
def test_consistency_proofs_verify_and_tampering_fails(
    sizes: list[int], data: st.DataObject
) -> None:
    size1, size2 = sizes
    leaves = _leaves(size2 + 2)
    root1, root2 = merkle.root(leaves[:size1]), merkle.root(leaves[:size2])
    store = _store(leaves[:size2])
    proof = consistency_proof(size1, size2, lambda lvl, i: store[(lvl, i)])
    assert proof == naive_subproof(size1, leaves[:size2], True)
    verify_consistency(size1, size2, proof, root1, root2)
    if proof:
        pos = data.draw(st.integers(0, len(proof) - 1), label="node")
        bit = data.draw(st.integers(0, 8 * merkle.HASH_SIZE - 1), label="bit")
        bad = [*proof[:pos], _flip(proof[pos], bit), *proof[pos + 1 :]]
        with pytest.raises(ProofError):
            verify_consistency(size1, size2, bad, root1, root2)
        with pytest.raises(ProofError):
            verify_consistency(size1, size2, proof[:-1], root1, root2)
        with pytest.raises(ProofError):
            verify_consistency(size1, size2, [*proof, proof[0]], root1, root2)
    with pytest.raises(ProofError):
        verify_consistency(size1, size2, proof, _flip(root1, 255), root2)
    with pytest.raises(ProofError):
        verify_consistency(size1, size2, proof, root1, _flip(root2, 0))
    for other1, other2 in {(size1 - 1, size2), (size1 + 1, size2), (size1, size2 + 1)}:
        if 0 < other1 <= other2 and (other1, other2) != (size1, size2):
            with pytest.raises(ProofError):
                verify_consistency(
                    other1,
                    other2,
                    proof,
                    merkle.root(leaves[:other1]),
                    merkle.root(leaves[:other2]),
                )
