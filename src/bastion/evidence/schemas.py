"""API schemas of evidence."""

import json
import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from bastion.evidence.models import Verdict
from bastion.inventory.enums import SubjectType
from bastion.schemas import Input, Output, Sha256Hex, ShortText

MAX_RESULT_BYTES = 1024 * 1024
SUMMARY_LIMIT = 500

Kind = Annotated[
    str,
    StringConstraints(max_length=100, pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"),
]


def _versioned_and_bounded(result: dict[str, Any]) -> dict[str, Any]:
    if "schema_version" not in result:
        raise ValueError("must carry a schema_version, so that readers know its shape")
    if len(json.dumps(result)) > MAX_RESULT_BYTES:
        raise ValueError(f"must serialize to at most {MAX_RESULT_BYTES} bytes of JSON")
    return result


class InputDigest(Input):
    """One thing the result was computed from: its role and its content digest."""

    role: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    sha256: Sha256Hex


class Software(Input):
    name: ShortText
    version: ShortText


class EvidenceCreate(Input):
    kind: Kind = Field(description="Dotted name, e.g. `assessment.fairness`.")
    subject_type: SubjectType
    subject_id: uuid.UUID
    verdict: Verdict
    summary: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=SUMMARY_LIMIT)
    ]
    result: Annotated[dict[str, Any], AfterValidator(_versioned_and_bounded)]
    inputs: list[InputDigest] = Field(default_factory=list, max_length=100)
    software: Software | None = Field(
        default=None, description="What produced the result; the principal is recorded too."
    )
    valid_until: datetime | None = Field(default=None, description="When it stops counting.")


class EvidenceRead(Output):
    id: uuid.UUID
    project_id: uuid.UUID
    kind: str
    subject_type: SubjectType
    subject_id: uuid.UUID
    verdict: Verdict
    summary: str
    result: dict[str, Any]
    inputs: list[dict[str, Any]]
    produced_by: dict[str, Any]
    created_at: datetime
    valid_until: datetime | None
    supersedes: uuid.UUID | None
    ledger_seq: int


class EvidenceQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = Field(default=None, max_length=2000)
    sort: str = Field(default="-created_at", max_length=100)
    kind: Kind | None = None
    subject_type: SubjectType | None = None
    subject_id: uuid.UUID | None = None
    verdict: Verdict | None = None
    current: bool = Field(
        default=False, description="Only evidence that no newer evidence supersedes."
    )
