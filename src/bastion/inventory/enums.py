"""Closed vocabularies of the inventory, shared by tables, API schemas and the CLI."""

from enum import StrEnum


class LifecycleStage(StrEnum):
    """Where an AI system is in its life (ISO/IEC 22989 life cycle, simplified)."""

    IDEA = "idea"
    DESIGN = "design"
    DEVELOPMENT = "development"
    VALIDATION = "validation"
    DEPLOYED = "deployed"
    RETIRED = "retired"


class ActorRole(StrEnum):
    """The organization's role for the system under the EU AI Act (Art. 3)."""

    PROVIDER = "provider"
    DEPLOYER = "deployer"
    IMPORTER = "importer"
    DISTRIBUTOR = "distributor"


class RiskTier(StrEnum):
    """EU AI Act category, set by the classification (``bastion.classification``)."""

    PROHIBITED = "prohibited"
    HIGH = "high"
    LIMITED = "limited"
    MINIMAL = "minimal"
    # General-purpose AI models are not AI systems: their obligations are their own.
    GPAI = "gpai"
    GPAI_SYSTEMIC_RISK = "gpai_systemic_risk"
    OUT_OF_SCOPE = "out_of_scope"  # an Art. 2 exclusion applies
    UNCLASSIFIED = "unclassified"


class ModelStage(StrEnum):
    DEVELOPMENT = "development"
    STAGING = "staging"
    PRODUCTION = "production"
    RETIRED = "retired"


# Forward only, plus a step back from staging; retired is final. Gates (a later issue)
# will add policy checks on top of these moves.
STAGE_TRANSITIONS: dict[ModelStage, frozenset[ModelStage]] = {
    ModelStage.DEVELOPMENT: frozenset({ModelStage.STAGING, ModelStage.RETIRED}),
    ModelStage.STAGING: frozenset(
        {ModelStage.DEVELOPMENT, ModelStage.PRODUCTION, ModelStage.RETIRED}
    ),
    ModelStage.PRODUCTION: frozenset({ModelStage.RETIRED}),
    ModelStage.RETIRED: frozenset(),
}


class TaskType(StrEnum):
    BINARY_CLASSIFICATION = "binary_classification"
    MULTICLASS_CLASSIFICATION = "multiclass_classification"
    REGRESSION = "regression"
    RANKING = "ranking"
    GENERATION = "generation"
    OTHER = "other"


class DataClassification(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    RESTRICTED = "restricted"


class DatasetRole(StrEnum):
    """How a dataset version was used by a model version."""

    TRAINING = "training"
    EVALUATION = "evaluation"


class DeploymentStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class SubjectType(StrEnum):
    """Records that documents (and, later, evidence) can be attached to."""

    PROJECT = "project"
    AI_SYSTEM = "ai_system"
    MODEL = "model"
    MODEL_VERSION = "model_version"
    DATASET = "dataset"
    DATASET_VERSION = "dataset_version"
    DEPLOYMENT = "deployment"
