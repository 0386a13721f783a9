"""Every domain's tables in one metadata, for migrations and the schema tests."""

from bastion.alerts import models as alert_models
from bastion.compliance import models as compliance_models
from bastion.evidence import models as evidence_models
from bastion.gates import models as gates_models
from bastion.iam import models as iam_models
from bastion.incidents import models as incident_models
from bastion.inventory import models as inventory_models
from bastion.ledger import models as ledger_models
from bastion.monitoring import models as monitoring_models
from bastion.privacy_budget import models as privacy_budget_models
from bastion.risks import models as risk_models
from bastion.storage.base import Base

DOMAINS = (
    iam_models,
    inventory_models,
    ledger_models,
    evidence_models,
    privacy_budget_models,
    risk_models,
    compliance_models,
    gates_models,
    monitoring_models,
    alert_models,
    incident_models,
)
metadata = Base.metadata
