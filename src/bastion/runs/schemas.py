"""API schema of a server-side assessment run."""

import uuid

from pydantic import Field

from bastion.suite import AssessmentSpec


class AssessmentRunCreate(AssessmentSpec):
    """An assessment of the model version on the data of a registered dataset version."""

    dataset_version_id: uuid.UUID = Field(
        description="The evaluation rows: a dataset version with uploaded CSV, Parquet or "
        "JSON Lines data."
    )
    training_dataset_version_id: uuid.UUID | None = Field(
        default=None,
        description="privacy_attack with the model: the training rows (members).",
    )
    valid_days: int | None = Field(
        default=None, ge=1, le=3650, description="Days the evidence counts for."
    )
