"""API schemas of incidents: create (report), update, note, close, and what is read back."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from bastion.alerts.rules import Severity
from bastion.incidents.enums import EventKind, IncidentSource, IncidentStatus
from bastion.incidents.models import Incident, IncidentEvent
from bastion.risks.enums import RiskCategory
from bastion.schemas import Input, LongText, Name, Output, ShortText

Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
Resolution = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=10, max_length=20_000)
]


class IncidentCreate(Input):
    """An incident someone reports by hand (alerts open theirs themselves)."""

    system_id: uuid.UUID
    title: Name
    description: LongText = ""
    severity: Severity = Severity.HIGH
    owner: ShortText | None = Field(default=None, description="Default: the system's owner.")
    risk_category: RiskCategory = Field(
        default=RiskCategory.PERFORMANCE_OPERATIONAL,
        description="The category of the risk the report raises in the register.",
    )


class IncidentUpdate(Input):
    """A partial update: omitted fields keep their value. Closing is its own call
    (``…/close``), which asks for a resolution."""

    title: Name | None = None
    description: LongText | None = None
    severity: Severity | None = None
    status: Literal[IncidentStatus.INVESTIGATING, IncidentStatus.MITIGATED] | None = Field(
        default=None, description="investigating or mitigated; close with …/close."
    )
    owner: ShortText | None = None
    note: LongText | None = Field(default=None, description="Why; kept in the timeline.")

    # A field validator (not a model validator) so that the error names the field.
    @field_validator("*", mode="after")
    @classmethod
    def _no_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name != "note":
            raise ValueError(f"{info.field_name} cannot be null")
        return value

    def changes(self) -> dict[str, Any]:
        """The fields to change, without ``note``."""
        return self.model_dump(exclude_unset=True, exclude={"note"})


class IncidentNote(Input):
    note: Note


class IncidentClose(Input):
    resolution: Resolution = Field(
        description="What happened and what was done: at least 10 characters."
    )


class IncidentRead(Output):
    id: uuid.UUID
    project_id: uuid.UUID
    number: int
    ref: str = Field(description='The number as people say it: "I-3".')
    system_id: uuid.UUID
    title: str
    description: str
    severity: Severity
    status: IncidentStatus
    source: IncidentSource
    owner: str
    resolution: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    alert_ids: list[uuid.UUID] = Field(default_factory=list)
    evidence_ids: list[uuid.UUID] = Field(default_factory=list)
    risk_ids: list[uuid.UUID] = Field(default_factory=list)

    @classmethod
    def from_model(
        cls, incident: Incident, links: dict[str, list[uuid.UUID]] | None = None
    ) -> "IncidentRead":
        read = cls.model_validate(incident)
        for kind, ids in (links or {}).items():
            setattr(read, f"{kind}_ids", ids)
        return read


class IncidentEventRead(Output):
    seq: int
    at: datetime
    principal_id: str | None
    kind: EventKind
    note: str
    details: dict[str, Any]
    ledger_seq: int

    @classmethod
    def from_model(cls, event: IncidentEvent) -> "IncidentEventRead":
        return cls.model_validate(event)


class IncidentDetail(IncidentRead):
    """An incident with its timeline, oldest entry first."""

    events: list[IncidentEventRead] = Field(default_factory=list)


class IncidentQuery(BaseModel):
    """Filters, paging and order of a project's incidents."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = Field(default=None, max_length=2000)
    sort: Literal["number", "-number", "created_at", "-created_at", "updated_at", "-updated_at"] = (
        "-number"
    )
    system_id: uuid.UUID | None = None
    status: IncidentStatus | None = None
    severity: Severity | None = None
    open_only: bool = Field(default=False, description="Only incidents that are not closed.")
