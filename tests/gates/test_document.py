"""The evidence document a gate reads: what it holds, which evidence speaks for the model
version, and the digest that makes approvals stale."""

import uuid
from typing import Any

from fastapi.testclient import TestClient

from bastion.gates import document as gate_document
from bastion.storage.base import utcnow
from tests.inventory.conftest import Inventory, app_runtime


def _evidence(subject_type: str, subject_id: str, verdict: str) -> dict[str, Any]:
    return {
        "kind": "assessment.fairness",
        "subject_type": subject_type,
        "subject_id": subject_id,
        "verdict": verdict,
        "summary": f"{verdict} about the {subject_type}",
        "result": {"schema_version": 1},
    }


def test_the_model_versions_own_evidence_speaks_first(client: TestClient) -> None:
    inv = Inventory.create(client, "Document")
    system = inv.new("systems", name="scoring", intended_use="Rank applications.")
    model = inv.new("models", system_id=system["id"])
    data = inv.new("dataset-versions")
    version = inv.new(
        "model-versions",
        model_id=model["id"],
        datasets=[{"dataset_version_id": data["id"], "role": "training"}],
        input_schema={"type": "object", "properties": {"sex": {}, "age": {}}},
    )
    for body in (
        _evidence("model_version", version["id"], "warn"),
        _evidence("ai_system", system["id"], "pass"),  # newer, but about the system
    ):
        assert inv.client.post(inv.url("/evidence"), json=body).status_code == 201
    runtime = app_runtime(client)
    with runtime.read_sessions() as session:
        document = gate_document.assemble(
            session=session,
            catalog=runtime.catalog,
            project_id=uuid.UUID(inv.project["id"]),
            version_id=uuid.UUID(version["id"]),
            gate="production",
            now=utcnow(),
        )
        record = session.get(gate_document.ModelVersion, uuid.UUID(version["id"]))
        assert record is not None
        digest = gate_document.model_digest(record)
    fairness = document["evidence"]["assessment.fairness"]
    assert (fairness["verdict"], fairness["subject_type"]) == ("warn", "model_version")
    assert fairness["expired"] is False
    assert fairness["validity_days"] == 180
    assert document["model_version"]["digest"] == digest
    assert document["model_version"]["features"] == ["age", "sex"]
    assert document["system"]["risk_tier"] == "unclassified"
    assert document["system"]["classification"] == {
        "present": False,
        "stale": False,
        "age_days": None,
    }
    assert document["datasets"][0]["role"] == "training"
    assert document["datasets"][0]["pii_scan"] is None
    assert document["model_card"] == {
        "intended_use": True,
        "training_data": True,
        "performance": False,
    }
    assert document["request"] is None
    assert document["approvals"] == []
    assert set(document["compliance"]) == {"eu_ai_act", "gdpr", "ccpa", "iso_42001", "nist_ai_rmf"}
    # A new artifact changes what an approval approved.
    assert inv.upload("model-versions", version["id"], b"weights").is_success
    with runtime.read_sessions() as session:
        changed = session.get(gate_document.ModelVersion, uuid.UUID(version["id"]))
        assert changed is not None
        assert gate_document.model_digest(changed) != digest
