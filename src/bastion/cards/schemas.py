"""The model card as data: the JSON format, and what the Markdown and HTML renderings read.

The sections follow Mitchell et al. (2019): model details, intended use, factors,
metrics, evaluation data, training data, quantitative (disaggregated) analyses, ethical
considerations, caveats and recommendations — plus the evidence each figure came from.
"""

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from bastion.evidence.models import Verdict

SCHEMA_VERSION = 1


class CardModelDetails(BaseModel):
    id: uuid.UUID
    name: str
    version: str
    description: str
    framework: str
    task_type: str
    stage: str
    owner: str
    artifact_filename: str | None
    artifact_sha256: str | None
    artifact_size: int | None
    created_at: datetime
    tags: list[str]
    metadata: dict[str, Any]


class CardSystem(BaseModel):
    id: uuid.UUID
    name: str
    purpose: str
    intended_use: str
    deployment_context: str
    affected_groups: list[str]
    risk_tier: str
    actor_role: str
    owner: str


class CardDataset(BaseModel):
    role: str
    id: uuid.UUID
    dataset: str
    version: str
    description: str
    source: str
    rows: int | None
    sha256: str | None
    classification: str | None


class CardEvidence(BaseModel):
    id: uuid.UUID
    kind: str
    verdict: Verdict
    summary: str
    created_at: datetime
    valid_until: datetime | None
    expired: bool
    ledger_seq: int
    inputs: list[dict[str, Any]]


class CardMetric(BaseModel):
    name: str
    value: float | None
    source: str = Field(description="The kind of evidence the figure comes from.")


class CardBreakdown(BaseModel):
    """Figures per group of the sensitive features (a quantitative analysis)."""

    source: str
    features: list[str]
    metrics: list[str]
    rows: list[dict[str, Any]]


class CardImportance(BaseModel):
    feature: str
    share: float | None


class ModelCard(BaseModel):
    schema_version: int = SCHEMA_VERSION
    generated_at: datetime
    project: dict[str, str]
    model: CardModelDetails
    system: CardSystem | None
    intended_use: str
    factors: list[str] = Field(description="Sensitive features assessed, and affected groups.")
    metrics: list[CardMetric]
    training_data: list[CardDataset]
    evaluation_data: list[CardDataset]
    breakdowns: list[CardBreakdown]
    importance: list[CardImportance]
    ethical_considerations: list[str]
    caveats: list[str]
    evidence: list[CardEvidence]
