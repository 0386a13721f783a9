"""Data protection on registered data: PII scans, re-identification risk, anonymization
into a new dataset version, and the data minimization check — each recorded as evidence,
each refused cleanly (nothing recorded) on bad input."""

import hashlib
import io
from typing import Any

import pandas as pd
import pytest
from faker import Faker
from fastapi.testclient import TestClient

from tests.datasets import german_frame
from tests.inventory.conftest import Inventory, assert_problem


@pytest.fixture(scope="module")
def people_csv() -> bytes:
    """German Credit rows with generated identifiers and a special-category column."""
    fake = Faker("en_US")
    Faker.seed(1994)
    frame = german_frame().head(300)[["duration", "credit_amount", "age", "purpose", "good"]]
    frame = frame.assign(
        name=[fake.name() for _ in range(len(frame))],
        email=[fake.email() for _ in range(len(frame))],
        ssn=[fake.ssn() for _ in range(len(frame))],
        religion=[
            ["Christian", "Muslim", "Jewish", "Hindu", "None"][i % 5] for i in range(len(frame))
        ],
    )
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


@pytest.fixture
def world(client: TestClient, people_csv: bytes) -> dict[str, Any]:
    inv = Inventory.create(client, "Data protection")
    dataset = inv.new("datasets", name="applicants")
    data = inv.new("dataset-versions", dataset_id=dataset["id"], version="raw")
    assert inv.upload("dataset-versions", data["id"], people_csv, "applicants.csv").is_success
    return {"inv": inv, "dataset": dataset, "data": data, "csv": people_csv}


def _post(world: dict[str, Any], path: str, body: dict[str, Any]) -> Any:
    inv: Inventory = world["inv"]
    return inv.client.post(inv.url(path), json=body)


def _evidence(world: dict[str, Any], subject_id: str) -> list[dict[str, Any]]:
    inv: Inventory = world["inv"]
    return inv.list("evidence", subject_id=subject_id)["items"]


def test_scan_records_the_classification_of_every_column(world: dict[str, Any]) -> None:
    data_id = world["data"]["id"]
    response = _post(world, f"/dataset-versions/{data_id}/scans/pii", {"exact": True})
    assert response.status_code == 201, response.text
    evidence = response.json()
    assert evidence["kind"] == "scan.pii"
    assert evidence["subject_type"] == "dataset_version"
    entities = {c["column"]: c["entity"] for c in evidence["result"]["columns"]}
    assert entities["email"] == "EMAIL_ADDRESS"
    assert entities["ssn"] == "US_SSN"
    assert entities["duration"] is None
    assert "religion" in {s["column"] for s in evidence["result"]["special_categories"]}
    assert evidence["result"]["suggested_classification"] == "restricted"
    assert evidence["inputs"] == [
        {"role": "data", "sha256": hashlib.sha256(world["csv"]).hexdigest()}
    ]
    # The evidence names entities, never the values found.
    assert "@" not in str(evidence["result"])


def test_reidentification_risk(world: dict[str, Any]) -> None:
    data_id = world["data"]["id"]
    path = f"/dataset-versions/{data_id}/assessments/reidentification"
    response = _post(world, path, {"quasi_identifiers": ["age", "purpose"], "k": 5})
    assert response.status_code == 201, response.text
    result = response.json()["result"]
    assert result["k"] >= 1
    assert result["k_target"] == 5
    assert_problem(_post(world, path, {"quasi_identifiers": ["zip"]}), 422)
    assert_problem(_post(world, path, {"quasi_identifiers": []}), 422, "quasi_identifiers")
    assert len(_evidence(world, data_id)) == 1


def test_anonymization_makes_a_new_version_and_leaves_the_source(world: dict[str, Any]) -> None:
    inv: Inventory = world["inv"]
    data_id = world["data"]["id"]
    spec = {
        "columns": {
            "email": {"operator": "pseudonymize"},
            "ssn": {"operator": "drop"},
            "name": {"operator": "replace"},
        }
    }
    response = _post(
        world, f"/dataset-versions/{data_id}/anonymize", {"spec": spec, "version": "anon"}
    )
    assert response.status_code == 201, response.text
    made = response.json()
    created = made["dataset_version"]
    assert created["dataset_id"] == world["dataset"]["id"]
    assert created["metadata"]["derived_from"] == data_id
    assert made["evidence"]["kind"] == "transform.anonymization"
    assert made["evidence"]["subject_id"] == created["id"]
    content = inv.client.get(inv.url(f"/dataset-versions/{created['id']}/artifact")).content
    out = pd.read_csv(io.BytesIO(content))
    source = pd.read_csv(io.BytesIO(world["csv"]))
    assert "ssn" not in out.columns
    assert not set(out["email"]) & set(source["email"])
    assert out["email"].nunique() == source["email"].nunique()  # joins still work
    # The source is untouched, and a second run with the server's key is deterministic.
    again = _post(
        world, f"/dataset-versions/{data_id}/anonymize", {"spec": spec, "version": "anon2"}
    )
    second = inv.client.get(
        inv.url(f"/dataset-versions/{again.json()['dataset_version']['id']}/artifact")
    ).content
    assert second == content
    original = inv.client.get(inv.url(f"/dataset-versions/{data_id}/artifact")).content
    assert original == world["csv"]


def test_anonymization_refusals_record_nothing(world: dict[str, Any]) -> None:
    data_id = world["data"]["id"]
    path = f"/dataset-versions/{data_id}/anonymize"
    taken = _post(world, path, {"spec": {"columns": {}}, "version": "raw"})
    assert_problem(taken, 409, "version")
    unknown = _post(
        world, path, {"spec": {"columns": {"phone": {"operator": "redact"}}}, "version": "x"}
    )
    assert_problem(unknown, 422)
    assert "phone" in unknown.json()["detail"]
    bad_operator = _post(
        world, path, {"spec": {"columns": {"email": {"operator": "shred"}}}, "version": "y"}
    )
    assert_problem(bad_operator, 422)
    inv: Inventory = world["inv"]
    versions = inv.list("dataset-versions", dataset_id=world["dataset"]["id"])["items"]
    assert [v["version"] for v in versions] == ["raw"]


def test_minimization_flags_personal_and_special_features(world: dict[str, Any]) -> None:
    inv: Inventory = world["inv"]
    version = inv.new(
        "model-versions", datasets=[{"dataset_version_id": world["data"]["id"], "role": "training"}]
    )
    path = f"/model-versions/{version['id']}/checks/data-minimization"
    clean = _post(
        world,
        path,
        {"features": ["duration", "credit_amount", "age", "purpose"], "label": ["good"]},
    )
    assert clean.status_code == 201, clean.text
    result = clean.json()["result"]
    assert clean.json()["verdict"] == "warn"  # identifiers held but unused
    assert {f["column"] for f in result["findings"]} == {"name", "email", "ssn", "religion"}
    # The training data was scanned on the way, and that scan recorded too.
    assert [e["kind"] for e in _evidence(world, world["data"]["id"])] == ["scan.pii"]
    special = _post(world, path, {"features": ["duration", "religion"], "label": ["good"]})
    assert special.json()["verdict"] == "fail"
    justified = _post(
        world, path,
        {"features": ["duration", "religion"], "label": ["good"],
         "justifications": {"religion": "faith-based lender (Art. 9(2)(d))"}},
    )  # fmt: skip
    assert justified.json()["verdict"] == "warn"
    unlinked = inv.new("model-versions")
    response = _post(
        world, f"/model-versions/{unlinked['id']}/checks/data-minimization", {"features": ["age"]}
    )
    assert_problem(response, 422, "model_version")
