"""The risk register through the API, on SQLite and PostgreSQL: scoring with the default
and a configured matrix, every refusal naming its field, optimistic concurrency, the
history of every change (and its ledger entries), the attention list, and the register
recorded as evidence about the system."""

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from bastion.ledger.models import LedgerEntry
from bastion.settings import Settings
from bastion.storage.base import utcnow
from tests.conftest import PrincipalFactory, _app
from tests.inventory.conftest import Inventory, app_runtime, assert_problem
from tests.risks.conftest import Register, make_register


def _day(offset: int) -> str:
    return (utcnow().date() + timedelta(days=offset)).isoformat()


def test_a_risk_is_scored_numbered_and_defaults_from_its_system(reg: Register) -> None:
    risk = reg.create()
    assert risk["number"] == 1
    assert risk["ref"] == "R-1"
    assert (risk["inherent_score"], risk["inherent_level"]) == (12, "high")
    assert risk["treatment"] is None
    assert (risk["residual_score"], risk["residual_level"]) == (None, None)
    assert risk["status"] == "open"
    assert risk["source"] == "manual"
    assert risk["version"] == 1
    # Owner and life-cycle stage default to the system's.
    assert risk["owner"] == "Credit risk team"
    assert risk["lifecycle_stage"] == reg.system["lifecycle_stage"]

    treated = reg.create(
        title="Drift after a rate change", category="performance_operational",
        likelihood=5, impact=5, treatment="mitigate", residual_likelihood=2,
        residual_impact=3, controls=["iso_42001:a6_2_4", "weekly drift monitor"],
        owner="ML platform", lifecycle_stage="deployed",
    )  # fmt: skip
    assert treated["ref"] == "R-2"
    assert (treated["inherent_score"], treated["inherent_level"]) == (25, "critical")
    assert (treated["residual_score"], treated["residual_level"]) == (6, "medium")
    assert treated["controls"] == ["iso_42001:a6_2_4", "weekly drift monitor"]
    assert (treated["owner"], treated["lifecycle_stage"]) == ("ML platform", "deployed")

    # By id or by number; numbers are per project.
    assert reg.get(treated["id"]) == reg.get("R-2") == treated
    other = make_register(Inventory.create(reg.client, "Fraud"))
    assert other.create()["ref"] == "R-1"
    assert_problem(reg.client.get(reg.url("/R-99")), 404)
    assert_problem(reg.client.get(reg.url(f"/{uuid.uuid4()}")), 404)
    # Another project's risk is not found through this one.
    assert_problem(reg.client.get(reg.url(f"/{other.listing()[0]['id']}")), 404)


STRICT_MATRIX = """
grid:
  - [low,    low,      medium,   high,     high]
  - [low,    medium,   high,     high,     critical]
  - [medium, high,     high,     critical, critical]
  - [high,   high,     critical, critical, critical]
  - [high,   critical, critical, critical, critical]
"""


@pytest.fixture
def strict_client(settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    """A server configured with a stricter risk matrix."""
    matrix = tmp_path / "matrix.yaml"
    matrix.write_text(STRICT_MATRIX)
    started = _app(settings.model_copy(update={"risk_matrix_file": matrix}))
    with TestClient(started.app, raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {started.admin_key}"
        yield client


def test_the_configured_matrix_sets_the_levels(strict_client: TestClient) -> None:
    reg = make_register(Inventory.create(strict_client, "Strict"))
    risk = reg.create(likelihood=3, impact=4, treatment="accept", residual_likelihood=1,
                      residual_impact=3)  # fmt: skip
    assert (risk["inherent_score"], risk["inherent_level"]) == (12, "critical")
    assert (risk["residual_score"], risk["residual_level"]) == (3, "medium")
    # Risks raised from evidence are scored with the same matrix (4 x 4: critical).
    reg.evidence(reg.version["id"])
    raised = reg.listing(category="bias_fairness", sort="-number")[0]
    assert (raised["source"], raised["inherent_level"]) == ("evidence", "critical")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"likelihood": 0}, "likelihood"),
        ({"likelihood": 6}, "likelihood"),
        ({"impact": 0}, "impact"),
        ({"impact": 6}, "impact"),
        ({"treatment": "mitigate", "residual_likelihood": 6, "residual_impact": 2},
         "residual_likelihood"),
        ({"residual_likelihood": 2, "residual_impact": 2}, "residual_likelihood"),
        ({"treatment": "mitigate", "residual_likelihood": 2}, "residual_impact"),
        ({"status": "closed"}, "status"),
        ({"treatment": "ignore"}, "treatment"),
        ({"title": ""}, "title"),
        ({"review_date": "next week"}, "review_date"),
    ],
)  # fmt: skip
def test_bad_input_is_422_naming_the_field(
    reg: Register, fields: dict[str, Any], field: str
) -> None:
    assert_problem(reg.post(**fields), 422, field)
    assert reg.listing() == []


def test_an_unknown_category_lists_the_allowed_ones(reg: Register) -> None:
    body = assert_problem(reg.post(category="vibes"), 422, "category")
    for allowed in ("bias_fairness", "robustness_adversarial", "privacy", "security", "safety",
                    "transparency_explainability", "performance_operational",
                    "legal_compliance", "third_party"):  # fmt: skip
        assert allowed in body["detail"]


def test_references_outside_the_project_are_422(reg: Register) -> None:
    assert_problem(reg.post(system_id=str(uuid.uuid4())), 422, "system_id")
    assert_problem(reg.post(evidence_ids=[str(uuid.uuid4())]), 422, "evidence_ids")
    other = make_register(Inventory.create(reg.client, "Elsewhere"))
    assert_problem(reg.post(system_id=other.system["id"]), 422, "system_id")
    evidence = reg.evidence(reg.version["id"], verdict="pass")
    assert reg.create(evidence_ids=[evidence["id"]])["evidence_ids"] == [evidence["id"]]


def test_changes_need_the_version_read_and_are_kept_as_diffs(reg: Register) -> None:
    risk = reg.create()
    updated = reg.patch(
        "R-1", version=1, treatment="mitigate", residual_likelihood=2, residual_impact=2,
        controls=["reweighing"], note="reweighing in the training pipeline",
    )  # fmt: skip
    assert updated.status_code == 200, updated.text
    after = updated.json()
    assert after["version"] == 2
    assert (after["residual_score"], after["residual_level"]) == (4, "low")
    assert after["updated_at"] > risk["updated_at"]

    # A change based on version 1 is refused: someone changed the risk since.
    stale = reg.patch("R-1", version=1, likelihood=5)
    body = assert_problem(stale, 409, "version")
    assert body["current_version"] == 2
    assert reg.get("R-1")["likelihood"] == 3

    # Partial updates are judged with the fields they leave alone.
    assert_problem(reg.patch("R-1", version=2, treatment=None), 422, "residual_likelihood")
    assert_problem(reg.patch("R-1", version=2, likelihood=7), 422, "likelihood")
    assert_problem(reg.patch("R-1", version=2, title=None), 422, "title")
    assert_problem(reg.patch("R-1", version=2, colour="red"), 422, "colour")
    assert_problem(reg.patch("R-1", likelihood=2), 422, "version")
    closed = reg.patch("R-1", version=2, status="closed", impact=2, note="model retired")
    assert closed.status_code == 200, closed.text
    assert (closed.json()["inherent_score"], closed.json()["inherent_level"]) == (6, "medium")

    events = reg.history("R-1")
    assert [e["action"] for e in events] == ["created", "updated", "closed"]
    assert [e["seq"] for e in events] == [1, 2, 3]
    created, treated, closing = events
    assert created["changes"]["likelihood"] == [None, 3]
    assert created["changes"]["inherent_level"] == [None, "high"]
    assert treated["changes"] == {
        "treatment": [None, "mitigate"],
        "controls": [[], ["reweighing"]],
        "residual_likelihood": [None, 2],
        "residual_impact": [None, 2],
        "residual_score": [None, 4],
        "residual_level": [None, "low"],
    }
    assert treated["note"] == "reweighing in the training pipeline"
    assert closing["changes"] == {
        "impact": [4, 2],
        "inherent_score": [12, 6],
        "inherent_level": ["high", "medium"],
        "status": ["open", "closed"],
    }
    assert all(e["principal_id"] for e in events)

    # Each change is in the ledger, with field names and no values.
    with app_runtime(reg.client).sessions() as session:
        for event, action in zip(events, ("risk.create", "risk.update", "risk.close"), strict=True):
            entry = session.get(LedgerEntry, event["ledger_seq"])
            assert entry is not None
            assert (entry.action, entry.resource_id) == (action, risk["id"])
            assert entry.details["number"] == 1
            assert entry.details["fields"] == sorted(event["changes"])
            assert "Credit risk team" not in str(entry.details)

    # The history is append-only in the database.
    engine = app_runtime(reg.client).engine
    for statement in ("UPDATE risk_events SET note = 'x'", "DELETE FROM risk_events"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))


def test_a_change_that_changes_nothing_records_nothing(reg: Register) -> None:
    reg.create()
    same = reg.patch("R-1", version=1, likelihood=3)
    assert same.status_code == 200
    assert same.json()["version"] == 1
    assert len(reg.history("R-1")) == 1


def test_list_filters_and_sorts(reg: Register) -> None:
    reg.create(title="untreated high", likelihood=4, impact=4)
    reg.create(title="treated critical", likelihood=5, impact=5, treatment="transfer",
               review_date=_day(-3))  # fmt: skip
    reg.create(title="low", category="privacy", likelihood=1, impact=1, review_date=_day(10))
    reg.create(title="closed overdue", likelihood=5, impact=4, treatment="avoid",
               status="closed", review_date=_day(-30))  # fmt: skip

    def titles(**params: Any) -> list[str]:
        return [r["title"] for r in reg.listing(**params)]

    assert titles() == ["untreated high", "treated critical", "low", "closed overdue"]
    assert titles(category="privacy") == ["low"]
    assert titles(status="closed") == ["closed overdue"]
    assert titles(level="critical") == ["treated critical", "closed overdue"]
    assert titles(overdue="true") == ["treated critical"]
    assert titles(untreated_high="true") == ["untreated high"]
    assert titles(system_id=reg.system["id"], sort="-inherent_score")[0] == "treated critical"
    first = reg.client.get(reg.url(), params={"limit": 2}).json()
    assert [r["title"] for r in first["items"]] == ["untreated high", "treated critical"]
    rest = reg.client.get(reg.url(), params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [r["title"] for r in rest["items"]] == ["low", "closed overdue"]
    assert_problem(reg.client.get(reg.url(), params={"sort": "title"}), 422, "sort")
    assert_problem(reg.client.get(reg.url(), params={"level": "severe"}), 422, "level")


def test_attention_lists_overdue_reviews_and_untreated_high_risks_with_why(
    reg: Register,
) -> None:
    reg.create(title="untreated high", likelihood=4, impact=4)
    reg.create(title="overdue", likelihood=2, impact=2, review_date=_day(-2))
    reg.create(title="both", likelihood=5, impact=5, review_date=_day(-1))
    reg.create(title="due today", likelihood=1, impact=1, review_date=_day(0))
    reg.create(title="treated high", likelihood=4, impact=4, treatment="accept")
    reg.create(title="closed", likelihood=5, impact=5, treatment="avoid", status="closed",
               review_date=_day(-9))  # fmt: skip
    body = reg.client.get(reg.url("/attention")).json()
    assert body["as_of"] == _day(0)
    items = {i["risk"]["title"]: [r["code"] for r in i["reasons"]] for i in body["items"]}
    assert items == {
        "both": ["untreated_high", "overdue_review"],
        "untreated high": ["untreated_high"],
        "overdue": ["overdue_review"],
    }
    # Most severe first.
    assert [i["risk"]["title"] for i in body["items"]] == ["both", "untreated high", "overdue"]
    reasons = body["items"][0]["reasons"]
    assert reasons[0]["detail"] == "critical risk (score 25) with no treatment chosen"
    assert reasons[1]["detail"] == f"review was due on {_day(-1)} (1 day ago)"


def test_every_change_records_the_register_once_as_evidence(reg: Register) -> None:
    reg.create(likelihood=2, impact=2)
    first = reg.registers()
    assert len(first) == 1
    assert first[0].verdict == "pass"
    assert first[0].subject_type == "ai_system"
    assert first[0].result["risks"] == ["R-1"]

    reg.create(title="untreated", likelihood=4, impact=5)
    latest = reg.registers()[-1]
    assert latest.verdict == "fail"
    assert latest.result["untreated_high"] == ["R-2"]
    assert latest.result["by_level"] == {"low": 1, "medium": 0, "high": 0, "critical": 1}
    assert latest.summary == (
        "credit: 2 open risks (1 critical, 1 low), untreated high or critical: R-2."
    )
    assert latest.supersedes == first[0].id

    assert reg.patch("R-2", version=1, treatment="mitigate").status_code == 200
    assert reg.patch("R-1", version=1, review_date=_day(-1)).status_code == 200
    latest = reg.registers()[-1]
    assert (latest.verdict, latest.result["overdue_review"]) == ("warn", ["R-1"])
    assert len(reg.registers()) == 4  # one per change, not per field


def test_readers_read_and_writers_write(reg: Register, principals: PrincipalFactory) -> None:
    reg.create()
    viewer = principals("viewer", reg.inv.slug)
    officer = principals("risk_officer", reg.inv.slug)
    assert reg.client.get(reg.url(), headers=viewer.headers).status_code == 200
    assert_problem(reg.client.post(reg.url(), json=reg.body(), headers=viewer.headers), 403)
    created = reg.client.post(reg.url(), json=reg.body(), headers=officer.headers)
    assert created.status_code == 201, created.text
    events = reg.history(created.json()["ref"])
    assert events[0]["principal_id"] == officer.principal_id
    with app_runtime(reg.client).sessions() as session:
        denied = session.scalars(
            select(LedgerEntry).where(LedgerEntry.action == "authz.denied")
        ).all()
    assert [e.details["permission"] for e in denied] == ["risk.write"]
