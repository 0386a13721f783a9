"""Model cards: built from the inventory and the current evidence, rendered as JSON,
Markdown and self-contained HTML, with everything a user typed escaped."""

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sklearn.tree import DecisionTreeClassifier
from typer.testing import CliRunner

from bastion.cli.main import app
from bastion.fairness import assess_fairness
from tests.conftest import LiveServer
from tests.datasets import german_frame
from tests.inventory.conftest import Inventory, assert_problem

HOSTILE = "<script>alert(1)</script> | pipe"


def _fairness_result() -> dict[str, Any]:
    frame = german_frame()
    features = ["duration", "credit_amount", "installment_rate", "age"]
    model = DecisionTreeClassifier(max_depth=4, random_state=0).fit(frame[features], frame["good"])
    result = assess_fairness(
        frame["good"], model.predict(frame[features]), sensitive_features=frame[["sex"]]
    )
    return {
        "kind": result.evidence_kind,
        "verdict": result.verdict,
        "summary": result.summary,
        "result": result.to_dict(),
        "inputs": [{"role": r, "sha256": d} for r, d in result.inputs.items()],
    }


@pytest.fixture
def audited(client: TestClient) -> tuple[Inventory, dict[str, Any]]:
    """A model version of an AI system, with training data and a fairness assessment."""
    inv = Inventory.create(client, "Cards")
    system = inv.new(
        "systems",
        name="credit scoring",
        intended_use="Rank applications for manual review; never decide alone.",
        affected_groups=["applicants"],
    )
    model = inv.new("models", name="scorer", system_id=system["id"], description=HOSTILE)
    data = inv.new("dataset-versions", row_count=1000, source="UCI Statlog German Credit")
    version = inv.new(
        "model-versions",
        model_id=model["id"],
        version="1.0",
        framework="scikit-learn",
        datasets=[{"dataset_version_id": data["id"], "role": "training"}],
    )
    body = {"subject_type": "model_version", "subject_id": version["id"], **_fairness_result()}
    recorded = client.post(inv.url("/evidence"), json=body)
    assert recorded.status_code == 201, recorded.text
    return inv, version


def _card(inv: Inventory, version_id: str, fmt: str) -> Any:
    return inv.client.get(inv.url(f"/model-versions/{version_id}/card"), params={"format": fmt})


def test_json_card_carries_the_recorded_figures(audited: tuple[Inventory, dict[str, Any]]) -> None:
    inv, version = audited
    response = _card(inv, version["id"], "json")
    assert response.status_code == 200, response.text
    card = response.json()
    assert card["model"]["name"] == "scorer"
    assert card["model"]["version"] == "1.0"
    assert card["intended_use"].startswith("Rank applications")
    assert card["training_data"][0]["rows"] == 1000
    assert "sex" in card["factors"]
    assert "applicants" in card["factors"]
    # The fairness figures are the evidence's own, not recomputed.
    evidence = inv.list("evidence", subject_id=version["id"])["items"][0]
    ratio = evidence["result"]["aggregates"]["demographic_parity_ratio"]["between_groups"]
    shown = {m["name"]: m["value"] for m in card["metrics"]}
    assert shown["demographic_parity_ratio (between_groups)"] == pytest.approx(ratio)
    (breakdown,) = card["breakdowns"]
    assert {r["sex"] for r in breakdown["rows"]} == {"female", "male"}
    assert "selection_rate" in breakdown["metrics"]
    assert card["evidence"][0]["ledger_seq"] == evidence["ledger_seq"]
    # What is missing is said.
    assert "No robustness assessment is recorded." in card["caveats"]


def test_markdown_card_escapes_what_users_typed(audited: tuple[Inventory, dict[str, Any]]) -> None:
    inv, version = audited
    response = _card(inv, version["id"], "md")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/markdown")
    text = response.text
    assert text.startswith("# Model card: scorer 1.0")
    assert "## Quantitative analyses" in text
    assert "| female |" in text
    assert "<script>" not in text
    assert "\\| pipe" in text


def test_html_card_is_self_contained_and_escaped(audited: tuple[Inventory, dict[str, Any]]) -> None:
    inv, version = audited
    response = _card(inv, version["id"], "html")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    page = response.text
    assert "<svg" in page
    assert "selection rate by sex" in page
    assert "<script" not in page
    assert "&lt;script&gt;" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_a_bare_model_version_gets_a_card_that_says_what_is_missing(client: TestClient) -> None:
    inv = Inventory.create(client, "Bare")
    version = inv.new("model-versions")
    card = _card(inv, version["id"], "json").json()
    assert card["system"] is None
    assert card["metrics"] == []
    # Only the decision of the register gate it passed.
    assert [e["kind"] for e in card["evidence"]] == ["policy.decision"]
    assert len([c for c in card["caveats"] if c.startswith("No ")]) == 5
    assert "No metrics are recorded." in _card(inv, version["id"], "md").text


def test_unknown_version_and_format_are_refused(client: TestClient) -> None:
    inv = Inventory.create(client, "Refusals")
    missing = "00000000-0000-4000-8000-000000000000"
    assert_problem(_card(inv, missing, "json"), 404)
    version = inv.new("model-versions")
    assert_problem(_card(inv, version["id"], "pdf"), 422)


def test_cli_writes_the_card(live_server: LiveServer, tmp_path: Any) -> None:
    from bastion import Client

    with Client(live_server.url, live_server.admin_key) as sdk:
        project = sdk.create_project(name="Card CLI")
        model = sdk.create_model(project.slug, name="scorer")
        version = sdk.create_model_version(project.slug, model_id=model.id, version="2")
    env = {"BASTION_URL": live_server.url, "BASTION_API_KEY": live_server.admin_key}
    out = tmp_path / "card.html"
    args = ["card", str(version.id), "-p", project.slug, "--format", "html", "-o", str(out)]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("<!doctype html>")
    as_json = CliRunner().invoke(
        app, ["card", str(version.id), "-p", project.slug, "-F", "json"], env=env
    )
    assert json.loads(as_json.stdout)["model"]["version"] == "2"
