"""Roles and permissions: the one table that says which role may do what.

Every route declares the permission it needs (``bastion.api.deps.ProjectAccess`` for
project routes, ``OrgAccess`` for organization-wide ones); this module is the only place
that maps roles to permissions, and ``docs/security.md`` prints the same table. Anything
not granted here is denied.
"""

from collections.abc import Mapping
from enum import StrEnum


class Role(StrEnum):
    """A principal's role in one project."""

    OWNER = "owner"
    DATA_SCIENTIST = "data_scientist"
    RISK_OFFICER = "risk_officer"
    AUDITOR = "auditor"
    VIEWER = "viewer"
    SERVICE = "service"


ADMIN = "admin"
"""The organization role: every permission in every project, IAM and the whole ledger."""


class Permission(StrEnum):
    # Project scope: granted by a role in the project.
    PROJECT_READ = "project.read"
    PROJECT_UPDATE = "project.update"
    INVENTORY_READ = "inventory.read"
    INVENTORY_WRITE = "inventory.write"
    ARTIFACT_DOWNLOAD = "artifact.download"
    DATA_DOWNLOAD = "data.download"
    DOCUMENT_DOWNLOAD = "document.download"
    DOCUMENT_WRITE = "document.write"
    ASSESSMENT_RUN = "assessment.run"
    DP_QUERY = "dp.query"
    DP_BUDGET = "dp.budget"
    RISK_WRITE = "risk.write"
    INCIDENT_WRITE = "incident.write"
    COMPLIANCE_WRITE = "compliance.write"
    PROMOTION_APPROVE = "promotion.approve"
    POLICY_MANAGE = "policy.manage"
    EVIDENCE_EXPORT = "evidence.export"
    AUDIT_READ = "audit.read"
    MEMBERS_READ = "members.read"
    MEMBERS_MANAGE = "members.manage"
    MONITORING_READ = "monitoring.read"
    MONITORING_WRITE = "monitoring.write"
    MONITORING_LOG = "monitoring.log"
    # Organization scope: admins only.
    PROJECT_CREATE = "project.create"
    IAM_ADMIN = "iam.admin"
    LEDGER_READ = "ledger.read"
    LEDGER_SIGN = "ledger.sign"
    # Every principal: its own API keys, password and session.
    OWN_CREDENTIALS = "credentials.own"

    @property
    def writes(self) -> bool:
        """Whether the permission changes something; read-scoped keys hold none of these."""
        return self in _WRITES

    @property
    def organization_wide(self) -> bool:
        return self in _ORGANIZATION


_WRITES = frozenset(
    {
        Permission.PROJECT_UPDATE,
        Permission.INVENTORY_WRITE,
        Permission.DOCUMENT_WRITE,
        Permission.ASSESSMENT_RUN,
        Permission.DP_QUERY,
        Permission.DP_BUDGET,
        Permission.RISK_WRITE,
        Permission.INCIDENT_WRITE,
        Permission.COMPLIANCE_WRITE,
        Permission.PROMOTION_APPROVE,
        Permission.POLICY_MANAGE,
        Permission.MEMBERS_MANAGE,
        Permission.MONITORING_WRITE,
        Permission.MONITORING_LOG,
        Permission.PROJECT_CREATE,
        Permission.IAM_ADMIN,
        Permission.LEDGER_SIGN,
        Permission.OWN_CREDENTIALS,
    }
)
_ORGANIZATION = frozenset(
    {
        Permission.PROJECT_CREATE,
        Permission.IAM_ADMIN,
        Permission.LEDGER_READ,
        Permission.LEDGER_SIGN,
    }
)

P = Permission
_READ_INVENTORY = frozenset({P.PROJECT_READ, P.INVENTORY_READ})

ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(P) - _ORGANIZATION - {P.OWN_CREDENTIALS},
    Role.DATA_SCIENTIST: _READ_INVENTORY
    | {
        P.INVENTORY_WRITE,
        P.ARTIFACT_DOWNLOAD,
        P.DATA_DOWNLOAD,
        P.DOCUMENT_DOWNLOAD,
        P.DOCUMENT_WRITE,
        P.ASSESSMENT_RUN,
        P.DP_QUERY,
        # The engineers who build a system know its risks first and record them.
        P.RISK_WRITE,
        # They are also the ones paged when its monitors alert, and handle the incidents.
        P.INCIDENT_WRITE,
        # The policy decides whose approval counts; this only lets them answer.
        P.PROMOTION_APPROVE,
        # They set up the monitors of their models and log what the models see.
        P.MONITORING_READ,
        P.MONITORING_WRITE,
        P.MONITORING_LOG,
    },
    # Risk officers run assessments themselves: independent validation of a model
    # ("effective challenge") is their job, and it records evidence, not inventory.
    Role.RISK_OFFICER: _READ_INVENTORY
    | {
        P.ARTIFACT_DOWNLOAD,
        P.DATA_DOWNLOAD,
        P.DOCUMENT_DOWNLOAD,
        P.DOCUMENT_WRITE,
        P.ASSESSMENT_RUN,
        P.MEMBERS_READ,
        # Setting how much privacy a dataset may lose is a risk decision, not an analyst's.
        P.DP_QUERY,
        P.DP_BUDGET,
        # Keeping the risk register: ratings, treatments, reviews, closing.
        P.RISK_WRITE,
        P.INCIDENT_WRITE,
        # Classifying systems, answering the law's questionnaires and owning controls.
        P.COMPLIANCE_WRITE,
        P.EVIDENCE_EXPORT,
        P.PROMOTION_APPROVE,
        P.POLICY_MANAGE,
        # Watching models in production, and the alert rules on them, is risk work.
        P.MONITORING_READ,
        P.MONITORING_WRITE,
    },
    Role.AUDITOR: _READ_INVENTORY
    | {
        P.ARTIFACT_DOWNLOAD,
        P.DATA_DOWNLOAD,
        P.DOCUMENT_DOWNLOAD,
        P.AUDIT_READ,
        P.MEMBERS_READ,
        P.EVIDENCE_EXPORT,
        P.MONITORING_READ,
    },
    Role.VIEWER: _READ_INVENTORY | {P.MONITORING_READ},
    # A deployed model's service account logs its predictions and the labels that follow.
    Role.SERVICE: _READ_INVENTORY | {P.ARTIFACT_DOWNLOAD, P.MONITORING_READ, P.MONITORING_LOG},
}


def permissions_of(roles: frozenset[Role]) -> frozenset[Permission]:
    granted: frozenset[Permission] = frozenset()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return granted
