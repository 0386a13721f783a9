"""The evidence table. The migration adds triggers that refuse UPDATE and DELETE: a new run
records new evidence that supersedes the old."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bastion.inventory.enums import SubjectType
from bastion.storage.base import Base, IdMixin, string_enum, utcnow


class Verdict(StrEnum):
    PASS = "pass"  # noqa: S105 - a verdict, not a password
    WARN = "warn"
    FAIL = "fail"
    INFO = "info"


class Evidence(IdMixin, Base):
    __tablename__ = "evidence"
    __table_args__ = (Index("ix_evidence_subject", "subject_id", "kind"),)

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(100))
    subject_type: Mapped[SubjectType] = mapped_column(string_enum(SubjectType))
    subject_id: Mapped[uuid.UUID] = mapped_column()
    verdict: Mapped[Verdict] = mapped_column(string_enum(Verdict))
    summary: Mapped[str] = mapped_column(Text)
    result: Mapped[dict[str, Any]] = mapped_column()
    # [{"role": "data", "sha256": "…"}, …]: what the result was computed from.
    inputs: Mapped[list[Any]] = mapped_column()
    # {"principal_id", "credential", "software": {"name", "version"}}
    produced_by: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    valid_until: Mapped[datetime | None] = mapped_column(default=None)
    supersedes: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("evidence.id", ondelete="RESTRICT"), default=None, unique=True
    )
    ledger_seq: Mapped[int] = mapped_column(BigInteger)
