"""docs/release-gates-walkthrough.md, step by step, with the ``bastion`` command against a
live server: the German-credit model is blocked from production with its reasons, the
evidence is produced, two risk officers approve, and the promotion passes."""

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import skops.io

from tests.cli.conftest import Cli
from tests.compliance.test_routes import ANSWERS, QUESTIONNAIRES
from tests.datasets import german_split, tabular_model


def _id(output: str) -> str:
    """The id of the last record a command names: "… (id 3f2c…)"."""
    found = re.findall(r"\(id ([0-9a-f-]{36})\)", output)
    assert found, output
    return str(found[-1])


def _principal(cli: Cli, project: str, role: str) -> str:
    """A service account with ``role`` in the project; its API key."""
    user = cli.json("users", "create", "--service", "--display-name", role)
    key = cli.json("keys", "create", f"{role} key", "--principal", user["id"])
    cli.ok("roles", "grant", "--project", project, "--principal", user["id"], "--role", role)
    secret: str = key["secret"]
    return secret


def test_the_walkthrough(cli: Cli, files: Path) -> None:
    split = german_split()
    model = tabular_model(split)
    (files / "model.skops").write_bytes(skops.io.dumps(model))
    for name, rows in (
        ("train", split.X_train.assign(good=split.y_train)),
        ("test", split.test_rows),
    ):
        buffer = io.StringIO()
        rows.to_csv(buffer, index=False)
        (files / f"{name}.csv").write_text(buffer.getvalue())

    # 1. The system, its data and its model.
    project = cli.json("projects", "create", "Credit scoring")["slug"]
    system = cli.json(
        "systems", "create", "credit scoring", "-p", project,
        "--purpose", "Score consumer-loan applications",
        "--intended-use", "Rank applications for a credit officer, who decides",
    )["id"]  # fmt: skip
    classified = cli.ok(
        "classify", system, "-p", project, "--answers", str(ANSWERS / "german_credit_provider.yaml")
    )
    assert "risk tier: high; role: provider" in classified.stdout
    train = _id(cli.ok("datasets", "register", str(files / "train.csv"), "-p", project,
                       "--dataset", "german", "--version", "train").stdout)  # fmt: skip
    test = _id(cli.ok("datasets", "register", str(files / "test.csv"), "-p", project,
                      "--dataset", "german", "--version", "test").stdout)  # fmt: skip
    cli.ok("models", "create", "credit-scorer", "-p", project, "--system", system)
    version = _id(cli.ok(
        "models", "register", str(files / "model.skops"), "-p", project, "--model",
        "credit-scorer", "--version", "1.0", "--framework", "scikit-learn",
        "--training-data", train, "--evaluation-data", test,
    ).stdout)  # fmt: skip
    assert (
        "now in staging" in cli.ok("versions", "promote", version, "staging", "-p", project).stdout
    )

    # 2. Blocked from production, with the reasons.
    check = ("policy", "check", "-p", project, "--model-version", version, "--stage", "production")
    denied = cli(*check)
    assert denied.exit_code == 1, denied.output
    for kind in ("assessment.fairness", "assessment.robustness", "scan.pii", "questionnaire.dpia"):
        assert kind in denied.stdout
    junit = cli(*check, "--format", "junit", "-o", str(files / "gate.xml"))
    assert junit.exit_code == 1
    failures = ET.parse(files / "gate.xml").getroot().iter("failure")  # noqa: S314 - ours
    assert any("assessment.fairness" in (f.get("message") or "") + (f.text or "") for f in failures)

    # 3. Produce the missing evidence.
    server = ("-p", project, "--model-version", version, "--dataset-version", test,
              "--label", "good", "--fail-on", "never")  # fmt: skip
    cli.ok("assess", "fairness", *server, "--sensitive", "sex")
    cli.ok("assess", "performance", *server, "--sensitive", "sex")
    cli.ok("assess", "explain", *server, "--option", "max_rows=50")
    cli.ok("assess", "robustness", *server, "--option", "max_samples=4", "--option", "max_iter=5")
    cli.ok("scan", "pii", "--dataset-version", train, "-p", project, "--exact")
    cli.ok("questionnaire", "fill", "dpia", system, "-p", project,
           "--answers", str(QUESTIONNAIRES / "dpia_german_credit.yaml"))  # fmt: skip
    waiting = cli(*check)
    assert waiting.exit_code == 1
    assert "0 of 2 required risk_officer approvals" in waiting.stdout, waiting.stdout

    # 4. Two risk officers approve; the requester and a second answer do not count.
    scientist = _principal(cli, project, "data_scientist")
    officers = [_principal(cli, project, "risk_officer") for _ in range(2)]
    as_scientist = {"BASTION_API_KEY": scientist}
    asked = cli("promotions", "request", version, "production", "-p", project,
                "-m", "Evidence complete", env=as_scientist)  # fmt: skip
    assert asked.exit_code == 0, asked.output
    request = cli.json("promotions", "list", "-p", project, "--model-version", version)[0]["id"]
    own = cli("promotions", "approve", request, "-p", project, env=as_scientist)
    assert own.exit_code == 1
    assert "requester" in own.stderr
    for officer in officers:
        approved = cli("promotions", "approve", request, "-p", project, "-m", "Reviewed",
                       env={"BASTION_API_KEY": officer})  # fmt: skip
        assert approved.exit_code == 0, approved.output
    twice = cli(
        "promotions", "approve", request, "-p", project, env={"BASTION_API_KEY": officers[0]}
    )
    assert twice.exit_code == 1
    assert "once" in twice.stderr

    # 5. The promotion passes.
    sarif = cli(*check, "--format", "sarif", "-o", str(files / "gate.sarif"))
    assert sarif.exit_code == 0, sarif.output
    assert json.loads((files / "gate.sarif").read_text())["runs"][0]["results"] == []
    promoted = cli("versions", "promote", version, "production", "-p", project, env=as_scientist)
    assert promoted.exit_code == 0, promoted.output
    assert "now in production" in promoted.stdout
