"""``bastion monitors …`` run in-process against a live server, on files."""

import json
from pathlib import Path

import pytest

from bastion import Client
from tests.cli.conftest import Cli
from tests.conftest import LiveServer
from tests.monitoring.conftest import adult, parquet

RULE = {"name": "drift", "metric": "drift.share", "condition": "above", "threshold": 0.2}


@pytest.fixture
def cli(live_server: LiveServer) -> Cli:
    return Cli({"BASTION_URL": live_server.url, "BASTION_API_KEY": live_server.admin_key})


@pytest.fixture
def version(live_server: LiveServer) -> tuple[str, str]:
    """A project and a model version in it (made with the SDK: the CLI is under test)."""
    with Client(live_server.url, live_server.admin_key) as sdk:
        project = sdk.create_project(name="Credit scoring").slug
        model = sdk.create_model(project, name="income")
        return project, str(sdk.create_model_version(project, model_id=model.id, version="1").id)


def test_monitors_from_the_command_line(cli: Cli, version: tuple[str, str], tmp_path: Path) -> None:
    project, version_id = version
    reference = tmp_path / "reference.parquet"
    reference.write_bytes(parquet(adult().reference))
    scored = tmp_path / "scored.csv"
    adult().shifted.head(2000).to_csv(scored, index=False)
    labels = tmp_path / "labels.parquet"
    labels.write_bytes(
        parquet(
            adult().labels.head(10).assign(prediction_id=lambda f: "s" + f.prediction_id.str[1:])
        )
    )

    monitor = cli.json(
        "monitors", "create", "-p", project, "--model-version", version_id, "--name", "inputs",
        "--reference", str(reference), "--label-column", "label", "--protected", "sex",
        "--window-rows", "1000", "--min-rows", "500",
        "--alert-rules", json.dumps([RULE]),
    )  # fmt: skip
    assert monitor["reference"]["source"] == "upload"
    assert monitor["alert_rules"][0]["name"] == "drift"

    logged = cli.ok(
        "monitors", "log-predictions", str(scored), "-p", project, "--model-version", version_id
    )
    assert "2000 predictions logged as batch 1" in logged.stdout
    again = cli.ok(
        "monitors", "log-predictions", str(scored), "-p", project, "--model-version", version_id
    )
    assert "already logged" in again.stdout
    labelled = cli.ok(
        "monitors", "log-labels", str(labels), "-p", project, "--model-version", version_id
    )
    assert "10 labels logged" in labelled.stdout

    run = cli.ok("monitors", "run", monitor["id"], "-p", project)
    assert "2 windows evaluated" in run.stdout
    assert "drift.share" in run.stdout
    windows = cli.json("monitors", "windows", monitor["id"], "-p", project)
    assert [w["index"] for w in windows["items"]] == [1, 0]
    table = cli.ok("monitors", "report", monitor["id"], "0", "-p", project)
    assert "age" in table.stdout
    report = json.loads(
        cli.ok("monitors", "report", monitor["id"], "0", "-p", project, "--json").stdout
    )
    assert next(c for c in report["columns"] if c["column"] == "age")["drifted"] is True
    page = tmp_path / "window.html"
    cli.ok("monitors", "report", monitor["id"], "0", "-p", project, "--html", str(page))
    assert "<svg" in page.read_text()
    assert cli.json("monitors", "show", monitor["id"], "-p", project)["name"] == "inputs"
    listed = cli.ok("monitors", "list", "-p", project)
    assert "inputs" in listed.stdout


def test_mistakes_are_one_line_and_exit_1(
    cli: Cli, version: tuple[str, str], tmp_path: Path
) -> None:
    project, version_id = version
    both = cli("monitors", "create", "-p", project, "--model-version", "x", "--name", "n")
    assert both.exit_code == 1
    assert "give one of --dataset-version or --reference" in both.stderr
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(parquet(adult().current.head(3).drop(columns="prediction_id")))
    refused = cli(
        "monitors", "log-predictions", str(bad), "-p", project, "--model-version", version_id
    )
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: prediction_id: no such column")
    assert len(refused.stderr.strip().splitlines()) == 1
