"""What to assess and how: the columns of the data and the options of each assessment."""

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AssessmentKind(StrEnum):
    FAIRNESS = "fairness"
    PERFORMANCE = "performance"
    EXPLAINABILITY = "explainability"
    ROBUSTNESS = "robustness"
    PRIVACY_ATTACK = "privacy_attack"


ColumnName = str
Label = str | int | bool


class AssessmentSpec(BaseModel):
    """One assessment over a table: the kind, the columns it reads, and its options.

    Without ``prediction`` or ``score`` columns the model is asked for them (predictions
    from ``predict``, scores from ``predict_proba``) on the ``features`` columns.
    """

    model_config = ConfigDict(extra="forbid")

    kind: AssessmentKind
    label: ColumnName | None = Field(default=None, description="The true label (or target).")
    prediction: ColumnName | None = Field(
        default=None, description="Predictions made elsewhere (predictions-only mode)."
    )
    score: ColumnName | None = Field(
        default=None, description="Scores made elsewhere: the positive class's probability."
    )
    sensitive: list[ColumnName] = Field(
        default_factory=list, max_length=10, description="Sensitive (protected) columns."
    )
    features: list[ColumnName] | None = Field(
        default=None,
        max_length=10_000,
        description="The model's input columns; default every column but the label, "
        "prediction, score and membership columns.",
    )
    member: ColumnName | None = Field(
        default=None,
        description="privacy_attack without a model: true for rows in the training set.",
    )
    pos_label: Label | None = Field(default=None, description="The positive label.")
    threshold: float = Field(default=0.5, ge=0, le=1, description="Score cut for predictions.")
    thresholds: dict[str, Any] = Field(
        default_factory=dict, description="Overrides of the assessment's verdict thresholds."
    )
    options: dict[str, Any] = Field(
        default_factory=dict, description="Further keyword options of the assessment."
    )
