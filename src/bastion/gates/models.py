"""Policy bundles a project uploaded, promotion requests and their approvals.

Gate decisions are not here: each is evidence (``policy.decision``) about the model
version, with its ledger entry.
"""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bastion.inventory.enums import ModelStage
from bastion.storage.base import Base, IdMixin, string_enum, utcnow


class PolicyBundle(IdMixin, Base):
    """One uploaded version of a project's policy bundle; the newest one is in force."""

    __tablename__ = "policy_bundles"
    __table_args__ = (UniqueConstraint("project_id", "version"),)

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(64))
    # {relative path: text} of the modules and data.json; small (bastion.policy.MAX_BYTES).
    files: Mapped[dict[str, Any]] = mapped_column()
    uploaded_by: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RequestStatus(StrEnum):
    OPEN = "open"
    REJECTED = "rejected"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class PromotionRequest(IdMixin, Base):
    """A request to move a model version to a stage, which approvers answer."""

    __tablename__ = "promotion_requests"

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    model_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[ModelStage] = mapped_column(string_enum(ModelStage))
    requester_id: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[RequestStatus] = mapped_column(
        string_enum(RequestStatus), default=RequestStatus.OPEN
    )
    # The model version as it was when the request was made (see gates.document).
    model_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class Approval(IdMixin, Base):
    """One principal's answer to a request; one per principal and request."""

    __tablename__ = "approvals"
    __table_args__ = (UniqueConstraint("request_id", "principal_id"),)

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("promotion_requests.id", ondelete="CASCADE"), index=True
    )
    principal_id: Mapped[str] = mapped_column(String(64))
    # The principal's roles in the project when it answered.
    roles: Mapped[list[str]] = mapped_column(default=list)
    decision: Mapped[Decision] = mapped_column(string_enum(Decision))
    comment: Mapped[str] = mapped_column(Text, default="")
    # The model version it approved (see gates.document): a later change makes it stale.
    model_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ledger_seq: Mapped[int] = mapped_column(BigInteger)
