"""Alert rules judged on recorded windows, in the real app on SQLite and PostgreSQL: firing
after N breaching windows, the evidence, the risk and the incident it leads to, the
signed webhook and the e-mail sent after the commit, recovery, re-firing, and the edge
cases (missing values, re-evaluated windows, changed and removed rules, no AI system)."""

import json
import uuid

import pytest
from sqlalchemy import select

from bastion.evidence.models import Evidence
from bastion.ledger.models import LedgerEntry
from bastion.notify import verify
from tests.alerts.conftest import ALERT_TO, SENDER, WEBHOOK_SECRET, Watched, watch
from tests.alerts.factories import drift_rule, record_window, set_rules, unit
from tests.alerts.smtp import Mailbox
from tests.notify.conftest import Receiver


def _ledger(watched: Watched, action: str) -> list[LedgerEntry]:
    with watched.runtime.sessions() as session:
        return list(
            session.scalars(
                select(LedgerEntry).where(LedgerEntry.action == action).order_by(LedgerEntry.seq)
            )
        )


def test_an_alert_fires_after_n_windows_and_opens_an_incident_and_a_risk(
    watched: Watched, receiver: Receiver, mailbox: Mailbox
) -> None:
    windows = watched.monitor(drift_rule(for_windows=2, severity="critical"))

    windows.next(drift__share=0.45)
    assert watched.alert(windows)["state"] == "ok"
    assert watched.incidents() == []
    windows.next(drift__share=0.52)

    alert = watched.alert(windows)
    assert alert["state"] == "firing"
    assert [v["value"] for v in alert["recent"]] == [0.45, 0.52]
    assert alert["fired_at"] is not None

    evidence = watched.get(f"/evidence/{alert['evidence_id']}")
    assert (evidence["kind"], evidence["verdict"]) == ("monitoring.alert", "fail")
    assert evidence["subject_id"] == watched.version["id"]
    assert evidence["result"]["risk_category"] == "performance_operational"
    assert evidence["result"]["values"] == [0.45, 0.52]
    assert [w["number"] for w in evidence["result"]["windows"]] == [1, 2]
    assert "drift.share above 0.3 for 2 windows (0.45, 0.52)" in evidence["summary"]

    [risk] = watched.get("/risks")["items"]
    assert (risk["category"], risk["source"]) == ("performance_operational", "evidence")
    assert alert["evidence_id"] in risk["evidence_ids"]

    [listed] = watched.incidents()
    incident = watched.incident(listed["ref"])
    assert incident["ref"] == "I-1"
    assert (incident["status"], incident["severity"], incident["source"]) == (
        "open",
        "critical",
        "alert",
    )
    assert incident["system_id"] == watched.system["id"]
    assert incident["owner"] == "Credit risk team"
    assert incident["alert_ids"] == [alert["id"]]
    assert incident["evidence_ids"] == [alert["evidence_id"]]
    assert incident["risk_ids"] == [risk["id"]]
    assert [e["kind"] for e in incident["events"]] == ["opened"]

    [fired] = _ledger(watched, "alert.fire")
    assert fired.resource_id == alert["id"]
    assert fired.details["incidents"] == [incident["id"]]
    assert fired.details["window"] == 2

    [request] = receiver.wait_for(1)
    assert verify(
        WEBHOOK_SECRET.encode(),
        request.body,
        request.headers["X-Bastion-Signature"],
        request.headers["X-Bastion-Timestamp"],
    )
    assert request.headers["X-Bastion-Event"] == "monitoring.alert.firing"
    data = json.loads(request.body)["data"]
    assert data["state"] == "firing"
    assert data["rule"]["name"] == "drift-high"
    assert data["values"] == [0.45, 0.52]
    assert data["model_version"] == "credit-model 1.4.0"
    assert data["evidence_id"] == alert["evidence_id"]
    assert data["incidents"] == [
        {"id": incident["id"], "ref": "I-1", "system_id": watched.system["id"], "opened": True}
    ]
    assert [r["id"] for r in data["risks"]] == [risk["id"]]

    [mail] = mailbox.wait_for(1)
    assert (mail["From"], mail["To"]) == (SENDER, ", ".join(ALERT_TO))
    assert mail["Subject"] == "[Bastion] FIRING critical: drift-high on inputs (credit-scoring)"
    body = mail.get_content()
    assert "Incident:       I-1 (opened)" in body
    assert "window 1: 0.45, window 2: 0.52" in body


def test_a_fairness_alert_raises_a_fairness_risk(watched: Watched) -> None:
    rule = drift_rule(
        name="parity",
        metric="fairness.demographic_parity_difference",
        threshold=0.1,
        for_windows=1,
    )
    windows = watched.monitor(rule)

    windows.next(fairness__demographic_parity_difference=0.18)

    [risk] = watched.get("/risks")["items"]
    assert risk["category"] == "bias_fairness"
    assert watched.alert(windows, "parity")["state"] == "firing"


def test_recovery_resolves_the_alert_and_notes_it_in_the_open_incident(
    watched: Watched, receiver: Receiver, mailbox: Mailbox
) -> None:
    windows = watched.monitor(drift_rule(for_windows=1))
    windows.next(drift__share=0.6)

    windows.next(drift__share=0.61)  # still breaching: no new notification
    windows.next(drift__share=0.1)

    alert = watched.alert(windows)
    assert alert["state"] == "resolved"
    assert alert["last_value"] == 0.1
    incident = watched.incident("I-1")
    assert incident["status"] == "open"  # closing is someone's call
    assert [e["kind"] for e in incident["events"]] == ["opened", "alert_resolved"]
    assert "drift.share back within 0.3 (0.1)" in incident["events"][-1]["note"]
    assert [e.details["window"] for e in _ledger(watched, "alert.resolve")] == [3]

    requests = receiver.wait_for(2)
    assert [r.headers["X-Bastion-Event"] for r in requests] == [
        "monitoring.alert.firing",
        "monitoring.alert.resolved",
    ]
    resolved = json.loads(requests[1].body)["data"]
    assert resolved["incidents"] == [{"id": incident["id"], "ref": "I-1", "status": "open"}]
    mails = mailbox.wait_for(2)
    assert mails[1]["Subject"].startswith("[Bastion] RESOLVED high: drift-high")


def test_firing_again_updates_the_open_incident_then_a_closed_one_is_not_reopened(
    watched: Watched,
) -> None:
    windows = watched.monitor(drift_rule(for_windows=1, severity="medium"))
    windows.next(drift__share=0.6)
    windows.next(drift__share=0.1)
    set_rules(watched.runtime.sessions, windows.monitor_id, [drift_rule(for_windows=1)])

    windows.next(drift__share=0.7)  # fires again, now with severity high

    [incident] = watched.incidents()
    detail = watched.incident(incident["ref"])
    assert detail["severity"] == "high"
    assert [e["kind"] for e in detail["events"]] == ["opened", "alert_resolved", "alert_firing"]
    assert len(detail["evidence_ids"]) == 2
    assert len(watched.get("/risks")["items"]) == 1  # the same risk, updated

    windows.next(drift__share=0.1)
    closed = watched.client.post(
        watched.inv.url("/incidents/I-1/close"), json={"resolution": "retrained on new data"}
    )
    assert closed.status_code == 200, closed.text
    windows.next(drift__share=0.8)

    assert [i["ref"] for i in watched.incidents(sort="number")] == ["I-1", "I-2"]
    assert watched.incident("I-2")["status"] == "open"


def test_a_window_without_the_metric_breaks_the_streak(watched: Watched) -> None:
    windows = watched.monitor(drift_rule(for_windows=2))

    windows.next(drift__share=0.5)
    windows.next(drift__share=None)  # too few rows: no value
    windows.next(drift__share=0.5)

    alert = watched.alert(windows)
    assert alert["state"] == "ok"
    assert [v["value"] for v in alert["recent"]] == [None, 0.5]
    windows.next(drift__share=0.5)
    assert watched.alert(windows)["state"] == "firing"


def test_a_missing_value_does_not_resolve_a_firing_alert(watched: Watched) -> None:
    windows = watched.monitor(drift_rule(for_windows=1))
    windows.next(drift__share=0.5)

    windows.next(quality__missing__age=0.0)

    assert watched.alert(windows)["state"] == "firing"


def test_a_re_evaluated_window_replaces_its_value(watched: Watched) -> None:
    rule = drift_rule(
        name="accuracy-low", metric="performance.accuracy", condition="below", threshold=0.8
    )
    windows = watched.monitor(rule | {"for_windows": 1})
    windows.next(performance__accuracy=0.71)  # from the first labels
    assert watched.alert(windows, "accuracy-low")["state"] == "firing"

    windows.again(1, performance__accuracy=0.86)  # late labels: the window is judged anew

    alert = watched.alert(windows, "accuracy-low")
    assert alert["state"] == "resolved"
    assert [(v["window"], v["value"]) for v in alert["recent"]] == [(1, 0.86)]


def test_changing_a_rule_starts_its_streak_again(watched: Watched) -> None:
    windows = watched.monitor(drift_rule(for_windows=2))
    windows.next(drift__share=0.5)
    set_rules(
        watched.runtime.sessions, windows.monitor_id, [drift_rule(for_windows=2, threshold=0.4)]
    )

    windows.next(drift__share=0.5)

    alert = watched.alert(windows)
    assert alert["state"] == "ok"
    assert alert["definition"]["threshold"] == 0.4
    assert [v["window"] for v in alert["recent"]] == [2]


def test_a_removed_rule_resolves_its_firing_alert(watched: Watched, receiver: Receiver) -> None:
    windows = watched.monitor(drift_rule(for_windows=1))
    windows.next(drift__share=0.5)
    set_rules(watched.runtime.sessions, windows.monitor_id, [])

    windows.next(drift__share=0.5)

    assert watched.alert(windows)["state"] == "resolved"
    resolved = json.loads(receiver.wait_for(2)[1].body)["data"]
    assert resolved["reason"] == "the rule was removed"
    assert watched.incident("I-1")["events"][-1]["kind"] == "alert_resolved"


def test_a_model_version_outside_any_system_alerts_without_incident(watched: Watched) -> None:
    model = watched.inv.new("models", name="shadow-model")
    version = watched.inv.new("model-versions", model_id=model["id"], version="0.1")
    watched.version = version
    windows = watched.monitor(drift_rule(for_windows=1))

    windows.next(drift__share=0.9)

    alert = watched.alert(windows)
    assert alert["state"] == "firing"
    assert alert["evidence_id"] is not None
    assert watched.incidents() == []
    assert watched.get("/risks")["items"] == []


def test_nothing_is_sent_when_the_window_is_rolled_back(
    watched: Watched, receiver: Receiver, mailbox: Mailbox
) -> None:
    windows = watched.monitor(drift_rule(for_windows=1))

    with (  # noqa: PT012
        pytest.raises(RuntimeError, match="the window's transaction fails"),
        unit(watched.runtime.sessions) as session,
    ):
        record_window(session, windows.monitor_id, 1, {"drift.share": 0.9})
        raise RuntimeError("the window's transaction fails")
    with (  # noqa: PT012
        unit(watched.runtime.sessions) as session,
        pytest.raises(RuntimeError, match="a savepoint fails"),
        session.begin_nested(),
    ):
        record_window(session, windows.monitor_id, 1, {"drift.share": 0.8})
        raise RuntimeError("a savepoint fails")

    assert watched.get("/alerts")["items"] == []
    with watched.runtime.sessions() as session:
        kinds = session.scalars(select(Evidence.kind)).all()
    assert "monitoring.alert" not in kinds
    # Notifications leave in order: had the rolled-back ones been queued, they would come
    # before the one of this committed window.
    windows.next(drift__share=0.7)
    [request] = receiver.wait_for(1)
    assert json.loads(request.body)["data"]["values"] == [0.7]
    [mail] = mailbox.wait_for(1)
    assert "0.7" in mail.get_content()


def test_alerts_are_listed_by_state_and_monitor(watched: Watched) -> None:
    first = watched.monitor(drift_rule(for_windows=1), name="inputs")
    second = watched.monitor(
        drift_rule(name="anomalies", metric="anomaly.share", threshold=0.05), name="anomalies"
    )
    first.next(drift__share=0.5)
    second.next(anomaly__share=0.01)

    firing = watched.get("/alerts", state="firing")["items"]
    assert [a["rule"] for a in firing] == ["drift-high"]
    assert watched.get("/alerts", monitor_id=str(second.monitor_id))["items"][0]["state"] == "ok"
    missing = watched.client.get(watched.inv.url(f"/alerts/{uuid.uuid4()}"))
    assert missing.status_code == 404
    other = watch(watched.client, "Fraud detection")
    assert other.get("/alerts")["items"] == []


def test_deleting_a_monitor_drops_its_alerts_and_frees_its_incident(watched: Watched) -> None:
    windows = watched.monitor(drift_rule(for_windows=1))
    windows.next(drift__share=0.9)
    assert (
        watched.client.post(
            watched.inv.url("/incidents/I-1/close"), json={"resolution": "still firing, refused"}
        ).status_code
        == 409
    )

    deleted = watched.client.delete(watched.inv.url(f"/monitors/{windows.monitor_id}"))

    assert deleted.status_code == 204, deleted.text
    assert watched.get("/alerts")["items"] == []
    assert (
        watched.client.post(
            watched.inv.url("/incidents/I-1/close"),
            json={"resolution": "monitor retired with 1.4.0"},
        ).status_code
        == 200
    )
