"""Evidence through the API: recorded with its ledger entry, superseded rather than
changed, refused when malformed, and immutable in the database."""

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bastion.ledger.models import LedgerEntry
from bastion.storage.base import utcnow
from tests.inventory.conftest import Inventory, app_runtime, assert_problem


@pytest.fixture
def inv(client: TestClient) -> Inventory:
    return Inventory.create(client, "Evidence")


def _body(subject_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "assessment.fairness",
        "subject_type": "model_version",
        "subject_id": subject_id,
        "verdict": "warn",
        "summary": "demographic parity ratio 0.78 across sex",
        "result": {"schema_version": 1, "demographic_parity_ratio": 0.78},
        "inputs": [{"role": "data", "sha256": "ab" * 32}],
        "software": {"name": "bastion", "version": "0.1.0"},
    }
    return body | overrides


def _record(inv: Inventory, body: dict[str, Any]) -> Any:
    return inv.client.post(inv.url("/evidence"), json=body)


def test_recorded_with_its_ledger_entry(inv: Inventory) -> None:
    version = inv.new("model-versions")
    response = _record(inv, _body(version["id"]))
    assert response.status_code == 201, response.text
    evidence = response.json()
    assert evidence["verdict"] == "warn"
    assert evidence["supersedes"] is None
    assert evidence["produced_by"]["credential"].startswith("api_key:")
    assert evidence["produced_by"]["software"] == {"name": "bastion", "version": "0.1.0"}
    with app_runtime(inv.client).sessions() as session:
        entry = session.get(LedgerEntry, evidence["ledger_seq"])
        assert entry is not None
        assert entry.action == "evidence.record"
        assert entry.resource_id == evidence["id"]
        assert entry.details["kind"] == "assessment.fairness"
    assert inv.client.get(inv.url(f"/evidence/{evidence['id']}")).json() == evidence


def test_a_new_run_supersedes_the_previous_one(inv: Inventory) -> None:
    version = inv.new("model-versions")
    first = _record(inv, _body(version["id"])).json()
    second = _record(inv, _body(version["id"], verdict="pass")).json()
    other_kind = _record(inv, _body(version["id"], kind="assessment.performance")).json()
    assert second["supersedes"] == first["id"]
    assert other_kind["supersedes"] is None
    current = inv.client.get(
        inv.url("/evidence"), params={"current": "true", "kind": "assessment.fairness"}
    ).json()
    assert [e["id"] for e in current["items"]] == [second["id"]]
    everything = inv.client.get(inv.url("/evidence"), params={"subject_id": version["id"]})
    kinds = [e["kind"] for e in everything.json()["items"]]
    # Three assessments, and the decision of the register gate the version passed.
    assert sorted(kinds) == sorted(
        [*["assessment.fairness"] * 2, "assessment.performance", "policy.decision"]
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"result": {"value": 1}}, "result"),
        ({"kind": "Fairness"}, "kind"),
        ({"verdict": "maybe"}, "verdict"),
        ({"summary": ""}, "summary"),
        ({"inputs": [{"role": "data", "sha256": "not-a-digest"}]}, "inputs[0].sha256"),
        ({"valid_until": (utcnow() - timedelta(days=1)).isoformat()}, "valid_until"),
        ({"result": {"schema_version": 1, "blob": "x" * (1024 * 1024)}}, "result"),
    ],
)
def test_malformed_evidence_is_refused_naming_the_field(
    inv: Inventory, overrides: dict[str, Any], field: str
) -> None:
    version = inv.new("model-versions")
    before = inv.client.get(inv.url("/evidence")).json()["items"]
    assert_problem(_record(inv, _body(version["id"], **overrides)), 422, field)
    assert inv.client.get(inv.url("/evidence")).json()["items"] == before


def test_subject_must_be_in_the_project(client: TestClient, inv: Inventory) -> None:
    elsewhere = Inventory.create(client, "Elsewhere").new("model-versions")
    assert_problem(_record(inv, _body(elsewhere["id"])), 422, "subject_id")


def test_unknown_evidence_is_404(inv: Inventory) -> None:
    assert_problem(inv.client.get(inv.url(f"/evidence/{inv.new('systems')['id']}")), 404)


@pytest.mark.parametrize(
    "statement", ["UPDATE evidence SET verdict = 'pass'", "DELETE FROM evidence"]
)
def test_the_database_refuses_to_change_evidence(inv: Inventory, statement: str) -> None:
    version = inv.new("model-versions")
    assert _record(inv, _body(version["id"])).status_code == 201
    with (
        pytest.raises(DBAPIError, match="append-only"),
        app_runtime(inv.client).sessions() as session,
        session.begin(),
    ):
        session.execute(text(statement))
