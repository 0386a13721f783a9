"""Incident tables: incidents of a project's AI systems, their timeline, and their links to
alerts, evidence and risks. The migration adds triggers that refuse UPDATE and DELETE on
``incident_events``: a timeline is only ever appended to."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bastion.alerts.rules import Severity
from bastion.incidents.enums import EventKind, IncidentSource, IncidentStatus, LinkKind
from bastion.storage.base import Base, IdMixin, NameColumn, TimestampMixin, string_enum, utcnow


class Incident(IdMixin, TimestampMixin, Base):
    """One incident of an AI system."""

    __tablename__ = "incidents"
    __table_args__ = (UniqueConstraint("project_id", "number"),)

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    system_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ai_systems.id", ondelete="RESTRICT"), index=True
    )
    # Per project, shown as "I-3"; the API's identifier stays the UUID.
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(NameColumn)
    description: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[Severity] = mapped_column(string_enum(Severity))
    status: Mapped[IncidentStatus] = mapped_column(
        string_enum(IncidentStatus), default=IncidentStatus.OPEN
    )
    source: Mapped[IncidentSource] = mapped_column(string_enum(IncidentSource))
    owner: Mapped[str] = mapped_column(String(200), default="")
    resolution: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def ref(self) -> str:
        return f"I-{self.number}"


class IncidentEvent(IdMixin, Base):
    """One entry of an incident's timeline: who, when, what, and its ledger entry."""

    __tablename__ = "incident_events"
    __table_args__ = (UniqueConstraint("incident_id", "seq"),)

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id", ondelete="RESTRICT"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    principal_id: Mapped[str | None] = mapped_column(String(64), default=None)
    kind: Mapped[EventKind] = mapped_column(string_enum(EventKind))
    note: Mapped[str] = mapped_column(Text, default="")
    # Ids and figures: {field: [old, new]} of an update, an alert's rule and values …
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ledger_seq: Mapped[int] = mapped_column(BigInteger)


class IncidentLink(IdMixin, Base):
    """An alert, evidence or risk that an incident involves (no foreign key: the target's
    table depends on the kind)."""

    __tablename__ = "incident_links"
    __table_args__ = (UniqueConstraint("incident_id", "kind", "target_id"),)

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id", ondelete="RESTRICT"))
    kind: Mapped[LinkKind] = mapped_column(string_enum(LinkKind))
    target_id: Mapped[uuid.UUID] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
