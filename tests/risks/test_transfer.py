"""Export and import of the register: round trips in CSV and JSON, every invalid row
reported with nothing written, malformed CSV, unknown systems, dry runs, size limits."""

import csv
import io
import json
from typing import Any

import pytest

from tests.inventory.conftest import assert_problem
from tests.risks.conftest import Register

COMPARED = (
    "system_id", "title", "description", "category", "lifecycle_stage", "owner",
    "likelihood", "impact", "inherent_score", "inherent_level", "treatment",
    "treatment_plan", "controls", "residual_likelihood", "residual_impact",
    "residual_score", "residual_level", "contingency_plan", "status", "review_date",
    "evidence_ids",
)  # fmt: skip


def _seed(reg: Register) -> list[dict[str, Any]]:
    evidence = reg.evidence(reg.version["id"], verdict="pass")
    return [
        reg.create(),
        reg.create(
            title="=HYPERLINK(\"http://evil\")", description="line one\nline two, \"quoted\"",
            category="privacy", likelihood=5, impact=5, treatment="mitigate",
            treatment_plan="pseudonymize; then aggregate", residual_likelihood=2,
            residual_impact=2, controls=["iso_42001:a6_2_4", "k-anonymity; k >= 10"],
            contingency_plan="-stop the export", status="in_treatment",
            review_date="2027-01-31", evidence_ids=[evidence["id"]], owner="+DPO",
        ),
    ]  # fmt: skip


def _import(reg: Register, content: str | bytes, media_type: str, **params: Any) -> Any:
    return reg.client.post(
        reg.url("/import"), params=params, content=content, headers={"Content-Type": media_type}
    )


@pytest.mark.parametrize(("fmt", "media_type"), [("csv", "text/csv"), ("json", "application/json")])
def test_export_then_import_round_trips(reg: Register, fmt: str, media_type: str) -> None:
    originals = _seed(reg)
    exported = reg.client.get(reg.url("/export"), params={"format": fmt})
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith(media_type)
    assert f"risks-{reg.inv.slug}.{fmt}" in exported.headers["content-disposition"]
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert [r["ref"] for r in rows] == ["R-1", "R-2"]
        assert rows[1]["system"] == "credit"
        # Cells a spreadsheet would run as formulas are quoted.
        assert rows[1]["title"].startswith("'=")
        assert rows[1]["owner"] == "'+DPO"
    else:
        assert [r["ref"] for r in json.loads(exported.text)] == ["R-1", "R-2"]

    dry = _import(reg, exported.text, media_type, dry_run="true")
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] is True
    assert [(i["row"], i["ref"], i["id"]) for i in dry.json()["items"]] == [
        (1, "R-3", None), (2, "R-4", None)
    ]  # fmt: skip
    assert len(reg.listing()) == 2

    done = _import(reg, exported.text, media_type)
    assert done.status_code == 201, done.text
    assert done.json()["created"] == 2
    copies = reg.listing()[2:]
    for original, copy in zip(originals, copies, strict=True):
        assert {k: copy[k] for k in COMPARED} == {k: original[k] for k in COMPARED}
        assert copy["source"] == "import"
        assert copy["version"] == 1
    assert reg.history("R-4")[0]["action"] == "imported"
    # One register evidence for the import, not one per row.
    assert len(reg.registers()) == 3


def test_every_bad_row_is_reported_and_nothing_is_written(reg: Register) -> None:
    reg.create()
    before = [e.id for e in reg.registers()]
    text = (
        "system,title,category,likelihood,impact,treatment,residual_likelihood,residual_impact,status\n"
        "credit,fine,privacy,2,2,,,,open\n"
        "credit,zero likelihood,privacy,0,3,,,,open\n"
        "nowhere,unknown system,privacy,2,2,,,,open\n"
        "credit,residual untreated,privacy,3,3,,2,2,open\n"
        "credit,bad category,vibes,6,3,,,,open\n"
        "credit,closed untreated,privacy,3,3,,,,closed\n"
        "credit,also fine,safety,1,1,accept,1,1,closed\n"
    )  # fmt: skip
    for dry_run in ("true", "false"):
        body = assert_problem(_import(reg, text, "text/csv", dry_run=dry_run), 422)
        assert "nothing was imported" in body["detail"]
        got = {(e["row"], e["line"], e["field"]) for e in body["errors"]}
        assert got == {
            (2, 3, "likelihood"),
            (3, 4, "system"),
            (4, 5, "residual_likelihood"),
            (5, 6, "category"),
            (5, 6, "likelihood"),
            (6, 7, "status"),
        }
        category = next(e for e in body["errors"] if e["field"] == "category")
        assert "bias_fairness" in category["message"]
        assert "third_party" in category["message"]
    assert [r["title"] for r in reg.listing()] == ["Unfair denials for young applicants"]
    assert [e.id for e in reg.registers()] == before


def test_json_rows_are_checked_the_same_way(reg: Register) -> None:
    rows = [
        {"system_id": reg.system["id"], "title": "ok", "category": "safety", "likelihood": 2,
         "impact": 2},
        {"system": "credit", "title": "no impact", "category": "safety", "likelihood": 2},
        {"system_id": "6b0b0b2e-0000-4000-8000-000000000000", "title": "gone",
         "category": "safety", "likelihood": 2, "impact": 2, "colour": "red"},
        "not an object",
    ]  # fmt: skip
    body = assert_problem(_import(reg, json.dumps(rows), "application/json"), 422)
    got = {(e["row"], e["field"]) for e in body["errors"]}
    assert got == {(2, "impact"), (3, "system_id"), (3, "colour"), (4, "body")}
    assert reg.listing() == []
    # {"risks": [...]} is read too; systems by name.
    ok = _import(reg, json.dumps({"risks": [rows[0] | {"system": "credit"}]}), "application/json")
    assert ok.status_code == 201, ok.text
    assert reg.listing()[0]["title"] == "ok"


@pytest.mark.parametrize(
    ("content", "field", "message"),
    [
        ('system,title,category,likelihood,impact\ncredit,"unclosed,privacy,2,2\n',
         "body", "bad CSV quoting"),
        ('system,title,category,likelihood,impact\ncredit,"a"b,privacy,2,2\n',
         "body", "bad CSV quoting"),
        ("system,title,category,likelihood\ncredit,a,privacy,2,2\n", "columns", "5 values"),
        ("system,title,size\ncredit,a,3\n", "header", "unknown column 'size'"),
        ("", "header", "empty"),
        ("system,title,category,likelihood,impact\n", "body", "no risks"),
    ],
)  # fmt: skip
def test_malformed_csv_is_refused(reg: Register, content: str, field: str, message: str) -> None:
    body = assert_problem(_import(reg, content, "text/csv"), 422)
    assert any(e["field"] == field and message in e["message"] for e in body["errors"]), body
    assert reg.listing() == []


def test_bodies_that_are_not_risks(reg: Register) -> None:
    assert_problem(_import(reg, b"\xff\xfe", "text/csv"), 422, "body")
    assert_problem(_import(reg, "{", "application/json"), 422, "body")
    assert_problem(_import(reg, '{"a": 1}', "application/json"), 422, "body")
    unsupported = _import(reg, "x", "application/xml")
    assert_problem(unsupported, 415, "Content-Type")
    assert_problem(reg.client.post(reg.url("/import")), 422, "body")
    too_big = _import(reg, "x" * (1024 * 1024 + 1), "text/csv")  # the test server's limit
    assert_problem(too_big, 413)


def test_export_of_one_system(reg: Register) -> None:
    reg.create()
    other = reg.inv.new("systems", name="fraud")
    reg.create(system_id=other["id"], title="fraud risk")
    exported = reg.client.get(
        reg.url("/export"), params={"format": "json", "system_id": other["id"]}
    )
    assert [r["title"] for r in exported.json()] == ["fraud risk"]
    empty = reg.inv.new("systems", name="empty")
    none = reg.client.get(reg.url("/export"), params={"format": "csv", "system_id": empty["id"]})
    assert none.text.splitlines() == [none.text.splitlines()[0]]  # the header only
    missing = reg.client.get(reg.url("/export"), params={"system_id": reg.version["id"]})
    assert_problem(missing, 422, "system_id")
    assert_problem(reg.client.get(reg.url("/export"), params={"format": "xlsx"}), 422, "format")
