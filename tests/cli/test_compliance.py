"""``bastion classify``, ``questionnaire``, ``compliance``, ``report``, ``evidence-pack``,
``audit verify-pack`` and ``frameworks`` against a real server."""

import json
import zipfile
from pathlib import Path

import yaml

from tests.cli.conftest import Cli
from tests.compliance.test_routes import ANSWERS, QUESTIONNAIRES


def _system(cli: Cli, project: str) -> str:
    created = cli.json("systems", "create", "credit scoring", "-p", project)
    system_id: str = created["id"]
    return system_id


def test_classify_fill_status_report_and_pack(cli: Cli, project: str, files: Path) -> None:
    system = _system(cli, project)
    classified = cli.ok(
        "classify", system, "-p", project, "--answers", str(ANSWERS / "german_credit_deployer.yaml")
    )
    assert "risk tier: high" in classified.stdout
    assert "Art. 27" in classified.stdout

    filled = cli.ok(
        "questionnaire", "fill", "dpia", system, "-p", project,
        "--answers", str(QUESTIONNAIRES / "dpia_german_credit.yaml"),
    )  # fmt: skip
    assert "recorded questionnaire.dpia" in filled.stdout

    justified = cli.ok(
        "compliance", "control", system, "gdpr:art22", "-p", project,
        "--not-applicable", "A credit officer decides every application.",
    )  # fmt: skip
    assert "not applicable" in justified.stdout

    # Requirements are still open: exit 2, for pipelines, with the JSON on stdout.
    status = cli("compliance", "status", system, "-p", project, "--framework", "gdpr", "--json")
    assert status.exit_code == 2, status.output
    gdpr = json.loads(status.stdout)["frameworks"][0]
    by_key = {r["key"]: r["status"] for r in gdpr["requirements"]}
    assert by_key["gdpr:art35"] == "satisfied"
    assert by_key["gdpr:art22"] == "not_applicable"
    table = cli("compliance", "status", system, "-p", project, "--framework", "gdpr")
    assert "satisfied" in table.stdout
    assert "missing" in table.stdout
    assert system in cli.ok("compliance", "project", "-p", project, "--json").stdout

    pdf = files / "report.pdf"
    cli.ok("report", system, "-p", project, "-o", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF-")
    page = files / "report.html"
    cli.ok("report", system, "-p", project, "-o", str(page))
    assert "Compliance report: credit scoring" in page.read_text()

    pack = files / "pack.zip"
    cli.ok("evidence-pack", system, "-p", project, "-o", str(pack))
    key = files / "ledger.vkey"
    key.write_text(cli.ok("audit", "key").stdout.strip().splitlines()[-1])
    verified = cli.ok("audit", "verify-pack", str(pack), "--key-file", str(key))
    assert "verifies" in verified.stdout

    tampered = files / "tampered.zip"
    with zipfile.ZipFile(pack) as source, zipfile.ZipFile(tampered, "w") as out:
        for name in source.namelist():
            data = source.read(name)
            if name.startswith("evidence/questionnaire.dpia/"):
                data = data.replace(b'"warn"', b'"pass"').replace(b'"info"', b'"pass"') + b" "
            out.writestr(name, data)
    failed = cli("audit", "verify-pack", str(tampered), "--key-file", str(key))
    assert failed.exit_code == 1
    assert "FAILED" in failed.stderr


def test_an_answers_file_that_is_not_a_mapping_is_refused(
    cli: Cli, project: str, files: Path
) -> None:
    system = _system(cli, project)
    bad = files / "answers.yaml"
    bad.write_text("- provider\n- deployer\n")
    result = cli("classify", system, "-p", project, "--answers", str(bad))
    assert result.exit_code == 1
    assert "must map question ids to answers" in result.stderr


def test_frameworks_list_show_and_validate(cli: Cli, files: Path) -> None:
    listed = cli.ok("frameworks", "list").stdout
    assert "nist_ai_rmf" in listed
    assert "iso_42001" in listed
    shown = cli.ok("frameworks", "show", "gdpr").stdout
    assert "questionnaire.dpia" in shown
    custom = files / "acme.yaml"
    custom.write_text(
        yaml.safe_dump(
            {
                "schema_version": 1,
                "id": "acme",
                "name": "ACME AI policy",
                "title": "ACME internal AI policy",
                "version": "1",
                "publisher": "ACME",
                "kind": "internal",
                "summary": "Our own rules.",
                "requirements": [
                    {
                        "id": "r1",
                        "ref": "R1",
                        "title": "Fairness tested",
                        "summary": "Every model is tested for fairness.",
                        "evidence": ["assessment.fairness"],
                    }
                ],
            }
        )
    )
    assert "is valid" in cli.ok("frameworks", "validate", str(custom)).stdout
    custom.write_text(custom.read_text().replace("assessment.fairness", "assesment.fairness"))
    refused = cli("frameworks", "validate", str(custom))
    assert refused.exit_code == 1
    assert "acme.yaml" in refused.stderr
    assert "r1" in refused.stderr
    assert "assesment.fairness" in refused.stderr
