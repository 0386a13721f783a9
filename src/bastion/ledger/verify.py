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


def _open_checkpoints(
    notes: Iterable[str], verifier: NoteVerifier, report: Report
) -> dict[int, bytes]:
    roots: dict[int, bytes] = {}
    for note in notes:
        try:
            checkpoint = Checkpoint.open(note, [verifier], origin=verifier.name)
        except (NoteError, CheckpointError) as exc:
            report.findings.append(Finding(None, f"a checkpoint does not verify: {exc}"))
            continue
        roots[checkpoint.size] = checkpoint.root_hash
    return roots


def verify(
    entries: Iterable[Mapping[str, Any]], checkpoint_notes: Iterable[str], verifier: NoteVerifier
) -> Report:
    """Check a whole ledger, from entry 0, in the order the entries are given.

    Stops at the first entry that breaks the chain, since every later root depends on it.
    """
    report = Report()
    roots = _open_checkpoints(checkpoint_notes, verifier, report)
    if report.findings:
        return report
    builder = TreeBuilder()
    if 0 in roots:
        report.checkpoints += 1
    for entry in entries:
        expected = builder.size
        seq = entry.get("seq")
        if not isinstance(seq, int) or seq < expected:
            report.findings.append(
                Finding(
                    seq if isinstance(seq, int) else None,
                    f"entry {seq} appears where entry {expected} belongs: an entry was "
                    "inserted or the entries were reordered",
                )
            )
            return report
        if seq > expected:
            missing = f"{expected}" if seq == expected + 1 else f"{expected} to {seq - 1}"
            report.findings.append(Finding(expected, f"entry {missing} was removed"))
            return report
        try:
            leaf = entry_leaf_hash(entry)
        except (TypeError, ValueError) as exc:
            report.findings.append(Finding(seq, f"entry {seq} is malformed: {exc}"))
            return report
        if entry.get("leaf_hash") not in (None, leaf.hex()):
            report.findings.append(
                Finding(
                    seq, f"entry {seq} was modified: its content no longer matches its leaf hash"
                )
            )
            return report
        builder.append(leaf)
        report.entries += 1
        signed = roots.get(builder.size)
        if signed is not None:
            if builder.root() != signed:
                report.findings.append(
                    Finding(
                        None,
                        f"the entries up to {seq} do not match the checkpoint signed "
                        f"at size {builder.size}: an entry before it was modified, removed, "
                        "inserted or reordered",
                    )
                )
                return report
            report.checkpoints += 1
    beyond = sorted(size for size in roots if size > builder.size)
    if beyond:
        report.findings.append(
            Finding(
                builder.size,
                f"a checkpoint was signed at size {beyond[0]} but the ledger "
                f"ends at {builder.size}: entries from {builder.size} on were removed",
            )
        )
    return report
