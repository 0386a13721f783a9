"""The ``bastion`` command against a real server, and its local commands."""

import hashlib
import os
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from bastion import Client, __version__
from bastion.cli.main import app
from bastion.storage import migrate
from tests.cli.conftest import Cli
from tests.conftest import free_port
from tests.serve import ServeProcess


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert (result.exit_code, result.stdout.strip()) == (0, f"bastion {__version__}")


def test_every_command_help_has_an_example() -> None:
    runner = CliRunner()
    commands = [
        ["serve"], ["db", "upgrade"], ["db", "current"], ["lineage"],
        *[["projects", verb] for verb in ("create", "list", "show")],
        *[[group, verb] for group in ("systems", "models", "datasets", "deployments")
          for verb in ("create", "list", "show")],
        ["models", "register"], ["datasets", "register"], ["datasets", "versions"],
        ["versions", "list"], ["versions", "show"], ["versions", "promote"],
        ["policy", "check"], ["policy", "test"], ["policy", "upload"], ["policy", "bundles"],
        *[["promotions", verb] for verb in ("request", "list", "approve", "reject", "withdraw")],
        ["classify"], ["report"], ["evidence-pack"], ["audit", "verify-pack"],
        ["documents", "upload"], ["documents", "list"],
    ]  # fmt: skip
    for command in commands:
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0, command
        assert "Example" in result.stdout, command
        assert "bastion " in result.stdout, command


def test_projects_create_list_show(cli: Cli) -> None:
    created = cli.ok("projects", "create", "Fraud detection", "--tag", "risk")
    assert "created project fraud-detection" in created.stdout

    table = cli.ok("projects", "list").stdout
    assert "fraud-detection" in table
    assert "Fraud detection" in table
    page = cli.json("projects", "list")
    assert [p["slug"] for p in page["items"]] == ["fraud-detection"]
    assert page["next_cursor"] is None

    shown = cli.ok("projects", "show", "fraud-detection").stdout
    assert "Fraud detection" in shown
    assert "risk" in shown
    assert cli.json("projects", "show", "fraud-detection") == page["items"][0]


def test_systems_create_with_options(cli: Cli, project: str) -> None:
    system = cli.json(
        "systems", "create", "Loan approval", "--project", project,
        "--purpose", "Score loan applications", "--owner", "risk team",
        "--affected-group", "applicants", "--affected-group", "employees",
        "--lifecycle-stage", "development", "--role", "provider", "--tag", "credit",
    )  # fmt: skip
    assert system["affected_groups"] == ["applicants", "employees"]
    assert (system["lifecycle_stage"], system["actor_role"]) == ("development", "provider")

    table = cli.ok("systems", "list", "-p", project).stdout
    assert "Loan approval" in table
    assert "development" in table
    filtered = cli.json("systems", "list", "-p", project, "--filter", "actor_role=deployer")
    assert filtered["items"] == []
    shown = cli.ok("systems", "show", system["id"], "-p", project).stdout
    assert "Score loan applications" in shown


def test_models_register_uploads_the_file(cli: Cli, project: str, sdk: Client, files: Path) -> None:
    data = cli.json("datasets", "create", "adult", "-p", project)
    data_version = sdk.create_dataset_version(project, dataset_id=data["id"], version="1")
    model_file = files / "scorer.skops"
    model_file.write_bytes(os.urandom(300_000))

    result = cli.ok(
        "models", "register", str(model_file), "-p", project, "--model", "scorer",
        "--version", "1.0.0", "--framework", "scikit-learn",
        "--task-type", "binary_classification", "--training-data", str(data_version.id),
    )  # fmt: skip
    assert "created model 'scorer'" in result.stdout
    digest = hashlib.sha256(model_file.read_bytes()).hexdigest()
    assert f"sha256 {digest}" in result.stdout

    [version] = sdk.list_model_versions(project).items
    assert (version.version, version.framework, version.artifact_digest) == (
        "1.0.0",
        "scikit-learn",
        digest,
    )
    copy = sdk.download_model_artifact(project, version.id, files / "copy.skops")
    assert copy.read_bytes() == model_file.read_bytes()

    # A second version reuses the model, and lineage shows the training data.
    other = files / "scorer-2.skops"
    other.write_bytes(b"v2")
    again = cli.ok("models", "register", str(other), "-p", project, "--model", "scorer",
                   "--version", "2.0.0")  # fmt: skip
    assert "created model" not in again.stdout
    tree = cli.ok("lineage", str(version.id), "-p", project).stdout
    assert "scorer:1.0.0" in tree
    assert "adult:1" in tree
    assert "trained" in tree
    graph = cli.json("lineage", str(version.id), "-p", project, "--direction", "upstream")
    assert graph["edges"][0]["relation"] == "trained"

    listed = cli.json("versions", "list", "-p", project, "--model", version.model_id.hex)
    assert {v["version"] for v in listed["items"]} == {"1.0.0", "2.0.0"}
    # No AI system, so no classification: the staging gate denies, naming why.
    denied = cli("versions", "promote", str(version.id), "staging", "-p", project)
    assert denied.exit_code == 1
    assert "DENIED:" in denied.stderr
    assert "classif" in denied.stderr
    promoted = cli.ok(
        "versions", "promote", str(version.id), "staging", "-p", project,
        "--break-glass", "Registered for a smoke test of the CLI only.",
    )  # fmt: skip
    assert "is now in staging (break-glass)" in promoted.stdout


def test_register_resumes_and_refuses_a_second_upload(
    cli: Cli, project: str, sdk: Client, files: Path
) -> None:
    data_file = files / "adult.csv"
    data_file.write_bytes(b"age,income\n39,<=50K\n")
    digest = hashlib.sha256(data_file.read_bytes()).hexdigest()
    # An earlier run declared the version, then died before the upload.
    dataset = sdk.create_dataset(project, name="adult")
    sdk.create_dataset_version(project, dataset_id=dataset.id, version="1", content_digest=digest)

    args = ["datasets", "register", str(data_file), "-p", project, "--dataset", "adult"]
    resumed = cli.ok(*args, "--version", "1")
    assert "exists without its file: resuming" in resumed.stdout
    [version] = sdk.list_dataset_versions(project).items
    assert version.artifact_size == len(data_file.read_bytes())

    again = cli(*args, "--version", "1")
    assert again.exit_code == 1
    assert again.stderr.startswith("error: dataset 'adult' version '1' already has its file")
    assert len(again.stderr.strip().splitlines()) == 1

    versions = cli.json("datasets", "versions", "-p", project, "--dataset", str(dataset.id))
    assert [v["version"] for v in versions["items"]] == ["1"]


def test_documents_upload_and_list(cli: Cli, project: str, files: Path) -> None:
    system = cli.json("systems", "create", "Loan approval", "-p", project)
    card = files / "dpia.md"
    card.write_text("# DPIA\n")
    uploaded = cli.json(
        "documents", "upload", str(card), "-p", project, "--type", "ai_system",
        "--id", system["id"], "--title", "Impact assessment", "--kind", "dpia",
    )  # fmt: skip
    assert (uploaded["filename"], uploaded["media_type"]) == ("dpia.md", "text/markdown")
    table = cli.ok("documents", "list", "-p", project).stdout
    assert "Impact assessment" in table
    assert "dpia" in table


def test_deployments_create_list_show(cli: Cli, project: str, sdk: Client) -> None:
    model = cli.json("models", "create", "scorer", "-p", project)
    version = sdk.create_model_version(project, model_id=model["id"], version="1")
    deployment = cli.json(
        "deployments", "create", "scorer-prod", "-p", project,
        "--model-version", str(version.id), "--environment", "production",
    )  # fmt: skip
    assert cli.json("deployments", "show", deployment["id"], "-p", project) == deployment
    assert "scorer-prod" in cli.ok("deployments", "list", "-p", project).stdout
    assert "scorer" in cli.ok("models", "list", "-p", project).stdout


def test_errors_are_one_line_with_exit_code_1(cli: Cli, project: str) -> None:
    duplicate = cli("projects", "create", "Credit scoring")
    assert duplicate.exit_code == 1
    assert duplicate.stderr == (
        "error: a project with slug 'credit-scoring' already exists (field: slug)\n"
    )

    missing = cli("systems", "show", "00000000-0000-0000-0000-000000000000", "-p", project)
    assert missing.exit_code == 1
    assert missing.stderr.startswith("error: no AI system with id 00000000-")

    invalid = cli("deployments", "create", "x", "-p", project, "--model-version", "nope")
    assert invalid.exit_code == 1
    assert invalid.stderr.count("\n") == 1
    assert "(field: model_version_id)" in invalid.stderr
    assert "Traceback" not in invalid.output + invalid.stderr

    wrong_key = cli("projects", "list", "--json", env={"BASTION_API_KEY": "bst_0_wrong"})
    assert (wrong_key.exit_code, wrong_key.stderr) == (1, "error: invalid or expired API key\n")


def test_missing_api_key_says_what_to_set(live_server) -> None:
    result = Cli({"BASTION_URL": live_server.url, "BASTION_API_KEY": None})("projects", "list")
    assert result.exit_code == 1
    assert result.stderr == "error: no API key: set BASTION_API_KEY (or pass --api-key)\n"


def test_url_and_key_options_override_the_environment(live_server) -> None:
    cli = Cli({"BASTION_URL": "http://127.0.0.1:1", "BASTION_API_KEY": "bst_0_wrong"})
    unreachable = cli("projects", "list")
    assert unreachable.exit_code == 1
    assert unreachable.stderr.startswith("error: cannot reach Bastion at http://127.0.0.1:1: ")

    result = cli("--url", live_server.url, "--api-key", live_server.admin_key, "projects", "list")
    assert (result.exit_code, result.stdout.strip()) == (0, "no Projects")


def test_db_upgrade_twice_is_a_no_op(tmp_path: Path, database_url: str) -> None:
    cli = Cli({"BASTION_DATA_DIR": str(tmp_path / "data"), "BASTION_DATABASE_URL": database_url})
    first = cli.ok("db", "upgrade")
    head = migrate.head()
    assert first.stdout.strip().endswith(f"upgraded to revision {head}")
    second = cli.ok("db", "upgrade")
    assert second.stdout.strip().endswith(f"already at revision {head}")
    current = cli.ok("db", "current").stdout.splitlines()
    assert current == [f"current: {head}", f"head:    {head}"]


@pytest.mark.parametrize("command", [("db", "upgrade"), ("serve",)])
def test_unreachable_database_is_one_clear_line(tmp_path: Path, command: tuple[str, ...]) -> None:
    cli = Cli({"BASTION_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/x"})
    result = cli(*command)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: cannot reach the database at postgresql+psycopg://postgres@127.0.0.1:1/x: "
    )
    assert result.stderr.count("\n") == 1


# bastion serve, as an operator runs it -------------------------------------------------


def test_serve_prints_the_admin_key_once(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    first = ServeProcess(tmp_path / "data", port)
    try:
        banner = first.read_until("export BASTION_API_KEY=")
        key = banner.rsplit("export BASTION_API_KEY=", 1)[1].split()[0]
        response = httpx.get(f"{url}/api/v1/projects", headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 200
        assert response.json() == {"items": [], "next_cursor": None}
    finally:
        first.stop()
    assert f"running at {url}" in banner
    assert f"API docs: {url}/api/docs" in banner
    assert "shown only once" in banner
    assert key.startswith("bst_")

    second = ServeProcess(tmp_path / "data", port)
    try:
        banner = second.read_until("BASTION_API_KEY")
    finally:
        second.stop()
    assert key not in banner
    assert "bst_" not in banner
    assert "printed at first start" in banner
