"""Closed vocabularies of the risk register, shared by the tables, the API and the CLI."""

from enum import StrEnum


class RiskCategory(StrEnum):
    """Sources of AI risk, after ISO/IEC 23894 Annex A and the NIST AI RMF's
    trustworthiness characteristics."""

    BIAS_FAIRNESS = "bias_fairness"
    ROBUSTNESS_ADVERSARIAL = "robustness_adversarial"
    PRIVACY = "privacy"
    SECURITY = "security"
    SAFETY = "safety"
    TRANSPARENCY_EXPLAINABILITY = "transparency_explainability"
    PERFORMANCE_OPERATIONAL = "performance_operational"
    LEGAL_COMPLIANCE = "legal_compliance"
    THIRD_PARTY = "third_party"


class Treatment(StrEnum):
    """Risk treatment options (ISO 31000 §6.5.2); none chosen yet means untreated."""

    MITIGATE = "mitigate"
    ACCEPT = "accept"
    TRANSFER = "transfer"
    AVOID = "avoid"


class RiskStatus(StrEnum):
    OPEN = "open"
    IN_TREATMENT = "in_treatment"
    MONITORING = "monitoring"
    CLOSED = "closed"


class RiskSource(StrEnum):
    """How the risk entered the register."""

    MANUAL = "manual"
    EVIDENCE = "evidence"
    IMPORT = "import"


class RiskAction(StrEnum):
    """What one entry of a risk's history did."""

    CREATED = "created"
    UPDATED = "updated"
    RAISED_FROM_EVIDENCE = "raised_from_evidence"
    IMPORTED = "imported"
    CLOSED = "closed"
