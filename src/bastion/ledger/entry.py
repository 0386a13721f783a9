"""The canonical form of a ledger entry: what is hashed into the Merkle tree.

Pure: used by the server when it appends and by the offline verifier, so that both hash
exactly the same bytes. The encoding is JSON with sorted keys, no insignificant white
space and UTF-8 (the subset of RFC 8785 JCS that holds when values are strings, integers,
booleans, null, arrays and objects — floats are refused, since their text form is where
JSON encoders disagree).
"""

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bastion.merkle import leaf_hash

ENTRY_FIELDS = (
    "seq",
    "recorded_at",
    "actor_kind",
    "actor_id",
    "credential",
    "action",
    "resource_type",
    "resource_id",
    "project_id",
    "outcome",
    "request_id",
    "client_addr",
    "details",
)


# One encoder for every entry: json.dumps builds a new one per call when given options,
# which costs as much as encoding an entry (verification encodes millions).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _check_json(value: Any, where: str) -> None:
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check_json(item, f"{where}[{i}]")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where}: keys must be strings, got {key!r}")
            _check_json(item, f"{where}.{key}")
        return
    raise TypeError(f"{where}: {type(value).__name__} cannot go into a ledger entry")


def format_time(moment: datetime) -> str:
    """UTC with microseconds and a Z: one text form for one instant."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_bytes(entry: Mapping[str, Any], *, check: bool = False) -> bytes:
    """The bytes hashed for an entry, from its fields as in an export line.

    ``check`` refuses values without one text form (floats); the ledger checks what it
    records. A verifier need not: whatever an export holds, a changed value changes the
    hash.
    """
    try:
        document = {name: entry[name] for name in ENTRY_FIELDS}
    except KeyError:
        missing = [name for name in ENTRY_FIELDS if name not in entry]
        raise ValueError(f"ledger entry lacks {', '.join(missing)}") from None
    if check:
        _check_json(document, "entry")
    return _CANONICAL.encode(document).encode("utf-8")


def entry_leaf_hash(entry: Mapping[str, Any], *, check: bool = False) -> bytes:
    return leaf_hash(canonical_bytes(entry, check=check))
