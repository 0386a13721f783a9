"""``bastion risks`` against a live server, through the SDK: create, list, show, update
with and without a stale version, history, attention, export and import (every invalid
row printed, exit status 1)."""

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from bastion import Client
from bastion.cli.main import app
from tests.conftest import LiveServer


def _cli(server: LiveServer) -> Any:
    env = {"BASTION_URL": server.url, "BASTION_API_KEY": server.admin_key}

    def run(*args: str) -> Any:
        return CliRunner().invoke(app, ["risks", *args], env=env)

    return run


def test_the_register_through_the_cli(live_server: LiveServer, tmp_path: Path) -> None:
    with Client(live_server.url, live_server.admin_key) as sdk:
        project = sdk.create_project(name="Credit scoring")
        system = sdk.create_system(project.slug, name="credit", owner="Credit risk team")
    run = _cli(live_server)
    target = ["--project", project.slug]

    made = run(
        "create", *target, "--system", str(system.id), "--title", "Unfair denials",
        "--category", "bias_fairness", "--likelihood", "4", "--impact", "4",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert made.stdout.startswith("created R-1: high (score 16)")
    out_of_range = run(
        "create", *target, "--system", str(system.id), "--title", "x",
        "--category", "privacy", "--likelihood", "6", "--impact", "1",
    )  # fmt: skip
    assert out_of_range.exit_code == 2  # refused by the option's range, before any request
    run("create", *target, "--system", str(system.id), "--title", "Overdue review",
        "--category", "privacy", "--likelihood", "1", "--impact", "2",
        "--review-date", "2020-01-01")  # fmt: skip

    listed = run("list", *target, "--untreated-high", "--json")
    assert listed.exit_code == 0, listed.output
    assert [r["ref"] for r in json.loads(listed.stdout)["items"]] == ["R-1"]
    table = run("list", *target)
    assert "Unfair denials" in table.stdout
    assert "Overdue review" in table.stdout

    attention = run("attention", *target)
    assert attention.exit_code == 0, attention.output
    assert "no treatment chosen" in attention.stdout
    assert "review was due on 2020-01-01" in attention.stdout

    stale = run("update", "R-1", *target, "--version", "7", "--treatment", "mitigate")
    assert stale.exit_code == 1
    assert stale.stderr.startswith("error: version: the risk is at version 1, not 7")
    updated = run(
        "update", "R-1", *target, "--treatment", "mitigate", "--residual-likelihood", "2",
        "--residual-impact", "2", "--control", "iso_42001:a6_2_4", "--note", "reweighing",
    )  # fmt: skip
    assert updated.exit_code == 0, updated.output
    assert "updated R-1 to version 2" in updated.stdout
    assert "residual low" in updated.stdout
    bad = run("update", "R-1", *target, "--clear", "treatment")
    assert bad.exit_code == 1
    assert "residual_likelihood" in bad.stderr

    shown = run("show", "R-1", *target, "--json")
    assert json.loads(shown.stdout)["controls"] == ["iso_42001:a6_2_4"]
    history = run("history", "R-1", *target)
    assert history.exit_code == 0, history.output
    assert "treatment: - -> mitigate" in history.stdout
    assert "reweighing" in history.stdout
    events = json.loads(run("history", "R-1", *target, "--json").stdout)
    assert [e["action"] for e in events] == ["created", "updated"]

    exported = tmp_path / "risks.csv"
    wrote = run("export", *target, "-o", str(exported))
    assert wrote.exit_code == 0, wrote.output
    assert exported.read_text().startswith("ref,id,system_id,system,title")
    as_json = run("export", *target, "--format", "json")
    assert [r["ref"] for r in json.loads(as_json.stdout)] == ["R-1", "R-2"]

    dry = run("import", str(exported), *target, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.startswith("would create 2 risks")
    assert "row 1: R-3 Unfair denials (high, score 16)" in dry.stdout
    done = run("import", str(exported), *target, "--json")
    assert json.loads(done.stdout)["created"] == 2

    broken = tmp_path / "broken.csv"
    broken.write_text(
        "system,title,category,likelihood,impact\n"
        "credit,fine,privacy,2,2\n"
        "credit,too likely,privacy,9,2\n"
        "atlantis,lost,privacy,2,2\n"
    )
    refused = run("import", str(broken), *target)
    assert refused.exit_code == 1
    lines = refused.stderr.splitlines()
    assert lines[0] == "error: 2 invalid rows; nothing was imported"
    assert lines[1].startswith("  row 2 (line 3): likelihood: ")
    assert lines[2].startswith("  row 3 (line 4): system: no AI system named")
    count = json.loads(run("list", *target, "--json").stdout)["items"]
    assert len(count) == 4
