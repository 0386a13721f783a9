"""Assessments run on the server: on the registered data and the safely loaded model,
recorded as evidence whose inputs are the artifacts' digests; refused cleanly, with no
evidence recorded, when anything is wrong."""

import hashlib
import io
import os
import pickle
from typing import Any

import pytest
import skops.io
from fastapi.testclient import TestClient

from tests.datasets import german_split, tabular_model
from tests.inventory.conftest import Inventory, assert_problem


def _csv(frame: Any) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


class _Payload:
    """Runs a shell command when unpickled: what a hostile model file does."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, ("touch /tmp/bastion-run-pwned",))


@pytest.fixture(scope="module")
def german() -> dict[str, Any]:
    split = german_split()
    model = tabular_model(split)
    rows = split.test_rows.copy()
    rows["pred"] = model.predict(split.X_test)
    rows["score"] = model.predict_proba(split.X_test)[:, 1]
    return {"rows": _csv(rows), "model": skops.io.dumps(model)}


@pytest.fixture
def world(client: TestClient, german: dict[str, Any]) -> dict[str, Any]:
    """A model version with its skops file, and a dataset version with the test rows."""
    inv = Inventory.create(client, "Runs")
    version = inv.new("model-versions")
    data = inv.new("dataset-versions")
    assert inv.upload("model-versions", version["id"], german["model"], "model.skops").is_success
    assert inv.upload("dataset-versions", data["id"], german["rows"], "test.csv").is_success
    return {"inv": inv, "version": version, "data": data, **german}


def _run(world: dict[str, Any], **spec: Any) -> Any:
    inv: Inventory = world["inv"]
    body = {"dataset_version_id": world["data"]["id"], **spec}
    return inv.client.post(
        inv.url(f"/model-versions/{world['version']['id']}/assessments"), json=body
    )


def _evidence_count(world: dict[str, Any]) -> int:
    """Assessments recorded about the model version (its register gate decision aside)."""
    inv: Inventory = world["inv"]
    items = inv.list("evidence", subject_id=world["version"]["id"])["items"]
    return sum(e["kind"] != "policy.decision" for e in items)


def test_performance_runs_on_the_registered_model_and_data(world: dict[str, Any]) -> None:
    response = _run(world, kind="performance", label="good", sensitive=["sex"], valid_days=90)
    assert response.status_code == 201, response.text
    evidence = response.json()
    assert evidence["kind"] == "assessment.performance"
    assert evidence["subject_id"] == world["version"]["id"]
    assert evidence["produced_by"]["software"]["name"] == "bastion-server"
    assert evidence["valid_until"] is not None
    digests = {i["role"]: i["sha256"] for i in evidence["inputs"]}
    assert digests == {
        "data": hashlib.sha256(world["rows"]).hexdigest(),
        "model": hashlib.sha256(world["model"]).hexdigest(),
    }
    assert evidence["result"]["overall"]["roc_auc"] > 0.6


def test_predictions_only_needs_no_model(client: TestClient, german: dict[str, Any]) -> None:
    inv = Inventory.create(client, "Predictions only")
    version = inv.new("model-versions")  # no artifact at all
    data = inv.new("dataset-versions")
    assert inv.upload("dataset-versions", data["id"], german["rows"], "scored.csv").is_success
    world = {"inv": inv, "version": version, "data": data}
    response = _run(world, kind="fairness", label="good", prediction="pred", sensitive=["sex"])
    assert response.status_code == 201, response.text
    assert {i["role"] for i in response.json()["inputs"]} == {"data"}
    # Without prediction columns the model is needed, and there is none.
    assert_problem(
        _run(world, kind="fairness", label="good", sensitive=["sex"]), 422, "model_version"
    )


def test_an_unsafe_pickle_is_never_loaded(client: TestClient, german: dict[str, Any]) -> None:
    inv = Inventory.create(client, "Hostile")
    version = inv.new("model-versions")
    data = inv.new("dataset-versions")
    assert inv.upload("model-versions", version["id"], pickle.dumps(_Payload()), "m.pkl").is_success
    assert inv.upload("dataset-versions", data["id"], german["rows"], "test.csv").is_success
    world = {"inv": inv, "version": version, "data": data}
    marker = "/tmp/bastion-run-pwned"  # noqa: S108 - the payload's own path
    if os.path.exists(marker):
        os.remove(marker)
    body = assert_problem(_run(world, kind="performance", label="good"), 422)
    assert "os.system" in body["detail"] or "posix.system" in body["detail"]
    assert not os.path.exists(marker)
    assert _evidence_count(world) == 0


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"kind": "performance", "label": "good", "options": {"verbose": 1}}, "options"),
        ({"kind": "performance", "label": "nope"}, "label"),
        ({"kind": "fairness", "label": "good"}, "sensitive"),
        ({"kind": "performance", "label": "good", "thresholds": {"x": 1}}, "thresholds"),
    ],
)
def test_bad_specs_record_nothing(world: dict[str, Any], spec: dict[str, Any], field: str) -> None:
    assert_problem(_run(world, **spec), 422, field)
    assert _evidence_count(world) == 0


def test_data_that_is_missing_or_not_a_table_is_refused(world: dict[str, Any]) -> None:
    inv: Inventory = world["inv"]
    empty = inv.new("dataset-versions")
    response = _run({**world, "data": empty}, kind="performance", label="good")
    assert_problem(response, 422, "dataset_version_id")
    blob = inv.new("dataset-versions")
    assert inv.upload("dataset-versions", blob["id"], b"\x00\x01", "data.bin").is_success
    response = _run({**world, "data": blob}, kind="performance", label="good")
    assert_problem(response, 422, "dataset_version_id")
    garbage = inv.new("dataset-versions")
    assert inv.upload("dataset-versions", garbage["id"], b"\xff\xfe\x00", "data.csv").is_success
    assert_problem(_run({**world, "data": garbage}, kind="performance", label="good"), 422)
    assert _evidence_count(world) == 0


def test_an_unknown_model_version_is_not_found(world: dict[str, Any]) -> None:
    missing = {**world, "version": {"id": "00000000-0000-4000-8000-000000000000"}}
    assert_problem(_run(missing, kind="performance", label="good"), 404)
