"""Incidents through the HTTP API on SQLite and PostgreSQL: reporting (and the risk it
raises), reading by number or id, listing with filters, the status rules, notes, closing
(and what it records), and who may do what."""

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from bastion.evidence.models import Evidence
from bastion.ledger.models import LedgerEntry
from tests.alerts.factories import Windows, drift_rule, make_monitor
from tests.conftest import PrincipalFactory
from tests.incidents.conftest import Desk
from tests.inventory.conftest import app_runtime, assert_problem


def _evidence(desk: Desk, evidence_id: str) -> Evidence:
    with app_runtime(desk.client).sessions() as session:
        return session.get_one(Evidence, uuid.UUID(evidence_id))


def _ledger(desk: Desk, prefix: str) -> list[LedgerEntry]:
    with app_runtime(desk.client).sessions() as session:
        return list(
            session.scalars(
                select(LedgerEntry)
                .where(LedgerEntry.action.startswith(prefix))
                .order_by(LedgerEntry.seq)
            )
        )


def test_a_reported_incident_raises_a_risk_of_its_category(desk: Desk) -> None:
    incident = desk.reported(description="Three complaints this week.")

    assert incident["ref"] == "I-1"
    assert (incident["status"], incident["severity"], incident["source"]) == (
        "open",
        "high",
        "manual",
    )
    assert incident["owner"] == "Credit risk team"  # the system's
    assert incident["system_id"] == desk.system["id"]
    assert [e["kind"] for e in incident["events"]] == ["opened"]
    [evidence_id] = incident["evidence_ids"]
    evidence = _evidence(desk, evidence_id)
    assert (evidence.kind, evidence.verdict.value) == ("incident.report", "fail")
    assert str(evidence.subject_id) == desk.system["id"]
    assert evidence.result["risk_category"] == "bias_fairness"
    assert evidence.summary == (
        "Incident I-1 (high) reported: Complaints about denials for young applicants"
    )
    [risk] = desk.client.get(desk.inv.url("/risks")).json()["items"]
    assert risk["category"] == "bias_fairness"
    assert incident["risk_ids"] == [risk["id"]]
    assert desk.reported()["ref"] == "I-2"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": " "}, "title"),
        ({"severity": "urgent"}, "severity"),
        ({"risk_category": "weather"}, "risk_category"),
        ({"system_id": "00000000-0000-4000-8000-000000000000"}, "system_id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_reports_are_422_naming_the_field(
    desk: Desk, fields: dict[str, Any], field: str
) -> None:
    assert_problem(desk.report(**fields), 422, field)


def test_an_incident_is_read_by_number_or_id(desk: Desk) -> None:
    made = desk.reported()

    assert desk.get(made["id"])["ref"] == "I-1"
    assert desk.get("i-1")["id"] == made["id"]
    assert_problem(desk.client.get(desk.url("/I-9")), 404)
    assert_problem(desk.client.get(desk.url("/nonsense")), 404)


def test_status_moves_forward_and_back_to_investigating_only(desk: Desk) -> None:
    desk.reported()

    moved = desk.patch("I-1", status="investigating", note="looking at the age column")
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "investigating"
    assert_problem(desk.patch("I-1", status="open"), 422, "status")
    assert_problem(desk.patch("I-1", status="closed"), 422, "status")
    assert desk.patch("I-1", status="mitigated").json()["status"] == "mitigated"
    assert desk.patch("I-1", status="investigating").json()["status"] == "investigating"

    events = desk.get("I-1")["events"]
    assert [e["kind"] for e in events] == ["opened", "updated", "updated", "updated"]
    assert events[1]["details"]["changes"] == {"status": ["open", "investigating"]}
    assert events[1]["note"] == "looking at the age column"


def test_a_change_that_changes_nothing_records_nothing(desk: Desk) -> None:
    desk.reported()

    assert desk.patch("I-1", severity="high").status_code == 200

    assert [e["kind"] for e in desk.get("I-1")["events"]] == ["opened"]


def test_updates_go_to_the_timeline_and_the_ledger_without_their_text(desk: Desk) -> None:
    desk.reported()

    changed = desk.patch(
        "I-1", severity="critical", owner="Jane Doe", note="escalated after a press query"
    )

    assert changed.status_code == 200, changed.text
    incident = changed.json()
    assert (incident["severity"], incident["owner"]) == ("critical", "Jane Doe")
    event = incident["events"][-1]
    assert event["details"]["changes"] == {
        "severity": ["high", "critical"],
        "owner": ["Credit risk team", "Jane Doe"],
    }
    entry = _ledger(desk, "incident.update")[-1]
    assert entry.seq == event["ledger_seq"]
    assert entry.details["fields"] == ["owner", "severity"]
    assert "Jane Doe" not in str(entry.details)
    assert "press" not in str(entry.details)


def test_null_is_refused_naming_the_field(desk: Desk) -> None:
    desk.reported()
    assert_problem(desk.patch("I-1", title=None), 422, "title")


def test_notes_are_added_even_after_closing(desk: Desk) -> None:
    desk.reported()

    noted = desk.note("I-1", "rolled back to 1.3.9")
    assert noted.status_code == 201, noted.text
    assert (noted.json()["seq"], noted.json()["kind"]) == (2, "note")
    assert_problem(desk.note("I-1", "  "), 422, "note")
    assert desk.close("I-1").status_code == 200
    assert desk.note("I-1", "post-mortem on the wiki").status_code == 201

    kinds = [e["kind"] for e in desk.get("I-1")["events"]]
    assert kinds == ["opened", "note", "closed", "note"]


def test_closing_records_the_resolution_and_is_final(desk: Desk) -> None:
    desk.reported()
    assert_problem(desk.close("I-1", "done"), 422, "resolution")

    closed = desk.close("I-1", "Retrained on last quarter's applicants.")

    assert closed.status_code == 200, closed.text
    incident = closed.json()
    assert incident["status"] == "closed"
    assert incident["closed_at"] is not None
    assert incident["resolution"] == "Retrained on last quarter's applicants."
    assert incident["events"][-1]["kind"] == "closed"
    report = _evidence(desk, incident["evidence_ids"][-1])
    assert (report.kind, report.verdict.value) == ("incident.report", "info")
    assert report.result["status"] == "closed"
    assert "Retrained" not in str(report.result)  # free text stays with the incident
    assert len(desk.client.get(desk.inv.url("/risks")).json()["items"]) == 1  # none new
    assert_problem(desk.close("I-1"), 409, "status")
    assert_problem(desk.patch("I-1", severity="low"), 409, "status")


def test_an_incident_cannot_be_closed_while_its_alert_fires(desk: Desk) -> None:
    runtime = app_runtime(desk.client)
    windows = Windows(
        runtime.sessions,
        make_monitor(
            runtime.sessions,
            project_id=desk.inv.project["id"],
            version_id=desk.version["id"],
            rules=[drift_rule(for_windows=1)],
        ),
    )
    windows.next(drift__share=0.9)
    [ref] = desk.listing()

    refused = desk.close(ref)
    body = assert_problem(refused, 409, "status")
    assert "drift-high" in body["detail"]

    windows.next(drift__share=0.1)
    assert desk.close(ref).status_code == 200


def test_list_filters_and_pages(desk: Desk) -> None:
    desk.reported(severity="low")
    desk.reported(severity="critical")
    desk.reported(severity="critical")
    desk.close("I-2")
    other_system = desk.inv.new("systems", name="fraud")
    desk.reported(system_id=other_system["id"], severity="medium")

    assert desk.listing() == ["I-4", "I-3", "I-2", "I-1"]
    assert desk.listing(sort="number") == ["I-1", "I-2", "I-3", "I-4"]
    assert desk.listing(open_only=True) == ["I-4", "I-3", "I-1"]
    assert desk.listing(status="closed") == ["I-2"]
    assert desk.listing(severity="critical") == ["I-3", "I-2"]
    assert desk.listing(system_id=other_system["id"]) == ["I-4"]
    first = desk.client.get(desk.url(), params={"limit": 3}).json()
    second = desk.client.get(desk.url(), params={"limit": 3, "cursor": first["next_cursor"]}).json()
    assert [i["ref"] for i in first["items"] + second["items"]] == ["I-4", "I-3", "I-2", "I-1"]
    assert first["items"][0]["risk_ids"]  # links come with each listed incident
    assert_problem(desk.client.get(desk.url(), params={"status": "gone"}), 422, "status")


def test_readers_read_and_incident_writers_write(desk: Desk, principals: PrincipalFactory) -> None:
    desk.reported()
    viewer = principals("viewer", desk.inv.slug)
    auditor = principals("auditor", desk.inv.slug)
    engineer = principals("data_scientist", desk.inv.slug)
    officer = principals("risk_officer", desk.inv.slug)
    read_only = principals("owner", desk.inv.slug, scope="read")
    stranger = principals()

    assert desk.client.get(desk.url("/I-1"), headers=viewer.headers).status_code == 200
    for denied in (viewer, auditor, read_only):
        assert_problem(desk.report(headers=denied.headers), 403)
    assert_problem(desk.client.get(desk.url(), headers=stranger.headers), 404)
    by_engineer = desk.client.post(
        desk.url("/I-1/notes"), json={"note": "paged"}, headers=engineer.headers
    )
    assert by_engineer.status_code == 201, by_engineer.text
    assert by_engineer.json()["principal_id"] == engineer.principal_id
    assert desk.report(headers=officer.headers).status_code == 201
    denied_entries = _ledger(desk, "authz.denied")
    assert {e.details["permission"] for e in denied_entries} == {"incident.write"}
