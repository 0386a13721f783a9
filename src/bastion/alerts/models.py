"""The state of each alert rule of each monitor: one row per (monitor, rule name), updated
after every window the monitor records."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bastion.alerts.rules import AlertState, Severity
from bastion.storage.base import Base, IdMixin, TimestampMixin, string_enum


class Alert(IdMixin, TimestampMixin, Base):
    """Where one rule of one monitor stands: ok, firing or resolved, and on what values."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("monitor_id", "rule"),)

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT"), index=True
    )
    monitor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("monitors.id", ondelete="CASCADE"), index=True
    )
    model_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(String(64))
    # The rule as last judged (AlertRule.model_dump): a changed metric, condition,
    # threshold or window count starts the streak again.
    definition: Mapped[dict[str, Any]] = mapped_column()
    severity: Mapped[Severity] = mapped_column(string_enum(Severity))
    state: Mapped[AlertState] = mapped_column(string_enum(AlertState), default=AlertState.OK)
    # The newest windows' values of the rule's metric, oldest first, at most for_windows:
    # [{"window": number, "window_id", "end_at", "value": float | None}].
    recent: Mapped[list[Any]] = mapped_column(default=list)
    last_value: Mapped[float | None] = mapped_column(Float, default=None)
    last_window_at: Mapped[datetime | None] = mapped_column(default=None)
    fired_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    # The monitoring.alert evidence of the latest firing.
    evidence_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("evidence.id", ondelete="RESTRICT"), default=None
    )
