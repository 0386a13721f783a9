"""API schemas of the data-protection routes."""

from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from bastion.evidence.schemas import EvidenceRead
from bastion.inventory.schemas import DatasetVersionRead
from bastion.schemas import Input

Column = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class PiiScanCreate(Input):
    """Scan a dataset version's table for personal data."""

    sample: int = Field(
        default=10_000, ge=1, le=10_000_000, description="Values examined per column."
    )
    exact: bool = Field(default=False, description="Examine every value (slower).")
    entities: list[str] | None = Field(default=None, max_length=100)
    encoding: str = Field(default="utf-8", max_length=40)


class ReidentificationCreate(Input):
    """Measure the re-identification risk of a dataset version's table."""

    quasi_identifiers: list[Column] = Field(min_length=1, max_length=50)
    sensitive: list[Column] = Field(default_factory=list, max_length=50)
    k: int = Field(default=5, ge=2, le=1_000_000)
    l: int = Field(default=2, ge=1, le=1000)  # noqa: E741 - the measure's own name
    t: float = Field(default=0.2, gt=0, le=1)


class AnonymizationCreate(Input):
    """Anonymize a dataset version into a new version of the same dataset."""

    spec: dict[str, Any] = Field(description="The anonymization spec (see docs/anonymize.md).")
    version: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        description="Name of the new dataset version."
    )
    use_scan: bool = Field(
        default=True,
        description="Apply the spec's entity rules to the columns the current PII scan of "
        "the source version classified.",
    )


class MinimizationCreate(Input):
    """Check a model version's features against its training data."""

    features: list[Column] | None = Field(
        default=None,
        max_length=10_000,
        description="The model's input columns; default: from the model version's input "
        "schema, else from its uploaded model file.",
    )
    label: list[Column] = Field(
        default_factory=list, max_length=10, description="Columns held on purpose (labels)."
    )
    justifications: dict[Column, Annotated[str, StringConstraints(max_length=2000)]] = Field(
        default_factory=dict, description="Why a special-category feature is needed."
    )


class AnonymizationRead(BaseModel):
    """The new dataset version and the evidence of how it was made."""

    dataset_version: DatasetVersionRead
    evidence: EvidenceRead
