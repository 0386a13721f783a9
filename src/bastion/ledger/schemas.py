"""API schemas of the audit ledger. Hashes are lower-case hex."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from bastion.schemas import Output


class EntryRead(Output):
    seq: int
    recorded_at: datetime
    actor_kind: str
    actor_id: str | None
    credential: str | None
    action: str
    resource_type: str
    resource_id: str | None
    project_id: uuid.UUID | None
    outcome: str
    request_id: str | None
    client_addr: str | None
    details: dict[str, Any]
    leaf_hash: str


class EntryPage(Output):
    items: list[EntryRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


class CheckpointRead(Output):
    size: int
    root_hash: str
    note: str = Field(description="The signed checkpoint, in the C2SP signed-note format.")
    created_at: datetime


class InclusionProofRead(Output):
    seq: int
    tree_size: int
    leaf_hash: str
    root_hash: str
    proof: list[str]
    checkpoint: str | None = Field(
        description="The signed checkpoint of this tree size, when one was signed."
    )


class ConsistencyProofRead(Output):
    first: int
    second: int
    proof: list[str]


class VerifierKeyRead(Output):
    origin: str
    key: str = Field(description="Verifier key in the C2SP signed-note format.")


class EntryFilters(BaseModel):
    """Which entries to list, oldest first."""

    since: datetime | None = None
    until: datetime | None = None
    action: str | None = Field(default=None, max_length=100)
    # 18 digits: every such number fits the database's BIGINT.
    cursor: str | None = Field(
        default=None, pattern=r"^\d{1,18}$", description="From `next_cursor`."
    )
    limit: int = Field(default=100, ge=1, le=1000)


class LedgerEntryFilters(EntryFilters):
    """The organization-wide list can also narrow to one project."""

    project_id: uuid.UUID | None = None
