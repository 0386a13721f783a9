"""``bastion dp`` against a live server (through the SDK), and on a local file: budgets
set and shown, queries charged and listed, refusals as one line and exit status 1."""

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bastion import Client
from bastion.cli.dp import LOCAL_WARNING
from bastion.cli.main import app
from bastion.sdk.errors import ConflictError
from tests.conftest import LiveServer


def _invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, ["dp", *args], env=env)


def test_budget_query_and_ledger_through_the_cli(
    live_server: LiveServer, adult_csv: bytes, tmp_path: Path
) -> None:
    env = {"BASTION_URL": live_server.url, "BASTION_API_KEY": live_server.admin_key}
    with Client(live_server.url, live_server.admin_key) as sdk:
        project = sdk.create_project(name="Census")
        dataset = sdk.create_dataset(project.slug, name="adult")
        version = sdk.create_dataset_version(project.slug, dataset_id=dataset.id, version="1")
        (tmp_path / "adult.csv").write_bytes(adult_csv)
        sdk.upload_dataset_artifact(project.slug, version.id, tmp_path / "adult.csv")
        # Through the SDK first: no budget, no query.
        with pytest.raises(ConflictError):
            sdk.dp_query(project.slug, version.id, statistic="count", column="age", epsilon=1)
    target = ["--project", project.slug]

    shown = _invoke("budget", "show", *target, "--dataset", str(dataset.id), env=env)
    assert shown.exit_code == 0, shown.output
    assert "no privacy budget set" in shown.stdout

    set_ = _invoke(
        "budget", "set", *target, "--dataset", str(dataset.id), "--epsilon", "1", "--json",
        env=env,
    )  # fmt: skip
    assert set_.exit_code == 0, set_.output
    assert json.loads(set_.stdout)["epsilon_remaining"] == 1.0

    mean = _invoke(
        "query", *target, "--dataset-version", str(version.id), "--column", "age",
        "--stat", "mean", "--lower", "17", "--upper", "90", "--epsilon", "0.4", env=env,
    )  # fmt: skip
    assert mean.exit_code == 0, mean.output
    assert mean.stdout.startswith("DP mean of age: ")
    assert "budget left: ε=0.6, δ=0" in mean.stdout

    histogram = _invoke(
        "query", *target, "--dataset-version", str(version.id), "--column", "sex",
        "--stat", "histogram", "--categories", "Male,Female", "--epsilon", "0.5", "--json",
        env=env,
    )  # fmt: skip
    assert histogram.exit_code == 0, histogram.output
    recorded = json.loads(histogram.stdout)
    assert set(recorded["value"]) == {"Male", "Female"}
    assert recorded["epsilon"] == 0.5

    over = _invoke(
        "query", *target, "--dataset-version", str(version.id), "--column", "age",
        "--stat", "count", "--epsilon", "0.2", env=env,
    )  # fmt: skip
    assert over.exit_code == 1
    assert over.stderr.startswith("error: epsilon: the query asks epsilon=0.2")
    assert over.stderr.count("\n") == 1

    listed = _invoke("queries", *target, "--dataset-version", str(version.id), "--json", env=env)
    assert listed.exit_code == 0, listed.output
    assert [q["statistic"] for q in json.loads(listed.stdout)["items"]] == ["histogram", "mean"]
    shown = _invoke("budget", "show", *target, "--dataset", str(dataset.id), env=env)
    assert "spent ε=0.9, δ=0 in 2 queries" in shown.stdout


def test_local_query_on_a_file_warns_that_no_budget_is_tracked(
    adult_csv: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "adult.csv"
    path.write_bytes(adult_csv)
    result = _invoke(
        "query", "--file", str(path), "--column", "age", "--stat", "quantile", "--alpha", "0.5",
        "--candidates", "20,30,40,50", "--epsilon", "1", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert LOCAL_WARNING in result.stderr
    out = json.loads(result.stdout)
    assert out["value"] in (20, 30, 40, 50)
    assert out["bounds"] == {"candidates": [20.0, 30.0, 40.0, 50.0]}

    no_bounds = _invoke("query", "--file", str(path), "-c", "age", "-s", "sum", "-e", "1")
    assert no_bounds.exit_code == 1
    assert "error: lower: a sum needs explicit bounds" in no_bounds.stderr

    both = _invoke("query", "--file", str(path), "-p", "x", "-c", "age", "-s", "count", "-e", "1")
    assert both.exit_code == 1
    assert "either --file, or --project" in both.stderr
    neither = _invoke("query", "-c", "age", "-s", "count", "-e", "1")
    assert neither.exit_code == 1
    assert "--file for a local query" in neither.stderr
