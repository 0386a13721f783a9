"""How the organization implements one requirement for one AI system: who owns it, when
it is due, or why it does not apply. The evidence itself lives in the evidence table."""

import uuid
from datetime import date

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bastion.storage.base import Base, IdMixin, TimestampMixin


class ControlImplementation(IdMixin, TimestampMixin, Base):
    __tablename__ = "control_implementations"
    __table_args__ = (UniqueConstraint("system_id", "requirement"),)

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    system_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ai_systems.id", ondelete="CASCADE"), index=True
    )
    # "framework:requirement", e.g. "eu_ai_act:art9".
    requirement: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_date: Mapped[date | None] = mapped_column(default=None)
    # A justification: set, the requirement counts as not applicable to this system.
    not_applicable: Mapped[str | None] = mapped_column(Text, default=None)
    notes: Mapped[str] = mapped_column(Text, default="")
