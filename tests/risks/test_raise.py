"""Failing evidence raises risks: recorded through POST /evidence (the hook in
``record_evidence``), resolved to the AI systems of its subject, updating the open risk
of the same category rather than piling up new ones."""

import uuid

from bastion.evidence.models import Evidence, Verdict
from bastion.ledger import service as ledger_service
from bastion.ledger.models import LedgerEntry
from bastion.risks import service as risk_service
from bastion.storage.database import transaction
from tests.inventory.conftest import app_runtime
from tests.risks.conftest import Register


def test_a_failing_fairness_assessment_raises_a_risk_then_updates_it(reg: Register) -> None:
    first = reg.evidence(reg.version["id"])
    [risk] = reg.listing()
    assert risk["title"] == "Failing fairness assessment: credit-model 3"
    assert risk["category"] == "bias_fairness"
    assert risk["system_id"] == reg.system["id"]
    assert (risk["likelihood"], risk["impact"], risk["inherent_level"]) == (4, 4, "high")
    assert (risk["status"], risk["treatment"], risk["source"]) == ("open", None, "evidence")
    assert risk["owner"] == "Credit risk team"
    assert risk["evidence_ids"] == [first["id"]]
    assert "demographic parity ratio 0.61" in risk["description"]
    [raised] = reg.history(risk["ref"])
    assert raised["action"] == "raised_from_evidence"
    assert first["id"] in raised["note"]

    # Someone lowered the likelihood; a second failing run raises it to 4 again.
    assert reg.patch(risk["ref"], version=1, likelihood=2).status_code == 200
    second = reg.evidence(reg.version["id"], summary="demographic parity ratio 0.58")
    [again] = reg.listing()
    assert again["id"] == risk["id"]
    assert again["evidence_ids"] == [first["id"], second["id"]]
    assert again["likelihood"] == 4
    last = reg.history(risk["ref"])[-1]
    assert last["action"] == "raised_from_evidence"
    assert last["changes"]["evidence_ids"] == [[first["id"]], [first["id"], second["id"]]]
    assert last["changes"]["likelihood"] == [2, 4]
    with app_runtime(reg.client).sessions() as session:
        entry = session.get(LedgerEntry, last["ledger_seq"])
        assert entry is not None
        assert entry.action == "risk.raise"
        assert entry.details["evidence_id"] == second["id"]

    # The register of the system is recorded after each: an untreated high risk fails it.
    registers = reg.registers()
    assert len(registers) == 3  # raise, patch, raise
    assert registers[-1].verdict == "fail"


def test_passing_or_unrelated_evidence_raises_nothing(reg: Register) -> None:
    reg.evidence(reg.version["id"], verdict="pass")
    reg.evidence(reg.version["id"], verdict="warn")
    reg.evidence(reg.version["id"], kind="classification.eu_ai_act")
    reg.evidence(reg.system["id"], subject_type="ai_system", kind="document.dpia")
    assert reg.listing() == []
    assert reg.registers() == []
    # A model without a system: nothing to attach a risk to.
    orphan = reg.inv.new("model-versions")
    reg.evidence(orphan["id"])
    assert reg.listing() == []


def test_categories_by_kind_and_subject(reg: Register) -> None:
    reg.evidence(reg.system["id"], subject_type="ai_system", kind="assessment.robustness")
    reg.evidence(reg.version["id"], kind="scan.model")
    reg.evidence(reg.version["id"], kind="monitoring.alert",
                 result={"schema_version": 1, "risk_category": "safety"})  # fmt: skip
    reg.evidence(reg.version["id"], kind="incident.report",
                 result={"schema_version": 1, "risk_category": "not-a-category"})  # fmt: skip
    # A dataset version raises risks for the systems of the model versions it trained.
    data = reg.inv.new("dataset-versions")
    link = {"datasets": [{"dataset_version_id": data["id"], "role": "training"}]}
    assert reg.inv.patch("model-versions", reg.version["id"], link).status_code == 200
    reg.evidence(data["id"], subject_type="dataset_version", kind="scan.pii")
    risks = {r["category"]: r for r in reg.listing()}
    assert set(risks) == {
        "robustness_adversarial", "security", "safety", "performance_operational", "privacy",
    }  # fmt: skip
    assert risks["robustness_adversarial"]["title"] == "Failing robustness assessment: credit"
    assert risks["safety"]["title"] == "Monitoring alert: credit-model 3"
    assert risks["privacy"]["title"].startswith("Failing PII scan: ")
    assert all(r["system_id"] == reg.system["id"] for r in risks.values())


def test_a_closed_risk_is_not_reopened_a_new_one_is_raised(reg: Register) -> None:
    reg.evidence(reg.version["id"])
    [risk] = reg.listing()
    closed = reg.patch(risk["ref"], version=1, treatment="accept", status="closed")
    assert closed.status_code == 200, closed.text
    reg.evidence(reg.version["id"])
    refs = [(r["ref"], r["status"]) for r in reg.listing()]
    assert refs == [("R-1", "closed"), ("R-2", "open")]


def test_raise_from_evidence_called_directly(reg: Register) -> None:
    """The service function on an evidence row: what the hook calls, in the caller's
    transaction."""
    recorded = reg.evidence(reg.version["id"], verdict="pass")
    with transaction(app_runtime(reg.client).sessions) as session:
        ledger_service.bind(session, ledger_service.AuditContext(actor_kind="test"))
        row = session.get(Evidence, uuid.UUID(recorded["id"]))
        assert row is not None
        assert risk_service.raise_from_evidence(session, row) == []
        # The same result, failing: a new object, since evidence rows never change.
        failing = Evidence(
            id=row.id, project_id=row.project_id, kind=row.kind,
            subject_type=row.subject_type, subject_id=row.subject_id,
            verdict=Verdict.FAIL, summary=row.summary, result=row.result,
        )  # fmt: skip
        raised = risk_service.raise_from_evidence(session, failing)
        assert [r.ref for r in raised] == ["R-1"]
    [risk] = reg.listing()
    assert (risk["ref"], risk["evidence_ids"]) == ("R-1", [recorded["id"]])
