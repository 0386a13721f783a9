"""Evidence packs: a zip an auditor can verify offline (``bastion.reports.verify``).

The pack holds the system's current evidence and uploaded documents, the compliance
status and report, the ledger entries that recorded each file with an inclusion proof,
and a checkpoint signed when the pack was made — after the export itself was recorded in
the ledger, with a digest of the files it hands out.
"""

import hashlib
import json
import re
import tempfile
import uuid
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bastion import __version__
from bastion.checkpoint import NoteSigner
from bastion.compliance.service import SystemCompliance
from bastion.evidence.document import evidence_document
from bastion.ledger import service as ledger_service
from bastion.ledger.entry import format_time
from bastion.ledger.models import LedgerEntry
from bastion.reports.verify import (
    CHECKPOINT,
    ENTRIES,
    MANIFEST,
    PACK_FORMAT,
    VERIFIER_KEY,
    listing_digest,
)
from bastion.storage.artifacts import ArtifactStore
from bastion.storage.base import utcnow

README = """Bastion evidence pack
=====================

What is here
  manifest.json          every file with its SHA-256
  evidence/              the system's current evidence, one JSON document each
  documents/             the documents uploaded about the system
  compliance.json        requirement-by-requirement status when the pack was made
  report.html            the compliance report
  ledger/entries.jsonl   the audit-ledger entry that recorded each file, with its
                         inclusion proof in the checkpoint's Merkle tree
  ledger/checkpoint.txt  the signed checkpoint (C2SP signed note)
  ledger/verifier.key    the key that signed it, for convenience only

Verify it, offline, with a copy of the verification key you obtained yourself:

  bastion evidence-pack verify PACK.zip --key-file ledger-verifier.key

Without --key-file the key inside the pack is used: that proves the pack is
intact and consistent, not who made it.
"""

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _safe_name(name: str) -> str:
    return _UNSAFE.sub("_", name).strip("._") or "file"


def _json(value: Any) -> bytes:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).encode()


def _upload_seq(session: Session, document_id: uuid.UUID) -> int | None:
    return session.scalar(
        select(LedgerEntry.seq).where(
            LedgerEntry.action == "document.upload", LedgerEntry.resource_id == str(document_id)
        )
    )


def build_pack(
    *,
    session: Session,
    store: ArtifactStore,
    signer: NoteSigner,
    compliance: SystemCompliance,
    compliance_json: dict[str, Any],
    report_html: str,
) -> Path:
    """Write the pack to a temporary file and return its path (the caller deletes it)."""
    system = compliance.system
    files: dict[str, bytes] = {}
    seqs: set[int] = set()
    for record in compliance.evidence.records:
        document = evidence_document(record) | {"ledger_seq": record.ledger_seq}
        files[f"evidence/{record.kind}/{record.id}.json"] = _json(document)
        seqs.add(record.ledger_seq)
    uploads = []
    for upload in compliance.evidence.documents:
        path = f"documents/{upload.id}/{_safe_name(upload.filename)}"
        files[path] = b"".join(store.open(upload.digest))
        seq = _upload_seq(session, upload.id)
        uploads.append(
            {
                "path": path,
                "id": str(upload.id),
                "title": upload.title,
                "kind": upload.kind,
                "ledger_seq": seq,
            }
        )
        if seq is not None:
            seqs.add(seq)
    files["compliance.json"] = _json(compliance_json)
    files["report.html"] = report_html.encode()
    files["README.txt"] = README.encode()
    listing: list[dict[str, Any]] = [
        {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for path, data in sorted(files.items())
    ]
    export_seq = ledger_service.record(
        session,
        action="evidence_pack.export",
        resource_type="ai_system",
        resource_id=system.id,
        project_id=system.project_id,
        details={
            "content_sha256": listing_digest(listing),
            "evidence": len(compliance.evidence.records),
            "documents": len(uploads),
        },
    )
    seqs.add(export_seq)
    checkpoint = ledger_service.sign_checkpoint(session=session, signer=signer)
    lines = []
    for seq in sorted(seqs):
        proof = ledger_service.prove_inclusion(session=session, seq=seq, tree_size=checkpoint.size)
        entry = ledger_service.get_entry(session=session, seq=seq)
        lines.append(
            json.dumps(
                {
                    "entry": ledger_service.as_document(entry),
                    "proof": [h.hex() for h in proof.proof],
                },
                sort_keys=True,
                ensure_ascii=False,
            )
        )
    ledger_files = {
        ENTRIES: ("\n".join(lines) + "\n").encode(),
        CHECKPOINT: checkpoint.note.encode(),
        VERIFIER_KEY: (signer.verifier().key() + "\n").encode(),
    }
    listing += [
        {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for path, data in ledger_files.items()
    ]
    files.update(ledger_files)
    manifest = {
        "format": PACK_FORMAT,
        "created_at": format_time(utcnow()),
        "software": {"name": "bastion", "version": __version__},
        "project_id": str(system.project_id),
        "system": {"id": str(system.id), "name": system.name},
        "checkpoint": {"size": checkpoint.size, "root_hash": checkpoint.root_hash},
        "export_seq": export_seq,
        "files": sorted(listing, key=lambda f: f["path"]),
        "documents": uploads,
    }
    with (
        tempfile.NamedTemporaryFile(prefix="bastion-pack-", suffix=".zip", delete=False) as handle,
        zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        archive.writestr(MANIFEST, _json(manifest))
        for path, data in sorted(files.items()):
            archive.writestr(path, data)
    return Path(handle.name)
