"""API schemas of compliance: classification, questionnaires, control implementations
and status."""

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from bastion.evidence.schemas import EvidenceRead
from bastion.schemas import Input, JsonObject, LongText, Output, ShortText

RequirementKey = Annotated[
    str,
    StringConstraints(max_length=200, pattern=r"^[a-z][a-z0-9_]*:[a-z0-9][a-z0-9_]*$"),
]


class Answers(Input):
    answers: JsonObject = Field(
        description="Question id → answer; `GET /api/v1/questionnaires/{id}` lists the "
        "questions, their types and options."
    )


class ClassificationRead(Output):
    system_id: uuid.UUID
    risk_tier: str
    role: str
    stale: bool = Field(description="The purpose changed after the classification.")
    status: str
    obligations: list[dict[str, Any]]
    evidence: EvidenceRead | None


class ImplementationSet(Input):
    owner: ShortText = ""
    due_date: date | None = None
    not_applicable: LongText | None = Field(
        default=None,
        min_length=1,
        description="Why the requirement does not apply to this system; set, it counts as "
        "not applicable.",
    )
    notes: LongText = ""


class ImplementationRead(Output):
    system_id: uuid.UUID
    requirement: str
    owner: str
    due_date: date | None
    not_applicable: str | None
    notes: str
    updated_at: datetime


class ComplianceRead(Output):
    system_id: uuid.UUID
    system_name: str
    risk_tier: str
    role: str
    facts: dict[str, bool]
    classification: dict[str, Any]
    frameworks: list[dict[str, Any]]


class RollupRead(Output):
    systems: list[dict[str, Any]]
    totals: dict[str, Any]


class OrganizationRollupRead(Output):
    projects: list[dict[str, Any]]
    totals: dict[str, Any]


class FrameworkSummary(Output):
    id: str
    name: str
    title: str
    version: str
    publisher: str
    kind: str
    url: str | None
    requirements: int
