"""Merkle tree hashing, proofs and proof verification of RFC 9162 (RFC 6962).

This is the pure computation under the tamper-evident audit ledger: the ledger appends
one leaf hash per entry, stores every complete subtree hash that :class:`TreeBuilder`
reports, and answers inclusion and consistency proofs with O(log n) node lookups through
:func:`inclusion_proof` and :func:`consistency_proof`. Anyone holding a signed checkpoint
(:mod:`bastion.checkpoint`) can then check a proof with :func:`verify_inclusion` and
:func:`verify_consistency` alone. Hashing, proofs and verification follow RFC 9162
section 2.1 (the same definitions as RFC 6962 section 2.1) and are byte-compatible with
the transparency-dev/merkle test vectors.

Nodes are addressed as ``(level, index)``: the node at level ``l`` and index ``i`` is the
Merkle Tree Hash of the complete subtree over leaves ``[i * 2**l, (i + 1) * 2**l)``, so
level 0 holds the leaf hashes themselves. Only complete subtrees have an address; the
hash of an incomplete right edge is always recomputed from complete ones, which is what
lets the ledger write each node exactly once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "GetNode",
    "Node",
    "ProofError",
    "TreeBuilder",
    "consistency_proof",
    "consistency_proof_from_leaves",
    "inclusion_proof",
    "inclusion_proof_from_leaves",
    "leaf_hash",
    "node_hash",
    "root",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
"""Size in bytes of every hash in the tree (SHA-256)."""

# RFC 9162 section 2.1.1: domain-separation prefixes, so that no leaf hash can be
# presented as an interior node hash (second-preimage resistance).
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

_sha256 = hashlib.sha256

EMPTY_ROOT: bytes = _sha256(b"").digest()
"""MTH({}) = SHA-256() — the root of the empty tree (RFC 9162 section 2.1.1)."""

GetNode = Callable[[int, int], bytes]
"""``get_node(level, index)``: the hash of the complete subtree over leaves
``[index * 2**level, (index + 1) * 2**level)``; level 0 returns leaf hashes."""


class ProofError(ValueError):
    """A Merkle proof, or the sizes, hashes or roots given with it, do not verify."""


class Node(NamedTuple):
    """A complete subtree hash: leaves ``[index * 2**level, (index + 1) * 2**level)``.

    A named tuple, so a batch of nodes goes straight into a database ``executemany``.
    """

    level: int
    # The field hides tuple.index(), which nobody needs on a node; the name matches the
    # (level, index) addressing used throughout this module and by get_node.
    index: int  # type: ignore[assignment]
    hash: bytes


def leaf_hash(data: bytes) -> bytes:
    """Hash one leaf entry: ``SHA-256(0x00 || data)`` (RFC 9162 section 2.1.1).

    Parameters
    ----------
    data
        The entry as bytes (for the ledger, the canonical encoding of an entry).

    Returns
    -------
    bytes
        The 32-byte leaf hash.
    """
    return _sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash two child hashes into their parent: ``SHA-256(0x01 || left || right)``.

    Parameters
    ----------
    left, right
        The hashes of the left and right subtrees (RFC 9162 section 2.1.1).

    Returns
    -------
    bytes
        The 32-byte interior node hash.
    """
    return _sha256(_NODE_PREFIX + left + right).digest()


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise TypeError(f"{what} must be bytes, not {type(value).__name__}")
    if len(value) != HASH_SIZE:
        raise ValueError(f"{what} is {len(value)} bytes long; a SHA-256 hash is {HASH_SIZE}")


def _check_size(size: int, what: str) -> None:
    if isinstance(size, bool) or not isinstance(size, int):
        raise TypeError(f"{what} must be an int, not {type(size).__name__}")
    if size < 0:
        raise ValueError(f"{what} must be >= 0, got {size}")


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Merge complete subtree roots, largest (leftmost) first, right to left.

    This is MTH of the leaves they cover, because RFC 9162 section 2.1.1 splits n leaves
    at the largest power of two k < n: the leftmost subtree is the left child at every
    step and the remainder is hashed recursively on the right.
    """
    if not hashes:
        return EMPTY_ROOT
    acc = bytes(hashes[-1])
    for h in reversed(hashes[:-1]):
        acc = _sha256(_NODE_PREFIX + h + acc).digest()
    return acc


def root(leaf_hashes: Iterable[bytes]) -> bytes:
    """Compute the Merkle Tree Hash MTH(D[n]) of RFC 9162 section 2.1.1.

    Runs in O(n) time and O(log n) memory: it keeps a stack of the roots of the complete
    subtrees seen so far (at most one per level, like the binary digits of the count),
    merging two equal ones as soon as they appear, and folds the stack right to left at
    the end.

    Parameters
    ----------
    leaf_hashes
        The leaf hashes (:func:`leaf_hash` of each entry) in order; any iterable, so a
        stream of leaves never has to sit in memory.

    Returns
    -------
    bytes
        The 32-byte root; :data:`EMPTY_ROOT` for no leaves.

    Raises
    ------
    ValueError
        If a leaf hash is not 32 bytes long.

    Examples
    --------
    >>> root([]) == EMPTY_ROOT
    True
    >>> root([leaf_hash(b"a"), leaf_hash(b"b")]) == node_hash(leaf_hash(b"a"), leaf_hash(b"b"))
    True
    """
    # The loop is the hot path of a full-ledger verification: local names, inlined
    # hashing and no per-leaf function calls keep 1,000,000 leaves near one second.
    sha256 = _sha256
    prefix = _NODE_PREFIX
    stack: list[bytes] = []
    push = stack.append
    pop = stack.pop
    for count, h in enumerate(leaf_hashes, 1):
        if len(h) != HASH_SIZE:
            _check_hash(h, f"leaf hash {count - 1}")
        # Appending leaf number `count` completes one subtree per trailing zero bit of
        # `count`: merge with the stack top that many times.
        n = count
        while not n & 1:
            h = sha256(prefix + pop() + h).digest()
            n >>= 1
        push(h)
    return _fold(stack)


class TreeBuilder:
    """Incremental Merkle tree: append leaf hashes, read the root at any size.

    The state is the compact range [0, size) of the tree — one complete subtree root per
    set bit of ``size``, largest first — so it holds O(log n) hashes whatever the size.
    Every append reports the complete subtree nodes it creates (the leaf itself at level
    0 and each parent that the leaf completes), which is exactly the set of nodes that
    :func:`inclusion_proof` and :func:`consistency_proof` look up: store them, and any
    proof is answered with O(log n) lookups.

    Parameters
    ----------
    size
        The number of leaves already in the tree (default 0, an empty tree).
    hashes
        The compact range for ``size``: the roots of its complete subtrees from left
        (largest) to right, one per set bit of ``size``. Use :meth:`from_nodes` to load
        them from stored nodes.

    Examples
    --------
    >>> builder = TreeBuilder()
    >>> new_nodes = builder.append(leaf_hash(b"a"))
    >>> [(n.level, n.index) for n in builder.append(leaf_hash(b"b"))]
    [(0, 1), (1, 0)]
    >>> builder.size, builder.root() == root([leaf_hash(b"a"), leaf_hash(b"b")])
    (2, True)
    """

    __slots__ = ("_hashes", "_size")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        _check_size(size, "size")
        if len(hashes) != size.bit_count():
            raise ValueError(
                f"a tree of size {size} has {size.bit_count()} complete subtree roots "
                f"in its compact range, got {len(hashes)}"
            )
        for i, h in enumerate(hashes):
            _check_hash(h, f"compact range hash {i}")
        self._size = size
        self._hashes: list[bytes] = [bytes(h) for h in hashes]

    @classmethod
    def from_nodes(cls, size: int, get_node: GetNode) -> TreeBuilder:
        """Resume a tree of ``size`` leaves from stored nodes (O(log n) lookups).

        Parameters
        ----------
        size
            The number of leaves in the stored tree.
        get_node
            Looks up a stored complete subtree hash, see :data:`GetNode`.

        Returns
        -------
        TreeBuilder
            A builder in the same state as one that appended those ``size`` leaves.
        """
        _check_size(size, "size")
        return cls(size, [_lookup(get_node, lvl, i) for lvl, i in _decompose(0, size)])

    @property
    def size(self) -> int:
        """The number of leaves appended so far."""
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        """The compact range: complete subtree roots, largest (leftmost) first."""
        return tuple(self._hashes)

    def nodes(self) -> list[Node]:
        """The compact range as addressed nodes, largest (leftmost) first.

        Returns
        -------
        list of Node
            One node per set bit of :attr:`size`.
        """
        pairs = zip(_decompose(0, self._size), self._hashes, strict=True)
        return [Node(lvl, index, h) for (lvl, index), h in pairs]

    def append(self, leaf: bytes) -> list[Node]:
        """Append one leaf hash.

        Parameters
        ----------
        leaf
            The 32-byte leaf hash (:func:`leaf_hash` of the entry).

        Returns
        -------
        list of Node
            The complete subtree nodes this leaf creates, lowest level first: the leaf
            itself at ``(0, old_size)``, then every parent it completes.
        """
        if type(leaf) is not bytes or len(leaf) != HASH_SIZE:
            _check_hash(leaf, "leaf hash")
            leaf = bytes(leaf)
        h = leaf
        index = self._size
        created = [Node(0, index, h)]
        level = 0
        stack = self._hashes
        while index & 1:
            h = _sha256(_NODE_PREFIX + stack.pop() + h).digest()
            level += 1
            index >>= 1
            created.append(Node(level, index, h))
        stack.append(h)
        self._size += 1
        return created

    def extend(self, leaves: Iterable[bytes]) -> list[Node]:
        """Append several leaf hashes in order.

        Parameters
        ----------
        leaves
            The 32-byte leaf hashes.

        Returns
        -------
        list of Node
            All complete subtree nodes created, in the order they were created.
        """
        created: list[Node] = []
        for leaf in leaves:
            created.extend(self.append(leaf))
        return created

    def root(self) -> bytes:
        """The Merkle Tree Hash of the leaves appended so far (RFC 9162 section 2.1.1).

        Returns
        -------
        bytes
            The 32-byte root; :data:`EMPTY_ROOT` when nothing was appended.
        """
        return _fold(self._hashes)

    def __repr__(self) -> str:
        return f"TreeBuilder(size={self._size}, root={self.root().hex()})"


def _decompose(begin: int, end: int) -> list[tuple[int, int]]:
    """The addresses of the complete subtrees making up leaves [begin, end), largest first.

    Valid for the ranges that proofs need: ``begin`` is a multiple of a power of two at
    least ``end - begin``, so the range splits along the set bits of ``end - begin``.
    """
    out: list[tuple[int, int]] = []
    width = end - begin
    for lvl in range(width.bit_length() - 1, -1, -1):
        if width >> lvl & 1:
            if begin & ((1 << lvl) - 1):  # pragma: no cover - a bug in the callers
                raise AssertionError(f"range [{begin}, {end}) is not aligned")
            out.append((lvl, begin >> lvl))
            begin += 1 << lvl
    return out


def _lookup(get_node: GetNode, level: int, index: int) -> bytes:
    h = get_node(level, index)
    if type(h) is bytes and len(h) == HASH_SIZE:
        return h
    if not isinstance(h, bytes | bytearray | memoryview) or len(h) != HASH_SIZE:
        raise ValueError(f"get_node({level}, {index}) returned {h!r}, not a {HASH_SIZE}-byte hash")
    return bytes(h)


def _subtree_hash(begin: int, end: int, get_node: GetNode) -> bytes:
    """MTH(D[begin:end]) from stored complete subtrees."""
    width = end - begin
    if width & (width - 1) == 0:  # complete: one stored node
        lvl = width.bit_length() - 1
        return _lookup(get_node, lvl, begin >> lvl)
    return _fold([_lookup(get_node, lvl, i) for lvl, i in _decompose(begin, end)])


def _split(n: int) -> int:
    """The largest power of two strictly smaller than n > 1 (RFC 9162 section 2.1.1)."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_proof(index: int, size: int, get_node: GetNode) -> list[bytes]:
    """Build the inclusion proof PATH(index, D[size]) of RFC 9162 section 2.1.3.1.

    Parameters
    ----------
    index
        The 0-based index of the leaf to prove.
    size
        The size of the tree the proof is against (``0 <= index < size``).
    get_node
        Looks up a stored complete subtree hash, see :data:`GetNode`. At most about
        2 log2(size) lookups are made.

    Returns
    -------
    list of bytes
        The audit path, from the leaf's sibling up to the child of the root.

    Raises
    ------
    ValueError
        If ``index`` is not below ``size``, or ``get_node`` returns something that is
        not a 32-byte hash.
    """
    _check_size(index, "index")
    _check_size(size, "size")
    if index >= size:
        raise ValueError(f"leaf index {index} is not below tree size {size}")
    # Walk down from the root; PATH lists siblings bottom-up, so reverse at the end.
    # PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])       if m < k
    #               = PATH(m - k, D[k:n]) : MTH(D[0:k])   if m >= k
    top_down: list[bytes] = []
    begin, end = 0, size
    while end - begin > 1:
        k = _split(end - begin)
        if index < begin + k:
            top_down.append(_subtree_hash(begin + k, end, get_node))
            end = begin + k
        else:
            top_down.append(_subtree_hash(begin, begin + k, get_node))
            begin += k
    top_down.reverse()
    return top_down


def consistency_proof(size1: int, size2: int, get_node: GetNode) -> list[bytes]:
    """Build the consistency proof PROOF(size1, D[size2]) of RFC 9162 section 2.1.4.1.

    Parameters
    ----------
    size1
        The size of the earlier tree, ``0 < size1 <= size2`` (RFC 9162 defines no proof
        from the empty tree: every tree extends it, and there is nothing to prove).
    size2
        The size of the later tree.
    get_node
        Looks up a stored complete subtree hash of the later tree, see :data:`GetNode`.

    Returns
    -------
    list of bytes
        The proof nodes, bottom-up; empty when ``size1 == size2``.

    Raises
    ------
    ValueError
        If the sizes are not ``0 < size1 <= size2``, or ``get_node`` returns something
        that is not a 32-byte hash.
    """
    _check_size(size1, "size1")
    _check_size(size2, "size2")
    if not 0 < size1 <= size2:
        raise ValueError(
            f"consistency proofs need 0 < size1 <= size2, got size1={size1}, size2={size2}"
        )
    # SUBPROOF(m, D[m], true)  = {}
    # SUBPROOF(m, D[m], false) = {MTH(D[m])}
    # SUBPROOF(m, D[n], b)     = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])          if m <= k
    #                          = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])  if m > k
    top_down: list[bytes] = []
    begin, end = 0, size2
    whole = True  # b: the current subtree is a prefix that size1's root already covers
    while size1 != end:
        k = _split(end - begin)
        if size1 <= begin + k:
            top_down.append(_subtree_hash(begin + k, end, get_node))
            end = begin + k
        else:
            top_down.append(_subtree_hash(begin, begin + k, get_node))
            begin += k
            whole = False
    if not whole:
        top_down.append(_subtree_hash(begin, end, get_node))
    top_down.reverse()
    return top_down


def _leaf_list_lookup(leaf_hashes: Sequence[bytes]) -> GetNode:
    def get_node(level: int, index: int) -> bytes:
        begin = index << level
        end = begin + (1 << level)
        if end > len(leaf_hashes):
            raise ValueError(f"node ({level}, {index}) is beyond {len(leaf_hashes)} leaves")
        return root(leaf_hashes[begin:end])

    return get_node


def inclusion_proof_from_leaves(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """Inclusion proof for leaf ``index`` in the tree of all ``leaf_hashes``.

    Recomputes every subtree it needs (O(n) hashing); meant for tests and small trees,
    where no node store exists. See :func:`inclusion_proof`.

    Parameters
    ----------
    leaf_hashes
        Every leaf hash of the tree, in order.
    index
        The 0-based index of the leaf to prove.

    Returns
    -------
    list of bytes
        The audit path, bottom-up.
    """
    return inclusion_proof(index, len(leaf_hashes), _leaf_list_lookup(leaf_hashes))


def consistency_proof_from_leaves(leaf_hashes: Sequence[bytes], size1: int) -> list[bytes]:
    """Consistency proof from the first ``size1`` leaves to the tree of all of them.

    Recomputes every subtree it needs (O(n) hashing); meant for tests and small trees.
    See :func:`consistency_proof`.

    Parameters
    ----------
    leaf_hashes
        Every leaf hash of the later tree, in order.
    size1
        The size of the earlier tree.

    Returns
    -------
    list of bytes
        The proof nodes, bottom-up.
    """
    return consistency_proof(size1, len(leaf_hashes), _leaf_list_lookup(leaf_hashes))


def _check_proof_nodes(proof: Sequence[bytes]) -> None:
    for i, p in enumerate(proof):
        if not isinstance(p, bytes | bytearray | memoryview):
            raise ProofError(f"proof node {i} is {type(p).__name__}, not bytes")
        if len(p) != HASH_SIZE:
            raise ProofError(f"proof node {i} is {len(p)} bytes, not a {HASH_SIZE}-byte hash")


def _check_proof_size(size: int, what: str) -> None:
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise ProofError(f"{what} must be a non-negative int, got {size!r}")


def _inclusion_path_length(index: int, size: int) -> int:
    # The path has one node per level where the leaf's and the last leaf's paths from
    # the root have split (the bits of index ^ (size - 1)), plus one for each left
    # sibling on the shared right border above that (transparency-dev/merkle's
    # decomposition of PATH, equal in length to RFC 9162's).
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Verify an inclusion proof with the algorithm of RFC 9162 section 2.1.3.2.

    Parameters
    ----------
    leaf_hash
        The 32-byte hash of the leaf claimed to be in the tree.
    index
        Its claimed 0-based index.
    size
        The size of the tree that ``root`` is the root of.
    proof
        The audit path, bottom-up (as :func:`inclusion_proof` returns it).
    root
        The trusted root of the tree of ``size`` leaves (from a verified checkpoint).

    Raises
    ------
    ProofError
        If the proof does not prove that ``leaf_hash`` is leaf ``index`` of the tree of
        ``size`` leaves with that root; the message says what did not match.
    """
    _check_proof_size(index, "leaf index")
    _check_proof_size(size, "tree size")
    if index >= size:
        raise ProofError(f"leaf index {index} is not below tree size {size}")
    if len(leaf_hash) != HASH_SIZE:
        raise ProofError(f"leaf hash is {len(leaf_hash)} bytes, not a {HASH_SIZE}-byte hash")
    _check_proof_nodes(proof)
    want = _inclusion_path_length(index, size)
    if len(proof) != want:
        raise ProofError(
            f"inclusion proof for leaf {index} of a tree of size {size} must have "
            f"{want} nodes, got {len(proof)}"
        )
    # RFC 9162 section 2.1.3.2, steps 2-5, step for step.
    fn, sn = index, size - 1
    r = bytes(leaf_hash)
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the path to the root")
    if r != root:
        raise ProofError(
            f"inclusion proof for leaf {index} of a tree of size {size} leads to root "
            f"{r.hex()}, not the expected {bytes(root).hex()}"
        )


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Verify a consistency proof with the algorithm of RFC 9162 section 2.1.4.2.

    A proof that passes shows that the tree of ``size2`` leaves with root ``root2``
    contains, unchanged and in order, the ``size1`` leaves of the tree with ``root1``.

    Parameters
    ----------
    size1, size2
        The sizes of the earlier and the later tree.
    proof
        The proof nodes, bottom-up (as :func:`consistency_proof` returns them).
    root1, root2
        The trusted roots of the two trees (from verified checkpoints).

    Raises
    ------
    ProofError
        If the proof does not verify. Equal sizes verify only with an empty proof and
        equal roots. ``size1 == 0`` is always rejected: RFC 9162 defines consistency
        proofs only for ``0 < size1``, and a check against the empty tree proves nothing.
    """
    _check_proof_size(size1, "size1")
    _check_proof_size(size2, "size2")
    if size2 < size1:
        raise ProofError(f"size2 ({size2}) is smaller than size1 ({size1})")
    if size1 == 0:
        raise ProofError("no consistency proof from the empty tree: RFC 9162 requires 0 < size1")
    if size1 == size2:
        # PROOF(m, D[m]) is empty: the trees are the same, so their roots must be too.
        if proof:
            raise ProofError(f"sizes are equal ({size1}) but the proof is not empty")
        if root1 != root2:
            raise ProofError(f"sizes are equal ({size1}) but the roots differ")
        return
    if not proof:
        raise ProofError(f"empty consistency proof from size {size1} to size {size2}")
    _check_proof_nodes(proof)
    # Length check first, for a precise message; the RFC loop below would reject a
    # wrong length too, less legibly.
    shift = (size1 & -size1).bit_length() - 1  # trailing zero bits of size1
    inner = ((size1 - 1) ^ (size2 - 1)).bit_length()
    border = ((size1 - 1) >> inner).bit_count()
    seeded = size1 != 1 << shift  # size1 not a power of two: the proof starts with its seed
    want = inner - shift + border + seeded
    if len(proof) != want:
        raise ProofError(
            f"consistency proof from size {size1} to size {size2} must have {want} "
            f"nodes, got {len(proof)}"
        )
    # RFC 9162 section 2.1.4.2, steps 2-7, step for step.
    path = list(proof)
    if not seeded:
        path.insert(0, bytes(root1))
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than the path to the root")
    if fr != root1:
        raise ProofError(
            f"consistency proof leads to root {fr.hex()} for size {size1}, "
            f"not the expected {bytes(root1).hex()}"
        )
    if sr != root2:
        raise ProofError(
            f"consistency proof leads to root {sr.hex()} for size {size2}, "
            f"not the expected {bytes(root2).hex()}"
        )
