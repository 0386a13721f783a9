"""Risk register tables: the risks of a project's AI systems, and the history of every
change made to each. The migration adds triggers that refuse UPDATE and DELETE on
``risk_events``: a risk's history is only ever appended to."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bastion.inventory.enums import LifecycleStage
from bastion.risks.enums import RiskAction, RiskCategory, RiskSource, RiskStatus, Treatment
from bastion.storage.base import Base, IdMixin, NameColumn, TimestampMixin, string_enum, utcnow

LEVEL_LENGTH = 20


class Risk(IdMixin, TimestampMixin, Base):
    """One risk of an AI system, with its inherent and residual ratings and treatment."""

    __tablename__ = "risks"
    __table_args__ = (UniqueConstraint("project_id", "number"),)

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    system_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ai_systems.id", ondelete="RESTRICT"), index=True
    )
    # Per project, shown as "R-12"; the API's identifier stays the UUID.
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(NameColumn)
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[RiskCategory] = mapped_column(string_enum(RiskCategory))
    lifecycle_stage: Mapped[LifecycleStage] = mapped_column(string_enum(LifecycleStage))
    owner: Mapped[str] = mapped_column(String(200), default="")
    likelihood: Mapped[int] = mapped_column(SmallInteger)
    impact: Mapped[int] = mapped_column(SmallInteger)
    inherent_score: Mapped[int] = mapped_column(SmallInteger)
    inherent_level: Mapped[str] = mapped_column(String(LEVEL_LENGTH))
    treatment: Mapped[Treatment | None] = mapped_column(string_enum(Treatment), default=None)
    treatment_plan: Mapped[str] = mapped_column(Text, default="")
    # Control names or framework requirement keys ("iso_42001:a6_2_4").
    controls: Mapped[list[str]] = mapped_column(default=list)
    residual_likelihood: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    residual_impact: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    residual_score: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    residual_level: Mapped[str | None] = mapped_column(String(LEVEL_LENGTH), default=None)
    contingency_plan: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[RiskStatus] = mapped_column(string_enum(RiskStatus), default=RiskStatus.OPEN)
    review_date: Mapped[date | None] = mapped_column(default=None)
    # Ids of the evidence that raised or supports the risk, as strings.
    evidence_ids: Mapped[list[str]] = mapped_column(default=list)
    source: Mapped[RiskSource] = mapped_column(string_enum(RiskSource), default=RiskSource.MANUAL)
    # Optimistic concurrency: SQLAlchemy adds "AND version = <read>" to every UPDATE and
    # increments it, so a write based on a stale read fails instead of overwriting.
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}

    @property
    def ref(self) -> str:
        return f"R-{self.number}"


class RiskEvent(IdMixin, Base):
    """One change of a risk: who, when, what (``{field: [old, new]}``), and its ledger entry."""

    __tablename__ = "risk_events"
    __table_args__ = (UniqueConstraint("risk_id", "seq"),)

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    risk_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("risks.id", ondelete="RESTRICT"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    principal_id: Mapped[str | None] = mapped_column(String(64), default=None)
    action: Mapped[RiskAction] = mapped_column(string_enum(RiskAction))
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    ledger_seq: Mapped[int] = mapped_column(BigInteger)
