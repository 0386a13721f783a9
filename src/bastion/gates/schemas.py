"""API schemas of release gates, promotion requests and approvals."""

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from bastion.evidence.schemas import EvidenceRead
from bastion.gates.models import Decision, RequestStatus
from bastion.inventory.enums import ModelStage
from bastion.schemas import Input, LongText, Output

Justification = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=20, max_length=5000)
]


class GateDecisionRead(Output):
    gate: str
    allow: bool
    reasons: list[dict[str, Any]]
    approvals: list[dict[str, Any]]
    bundle: dict[str, Any]
    evidence: EvidenceRead


class StageChange(Input):
    stage: ModelStage
    break_glass: Justification | None = Field(
        default=None,
        description="An organization admin's written justification for promoting although "
        "the gate denies: allowed, flagged in reports and recorded in the audit ledger.",
    )


class StageChangeRead(Output):
    changed: bool
    stage: ModelStage
    decision: GateDecisionRead


class PromotionRequestCreate(Input):
    stage: ModelStage
    comment: LongText = ""


class ApprovalCreate(Input):
    decision: Decision = Decision.APPROVE
    comment: LongText = ""


class ApprovalRead(Output):
    id: uuid.UUID
    request_id: uuid.UUID
    principal_id: str
    roles: list[str]
    decision: Decision
    comment: str
    created_at: datetime
    ledger_seq: int


class PromotionRequestRead(Output):
    id: uuid.UUID
    model_version_id: uuid.UUID
    stage: ModelStage
    requester_id: str | None
    comment: str
    status: RequestStatus
    created_at: datetime
    expires_at: datetime
    closed_at: datetime | None
    approvals: list[ApprovalRead] = Field(default_factory=list)


class PolicyBundleRead(Output):
    id: uuid.UUID
    version: int
    name: str
    digest: str
    files: list[str]
    uploaded_by: str | None
    created_at: datetime
