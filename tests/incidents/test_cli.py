"""``bastion incidents`` and ``bastion alerts`` against a live server, through the SDK:
an alert fires, then its incident is listed, shown, updated, noted and closed."""

import json
from typing import Any

from typer.testing import CliRunner

from bastion import Client
from bastion.cli.main import app
from bastion.storage.database import create_db_engine, session_factory
from tests.alerts.factories import Windows, drift_rule, make_monitor
from tests.conftest import LiveServer


def _cli(server: LiveServer) -> Any:
    env = {"BASTION_URL": server.url, "BASTION_API_KEY": server.admin_key}

    def run(*args: str) -> Any:
        return CliRunner().invoke(app, list(args), env=env)

    return run


def test_an_incident_from_alert_to_closing_through_the_cli(live_server: LiveServer) -> None:
    with Client(live_server.url, live_server.admin_key) as sdk:
        project = sdk.create_project(name="Credit scoring")
        system = sdk.create_system(project.slug, name="credit", owner="Credit risk team")
        model = sdk.create_model(project.slug, name="credit-model", system_id=system.id)
        version = sdk.create_model_version(project.slug, model_id=model.id, version="1.4.0")
    engine = create_db_engine(live_server.settings.effective_database_url)
    try:
        sessions = session_factory(engine)
        windows = Windows(
            sessions,
            make_monitor(
                sessions,
                project_id=project.id,
                version_id=version.id,
                rules=[drift_rule(for_windows=1, severity="critical")],
            ),
        )
        windows.next(drift__share=0.42)
        run = _cli(live_server)
        target = ["--project", project.slug]

        alerts = run("alerts", "list", *target, "--state", "firing", "--json")
        assert alerts.exit_code == 0, alerts.output
        [alert] = json.loads(alerts.stdout)["items"]
        assert (alert["rule"], alert["last_value"]) == ("drift-high", 0.42)
        assert "drift-high" in run("alerts", "list", *target).stdout

        listed = run("incidents", "list", *target, "--open")
        assert listed.exit_code == 0, listed.output
        assert "I-1" in listed.stdout
        assert "critical" in listed.stdout

        shown = run("incidents", "show", "I-1", *target)
        assert shown.exit_code == 0, shown.output
        assert "Timeline of I-1" in shown.stdout
        assert "opened" in shown.stdout

        updated = run(
            "incidents", "update", "I-1", *target, "--status", "mitigated",
            "--note", "rolled back to 1.3.9",
        )  # fmt: skip
        assert updated.exit_code == 0, updated.output
        assert updated.stdout.startswith("updated I-1: mitigated, critical")

        refused = run("incidents", "close", "I-1", *target, "--resolution", "rolled back for now")
        assert refused.exit_code == 1
        assert "cannot be closed while its alert(s) drift-high fire" in refused.stderr

        windows.next(drift__share=0.05)
        noted = run("incidents", "note", "I-1", "drift back to normal", *target)
        assert noted.exit_code == 0, noted.output
        closed = run(
            "incidents", "close", "I-1", *target, "--resolution", "rolled back; retraining"
        )
        assert closed.exit_code == 0, closed.output
        assert closed.stdout.strip() == "closed I-1"

        final = json.loads(run("incidents", "show", "I-1", *target, "--json").stdout)
        assert final["status"] == "closed"
        assert [e["kind"] for e in final["events"]] == [
            "opened", "updated", "alert_resolved", "note", "closed",
        ]  # fmt: skip

        reported = run(
            "incidents", "report", *target, "--system", str(system.id),
            "--title", "Complaints from applicants", "--risk-category", "bias_fairness",
        )  # fmt: skip
        assert reported.exit_code == 0, reported.output
        assert reported.stdout.strip() == "reported I-2 (high)"
        bad = run("incidents", "update", "I-2", *target, "--status", "open")
        assert bad.exit_code == 1
        assert "status" in bad.stderr
    finally:
        engine.dispose()
