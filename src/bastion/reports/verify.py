"""Offline verification of an evidence pack.

A pack holds evidence documents, uploaded documents, the ledger entries that recorded
them with inclusion proofs, and a signed checkpoint. Verifying it checks, with nothing but
the pack and the ledger's verification key:

1. every file matches the SHA-256 in the manifest, and no file is unlisted;
2. the checkpoint is signed by the key;
3. every ledger entry is in the tree the checkpoint commits to (RFC 9162 inclusion proof);
4. every evidence document hashes to the ``content_sha256`` its entry recorded, and every
   uploaded document to the ``digest`` its upload entry recorded.

So a changed, removed or back-dated record shows, even to someone who trusts neither the
server nor whoever handed over the pack — provided the key comes from elsewhere.
"""

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bastion.checkpoint import Checkpoint, CheckpointError, NoteError, NoteVerifier
from bastion.evidence.document import content_digest
from bastion.ledger.entry import entry_leaf_hash
from bastion.merkle import ProofError, verify_inclusion

MANIFEST = "manifest.json"
CHECKPOINT = "ledger/checkpoint.txt"
VERIFIER_KEY = "ledger/verifier.key"
ENTRIES = "ledger/entries.jsonl"
PACK_FORMAT = "bastion-evidence-pack/1"


BOUND_PREFIXES = ("evidence/", "documents/")


def listing_digest(files: list[dict[str, Any]]) -> str:
    """SHA-256 of the pack's evidence and document files (path and digest): the export's
    ledger entry records it, so a file removed from the pack, manifest and all, shows."""
    bound = sorted((f["path"], f["sha256"]) for f in files if f["path"].startswith(BOUND_PREFIXES))
    return _sha256(json.dumps(bound, separators=(",", ":")).encode())


class PackError(ValueError):
    """The file is not an evidence pack this version can read."""


@dataclass
class PackVerification:
    files: int = 0
    entries: int = 0
    evidence: int = 0
    documents: int = 0
    checkpoint_size: int | None = None
    key_from_pack: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "files": self.files,
            "ledger_entries": self.entries,
            "evidence": self.evidence,
            "documents": self.documents,
            "checkpoint_size": self.checkpoint_size,
            "key_from_pack": self.key_from_pack,
            "problems": list(self.problems),
        }


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise PackError(f"not an evidence pack: no {MANIFEST}") from None
    except ValueError as exc:
        raise PackError(f"{MANIFEST} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != PACK_FORMAT:
        raise PackError(f"{MANIFEST} does not declare format {PACK_FORMAT!r}")
    return manifest


def _check_files(
    archive: zipfile.ZipFile, manifest: dict[str, Any], result: PackVerification
) -> dict[str, bytes]:
    listed = {f["path"]: f["sha256"] for f in manifest.get("files", [])}
    contents: dict[str, bytes] = {}
    for name in archive.namelist():
        if name == MANIFEST:
            continue
        if name not in listed:
            result.problems.append(f"{name}: in the pack but not in the manifest")
            continue
        data = archive.read(name)
        if _sha256(data) != listed[name]:
            result.problems.append(f"{name}: SHA-256 differs from the manifest")
        contents[name] = data
    for name in sorted(listed.keys() - set(archive.namelist())):
        result.problems.append(f"{name}: listed in the manifest but missing from the pack")
    result.files = len(contents)
    return contents


def _open_checkpoint(
    contents: dict[str, bytes], key: str | None, result: PackVerification
) -> Checkpoint | None:
    if key is None:
        if VERIFIER_KEY not in contents:
            result.problems.append(f"no verification key given and none in {VERIFIER_KEY}")
            return None
        key = contents[VERIFIER_KEY].decode().strip()
        result.key_from_pack = True
    try:
        verifier = NoteVerifier.from_key(key.strip())
        checkpoint = Checkpoint.open(contents[CHECKPOINT], [verifier])
    except KeyError:
        result.problems.append(f"{CHECKPOINT}: missing")
        return None
    except (NoteError, CheckpointError, ValueError) as exc:
        result.problems.append(f"{CHECKPOINT}: does not verify with the key: {exc}")
        return None
    result.checkpoint_size = checkpoint.size
    return checkpoint


def _entries(
    contents: dict[str, bytes], checkpoint: Checkpoint, result: PackVerification
) -> dict[int, dict[str, Any]]:
    """The ledger entries whose inclusion in the checkpoint's tree is proven, by seq."""
    proven: dict[int, dict[str, Any]] = {}
    for number, line in enumerate(contents.get(ENTRIES, b"").decode().splitlines(), 1):
        where = f"{ENTRIES} line {number}"
        try:
            record = json.loads(line)
            entry, proof = record["entry"], [bytes.fromhex(h) for h in record["proof"]]
            verify_inclusion(
                entry_leaf_hash(entry), entry["seq"], checkpoint.size, proof, checkpoint.root_hash
            )
        except (ValueError, KeyError, TypeError) as exc:
            result.problems.append(f"{where}: not proven in the checkpoint's tree: {exc}")
            continue
        except ProofError as exc:
            result.problems.append(f"{where}: inclusion proof fails: {exc}")
            continue
        proven[entry["seq"]] = entry
    result.entries = len(proven)
    return proven


def _check_evidence(
    name: str, data: bytes, entries: dict[int, dict[str, Any]], result: PackVerification
) -> None:
    try:
        document = json.loads(data)
        entry = entries[document["ledger_seq"]]
    except (ValueError, KeyError, TypeError):
        result.problems.append(f"{name}: no proven ledger entry recorded it")
        return
    details = entry.get("details") or {}
    if entry.get("action") != "evidence.record" or entry.get("resource_id") != document.get("id"):
        result.problems.append(f"{name}: ledger entry {entry['seq']} records something else")
    elif "content_sha256" not in details:
        result.problems.append(
            f"{name}: recorded before evidence digests were logged; its content is unbound"
        )
    elif details["content_sha256"] != content_digest(document):
        result.problems.append(f"{name}: content differs from what the ledger recorded")
    else:
        result.evidence += 1


def _check_document(
    name: str,
    data: bytes,
    listing: dict[str, Any],
    entries: dict[int, dict[str, Any]],
    result: PackVerification,
) -> None:
    entry = entries.get(listing.get("ledger_seq", -1))
    if entry is None or entry.get("resource_id") != listing.get("id"):
        result.problems.append(f"{name}: no proven ledger entry recorded its upload")
    elif (entry.get("details") or {}).get("digest") != _sha256(data):
        result.problems.append(f"{name}: content differs from what was uploaded")
    else:
        result.documents += 1


def verify_pack(path: Path, *, key: str | None = None) -> PackVerification:
    """Verify an evidence pack; ``key`` is the ledger's verification key (recommended:
    without it the key inside the pack is used, which proves integrity but not origin)."""
    result = PackVerification()
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise PackError(f"{path}: not a readable zip file: {exc}") from None
    with archive:
        manifest = _read_manifest(archive)
        contents = _check_files(archive, manifest, result)
    checkpoint = _open_checkpoint(contents, key, result)
    if checkpoint is None:
        return result
    entries = _entries(contents, checkpoint, result)
    export = entries.get(manifest.get("export_seq", -1))
    if export is None or export.get("action") != "evidence_pack.export":
        result.problems.append("no proven ledger entry records this export")
    elif (export.get("details") or {}).get("content_sha256") != listing_digest(
        manifest.get("files", [])
    ):
        result.problems.append("the pack's files differ from those the export recorded")
    documents = {d["path"]: d for d in manifest.get("documents", [])}
    for name, data in sorted(contents.items()):
        if name.startswith("evidence/"):
            _check_evidence(name, data, entries, result)
        elif name in documents:
            _check_document(name, data, documents[name], entries, result)
    return result
