"""Offline verification of a ledger: recompute the tree, check every signed checkpoint,
and name the first entry that was modified, removed, inserted or reordered.

Pure: it reads entries (as exported) and signed checkpoint notes, and needs only the
verifier key — not the server, not the database.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bastion.checkpoint import Checkpoint, CheckpointError, NoteError, NoteVerifier
from bastion.ledger.entry import entry_leaf_hash
from bastion.merkle import TreeBuilder


@dataclass(frozen=True)
class Finding:
    seq: int | None
    """The entry at fault, when one can be named."""
    message: str


@dataclass
class Report:
    entries: int = 0
    checkpoints: int = 0
    """Checkpoints whose signature and root were checked."""
    findings: list[Finding] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "entries": self.entries,
            "checkpoints": self.checkpoints,
            "findings": [{"seq": f.seq, "message": f.message} for f in self.findings],
        }


def _open_checkpoints(notes: Iterable[str], verifier: NoteVerifier) -> dict[int, bytes]:
    roots: dict[int, bytes] = {}
    for note in notes:
        checkpoint = Checkpoint.open(note, [verifier], origin=verifier.name)
        roots[checkpoint.size] = checkpoint.root_hash
    return roots


def _explain_mismatch(entry: Mapping[str, Any], seq: int, stored: str) -> Finding:
    """Say why an entry's content and its recorded leaf hash disagree.

    The hash covers the entry's position, so content that moved still betrays where it
    was recorded: one place later means an entry was inserted before it, one place
    earlier that an entry was removed and the rest renumbered.
    """
    if stored == entry_leaf_hash({**entry, "seq": seq - 1}).hex():
        return Finding(
            seq - 1,
            f"an entry was inserted at {seq - 1}: entry {seq} holds what was recorded as "
            f"entry {seq - 1}",
        )
    if stored == entry_leaf_hash({**entry, "seq": seq + 1}).hex():
        return Finding(seq, f"entry {seq} was removed and the entries after it renumbered")
    return Finding(
        seq,
        f"entry {seq} was modified or moved: its content does not match the leaf hash "
        "recorded with it",
    )


def _check_entry(entry: Mapping[str, Any], expected: int) -> tuple[bytes | None, Finding | None]:
    seq = entry.get("seq")
    if not isinstance(seq, int) or seq < expected:
        return None, Finding(
            seq if isinstance(seq, int) else None,
            f"entry {seq} appears where entry {expected} belongs: an entry was inserted or "
            "the entries were reordered",
        )
    if seq > expected:
        missing = f"{expected}" if seq == expected + 1 else f"{expected} to {seq - 1}"
        return None, Finding(expected, f"entry {missing} was removed")
    try:
        leaf = entry_leaf_hash(entry)
    except (TypeError, ValueError) as exc:
        return None, Finding(seq, f"entry {seq} is malformed: {exc}")
    stored = entry.get("leaf_hash")
    if stored is not None and stored != leaf.hex():
        return None, _explain_mismatch(entry, seq, str(stored))
    return leaf, None


def verify(
    entries: Iterable[Mapping[str, Any]],
    checkpoint_notes: Iterable[str],
    verifier: NoteVerifier,
    *,
    expected_size: int | None = None,
) -> Report:
    """Check a whole ledger, from entry 0, in the order the entries are given.

    Parameters
    ----------
    entries
        The entries in the order they are stored (an export's entry lines).
    checkpoint_notes
        Signed checkpoints; each must verify with ``verifier`` and match the root that the
        entries give at its size.
    verifier
        The ledger's verifier key, obtained independently of the ledger being checked.
    expected_size
        The number of entries the ledger declares (an export header's ``size``).

    Returns
    -------
    Report
        ``intact`` when nothing was found; otherwise the first finding, naming the entry
        where that is possible. Checking stops there, as every later root depends on it.
    """
    report = Report()
    try:
        roots = _open_checkpoints(checkpoint_notes, verifier)
    except (NoteError, CheckpointError) as exc:
        report.findings.append(Finding(None, f"a checkpoint does not verify: {exc}"))
        return report
    builder = TreeBuilder()
    verified_up_to = 0  # the size of the last checkpoint that matched
    # A root that does not match is reported only if no entry up to the next checkpoint
    # says more precisely what happened (an entry inserted just before a checkpoint shows
    # as the entry after it holding the displaced content).
    root_mismatch: Finding | None = None
    if 0 in roots:
        report.checkpoints += 1
    for entry in entries:
        leaf, finding = _check_entry(entry, builder.size)
        if finding is not None or leaf is None:
            report.findings.append(finding or Finding(None, "unreadable entry"))
            return report
        builder.append(leaf)
        report.entries += 1
        signed = roots.get(builder.size)
        if signed is None:
            continue
        if root_mismatch is not None:
            break
        if builder.root() != signed:
            root_mismatch = Finding(
                None,
                f"the entries do not match the checkpoint signed at size {builder.size}: "
                f"an entry from {verified_up_to} to {builder.size - 1} was modified, "
                "removed, inserted or reordered, and its leaf hash forged",
            )
            continue
        report.checkpoints += 1
        verified_up_to = builder.size
    if root_mismatch is not None:
        report.findings.append(root_mismatch)
        return report
    declared = max([*roots, expected_size or 0])
    if declared > builder.size:
        report.findings.append(
            Finding(
                builder.size,
                f"the ledger declares or signed {declared} entries but holds {builder.size}: "
                f"entries from {builder.size} on were removed",
            )
        )
    return report
