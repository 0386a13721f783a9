"""API schemas of the risk register.

Each field's own range (likelihood 1-5, a known category) is checked here and answered
as 422 naming the field; rules between fields (a residual rating needs a treatment, a
closed risk needs one) are checked by the service on the risk as it would be after the
change, so that a partial update is judged with the fields it leaves alone.
"""

import uuid
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from bastion.inventory.enums import LifecycleStage
from bastion.risks.enums import RiskAction, RiskCategory, RiskSource, RiskStatus, Treatment
from bastion.risks.models import Risk, RiskEvent
from bastion.schemas import Input, LongText, Name, Output, ShortText

MAX_CONTROLS = 200
MAX_EVIDENCE_IDS = 500

Rating = Annotated[int, Field(ge=1, le=5, description="1 (lowest) to 5 (highest).")]
Control = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
]
Controls = Annotated[
    list[Control],
    Field(
        max_length=MAX_CONTROLS,
        description='Control names or framework requirement keys, e.g. "iso_42001:a6_2_4".',
    ),
]
EvidenceIds = Annotated[
    list[uuid.UUID],
    Field(max_length=MAX_EVIDENCE_IDS, description="Evidence that raised or supports the risk."),
]


class RiskCreate(Input):
    """A risk of one AI system of the project."""

    system_id: uuid.UUID
    title: Name
    description: LongText = ""
    category: RiskCategory
    lifecycle_stage: LifecycleStage | None = Field(
        default=None, description="Where in the life cycle it arises; default: the system's."
    )
    owner: ShortText | None = Field(default=None, description="Default: the system's owner.")
    likelihood: Rating
    impact: Rating
    treatment: Treatment | None = Field(default=None, description="None: untreated.")
    treatment_plan: LongText = ""
    controls: Controls = Field(default_factory=list)
    residual_likelihood: Rating | None = Field(
        default=None, description="After treatment; needs a treatment."
    )
    residual_impact: Rating | None = Field(
        default=None, description="After treatment; needs a treatment."
    )
    contingency_plan: LongText = ""
    status: RiskStatus = RiskStatus.OPEN
    review_date: date | None = None
    evidence_ids: EvidenceIds = Field(default_factory=list)


class RiskUpdate(Input):
    """A partial update: omitted fields keep their value; ``version`` is the one read.

    ``null`` is accepted only where it means something (no treatment, no residual rating,
    no review date).
    """

    nullable: ClassVar[frozenset[str]] = frozenset(
        {"treatment", "residual_likelihood", "residual_impact", "review_date"}
    )

    version: int = Field(
        ge=1, description="The version this change is based on; another one answers 409."
    )
    note: LongText | None = Field(default=None, description="Why; kept in the history.")
    system_id: uuid.UUID | None = None
    title: Name | None = None
    description: LongText | None = None
    category: RiskCategory | None = None
    lifecycle_stage: LifecycleStage | None = None
    owner: ShortText | None = None
    likelihood: Rating | None = None
    impact: Rating | None = None
    treatment: Treatment | None = None
    treatment_plan: LongText | None = None
    controls: Controls | None = None
    residual_likelihood: Rating | None = None
    residual_impact: Rating | None = None
    contingency_plan: LongText | None = None
    status: RiskStatus | None = None
    review_date: date | None = None
    evidence_ids: EvidenceIds | None = None

    # A field validator (not a model validator) so that the error names the field.
    @field_validator("*", mode="after")
    @classmethod
    def _no_null_for_required(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable | {"note"}:
            raise ValueError(f"{info.field_name} cannot be null")
        return value

    def changes(self) -> dict[str, Any]:
        """The fields to change, without ``version`` and ``note``."""
        return self.model_dump(exclude_unset=True, exclude={"version", "note"})


class RiskRead(Output):
    id: uuid.UUID
    project_id: uuid.UUID
    number: int
    ref: str = Field(description='The number as people say it: "R-12".')
    system_id: uuid.UUID
    title: str
    description: str
    category: RiskCategory
    lifecycle_stage: LifecycleStage
    owner: str
    likelihood: int
    impact: int
    inherent_score: int = Field(description="likelihood x impact")
    inherent_level: str
    treatment: Treatment | None
    treatment_plan: str
    controls: list[str]
    residual_likelihood: int | None
    residual_impact: int | None
    residual_score: int | None
    residual_level: str | None
    contingency_plan: str
    status: RiskStatus
    review_date: date | None
    evidence_ids: list[str]
    source: RiskSource
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def from_model(cls, risk: Risk) -> "RiskRead":
        return cls.model_validate(risk)


class RiskQuery(BaseModel):
    """Filters, paging and order of the register."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = Field(default=None, max_length=2000)
    sort: Literal[
        "number", "-number", "created_at", "-created_at", "updated_at", "-updated_at",
        "inherent_score", "-inherent_score",
    ] = "number"  # fmt: skip
    system_id: uuid.UUID | None = None
    category: RiskCategory | None = None
    status: RiskStatus | None = None
    level: Literal["low", "medium", "high", "critical"] | None = Field(
        default=None, description="Inherent level."
    )
    overdue: bool = Field(
        default=False, description="Only risks whose review date has passed and not closed."
    )
    untreated_high: bool = Field(
        default=False, description="Only untreated risks of high or critical inherent level."
    )


class RiskEventRead(Output):
    seq: int
    at: datetime
    principal_id: str | None
    action: RiskAction
    changes: dict[str, Any] = Field(description="{field: [old, new]}")
    note: str
    ledger_seq: int

    @classmethod
    def from_model(cls, event: RiskEvent) -> "RiskEventRead":
        return cls.model_validate(event)


class AttentionReason(BaseModel):
    code: Literal["overdue_review", "untreated_high"]
    detail: str


class AttentionItem(BaseModel):
    risk: RiskRead
    reasons: list[AttentionReason]


class Attention(BaseModel):
    """Risks that need someone now, most severe first."""

    as_of: date = Field(description="The day (UTC) the review dates were compared with.")
    items: list[AttentionItem]


class RowError(BaseModel):
    """One invalid value of an import."""

    row: int = Field(description="1 for the first record (CSV: the first line after the header).")
    line: int | None = Field(default=None, description="CSV only: the line in the file.")
    field: str
    message: str


class RiskImportItem(BaseModel):
    """A risk the import created, or (dry run) would create."""

    row: int
    id: uuid.UUID | None = Field(description="None in a dry run.")
    number: int
    ref: str
    system_id: uuid.UUID
    title: str
    category: RiskCategory
    status: RiskStatus
    treatment: Treatment | None
    inherent_score: int
    inherent_level: str
    residual_score: int | None
    residual_level: str | None


class RiskImportResult(BaseModel):
    dry_run: bool
    created: int = Field(description="Risks created; 0 in a dry run.")
    items: list[RiskImportItem]
