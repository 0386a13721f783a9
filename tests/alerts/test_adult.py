"""End to end with the monitoring domain: a model trained on UCI Adult is monitored against
its test split, then against a deliberately shifted copy. The shift fires the drift alert,
an incident and a risk appear, the webhook and the e-mail go out, and Prometheus shows
the alert firing."""

import json

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.alerts.conftest import watch
from tests.alerts.smtp import Mailbox
from tests.inventory.conftest import Inventory
from tests.monitoring.conftest import World, adult, parquet
from tests.notify.conftest import Receiver


def test_a_shift_fires_an_alert_that_opens_an_incident_and_a_risk(
    client: TestClient, receiver: Receiver, mailbox: Mailbox
) -> None:
    watched = watch(client)
    inv: Inventory = watched.inv
    dataset_version = inv.new("dataset-versions")
    upload = inv.upload(
        "dataset-versions",
        dataset_version["id"],
        parquet(adult().reference),
        filename="ref.parquet",
    )
    assert upload.status_code == 200, upload.text
    world = World(client, inv, watched.version["id"], dataset_version["id"])
    rules = [
        {"name": "drift-high", "metric": "drift.share", "condition": "above",
         "threshold": 0.2, "for_windows": 2, "severity": "high"},
        {"name": "age-drift", "metric": "drift.drifted.age", "condition": "above",
         "threshold": 0.5, "for_windows": 3, "severity": "critical"},
    ]  # fmt: skip
    monitor = world.monitor(alert_rules=rules)

    world.log(adult().current)
    assert len(world.run(monitor["id"])["evaluated"]) == 3
    assert {a["state"] for a in watched.get("/alerts")["items"]} == {"ok"}
    assert watched.incidents() == []

    world.log(adult().shifted)
    assert len(world.run(monitor["id"])["evaluated"]) == 3

    alerts = {a["rule"]: a for a in watched.get("/alerts")["items"]}
    assert alerts["drift-high"]["state"] == "firing"
    assert alerts["age-drift"]["state"] == "firing"
    assert [v["value"] > 0.2 for v in alerts["drift-high"]["recent"]] == [True, True]
    [incident] = watched.incidents()
    detail = watched.incident(incident["ref"])
    assert detail["severity"] == "critical"  # raised by the second alert
    assert set(detail["alert_ids"]) == {alerts["drift-high"]["id"], alerts["age-drift"]["id"]}
    assert [e["kind"] for e in detail["events"]] == ["opened", "alert_firing"]
    [risk] = watched.get("/risks")["items"]
    assert risk["category"] == "performance_operational"
    assert detail["risk_ids"] == [risk["id"]]

    events = [json.loads(r.body)["event"] for r in receiver.wait_for(2)]
    assert events == ["monitoring.alert.firing", "monitoring.alert.firing"]
    subjects = sorted(m["Subject"] for m in mailbox.wait_for(2))
    assert subjects[0].startswith("[Bastion] FIRING critical: age-drift on inputs")

    scraped = client.get("/metrics")
    assert scraped.status_code == 200, scraped.text
    samples = {
        (s.name, s.labels.get("rule") or s.labels.get("metric")): s.value
        for family in text_string_to_metric_families(scraped.text)
        for s in family.samples
        if s.labels.get("project") == inv.slug
    }
    assert samples[("bastion_alert_firing", "drift-high")] == 1
    assert samples[("bastion_monitor_metric", "drift.share")] > 0.2
    assert samples[("bastion_monitor_metric", "drift.drifted.age")] == 1
