"""The words a framework catalog may use: evidence kinds, facts, risk tiers and roles.

Data only, transcribed from the tables of ``docs/frameworks.md`` (the contract of the
catalog format). Catalogs are checked against these when they load; a catalog may add
evidence kinds of its own but never redefine one listed here.
"""

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from pydantic import BaseModel, ConfigDict, PositiveInt

__all__ = [
    "CATALOG_RISK_TIERS",
    "EVIDENCE_KINDS",
    "FACTS",
    "RISK_TIERS",
    "ROLES",
    "UNCLASSIFIED",
    "EvidenceKind",
]


class EvidenceKind(BaseModel):
    """What an evidence kind records and how long a piece of it counts.

    Attributes
    ----------
    description : str
        What produces evidence of this kind.
    validity_days : int or None
        Days after its creation that the evidence expires; ``None`` never expires.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    description: str
    validity_days: PositiveInt | None = None


# (kind, produced by, validity in days) — the table "Evidence kinds" of docs/frameworks.md.
_EVIDENCE_KIND_TABLE: Final = (
    ("assessment.fairness", "fairness assessment", 180),
    ("assessment.fairness_mitigation", "fairness mitigation run", 365),
    ("assessment.performance", "performance assessment", 180),
    ("assessment.explainability", "explainability assessment", 365),
    ("assessment.robustness", "robustness assessment", 365),
    ("assessment.privacy_attack", "membership-inference assessment", 365),
    ("assessment.reidentification", "k-anonymity / l-diversity / t-closeness", 365),
    ("scan.pii", "PII scan of a dataset version", 365),
    ("scan.model", "model file scan", None),
    ("check.data_minimization", "data minimization check", 365),
    ("classification.eu_ai_act", "EU AI Act classification", 365),
    ("questionnaire.dpia", "data protection impact assessment (GDPR Art. 35)", 365),
    ("questionnaire.ropa", "record of processing activities (GDPR Art. 30)", 365),
    ("questionnaire.fria", "fundamental rights impact assessment (AI Act Art. 27)", 365),
    ("questionnaire.art22", "automated decision-making safeguards (GDPR Art. 22)", 365),
    ("risk.register", "the system's risk register (recorded on every change)", 90),
    ("monitoring.window", "a monitoring window", 30),
    ("monitoring.plan", "the monitors attached to a model version", 365),
    ("incident.report", "an incident and its handling", None),
    ("policy.decision", "a release-gate decision", None),
    ("approval.promotion", "an approval of a promotion", None),
    ("signature.artifact", "a verified artifact signature", None),
    ("document.ai_policy", "uploaded: the organization's AI policy", 365),
    ("document.roles_and_responsibilities", "uploaded: who is accountable for what", 365),
    ("document.ai_literacy", "uploaded: training records of staff", 365),
    (
        "document.technical_documentation",
        "uploaded: Annex IV technical documentation",
        365,
    ),
    ("document.instructions_for_use", "uploaded: instructions for deployers", 365),
    (
        "document.data_governance",
        "uploaded: data sourcing, preparation and quality practices",
        365,
    ),
    ("document.logging", "uploaded: what the system logs and how long it is kept", 365),
    (
        "document.human_oversight",
        "uploaded: oversight measures and who exercises them",
        365,
    ),
    ("document.quality_management_system", "uploaded: QMS procedures", 365),
    (
        "document.conformity_assessment",
        "uploaded: conformity assessment and CE marking",
        730,
    ),
    ("document.eu_registration", "uploaded: EU database registration", 730),
    (
        "document.post_market_monitoring_plan",
        "uploaded: post-market monitoring plan",
        365,
    ),
    (
        "document.incident_procedure",
        "uploaded: serious-incident reporting procedure",
        365,
    ),
    (
        "document.transparency_notice",
        "uploaded: notice to people interacting with the system",
        365,
    ),
    (
        "document.privacy_notice",
        "uploaded: privacy notice / notice at collection",
        365,
    ),
    ("document.lawful_basis", "uploaded: lawful basis assessment", 365),
    (
        "document.data_subject_request_procedure",
        "uploaded: access, deletion and correction handling",
        365,
    ),
    (
        "document.opt_out_mechanism",
        "uploaded: opt-out of sale/sharing, limit use of sensitive data",
        365,
    ),
    (
        "document.security_controls",
        "uploaded: security measures (encryption, access control)",
        365,
    ),
    (
        "document.supplier_assessment",
        "uploaded: third-party and supplier due diligence",
        365,
    ),
    (
        "document.stakeholder_engagement",
        "uploaded: consultation of affected people",
        365,
    ),
    ("document.impact_assessment", "uploaded: AI system impact assessment", 365),
    (
        "document.decommissioning_plan",
        "uploaded: retirement and decommissioning",
        730,
    ),
    (
        "document.gpai_documentation",
        "uploaded: GPAI model documentation and copyright policy",
        365,
    ),
    (
        "document.evaluation_report",
        "uploaded: model evaluation and adversarial testing report",
        365,
    ),
)

EVIDENCE_KINDS: Final[Mapping[str, EvidenceKind]] = MappingProxyType(
    {
        kind: EvidenceKind(description=description, validity_days=validity_days)
        for kind, description, validity_days in _EVIDENCE_KIND_TABLE
    }
)

# The table "Facts" of docs/frameworks.md: what the classification questionnaire (or a
# PII scan, for personal_data) established about a system.
FACTS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "personal_data": "the system processes personal data",
        "special_category_data": "it processes special categories (GDPR Art. 9)",
        "profiling": "it profiles natural persons",
        "automated_decisions": (
            "it makes decisions with legal or similarly significant effects without human "
            "involvement (GDPR Art. 22, CCPA ADMT)"
        ),
        "interacts_with_people": "people interact with it directly (AI Act Art. 50(1))",
        "synthetic_content": ("it generates synthetic audio, image, video or text (Art. 50(2))"),
        "emotion_or_biometric_categorisation": (
            "emotion recognition or biometric categorisation (Art. 50(3))"
        ),
        "deep_fake": "it generates or manipulates deep fakes (Art. 50(4))",
        "fria_required": ("the deployer must do a fundamental rights impact assessment (Art. 27)"),
        "public_sector": "the deployer is a public body or provides a public service",
        "california_consumers": "it processes personal information of California residents",
        "sells_or_shares_data": "personal information is sold or shared (CCPA)",
        "safety_component": "it is a safety component of a product under Annex I law",
        "annex_iii_derogation": (
            "it is in an Annex III area but an Art. 6(3) derogation was accepted "
            "(documented under Art. 6(4))"
        ),
    }
)

# The tier of a system that has not been classified yet: a valid tier for a system, but
# never a catalog condition, because such a system is assumed to be in scope of all.
UNCLASSIFIED: Final = "unclassified"

# The EU AI Act tiers a catalog's applies_when may name.
CATALOG_RISK_TIERS: Final[tuple[str, ...]] = (
    "prohibited",
    "high",
    "limited",
    "minimal",
    "gpai",
    "gpai_systemic_risk",
    "out_of_scope",
)

# Every tier a system can have.
RISK_TIERS: Final[tuple[str, ...]] = (*CATALOG_RISK_TIERS, UNCLASSIFIED)

ROLES: Final[tuple[str, ...]] = ("provider", "deployer", "importer", "distributor")
