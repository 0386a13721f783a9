"""API schemas of monitoring: monitors, the batches of the prediction and label log, and
evaluated windows.

A field's own shape (a known task, a positive duration, unique alert rule names) is
checked here and answered as 422 naming the field; what needs the reference data (do the
columns exist in it?) or the DriftConfig is checked by the service when it fits the
reference profile.
"""

import re
import uuid
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bastion.alerts.rules import AlertRules
from bastion.monitoring.models import LabelBatch, Monitor, MonitorWindow, PredictionBatch
from bastion.schemas import Input, JsonObject, LongText, Name, Output

MAX_COLUMNS = 1000
# A week: a monitor that runs less often than that is a report, not a monitor.
MAX_SCHEDULE_SECONDS = 7 * 86_400
MIN_SCHEDULE_SECONDS = 10
MAX_PERIOD_SECONDS = 366 * 86_400
MAX_WINDOW_ROWS = 10_000_000

ColumnName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Columns = Annotated[list[ColumnName], Field(max_length=MAX_COLUMNS)]
LabelValue = Annotated[str | int | bool | float, Field(union_mode="left_to_right")]

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}


def parse_duration(value: Any) -> int:
    """Seconds, from a whole number of seconds or text such as ``"15m"``, ``"1h"``,
    ``"1d"`` (units s, m, h, d, w)."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or text such as '1h'")
    if isinstance(value, int):
        seconds = value
    elif isinstance(value, str) and (match := _DURATION.match(value)):
        seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    else:
        raise ValueError(f"{value!r} is not a duration: give seconds or text such as '1h', '1d'")
    if seconds <= 0:
        raise ValueError("a duration must be positive")
    return seconds


Duration = Annotated[int, BeforeValidator(parse_duration)]


class WindowSpec(Input):
    """Either a fixed number of predictions per window, in the order they were logged,
    or a period of the predictions' timestamps (aligned to the Unix epoch: daily windows
    start at 00:00 UTC)."""

    rows: int | None = Field(default=None, ge=1, le=MAX_WINDOW_ROWS)
    period: Duration | None = Field(
        default=None, description='Seconds or text such as "1h", "1d"; answered in seconds.'
    )

    @model_validator(mode="after")
    def _one_kind(self) -> "WindowSpec":
        if (self.rows is None) == (self.period is None):
            raise ValueError('give exactly one of "rows" or "period"')
        if self.period is not None and self.period > MAX_PERIOD_SECONDS:
            raise ValueError(f"period: at most {MAX_PERIOD_SECONDS} seconds")
        return self

    def stored(self) -> dict[str, int]:
        return {"rows": self.rows} if self.rows is not None else {"period": int(self.period or 0)}


class PerformanceSettings(Input):
    """How to judge predictions against the labels that arrive for them."""

    task: Literal["classification", "regression"] = "classification"
    pos_label: LabelValue | None = Field(
        default=None, description="The positive class; default: 1, True, or the larger label."
    )
    score_column: ColumnName | None = Field(
        default=None, description="A column of scores (probabilities) for ROC AUC, calibration."
    )
    min_labels: int = Field(
        default=50,
        ge=1,
        description="Fewer labelled predictions in a window: insufficient_data, no figures.",
    )


class MonitorCreate(Input):
    """A monitor of one model version's logged predictions."""

    name: Name
    description: LongText = ""
    dataset_version_id: uuid.UUID | None = Field(
        default=None,
        description="The reference: a dataset version with uploaded data. Omit it to upload "
        "a reference file afterwards (PUT …/monitors/{id}/reference).",
    )
    columns: Columns | None = Field(
        default=None,
        description="Columns to watch; default: the reference's columns but the id, label "
        "and timestamp columns.",
    )
    categorical: Columns | None = Field(
        default=None, description="Columns to treat as categories; default: the non-numeric."
    )
    prediction_column: ColumnName = "prediction"
    label_column: ColumnName | None = Field(
        default=None, description="A label column in the reference, left out of the watch."
    )
    protected_attributes: Columns = Field(
        default_factory=list, description="Logged columns fairness is measured across."
    )
    performance: PerformanceSettings = Field(default_factory=PerformanceSettings)
    window: WindowSpec = Field(default_factory=lambda: WindowSpec(period=86_400))
    drift_config: JsonObject = Field(
        default_factory=dict, description="Overrides of bastion.drift.DriftConfig's defaults."
    )
    learn_thresholds: bool = Field(
        default=False,
        description="Learn each watched column's drift band (mean ± 3 sigma) from windows of the "
        "reference itself; written into drift_config.columns (columns with a rule keep it).",
    )
    min_rows: int = Field(
        default=100, ge=1, description="Fewer rows in a window: insufficient_data, no drift."
    )
    schedule: Duration = Field(
        default=3600, description='How often the server runs it: seconds or "15m", "1h".'
    )
    enabled: bool = True
    alert_rules: AlertRules = Field(default_factory=list)

    @field_validator("schedule")
    @classmethod
    def _schedule_range(cls, value: int) -> int:
        return _schedule_in_range(value)


def _schedule_in_range(value: int) -> int:
    if not MIN_SCHEDULE_SECONDS <= value <= MAX_SCHEDULE_SECONDS:
        raise ValueError(
            f"must be between {MIN_SCHEDULE_SECONDS} and {MAX_SCHEDULE_SECONDS} seconds"
        )
    return value


class MonitorUpdate(Input):
    """A partial update: omitted fields keep their value; ``version`` is the one read.

    ``null`` is accepted only where it means something (no label column, inferred
    categories, default columns).
    """

    nullable: ClassVar[frozenset[str]] = frozenset({"label_column", "columns", "categorical"})

    version: int = Field(ge=1, description="The version read; another one answers 409.")
    name: Name | None = None
    description: LongText | None = None
    columns: Columns | None = None
    categorical: Columns | None = None
    prediction_column: ColumnName | None = None
    label_column: ColumnName | None = None
    protected_attributes: Columns | None = None
    performance: PerformanceSettings | None = None
    window: WindowSpec | None = None
    drift_config: JsonObject | None = None
    min_rows: int | None = Field(default=None, ge=1)
    schedule: Duration | None = None
    enabled: bool | None = None
    alert_rules: AlertRules | None = None

    @field_validator("*", mode="after")
    @classmethod
    def _no_null_for_required(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError(f"{info.field_name} cannot be null")
        if info.field_name == "schedule" and value is not None:
            return _schedule_in_range(value)
        return value

    def changes(self) -> dict[str, Any]:
        """The fields to change, without ``version``, in the form they are stored."""
        changes = self.model_dump(exclude_unset=True, exclude={"version"})
        if "window" in changes and self.window is not None:
            changes["window"] = self.window.stored()
        if "alert_rules" in changes and self.alert_rules is not None:
            changes["alert_rules"] = [r.model_dump(mode="json") for r in self.alert_rules]
        if "performance" in changes and self.performance is not None:
            changes["performance"] = self.performance.model_dump(mode="json")
        if "schedule" in changes:
            changes["schedule_seconds"] = changes.pop("schedule")
        return changes


class MonitorRead(Output):
    id: uuid.UUID
    project_id: uuid.UUID
    model_version_id: uuid.UUID
    name: str
    description: str
    reference: dict[str, Any] = Field(
        description='{"source": "dataset_version" | "upload", "dataset_version_id", '
        '"digest", "rows"}; "digest" is absent until a reference is in place.'
    )
    columns: list[str]
    categorical: list[str]
    prediction_column: str
    label_column: str | None
    protected_attributes: list[str]
    performance: dict[str, Any]
    window: dict[str, int] = Field(description='{"rows": N} or {"period": seconds}')
    drift_config: dict[str, Any]
    min_rows: int
    schedule: int = Field(
        validation_alias=AliasChoices("schedule_seconds", "schedule"), description="Seconds."
    )
    enabled: bool
    alert_rules: list[dict[str, Any]]
    next_run_at: datetime | None
    last_run_at: datetime | None
    last_error: str | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def from_model(cls, monitor: Monitor) -> "MonitorRead":
        return cls.model_validate(monitor)


class MonitorQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = Field(default=None, max_length=2000)
    sort: Literal["name", "-name", "created_at", "-created_at"] = "name"
    model_version_id: uuid.UUID | None = None
    enabled: bool | None = None


class BatchQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = Field(default=None, max_length=2000)


class WindowQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = Field(default=None, max_length=2000)
    sort: Literal["index", "-index"] = "-index"


class Finding(BaseModel):
    """A data quality finding of one column at ingestion; the batch is kept."""

    column: str
    finding: Literal["all_null", "infinite", "type_change", "missing_column", "new_column"]
    rows: int | None = None
    detail: str = ""


class PredictionBatchRead(Output):
    id: uuid.UUID
    model_version_id: uuid.UUID
    seq: int
    first_row: int = Field(description="Rows logged for the model version before this batch.")
    rows: int
    digest: str
    size: int
    columns: dict[str, str] = Field(description="{column: Arrow type}")
    started_at: datetime
    ended_at: datetime
    duplicates: int = Field(
        description="Prediction ids already logged in an earlier batch; the earlier row "
        "counts, these are left out of every window."
    )
    findings: list[Finding]
    received_at: datetime
    repeated: bool = Field(
        default=False,
        description="The same content was logged before (a retry): nothing new was stored.",
    )

    @classmethod
    def from_model(cls, batch: PredictionBatch, *, repeated: bool = False) -> "PredictionBatchRead":
        return cls.model_validate(batch).model_copy(update={"repeated": repeated})


class LabelBatchRead(Output):
    id: uuid.UUID
    model_version_id: uuid.UUID
    seq: int
    rows: int = Field(description="Labels kept: one per prediction id.")
    digest: str
    size: int
    duplicates: int = Field(
        description="Labels given twice in this batch, or for a prediction an earlier batch "
        "labelled; the last one given wins."
    )
    unknown: int = Field(
        description="Labels of prediction ids not logged yet: kept, they count once the "
        "predictions arrive."
    )
    unknown_ids: list[str] = Field(default_factory=list, description="The first few of them.")
    received_at: datetime

    @classmethod
    def from_model(cls, batch: LabelBatch, *, unknown_ids: list[str]) -> "LabelBatchRead":
        return cls.model_validate(batch).model_copy(update={"unknown_ids": unknown_ids})


class WindowRead(Output):
    index: int = Field(validation_alias=AliasChoices("number", "index"))
    start_at: datetime
    end_at: datetime
    start_row: int | None
    end_row: int | None
    rows: int
    labelled: int
    status: str = Field(description='"ok" or "insufficient_data" (fewer rows than min_rows).')
    metrics: dict[str, float | None]
    revision: int = Field(description="1, plus one per re-evaluation after late labels.")
    evidence_id: uuid.UUID | None
    evaluated_at: datetime

    @classmethod
    def from_model(cls, window: MonitorWindow) -> "WindowRead":
        return cls.model_validate(window)


class RunRead(BaseModel):
    """What one run of a monitor did."""

    monitor_id: uuid.UUID
    evaluated: list[WindowRead] = Field(description="Windows evaluated for the first time.")
    reevaluated: list[WindowRead] = Field(
        description="Past windows whose performance was computed again after late labels."
    )
    pending: bool = Field(description="More complete windows are waiting; the next run takes them.")
    note: str = ""
