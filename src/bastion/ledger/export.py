"""Export formats: JSON Lines that an offline verifier can check, and CEF for SIEM tools.

A JSON Lines export starts with a header line (origin, verifier key, size, whether it is
complete), then one line per signed checkpoint, then one line per entry in seq order — so
a verifier knows every root to check before the entries stream by.
Only a complete export (no filters) can be verified as a whole.
"""

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bastion import __version__

FORMATS = ("jsonl", "cef")


@dataclass(frozen=True)
class Header:
    origin: str
    verifier_key: str
    size: int
    complete: bool
    exported_at: str

    def line(self) -> str:
        return json.dumps({"type": "ledger", **self.__dict__}) + "\n"


def entry_line(document: Mapping[str, Any], leaf_hash: str) -> str:
    return json.dumps({"type": "entry", **document, "leaf_hash": leaf_hash}) + "\n"


def checkpoint_line(size: int, note: str) -> str:
    return json.dumps({"type": "checkpoint", "size": size, "note": note}) + "\n"


def read_jsonl(lines: Iterable[str]) -> tuple[dict[str, Any], list[str], Iterator[dict[str, Any]]]:
    """Split an export into its header, its checkpoint notes, and a lazy stream of entries.

    Raises ``ValueError`` naming the line when the export is malformed.
    """
    iterator = enumerate(lines, start=1)
    header = _parse(next(iterator, (1, "")), "ledger")
    notes: list[str] = []
    for number, line in iterator:
        item = _parse((number, line), "checkpoint", "entry")
        if item["type"] == "entry":
            first = item
            break
        if not isinstance(item.get("note"), str):
            raise ValueError(f"line {number}: a checkpoint line needs its note")
        notes.append(item["note"])
    else:
        return header, notes, iter(())

    def entries() -> Iterator[dict[str, Any]]:
        yield first
        for number, line in iterator:
            yield _parse((number, line), "entry")

    return header, notes, entries()


def _parse(numbered: tuple[int, str], *kinds: str) -> dict[str, Any]:
    number, line = numbered
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"line {number} of the export is not JSON: {exc.msg}") from exc
    if not isinstance(item, dict) or item.get("type") not in kinds:
        wanted = " or ".join(kinds)
        raise ValueError(f"line {number} of the export should be a {wanted} line")
    return item


# CEF (ArcSight Common Event Format, rev. 25): header fields escape | and \,
# extension values escape \ and = and turn newlines into \n.


def _header_field(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|")


def _extension_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace("=", "\\=").replace("\r", "\\r").replace("\n", "\\n")


_SEVERITY = {"success": 3, "failure": 6, "denied": 7}


def cef_line(document: Mapping[str, Any]) -> str:
    action = str(document["action"])
    fields = {
        "rt": document["recorded_at"],
        "act": action,
        "outcome": document["outcome"],
        "suser": document["actor_id"],
        "cs1Label": "actorKind",
        "cs1": document["actor_kind"],
        "cs5Label": "credential",
        "cs5": document["credential"],
        "cs2Label": "project",
        "cs2": document["project_id"],
        "cs3Label": "resource",
        "cs3": f"{document['resource_type']}:{document['resource_id'] or ''}",
        "cs4Label": "requestId",
        "cs4": document["request_id"],
        "src": document["client_addr"],
        "cn1Label": "seq",
        "cn1": document["seq"],
        "msg": json.dumps(document["details"], sort_keys=True),
    }
    extension = " ".join(
        f"{key}={_extension_value(str(value))}"
        for key, value in fields.items()
        if value is not None
    )
    header = "|".join(
        _header_field(part)
        for part in (
            "CEF:0",
            "Bastion",
            "Bastion",
            __version__,
            action,
            action,
            str(_SEVERITY.get(str(document["outcome"]), 5)),
        )
    )
    return f"{header}|{extension}\n"
