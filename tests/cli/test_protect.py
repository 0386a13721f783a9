"""``bastion scan pii``, ``bastion anonymize`` and ``bastion privacy``: on files here and on
registered data through a live server."""

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from faker import Faker
from typer.testing import CliRunner

from bastion import Client
from bastion.cli.main import app
from tests.conftest import LiveServer
from tests.datasets import adult_frame


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> Path:
    fake = Faker("en_US")
    Faker.seed(7)
    frame = adult_frame().head(400)[["age", "sex", "race", "occupation", "income"]].copy()
    frame["email"] = [fake.email() for _ in range(len(frame))]
    frame["ssn"] = [fake.ssn() for _ in range(len(frame))]
    path = tmp_path_factory.mktemp("protect") / "people.csv"
    frame.to_csv(path, index=False)
    return path


def _run(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, list(args), env=env)


def test_scan_a_table_and_a_text_file(people: Path, tmp_path: Path) -> None:
    scanned = _run("scan", "pii", str(people), "--json", "--exact")
    assert scanned.exit_code == 0, scanned.output
    entities = {c["column"]: c["entity"] for c in json.loads(scanned.stdout)["columns"]}
    assert entities["email"] == "EMAIL_ADDRESS"
    assert entities["ssn"] == "US_SSN"
    assert entities["age"] is None
    notes = tmp_path / "ticket.txt"
    notes.write_text("Customer jane.doe@example.com called from 212-555-0175 about her card.\n")
    text = _run("scan", "pii", str(notes), "--json")
    assert text.exit_code == 0, text.output
    assert "EMAIL_ADDRESS" in json.loads(text.stdout)["counts"]
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b\n1,2\n3,4,5\n")
    bad = _run("scan", "pii", str(ragged))
    assert bad.exit_code == 1
    assert "line 3" in bad.stderr


def test_anonymize_with_a_key_file(people: Path, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "columns:\n  email: {operator: pseudonymize}\n  ssn: tokenize\n"
        "  age: {operator: generalize, width: 10}\n"
    )
    key = tmp_path / "anon.key"
    out = tmp_path / "people.anon.parquet"
    args = ["anonymize", str(people), "--spec", str(spec), "-o", str(out), "--key-file", str(key)]
    assert _run(*args).exit_code == 1  # no key file yet, and not asked to make one
    made = _run(*args, "--new-key", "--json")
    assert made.exit_code == 0, made.output
    assert key.stat().st_mode & 0o077 == 0
    result = pd.read_parquet(out)
    source = pd.read_csv(people)
    assert not set(result["email"]) & set(source["email"])
    assert result["ssn"].str.len().tolist() == source["ssn"].str.len().tolist()
    assert json.loads(made.stdout)["rows_in"] == len(source)
    missing = tmp_path / "missing.yaml"
    missing.write_text("columns:\n  phone: redact\n")
    refused = _run("anonymize", str(people), "--spec", str(missing), "-o", str(tmp_path / "x.csv"))
    assert refused.exit_code == 1
    assert "phone" in refused.stderr


def test_kanon_and_generalization(people: Path, tmp_path: Path) -> None:
    measured = _run(
        "privacy", "kanon", str(people), "--qi", "age", "--qi", "sex", "--qi", "race",
        "--sensitive", "occupation", "--json",
    )  # fmt: skip
    assert measured.exit_code == 0, measured.output
    assert json.loads(measured.stdout)["k"] == 1
    out = tmp_path / "general.csv"
    generalized = _run(
        "privacy", "kanon", str(people), "--qi", "age", "--qi", "sex", "--qi", "race",
        "--k", "5", "--generalize", str(out), "--json",
    )  # fmt: skip
    assert generalized.exit_code == 0, generalized.output
    assert json.loads(generalized.stdout)["k"] >= 5
    assert len(pd.read_csv(out)) == 400
    unknown = _run("privacy", "kanon", str(people), "--qi", "zip")
    assert unknown.exit_code == 1
    assert "zip" in unknown.stderr


def test_on_the_server(people: Path, live_server: LiveServer) -> None:
    env = {"BASTION_URL": live_server.url, "BASTION_API_KEY": live_server.admin_key}
    with Client(live_server.url, live_server.admin_key) as sdk:
        project = sdk.create_project(name="Protect CLI").slug
        data = sdk.create_dataset(project, name="people")
        version = sdk.create_dataset_version(project, dataset_id=data.id, version="raw")
        sdk.upload_dataset_artifact(project, version.id, people)
        model = sdk.create_model(project, name="m")
        model_version = sdk.create_model_version(
            project, model_id=model.id, version="1",
            datasets=[{"dataset_version_id": version.id, "role": "training"}],
        )  # fmt: skip
    scanned = _run("scan", "pii", "--dataset-version", str(version.id), "-p", project, "--json",
                   env=env)  # fmt: skip
    assert scanned.exit_code == 0, scanned.output
    assert json.loads(scanned.stdout)["result"]["suggested_classification"] == "restricted"
    checked = _run(
        "privacy", "minimization", "--model-version", str(model_version.id), "-p", project,
        "--feature", "age", "--feature", "email", "--label", "income", env=env,
    )  # fmt: skip
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.startswith("warn")
