"""API schemas of alerts: each rule's state on each monitor, as read back."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bastion.alerts.rules import AlertRule, AlertState, Severity
from bastion.schemas import Output


class AlertValue(BaseModel):
    window: int = Field(description="The window's number in its monitor.")
    window_id: uuid.UUID
    end_at: datetime
    value: float | None = Field(description="None: the window had no value for the metric.")


class AlertRead(Output):
    id: uuid.UUID
    project_id: uuid.UUID
    monitor_id: uuid.UUID
    model_version_id: uuid.UUID
    rule: str
    definition: AlertRule = Field(description="The rule as last judged.")
    severity: Severity
    state: AlertState
    recent: list[AlertValue] = Field(description="The newest windows' values, oldest first.")
    last_value: float | None
    last_window_at: datetime | None
    fired_at: datetime | None
    resolved_at: datetime | None
    evidence_id: uuid.UUID | None = Field(description="The evidence of the latest firing.")
    created_at: datetime
    updated_at: datetime


class AlertQuery(BaseModel):
    """Filters, paging and order of a project's alerts."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = Field(default=None, max_length=2000)
    sort: Literal["updated_at", "-updated_at", "created_at", "-created_at"] = "-updated_at"
    monitor_id: uuid.UUID | None = None
    model_version_id: uuid.UUID | None = None
    state: AlertState | None = None
    severity: Severity | None = None
