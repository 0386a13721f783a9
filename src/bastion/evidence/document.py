"""The canonical document of a piece of evidence and its content digest.

The ledger entry that records evidence carries this digest, which binds the stored record
to the tamper-evident log: an evidence pack holds the documents, the entries and a signed
checkpoint, and an auditor checks all three offline. Pure, so the server and the offline
verifier hash exactly the same bytes.
"""

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bastion.ledger.entry import format_time

# What the digest covers: everything an auditor reads, but not ``ledger_seq``, which is
# assigned by the very entry that carries the digest.
DOCUMENT_FIELDS = (
    "id",
    "project_id",
    "kind",
    "subject_type",
    "subject_id",
    "verdict",
    "summary",
    "result",
    "inputs",
    "produced_by",
    "created_at",
    "valid_until",
    "supersedes",
)


def _text(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime):
        return format_time(value)
    return str(value)


def evidence_document(evidence: Any) -> dict[str, Any]:
    """The JSON-ready document of an evidence record (or anything with its attributes)."""
    return {
        "id": _text(evidence.id),
        "project_id": _text(evidence.project_id),
        "kind": evidence.kind,
        "subject_type": _text(evidence.subject_type),
        "subject_id": _text(evidence.subject_id),
        "verdict": _text(evidence.verdict),
        "summary": evidence.summary,
        "result": evidence.result,
        "inputs": evidence.inputs,
        "produced_by": evidence.produced_by,
        "created_at": _text(evidence.created_at),
        "valid_until": _text(evidence.valid_until),
        "supersedes": _text(evidence.supersedes),
    }


def content_digest(document: Mapping[str, Any]) -> str:
    """SHA-256 of the document's canonical JSON (sorted keys, no spaces, UTF-8)."""
    missing = [name for name in DOCUMENT_FIELDS if name not in document]
    if missing:
        raise ValueError(f"evidence document lacks {', '.join(missing)}")
    canonical = json.dumps(
        {name: document[name] for name in DOCUMENT_FIELDS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
