"""Frameworks as data: the laws, standards and frameworks Bastion checks AI systems
against (EU AI Act, GDPR, CCPA, ISO/IEC 42001, NIST AI RMF and custom ones), loaded from
validated YAML catalogs, and the compliance status of a system computed from its
evidence. Pure computation: no database, no server. See ``docs/frameworks.md``.

>>> from datetime import UTC, datetime
>>> from bastion.frameworks import SystemProfile, evaluate, load_catalog
>>> catalog = load_catalog()
>>> catalog.equivalents("gdpr:art35")
>>> status = evaluate(catalog, "gdpr", SystemProfile("high", "provider", {"personal_data": True}),
...                   evidence=[], implementations={}, now=datetime.now(UTC))
>>> status.counts, status.score
"""

from bastion.frameworks.catalog import (
    Applicability,
    Catalog,
    Crosswalk,
    Framework,
    Requirement,
)
from bastion.frameworks.errors import (
    CatalogError,
    StatusInputError,
    UnknownFramework,
    UnknownRequirement,
)
from bastion.frameworks.loader import load_catalog, load_framework_file
from bastion.frameworks.status import (
    ChosenEvidence,
    EvidenceItem,
    FrameworkStatus,
    Implementation,
    ItemStatus,
    RequirementStatus,
    Status,
    SystemProfile,
    applies,
    evaluate,
    rollup,
)
from bastion.frameworks.vocabulary import (
    CATALOG_RISK_TIERS,
    EVIDENCE_KINDS,
    FACTS,
    RISK_TIERS,
    ROLES,
    UNCLASSIFIED,
    EvidenceKind,
)

__all__ = [
    "CATALOG_RISK_TIERS",
    "EVIDENCE_KINDS",
    "FACTS",
    "RISK_TIERS",
    "ROLES",
    "UNCLASSIFIED",
    "Applicability",
    "Catalog",
    "CatalogError",
    "ChosenEvidence",
    "Crosswalk",
    "EvidenceItem",
    "EvidenceKind",
    "Framework",
    "FrameworkStatus",
    "Implementation",
    "ItemStatus",
    "Requirement",
    "RequirementStatus",
    "Status",
    "StatusInputError",
    "SystemProfile",
    "UnknownFramework",
    "UnknownRequirement",
    "applies",
    "evaluate",
    "load_catalog",
    "load_framework_file",
    "rollup",
]
