"""API schemas of privacy budgets and differentially private queries.

The query body carries the fields of :class:`bastion.dp.DpQuery` with their types only;
what they mean together (bounds present and ordered, epsilon above 0, a delta the noise
can use) is checked once, by ``DpQuery`` itself, and answered as 422 naming the field.
"""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bastion.dp.query import MAX_CANDIDATES, MAX_CATEGORIES, DpQuery, Noise, Statistic
from bastion.privacy_budget.models import DpQueryRecord
from bastion.schemas import Input, Output

COMPOSITION = "basic sequential composition: spent ε and δ are the sums over all queries"

ColumnName = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class PrivacyBudgetSet(Input):
    """The total privacy loss the dataset's queries may spend, over all its versions."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    epsilon: float = Field(gt=0, description="Total ε; above 0.")
    delta: float = Field(
        default=0.0, ge=0, lt=1, description="Total δ; 0 allows only pure ε-DP queries."
    )


class PrivacyBudgetRead(Output):
    dataset_id: uuid.UUID
    is_set: bool = Field(description="False until someone sets a budget: no query may run.")
    epsilon: float | None
    delta: float | None
    epsilon_spent: float
    delta_spent: float
    epsilon_remaining: float | None
    delta_remaining: float | None
    query_count: int
    composition: str = COMPOSITION
    set_by: str | None = None
    updated_at: datetime | None = None
    ledger_seq: int | None = None


class DpQueryCreate(Input):
    """One differentially private statistic of a column of the dataset version's table."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    statistic: Statistic
    column: ColumnName
    epsilon: float = Field(description="Privacy loss charged to the dataset's budget; > 0.")
    delta: float = Field(default=0.0, description="0, or > 0 with `noise: gaussian`.")
    lower: float | None = Field(default=None, description="Lower bound (sum, mean, quantile).")
    upper: float | None = Field(default=None, description="Upper bound (sum, mean, quantile).")
    categories: list[Annotated[str, StringConstraints(max_length=200)]] | None = Field(
        default=None, max_length=MAX_CATEGORIES, description="A histogram's categories."
    )
    candidates: list[float] | None = Field(
        default=None, max_length=MAX_CANDIDATES, description="A quantile's candidates."
    )
    alpha: float | None = Field(default=None, description="Which quantile, 0 to 1.")
    size: int | None = Field(default=None, description="A mean's public number of rows.")
    contributions: int = Field(default=1, description="The most rows one person holds.")
    noise: Noise = Noise.LAPLACE

    def to_query(self) -> DpQuery:
        """The compute library's query; raises ``DpInputError`` (422) naming the field."""
        return DpQuery(
            statistic=self.statistic,
            column=self.column,
            epsilon=self.epsilon,
            delta=self.delta,
            lower=self.lower,
            upper=self.upper,
            categories=tuple(self.categories) if self.categories is not None else None,
            candidates=tuple(self.candidates) if self.candidates is not None else None,
            alpha=self.alpha,
            size=self.size,
            contributions=self.contributions,
            noise=self.noise,
        )


class DpQueryRead(Output):
    id: uuid.UUID
    project_id: uuid.UUID
    dataset_id: uuid.UUID
    dataset_version_id: uuid.UUID
    statistic: Statistic
    column: str
    parameters: dict[str, Any]
    epsilon: float
    delta: float
    value: Any = Field(description="The released value (also in `result`).")
    result: dict[str, Any]
    input_digest: str
    principal_id: str | None
    credential: str | None
    created_at: datetime
    ledger_seq: int

    @classmethod
    def from_model(cls, record: DpQueryRecord) -> "DpQueryRead":
        return cls(
            id=record.id,
            project_id=record.project_id,
            dataset_id=record.dataset_id,
            dataset_version_id=record.dataset_version_id,
            statistic=Statistic(record.statistic),
            column=record.column_name,
            parameters=record.parameters,
            epsilon=record.epsilon,
            delta=record.delta,
            value=record.result.get("value"),
            result=record.result,
            input_digest=record.input_digest,
            principal_id=record.principal_id,
            credential=record.credential,
            created_at=record.created_at,
            ledger_seq=record.ledger_seq,
        )


class DpQueryQuery(BaseModel):
    """Filters of the query ledger."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = Field(default=None, max_length=2000)
    sort: Literal["created_at", "-created_at"] = "-created_at"
    statistic: Statistic | None = None
    this_version: bool = Field(
        default=False,
        description="Only this version's queries; by default every query on the dataset, "
        "since they all spend its one budget.",
    )
