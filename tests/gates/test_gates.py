"""Release gates through the API: the German-credit system is blocked from production with
clear reasons, the missing evidence is produced, two risk officers approve, and the
promotion passes — with separation of duties, stale approvals, break-glass and custom
bundles along the way."""

import io
import json
import uuid
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from bastion.explain import explain_model
from bastion.fairness import assess_fairness
from bastion.gates.models import PromotionRequest
from bastion.notify import EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from bastion.performance import assess_performance
from bastion.robustness import assess_robustness
from bastion.settings import Settings
from bastion.storage.base import utcnow
from tests.compliance.test_routes import ANSWERS, QUESTIONNAIRES, answers
from tests.conftest import PrincipalFactory, _app
from tests.datasets import german_split, tabular_model
from tests.inventory.conftest import Inventory, app_runtime, assert_problem
from tests.notify.conftest import Receiver


def _body(result: Any, version_id: str) -> dict[str, Any]:
    return {
        "kind": result.evidence_kind,
        "subject_type": "model_version",
        "subject_id": version_id,
        "verdict": result.verdict,
        "summary": result.summary,
        "result": result.to_dict(),
        "inputs": [{"role": r, "sha256": d} for r, d in result.inputs.items()],
    }


@pytest.fixture(scope="module")
def assessed() -> dict[str, Any]:
    """The four assessments of a German-credit model, computed once."""
    split = german_split()
    model = tabular_model(split)
    rows = split.test_rows
    predicted = model.predict(split.X_test)
    buffer = io.StringIO()
    split.X_train.assign(good=split.y_train).to_csv(buffer, index=False)
    return {
        "train_csv": buffer.getvalue().encode(),
        "results": [
            assess_fairness(split.y_test, predicted, sensitive_features=rows[["sex"]]),
            assess_performance(
                split.y_test,
                predicted,
                y_score=model.predict_proba(split.X_test)[:, 1],
                sensitive_features=rows[["sex"]],
            ),
            explain_model(model, split.X_test, y=split.y_test, max_rows=50),
            assess_robustness(
                model, split.X_test, split.y_test, max_samples=4, max_iter=5, time_budget=30
            ),
        ],
    }


class Credit:
    """A bank's high-risk credit-scoring system and its model version, through the API."""

    def __init__(self, client: TestClient, assessed: dict[str, Any]) -> None:
        self.assessed = assessed
        self.inv = inv = Inventory.create(client, "Gates")
        self.system = inv.new(
            "systems",
            name="credit scoring",
            purpose="Score consumer-loan applications.",
            intended_use="Rank applications for a credit officer, who decides.",
        )
        model = inv.new("models", name="credit-scorer", system_id=self.system["id"])
        self.train = inv.new("dataset-versions", version="train")
        assert inv.upload(
            "dataset-versions", self.train["id"], assessed["train_csv"], "train.csv"
        ).is_success
        self.version = inv.new(
            "model-versions",
            model_id=model["id"],
            version="1.0",
            datasets=[{"dataset_version_id": self.train["id"], "role": "training"}],
        )
        classified = inv.client.post(
            inv.url(f"/systems/{self.system['id']}/classification"),
            json={"answers": answers(ANSWERS / "german_credit_provider.yaml")},
        )
        assert classified.json()["risk_tier"] == "high", classified.text

    def move(self, stage: str, headers: dict[str, str] | None = None, **extra: Any) -> Any:
        return self.inv.client.post(
            self.inv.url(f"/model-versions/{self.version['id']}/stage"),
            json={"stage": stage, **extra},
            headers=headers or {},
        )

    def produce_evidence(self) -> None:
        inv = self.inv
        for result in self.assessed["results"]:
            recorded = inv.client.post(inv.url("/evidence"), json=_body(result, self.version["id"]))
            assert recorded.status_code == 201, recorded.text
        scanned = inv.client.post(
            inv.url(f"/dataset-versions/{self.train['id']}/scans/pii"), json={"exact": True}
        )
        assert scanned.status_code == 201, scanned.text
        dpia = inv.client.post(
            inv.url(f"/systems/{self.system['id']}/questionnaires/dpia"),
            json={"answers": answers(QUESTIONNAIRES / "dpia_german_credit.yaml")},
        )
        assert dpia.status_code == 201, dpia.text

    def request(self, headers: dict[str, str]) -> dict[str, Any]:
        response = self.inv.client.post(
            self.inv.url(f"/model-versions/{self.version['id']}/promotion-requests"),
            json={"stage": "production", "comment": "Evidence complete."},
            headers=headers,
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def answer(self, request_id: str, headers: dict[str, str], decision: str = "approve") -> Any:
        return self.inv.client.post(
            self.inv.url(f"/promotion-requests/{request_id}/approvals"),
            json={"decision": decision, "comment": "Reviewed the evidence."},
            headers=headers,
        )


@pytest.fixture
def credit(client: TestClient, assessed: dict[str, Any]) -> Credit:
    return Credit(client, assessed)


def _messages(response: Any) -> str:
    return " | ".join(r["message"] for r in response.json()["decision"]["reasons"])


def test_german_credit_is_blocked_then_promoted(
    credit: Credit, principals: PrincipalFactory
) -> None:
    inv = credit.inv
    assert credit.move("staging").status_code == 200

    blocked = credit.move("production")
    problem = assert_problem(blocked, 409)
    assert problem["field"] == "stage"
    reasons = blocked.json()["decision"]["reasons"]
    kinds = {r["evidence"] for r in reasons}
    assert {
        "assessment.fairness",
        "assessment.performance",
        "assessment.robustness",
        "assessment.explainability",
        "scan.pii",
        "questionnaire.dpia",
    } <= kinds, _messages(blocked)
    assert any(r["requirement"] == "eu_ai_act:art10" for r in reasons)
    assert "risk_officer" in _messages(blocked)
    assert "denied" in problem["detail"]
    # The denial is recorded (committed with the 409), and nothing else changed.
    decisions = inv.list("evidence", kind="policy.decision", subject_id=credit.version["id"])
    assert decisions["items"][0]["verdict"] == "fail"
    assert inv.get("model-versions", credit.version["id"])["stage"] == "staging"

    credit.produce_evidence()
    waiting = credit.move("production")
    assert waiting.status_code == 409
    (only,) = waiting.json()["decision"]["reasons"]
    assert "0 of 2" in only["message"]
    assert "risk_officer" in only["message"]

    scientist = principals("data_scientist", inv.slug)
    other_scientist = principals("data_scientist", inv.slug)
    viewer = principals("viewer", inv.slug)
    officers = [principals("risk_officer", inv.slug) for _ in range(2)]
    request = credit.request(scientist.headers)
    assert_problem(credit.answer(request["id"], scientist.headers), 403)  # the requester
    assert_problem(credit.answer(request["id"], viewer.headers), 403)  # no permission
    refused = assert_problem(credit.answer(request["id"], other_scientist.headers), 403)
    assert "risk_officer" in refused["detail"]
    assert credit.answer(request["id"], officers[0].headers).status_code == 201
    assert_problem(credit.answer(request["id"], officers[0].headers), 409)  # counts once
    one = credit.move("production")
    assert "1 of 2" in _messages(one)
    assert credit.answer(request["id"], officers[1].headers).status_code == 201

    promoted = credit.move("production", headers=scientist.headers)
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["changed"] is True
    assert promoted.json()["decision"]["allow"] is True
    assert inv.get("model-versions", credit.version["id"])["stage"] == "production"
    closed = inv.client.get(inv.url(f"/promotion-requests/{request['id']}")).json()
    assert closed["status"] == "completed"
    assert len(closed["approvals"]) == 2
    latest = inv.list(
        "evidence", kind="policy.decision", subject_id=credit.version["id"], current=True
    )
    (decision,) = latest["items"]
    assert decision["verdict"] == "pass"
    assert {i["role"] for i in decision["inputs"]} == {"policy_bundle", "evidence_document"}
    assert decision["result"]["bundle"]["version"] == "builtin"
    actions = [
        e["action"]
        for e in inv.client.get(inv.url("/audit/entries"), params={"limit": 500}).json()["items"]
    ]
    assert {"promotion.request", "promotion.approve", "model_version.update"} <= set(actions)


def test_an_approval_given_before_the_model_changed_does_not_count(
    credit: Credit, principals: PrincipalFactory
) -> None:
    inv = credit.inv
    credit.produce_evidence()
    assert credit.move("staging").status_code == 200
    request = credit.request(principals("data_scientist", inv.slug).headers)
    for _ in range(2):
        officer = principals("risk_officer", inv.slug)
        assert credit.answer(request["id"], officer.headers).status_code == 201
    # A new artifact is a different model: both approvals are now stale.
    assert inv.upload(
        "model-versions", credit.version["id"], b"new weights", "model.bin"
    ).is_success
    stale = credit.move("production")
    assert stale.status_code == 409
    assert "0 of 2" in _messages(stale)


def test_a_rejection_closes_the_request(credit: Credit, principals: PrincipalFactory) -> None:
    early = credit.inv.client.post(
        credit.inv.url(f"/model-versions/{credit.version['id']}/promotion-requests"),
        json={"stage": "production"},
    )
    assert "allowed: retired, staging" in assert_problem(early, 409)["detail"]
    assert credit.move("staging").status_code == 200
    request = credit.request(principals("data_scientist", credit.inv.slug).headers)
    officer = principals("risk_officer", credit.inv.slug)
    assert credit.answer(request["id"], officer.headers, "reject").status_code == 201
    late = principals("risk_officer", credit.inv.slug)
    assert "rejected" in assert_problem(credit.answer(request["id"], late.headers), 409)["detail"]


def test_break_glass_is_for_admins_and_loud(credit: Credit, principals: PrincipalFactory) -> None:
    inv = credit.inv
    owner = principals("owner", inv.slug)
    reason = "Regulator-mandated rollback of the previous model; evidence follows in 48 h."
    assert_problem(credit.move("staging", owner.headers, break_glass=reason), 403)
    assert_problem(credit.move("staging", break_glass="too short"), 422, "break_glass")
    # Staging is allowed anyway: nothing is overridden, nothing flagged.
    staged = credit.move("staging", break_glass=reason)
    assert staged.status_code == 200, staged.text
    assert staged.json()["decision"]["evidence"]["result"]["break_glass"] is None
    forced = credit.move("production", break_glass=reason)
    assert forced.status_code == 200, forced.text
    decision = forced.json()["decision"]
    assert decision["allow"] is False
    assert decision["evidence"]["verdict"] == "warn"
    assert decision["evidence"]["result"]["break_glass"]["justification"] == reason
    entries = inv.client.get(inv.url("/audit/entries"), params={"action": "gate.break_glass"})
    assert entries.json()["items"], "break-glass has its own ledger action"
    report = inv.client.get(inv.url(f"/systems/{credit.system['id']}/report")).text
    assert "Break-glass" in report
    assert reason in report


def test_checking_a_gate_records_the_decision_and_changes_nothing(credit: Credit) -> None:
    inv = credit.inv
    url = inv.url(f"/model-versions/{credit.version['id']}/gates")
    checked = inv.client.post(f"{url}/production")
    assert checked.status_code == 200, checked.text
    assert checked.json()["allow"] is False
    assert checked.json()["evidence"]["kind"] == "policy.decision"
    assert inv.get("model-versions", credit.version["id"])["stage"] == "development"
    assert inv.client.post(f"{url}/register").json()["allow"] is True
    assert_problem(inv.client.post(f"{url}/launch"), 422, "gate")


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


LENIENT = """package bastion.gates.production

import rego.v1

decision := {"allow": true, "reasons": [], "approvals": []}
"""


def test_an_uploaded_bundle_is_compiled_first_then_in_force(credit: Credit) -> None:
    inv = credit.inv
    url = inv.url("/policy-bundles")
    headers = {"Content-Type": "application/zip"}
    broken = _zip({"production.rego": LENIENT.replace("decision :=", "decision =:")})
    problem = assert_problem(inv.client.post(url, content=broken, headers=headers), 422)
    assert "production.rego" in problem["detail"]
    assert ":5" in problem["detail"]
    assert inv.client.get(url).json()["in_force"]["version"] == "builtin"

    uploaded = inv.client.post(url, content=_zip({"production.rego": LENIENT}), headers=headers)
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["version"] == 1
    assert credit.move("staging").status_code == 409  # the upload defines no staging gate
    checked = inv.client.post(inv.url(f"/model-versions/{credit.version['id']}/gates/production"))
    assert checked.json()["allow"] is True
    assert checked.json()["bundle"] == {"version": "v1", "digest": uploaded.json()["digest"]}
    entries = inv.client.get(inv.url("/audit/entries"), params={"action": "policy.bundle.upload"})
    assert entries.json()["items"][0]["details"]["digest"] == uploaded.json()["digest"]


STRICT_REGISTER = """package bastion.gates.register

import rego.v1

decision := {"allow": false, "reasons": [{"requirement": null, "evidence": "scan.model",
    "message": "register only scanned model files"}], "approvals": []}
"""


def test_a_denied_registration_creates_nothing(credit: Credit) -> None:
    inv = credit.inv
    uploaded = inv.client.post(
        inv.url("/policy-bundles"),
        content=_zip({"register.rego": STRICT_REGISTER}),
        headers={"Content-Type": "application/zip"},
    )
    assert uploaded.status_code == 201, uploaded.text
    before = inv.list("model-versions")["items"]
    refused = inv.post("model-versions", inv.required("model-versions"))
    problem = assert_problem(refused, 409)
    assert "register only scanned model files" in problem["detail"]
    assert inv.list("model-versions")["items"] == before
    denials = inv.client.get(inv.url("/audit/entries"), params={"action": "gate.deny"}).json()
    assert denials["items"][0]["details"]["gate"] == "register"


def test_an_expired_request_cannot_be_answered(
    credit: Credit, principals: PrincipalFactory
) -> None:
    assert credit.move("staging").status_code == 200
    request = credit.request(principals("data_scientist", credit.inv.slug).headers)
    runtime = app_runtime(credit.inv.client)
    with runtime.unit_of_work() as session:
        stored = session.get(PromotionRequest, uuid.UUID(request["id"]))
        assert stored is not None
        stored.expires_at = utcnow() - timedelta(minutes=1)
    officer = principals("risk_officer", credit.inv.slug)
    problem = assert_problem(credit.answer(request["id"], officer.headers), 409)
    assert "expired" in problem["detail"]


def test_promotion_steps_are_sent_as_signed_webhooks(
    settings: Settings, assessed: dict[str, Any], receiver: Receiver
) -> None:
    secret = "whsec-gates-test-only"
    configured = settings.model_copy(
        update={
            "notification_webhook_url": receiver.url,
            "notification_webhook_secret": SecretStr(secret),
        }
    )
    started = _app(configured)
    with TestClient(started.app, raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {started.admin_key}"
        credit = Credit(client, assessed)
        assert credit.move("staging").status_code == 200
        request = credit.request({})
        reason = "Regulator-ordered rollback; the evidence follows within two days."
        assert credit.move("production", break_glass=reason).status_code == 200
        received = receiver.wait_for(2)
    events = [r.headers.get(EVENT_HEADER) for r in received]
    assert events == ["promotion.requested", "gate.break_glass"]
    first = received[0]
    assert verify(
        secret.encode(),
        first.body,
        first.headers.get(SIGNATURE_HEADER),
        first.headers.get(TIMESTAMP_HEADER),
    )
    assert json.loads(first.body)["data"]["request_id"] == request["id"]
