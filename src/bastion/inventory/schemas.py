"""API schemas of the inventory, kept apart from the tables."""

import uuid
from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from pydantic import AliasChoices, Field, StringConstraints

from bastion.inventory.enums import (
    ActorRole,
    DataClassification,
    DatasetRole,
    DeploymentStatus,
    LifecycleStage,
    ModelStage,
    RiskTier,
    SubjectType,
    TaskType,
)
from bastion.schemas import (
    Input,
    JsonObject,
    Labelled,
    LabelledOutput,
    ListQuery,
    LongText,
    Name,
    Output,
    Sha256Hex,
    ShortText,
    Update,
    Version,
)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
Url = Annotated[str, StringConstraints(max_length=2000)]


class Record(LabelledOutput):
    id: uuid.UUID
    created_at: datetime
    updated_at: datetime


class ProjectRecord(Record):
    project_id: uuid.UUID


# Projects ----------------------------------------------------------------------------


class ProjectCreate(Labelled):
    name: Name
    slug: Slug | None = Field(
        default=None, description="URL name; derived from the name when omitted."
    )
    description: LongText = ""


class ProjectUpdate(Update):
    name: Name | None = None
    description: LongText | None = None


class ProjectRead(Record):
    slug: str
    name: str
    description: str


# AI systems --------------------------------------------------------------------------


class SystemCreate(Labelled):
    name: Name
    purpose: LongText = ""
    intended_use: LongText = ""
    owner: ShortText = ""
    business_unit: ShortText = ""
    deployment_context: LongText = ""
    affected_groups: list[ShortText] = Field(default_factory=list, max_length=100)
    lifecycle_stage: LifecycleStage = LifecycleStage.IDEA
    actor_role: ActorRole = ActorRole.DEPLOYER


class SystemUpdate(Update):
    name: Name | None = None
    purpose: LongText | None = None
    intended_use: LongText | None = None
    owner: ShortText | None = None
    business_unit: ShortText | None = None
    deployment_context: LongText | None = None
    affected_groups: list[ShortText] | None = Field(default=None, max_length=100)
    lifecycle_stage: LifecycleStage | None = None
    actor_role: ActorRole | None = None


class SystemRead(ProjectRecord):
    name: str
    purpose: str
    intended_use: str
    owner: str
    business_unit: str
    deployment_context: str
    affected_groups: list[str]
    lifecycle_stage: LifecycleStage
    actor_role: ActorRole
    risk_tier: RiskTier = Field(description="Set by the EU AI Act classification.")


# Models and versions -----------------------------------------------------------------


class ModelCreate(Labelled):
    name: Name
    system_id: uuid.UUID | None = None
    description: LongText = ""
    owner: ShortText = ""


class ModelUpdate(Update):
    nullable: ClassVar[frozenset[str]] = frozenset({"system_id"})

    name: Name | None = None
    system_id: uuid.UUID | None = None
    description: LongText | None = None
    owner: ShortText | None = None


class ModelRead(ProjectRecord):
    name: str
    system_id: uuid.UUID | None
    description: str
    owner: str


class DatasetLink(Input):
    dataset_version_id: uuid.UUID
    role: DatasetRole


class DatasetLinkRead(Output):
    dataset_version_id: uuid.UUID
    role: DatasetRole


class ModelVersionCreate(Labelled):
    model_id: uuid.UUID
    version: Version
    description: LongText = ""
    framework: ShortText = ""
    task_type: TaskType = TaskType.OTHER
    input_schema: JsonObject = Field(default_factory=dict)
    output_schema: JsonObject = Field(default_factory=dict)
    artifact_digest: Sha256Hex | None = Field(
        default=None, description="SHA-256 of a model kept elsewhere; an upload must match it."
    )
    datasets: list[DatasetLink] = Field(
        default_factory=list, max_length=1000, description="Training and evaluation data."
    )


class ModelVersionUpdate(Update):
    description: LongText | None = None
    framework: ShortText | None = None
    task_type: TaskType | None = None
    input_schema: JsonObject | None = None
    output_schema: JsonObject | None = None
    stage: ModelStage | None = None
    datasets: list[DatasetLink] | None = Field(
        default=None, max_length=1000, description="Replaces all dataset links."
    )


class ModelVersionRead(ProjectRecord):
    model_id: uuid.UUID
    version: str
    description: str
    framework: str
    task_type: TaskType
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]
    stage: ModelStage
    artifact_digest: str | None
    artifact_size: int | None = Field(description="Set once the artifact is uploaded.")
    artifact_filename: str | None
    datasets: list[DatasetLinkRead] = Field(
        validation_alias=AliasChoices("dataset_links", "datasets")
    )


# Datasets and versions ---------------------------------------------------------------


class DatasetCreate(Labelled):
    name: Name
    description: LongText = ""
    source: LongText = ""
    owner: ShortText = ""
    classification: DataClassification = DataClassification.INTERNAL


class DatasetUpdate(Update):
    name: Name | None = None
    description: LongText | None = None
    source: LongText | None = None
    owner: ShortText | None = None
    classification: DataClassification | None = None


class DatasetRead(ProjectRecord):
    name: str
    description: str
    source: str
    owner: str
    classification: DataClassification


class DatasetVersionCreate(Labelled):
    dataset_id: uuid.UUID
    version: Version
    description: LongText = ""
    source: LongText = ""
    data_schema: JsonObject = Field(default_factory=dict)
    row_count: int | None = Field(default=None, ge=0)
    content_digest: Sha256Hex | None = None
    classification: DataClassification | None = Field(
        default=None, description="Overrides the dataset's classification."
    )
    retention_until: date | None = None


class DatasetVersionUpdate(Update):
    nullable: ClassVar[frozenset[str]] = frozenset(
        {"row_count", "classification", "retention_until"}
    )

    description: LongText | None = None
    source: LongText | None = None
    data_schema: JsonObject | None = None
    row_count: int | None = Field(default=None, ge=0)
    classification: DataClassification | None = None
    retention_until: date | None = None


class DatasetVersionRead(ProjectRecord):
    dataset_id: uuid.UUID
    version: str
    description: str
    source: str
    data_schema: dict[str, Any]
    row_count: int | None
    content_digest: str | None
    classification: DataClassification | None
    retention_until: date | None
    artifact_size: int | None = Field(description="Set once the data is uploaded.")
    artifact_filename: str | None


# Deployments -------------------------------------------------------------------------


class DeploymentCreate(Labelled):
    name: Name
    model_version_id: uuid.UUID
    environment: ShortText = ""
    endpoint_url: Url = ""
    status: DeploymentStatus = DeploymentStatus.ACTIVE


class DeploymentUpdate(Update):
    model_version_id: uuid.UUID | None = None
    environment: ShortText | None = None
    endpoint_url: Url | None = None
    status: DeploymentStatus | None = None


class DeploymentRead(ProjectRecord):
    name: str
    model_version_id: uuid.UUID
    environment: str
    endpoint_url: str
    status: DeploymentStatus


# Documents ---------------------------------------------------------------------------


class DocumentUpdate(Update):
    title: Name | None = None
    kind: ShortText | None = None


class DocumentRead(ProjectRecord):
    subject_type: SubjectType
    subject_id: uuid.UUID
    title: str
    kind: str
    filename: str
    media_type: str
    digest: str
    size: int


# Lineage -----------------------------------------------------------------------------


class LineageNode(Output):
    type: SubjectType
    id: uuid.UUID
    label: str


class LineageEdge(Output):
    source: uuid.UUID
    target: uuid.UUID
    relation: str = Field(
        description="`trained`, `evaluated`, `version_of`, `deployed_as`, `used_by`."
    )


class LineageGraph(Output):
    root: LineageNode
    nodes: list[LineageNode]
    edges: list[LineageEdge]


# List filters ------------------------------------------------------------------------


class ProjectQuery(ListQuery):
    pass


class SystemQuery(ListQuery):
    name: Name | None = Field(default=None, description="Exactly this name.")
    lifecycle_stage: LifecycleStage | None = None
    actor_role: ActorRole | None = None
    risk_tier: RiskTier | None = None
    owner: ShortText | None = None


class ModelQuery(ListQuery):
    name: Name | None = Field(default=None, description="Exactly this name.")
    system_id: uuid.UUID | None = None
    owner: ShortText | None = None


class ModelVersionQuery(ListQuery):
    version: Version | None = Field(default=None, description="Exactly this version.")
    model_id: uuid.UUID | None = None
    stage: ModelStage | None = None
    task_type: TaskType | None = None


class DatasetQuery(ListQuery):
    name: Name | None = Field(default=None, description="Exactly this name.")
    classification: DataClassification | None = None
    owner: ShortText | None = None


class DatasetVersionQuery(ListQuery):
    version: Version | None = Field(default=None, description="Exactly this version.")
    dataset_id: uuid.UUID | None = None
    classification: DataClassification | None = None


class DeploymentQuery(ListQuery):
    name: Name | None = Field(default=None, description="Exactly this name.")
    model_version_id: uuid.UUID | None = None
    environment: ShortText | None = None
    status: DeploymentStatus | None = None


class DocumentQuery(ListQuery):
    subject_type: SubjectType | None = None
    subject_id: uuid.UUID | None = None
    kind: ShortText | None = None
