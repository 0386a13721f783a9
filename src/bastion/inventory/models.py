"""Inventory tables. Every record but the project belongs to exactly one project."""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
from bastion.storage.base import Base, IdMixin, LabelsMixin, NameColumn, TimestampMixin, string_enum


def _project_fk() -> Mapped[uuid.UUID]:
    return mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)


class Project(IdMixin, TimestampMixin, LabelsMixin, Base):
    __tablename__ = "projects"

    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(NameColumn)
    description: Mapped[str] = mapped_column(Text, default="")


class AISystem(IdMixin, TimestampMixin, LabelsMixin, Base):
    __tablename__ = "ai_systems"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    project_id: Mapped[uuid.UUID] = _project_fk()
    name: Mapped[str] = mapped_column(NameColumn)
    purpose: Mapped[str] = mapped_column(Text, default="")
    intended_use: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    business_unit: Mapped[str] = mapped_column(String(200), default="")
    deployment_context: Mapped[str] = mapped_column(Text, default="")
    affected_groups: Mapped[list[str]] = mapped_column(default=list)
    lifecycle_stage: Mapped[LifecycleStage] = mapped_column(
        string_enum(LifecycleStage), default=LifecycleStage.IDEA
    )
    actor_role: Mapped[ActorRole] = mapped_column(
        string_enum(ActorRole), default=ActorRole.DEPLOYER
    )
    risk_tier: Mapped[RiskTier] = mapped_column(
        string_enum(RiskTier), default=RiskTier.UNCLASSIFIED
    )


class Model(IdMixin, TimestampMixin, LabelsMixin, Base):
    __tablename__ = "models"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    project_id: Mapped[uuid.UUID] = _project_fk()
    system_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("ai_systems.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(NameColumn)
    description: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")


class ModelVersion(IdMixin, TimestampMixin, LabelsMixin, Base):
    __tablename__ = "model_versions"
    __table_args__ = (UniqueConstraint("model_id", "version"),)

    project_id: Mapped[uuid.UUID] = _project_fk()
    model_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("models.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    framework: Mapped[str] = mapped_column(String(100), default="")
    task_type: Mapped[TaskType] = mapped_column(string_enum(TaskType), default=TaskType.OTHER)
    input_schema: Mapped[dict[str, Any]] = mapped_column(default=dict)
    output_schema: Mapped[dict[str, Any]] = mapped_column(default=dict)
    stage: Mapped[ModelStage] = mapped_column(
        string_enum(ModelStage), default=ModelStage.DEVELOPMENT
    )
    # Declared for a model kept elsewhere, or set by an upload, which must match it.
    artifact_digest: Mapped[str | None] = mapped_column(String(64), default=None)
    # Set only once the artifact itself is in the artifact store.
    artifact_size: Mapped[int | None] = mapped_column(BigInteger, default=None)
    artifact_filename: Mapped[str | None] = mapped_column(String(255), default=None)

    dataset_links: Mapped[list["ModelVersionDataset"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ModelVersionDataset.role"
    )


class Dataset(IdMixin, TimestampMixin, LabelsMixin, Base):
    __tablename__ = "datasets"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    project_id: Mapped[uuid.UUID] = _project_fk()
    name: Mapped[str] = mapped_column(NameColumn)
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    classification: Mapped[DataClassification] = mapped_column(
        string_enum(DataClassification), default=DataClassification.INTERNAL
    )


class DatasetVersion(IdMixin, TimestampMixin, LabelsMixin, Base):
    __tablename__ = "dataset_versions"
    __table_args__ = (UniqueConstraint("dataset_id", "version"),)

    project_id: Mapped[uuid.UUID] = _project_fk()
    dataset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    data_schema: Mapped[dict[str, Any]] = mapped_column("schema", default=dict)
    row_count: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # Declared by the client for data kept elsewhere, or set when the data is uploaded;
    # an upload must match a declared digest.
    content_digest: Mapped[str | None] = mapped_column(String(64), default=None)
    classification: Mapped[DataClassification | None] = mapped_column(
        string_enum(DataClassification), default=None
    )
    retention_until: Mapped[date | None] = mapped_column(default=None)
    # Set only once the data itself is in the artifact store.
    artifact_size: Mapped[int | None] = mapped_column(BigInteger, default=None)
    artifact_filename: Mapped[str | None] = mapped_column(String(255), default=None)


class ModelVersionDataset(Base):
    """Lineage edge: a dataset version trained or evaluated a model version."""

    __tablename__ = "model_version_datasets"

    model_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), primary_key=True
    )
    dataset_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("dataset_versions.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    role: Mapped[DatasetRole] = mapped_column(string_enum(DatasetRole), primary_key=True)


class Deployment(IdMixin, TimestampMixin, LabelsMixin, Base):
    """Lineage edge and record: a model version serving somewhere."""

    __tablename__ = "deployments"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    project_id: Mapped[uuid.UUID] = _project_fk()
    model_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("model_versions.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(NameColumn)
    environment: Mapped[str] = mapped_column(String(100), default="")
    endpoint_url: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[DeploymentStatus] = mapped_column(
        string_enum(DeploymentStatus), default=DeploymentStatus.ACTIVE
    )


class Document(IdMixin, TimestampMixin, LabelsMixin, Base):
    """An evidence file (a signed DPIA, a vendor contract) attached to an inventory record."""

    __tablename__ = "documents"

    project_id: Mapped[uuid.UUID] = _project_fk()
    subject_type: Mapped[SubjectType] = mapped_column(string_enum(SubjectType))
    subject_id: Mapped[uuid.UUID] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(NameColumn)
    kind: Mapped[str] = mapped_column(String(100), default="document")
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(255))
    digest: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
