"""Compliance on the platform: catalogs, EU AI Act classification, questionnaires, control
implementations and the status that follows from real evidence — each refused cleanly,
with nothing recorded, on bad input."""

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from bastion.compliance import service as compliance_service
from bastion.fairness import assess_fairness
from tests.datasets import german_frame
from tests.inventory.conftest import Inventory, app_runtime, assert_problem

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
ANSWERS = EXAMPLES / "classification"
QUESTIONNAIRES = EXAMPLES / "questionnaires"


def answers(path: Path) -> dict[str, Any]:
    """An answers file as JSON would carry it (YAML reads dates as dates)."""
    loaded: dict[str, Any] = json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))
    return loaded


def fairness_evidence(version_id: str) -> dict[str, Any]:
    frame = german_frame()
    result = assess_fairness(
        frame["good"],
        frame["good"].sample(frac=1, random_state=0),
        sensitive_features=frame[["sex"]],
    )
    return {
        "kind": result.evidence_kind,
        "subject_type": "model_version",
        "subject_id": version_id,
        "verdict": result.verdict,
        "summary": result.summary,
        "result": result.to_dict(),
        "inputs": [{"role": r, "sha256": d} for r, d in result.inputs.items()],
    }


@pytest.fixture
def credit(client: TestClient) -> dict[str, Any]:
    """A bank's credit-scoring system with a model version trained on German Credit."""
    inv = Inventory.create(client, "Credit")
    system = inv.new(
        "systems",
        name="credit scoring <b>",
        purpose="Score consumer credit applications.",
        intended_use="Rank applications for manual review.",
    )
    model = inv.new("models", name="scorer", system_id=system["id"])
    data = inv.new("dataset-versions", row_count=1000, source="UCI Statlog German Credit")
    version = inv.new(
        "model-versions",
        model_id=model["id"],
        version="1.0",
        datasets=[{"dataset_version_id": data["id"], "role": "training"}],
    )
    return {"inv": inv, "system": system, "version": version, "data": data}


def _status(credit: dict[str, Any], framework: str | None = None) -> dict[str, Any]:
    inv: Inventory = credit["inv"]
    params = {"framework": framework} if framework else {}
    response = inv.client.get(
        inv.url(f"/systems/{credit['system']['id']}/compliance"), params=params
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _requirement(status: dict[str, Any], key: str) -> dict[str, Any]:
    for framework in status["frameworks"]:
        for requirement in framework["requirements"]:
            if requirement["key"] == key:
                found: dict[str, Any] = requirement
                return found
    raise AssertionError(f"{key} not in the status")


def _classify(credit: dict[str, Any], file: str = "german_credit_deployer.yaml") -> Any:
    inv: Inventory = credit["inv"]
    return inv.client.post(
        inv.url(f"/systems/{credit['system']['id']}/classification"),
        json={"answers": answers(ANSWERS / file)},
    )


# Catalogs ----------------------------------------------------------------------------------


def test_every_signed_in_principal_reads_the_catalogs(
    client: TestClient, anonymous: TestClient
) -> None:
    listed = client.get("/api/v1/frameworks")
    assert listed.status_code == 200, listed.text
    counts = {f["id"]: f["requirements"] for f in listed.json()}
    assert set(counts) == {"eu_ai_act", "gdpr", "ccpa", "iso_42001", "nist_ai_rmf"}
    assert counts["nist_ai_rmf"] == 72
    assert counts["iso_42001"] == 38
    gdpr = client.get("/api/v1/frameworks/gdpr").json()
    art35 = next(r for r in gdpr["requirements"] if r["id"] == "art35")
    assert "questionnaire.dpia" in " ".join(art35["evidence"])
    assert art35["related"], "crosswalks link the DPIA to other frameworks"
    assert_problem(client.get("/api/v1/frameworks/sox"), 404)
    assert client.get("/api/v1/questionnaires").status_code == 200
    assert client.get("/api/v1/questionnaires/dpia").json()["evidence_kind"] == "questionnaire.dpia"
    assert_problem(client.get("/api/v1/questionnaires/nope"), 404)
    tree = client.get("/api/v1/classification/eu-ai-act").json()
    assert tree["evidence_kind"] == "classification.eu_ai_act"
    assert anonymous.get("/api/v1/frameworks").status_code == 401


# Classification ------------------------------------------------------------------------------


def test_classification_sets_the_tier_and_records_evidence(credit: dict[str, Any]) -> None:
    inv: Inventory = credit["inv"]
    response = _classify(credit)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["risk_tier"] == "high"
    assert body["role"] == "deployer"
    assert body["stale"] is False
    obligations = {o["requirement"] for o in body["obligations"]}
    assert {"eu_ai_act:art26", "eu_ai_act:art27"} <= obligations
    assert "eu_ai_act:art9" not in obligations, "risk management is the provider's duty"
    evidence = body["evidence"]
    assert evidence["kind"] == "classification.eu_ai_act"
    assert evidence["result"]["facts"]["fria_required"] is True
    assert {i["role"] for i in evidence["inputs"]} >= {"catalog"}
    system = inv.get("systems", credit["system"]["id"])
    assert (system["risk_tier"], system["actor_role"]) == ("high", "deployer")
    entries = inv.client.get(inv.url("/audit/entries"), params={"action": "ai_system.classify"})
    assert entries.json()["items"][0]["details"]["changes"]["risk_tier"] == ["unclassified", "high"]


def test_a_changed_purpose_makes_the_classification_stale(credit: dict[str, Any]) -> None:
    inv: Inventory = credit["inv"]
    assert _classify(credit).status_code == 201
    fresh = _status(credit, "eu_ai_act")
    assert _requirement(fresh, "eu_ai_act:art27")["applicable"]
    assert not _requirement(fresh, "eu_ai_act:art50_3")["applicable"]
    response = inv.patch("systems", credit["system"]["id"], {"purpose": "Decide loans alone."})
    assert response.status_code == 200, response.text
    body = inv.client.get(inv.url(f"/systems/{credit['system']['id']}/classification")).json()
    assert body["stale"] is True
    assert "classify it again" in body["status"]
    status = _status(credit, "eu_ai_act")
    assert status["classification"]["stale"] is True
    # Until it is classified again, every tier's requirements are assumed to apply.
    assert _requirement(status, "eu_ai_act:art50_3")["applicable"]
    assert _classify(credit).json()["stale"] is False


@pytest.mark.parametrize(
    ("change", "question"),
    [
        ({"role": "manufacturer"}, "role"),
        ({"no_such_question": True}, "no_such_question"),
    ],
)
def test_an_answer_that_does_not_belong_is_refused_and_nothing_recorded(
    credit: dict[str, Any], change: dict[str, Any], question: str
) -> None:
    inv: Inventory = credit["inv"]
    given = answers(ANSWERS / "german_credit_deployer.yaml") | change
    response = inv.client.post(
        inv.url(f"/systems/{credit['system']['id']}/classification"), json={"answers": given}
    )
    problem = assert_problem(response, 422)
    assert question in problem["detail"] + str(problem.get("field"))
    assert inv.list("evidence", subject_id=credit["system"]["id"])["items"] == []
    assert inv.get("systems", credit["system"]["id"])["risk_tier"] == "unclassified"


# Questionnaires and controls -------------------------------------------------------------------


def test_questionnaires_are_recorded_as_evidence_and_satisfy_requirements(
    credit: dict[str, Any],
) -> None:
    inv: Inventory = credit["inv"]
    assert _classify(credit).status_code == 201
    before = _requirement(_status(credit, "gdpr"), "gdpr:art35")
    assert before["status"] == "missing"
    url = inv.url(f"/systems/{credit['system']['id']}/questionnaires/dpia")
    dpia = answers(QUESTIONNAIRES / "dpia_german_credit.yaml")
    response = inv.client.post(url, json={"answers": dpia})
    assert response.status_code == 201, response.text
    assert response.json()["kind"] == "questionnaire.dpia"
    after = _requirement(_status(credit, "gdpr"), "gdpr:art35")
    assert after["status"] == "satisfied"
    assert after["items"][0]["evidence"]["id"] == response.json()["id"]
    bad = inv.client.post(url, json={"answers": dpia | {"residual_risk": "catastrophic"}})
    assert "residual_risk" in str(assert_problem(bad, 422))
    unknown = inv.client.post(
        inv.url(f"/systems/{credit['system']['id']}/questionnaires/sox"), json={"answers": {}}
    )
    assert_problem(unknown, 422, "questionnaire")


def test_control_owner_due_date_and_justified_not_applicable(credit: dict[str, Any]) -> None:
    inv: Inventory = credit["inv"]
    assert _classify(credit).status_code == 201
    base = inv.url(f"/systems/{credit['system']['id']}/controls")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    owned = inv.client.put(
        f"{base}/eu_ai_act:art26", json={"owner": "Head of Credit Risk", "due_date": yesterday}
    )
    assert owned.status_code == 200, owned.text
    art26 = _requirement(_status(credit, "eu_ai_act"), "eu_ai_act:art26")
    assert (art26["owner"], art26["due_date"], art26["overdue"]) == (
        "Head of Credit Risk",
        yesterday,
        True,
    )
    justified = inv.client.put(
        f"{base}/gdpr:art22", json={"not_applicable": "A credit officer decides every application."}
    )
    assert justified.status_code == 200, justified.text
    art22 = _requirement(_status(credit, "gdpr"), "gdpr:art22")
    assert art22["status"] == "not_applicable"
    assert art22["justified"] is True
    assert [c["requirement"] for c in inv.client.get(base).json()] == [
        "eu_ai_act:art26",
        "gdpr:art22",
    ]
    assert_problem(inv.client.put(f"{base}/gdpr:art99", json={"owner": "x"}), 404)
    assert_problem(inv.client.put(f"{base}/not-a-key", json={"owner": "x"}), 422)
    assert_problem(inv.client.put(f"{base}/gdpr:art5", json={"not_applicable": ""}), 422)
    # The ledger records which fields changed, never the owner's name.
    entries = inv.client.get(inv.url("/audit/entries"), params={"action": "control.implement"})
    assert "Head of Credit Risk" not in entries.text


# Status from real evidence ---------------------------------------------------------------------


def test_status_follows_the_evidence_and_its_expiry(credit: dict[str, Any]) -> None:
    inv: Inventory = credit["inv"]
    assert _classify(credit, "german_credit_provider.yaml").status_code == 201
    key = "eu_ai_act:art10"
    recorded = inv.client.post(
        inv.url("/evidence"), json=fairness_evidence(credit["version"]["id"])
    )
    assert recorded.status_code == 201, recorded.text
    status = _status(credit, "eu_ai_act")
    art10 = _requirement(status, key)
    chosen = [i["evidence"]["id"] for i in art10["items"] if i["evidence"]]
    assert recorded.json()["id"] in chosen, "the fairness assessment of the model version counts"
    # Far in the future, the same evidence has expired: computed, never stored.
    runtime = app_runtime(inv.client)
    with runtime.sessions() as session:
        later = compliance_service.system_status(
            session=session,
            catalog=runtime.catalog,
            project_id=uuid.UUID(inv.project["id"]),
            system_id=uuid.UUID(credit["system"]["id"]),
            framework="eu_ai_act",
            now=datetime.now(UTC) + timedelta(days=3 * 365),
        )
    (framework,) = later.frameworks
    statuses = {r.key: r for r in framework.requirements}
    assert statuses[key].status.value in {"expired", "missing"}
    assert any(i.status.value == "expired" for i in statuses[key].items)


def test_a_pii_scan_that_found_personal_data_brings_gdpr_into_scope(credit: dict[str, Any]) -> None:
    inv: Inventory = credit["inv"]
    assert _status(credit, "gdpr")["facts"].get("personal_data") is not True
    scan = {
        "kind": "scan.pii",
        "subject_type": "dataset_version",
        "subject_id": credit["data"]["id"],
        "verdict": "warn",
        "summary": "1 column holds personal data.",
        "result": {
            "schema_version": 1,
            "columns": [{"column": "email", "entity": "EMAIL_ADDRESS"}],
        },
    }
    assert inv.client.post(inv.url("/evidence"), json=scan).status_code == 201
    status = _status(credit, "gdpr")
    assert status["facts"]["personal_data"] is True
    assert _requirement(status, "gdpr:art5")["applicable"]


def test_project_rollup_counts_every_system(credit: dict[str, Any]) -> None:
    inv: Inventory = credit["inv"]
    inv.new("systems", name="chatbot")
    rollup = inv.client.get(inv.url("/compliance"))
    assert rollup.status_code == 200, rollup.text
    body = rollup.json()
    assert {s["name"] for s in body["systems"]} == {"credit scoring <b>", "chatbot"}
    assert body["totals"]["evaluations"] == 2 * 5


def test_organization_rollup_covers_the_projects_a_principal_may_read(
    credit: dict[str, Any], principals: Any
) -> None:
    inv: Inventory = credit["inv"]
    other = Inventory.create(inv.client, "Fraud")
    other.new("systems", name="fraud detector")
    everything = inv.client.get("/api/v1/compliance")
    assert everything.status_code == 200, everything.text
    body = everything.json()
    assert {p["slug"] for p in body["projects"]} == {inv.slug, other.slug}
    assert body["totals"]["evaluations"] == 2 * 5
    viewer = principals("viewer", inv.slug)
    mine = inv.client.get("/api/v1/compliance", headers=viewer.headers).json()
    assert [p["slug"] for p in mine["projects"]] == [inv.slug]
    assert mine["projects"][0]["systems"][0]["name"] == "credit scoring <b>"
