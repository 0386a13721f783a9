"""Decisions and test reports as text, JSON, JUnit XML and SARIF 2.1.0."""

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from bastion.policy import (
    Decision,
    Reason,
    builtin_bundle,
    compile_bundle,
    evaluate,
    formats,
    run_tests,
)
from tests.policy.documents import german_credit


def parse(text: str) -> ET.Element:
    """Parse XML this package wrote (not untrusted input, hence no defusedxml)."""
    return ET.fromstring(text)  # noqa: S314


@pytest.fixture(scope="module")
def decisions() -> list[Decision]:
    compiled = compile_bundle(builtin_bundle())
    missing = german_credit(approvals=1)
    del missing["evidence"]["assessment.fairness"]
    return [
        evaluate(compiled, "production", missing),  # denied: two reasons
        evaluate(compiled, "staging", missing),  # allowed
        evaluate(compiled, "canary", missing),  # a policy error
    ]


def test_text_names_each_gate_verdict_and_reason(decisions: list[Decision]) -> None:
    text = formats.to_text(decisions)
    assert "production: DENIED" in text
    assert "  - [eu_ai_act:art10 / assessment.fairness] no fairness assessment" in text
    assert (
        "  - [eu_ai_act:art14 / approval.promotion] 1 of 2 required risk_officer approvals" in text
    )
    assert "approvals needed: 2 x risk_officer" in text
    assert "staging: ALLOWED" in text
    assert "canary: DENIED (policy error)" in text
    assert formats.render(decisions[0], "text") == formats.to_text([decisions[0]])


def test_json_is_the_decisions_dicts(decisions: list[Decision]) -> None:
    assert json.loads(formats.to_json(decisions)) == [d.to_dict() for d in decisions]
    assert (
        Decision.from_dict(json.loads(formats.to_json(decisions[0]))).reasons
        == decisions[0].reasons
    )


def test_junit_has_a_suite_per_gate_and_a_failure_per_deny_reason(
    decisions: list[Decision],
) -> None:
    root = parse(formats.to_junit(decisions))
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["production", "staging", "canary"]
    production = suites["production"]
    cases = production.findall("testcase")
    assert len(cases) == 2
    failures = [c.find("failure") for c in cases]
    assert all(f is not None and f.get("type") == "deny" for f in failures)
    assert {c.get("name") for c in cases} == {
        "eu_ai_act:art10 / assessment.fairness: no fairness assessment",
        "eu_ai_act:art14 / approval.promotion: 1 of 2 required risk_officer approvals",
    }
    assert (production.get("tests"), production.get("failures"), production.get("errors")) == (
        "2",
        "2",
        "0",
    )
    properties = {p.get("name"): p.get("value") for p in production.iter("property")}
    assert properties["bundle_digest"] == decisions[0].bundle_digest
    assert properties["approvals.risk_officer"] == "2"
    staging_cases = suites["staging"].findall("testcase")
    assert [c.get("name") for c in staging_cases] == ["decision"]
    assert staging_cases[0].find("failure") is None
    error = suites["canary"].find("testcase/error")
    assert error is not None
    assert "unknown gate" in (error.get("message") or "")
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "2", "1")


def test_junit_stays_valid_xml_whatever_a_policy_says() -> None:
    decision = Decision(
        gate="production",
        allow=False,
        reasons=(),
        approvals=(),
        bundle_digest="0" * 64,
        input_digest="1" * 64,
    )
    odd = Reason("x:<1>", "a&b", 'quote " and <tag> and \x00\x07 control and ünïcode')
    decision = Decision(**{**decision.__dict__, "reasons": (odd,)})
    root = parse(formats.to_junit(decision))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == 'quote " and <tag> and \ufffd\ufffd control and ünïcode'


def check_sarif(log: dict[str, Any]) -> None:
    """The SARIF 2.1.0 properties GitHub code scanning requires, checked by hand."""
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    assert isinstance(log["runs"], list)
    assert log["runs"]
    for run in log["runs"]:
        driver = run["tool"]["driver"]
        assert isinstance(driver["name"], str)
        assert driver["name"]
        rule_ids = [rule["id"] for rule in driver.get("rules", [])]
        assert len(rule_ids) == len(set(rule_ids))
        for result in run["results"]:
            assert isinstance(result["message"]["text"], str)
            assert result["message"]["text"]
            assert result["level"] in {"none", "note", "warning", "error"}
            assert rule_ids[result["ruleIndex"]] == result["ruleId"]
            for location in result.get("locations", []):
                assert set(location) <= {"physicalLocation", "logicalLocations", "message", "id"}
            for value in result.get("partialFingerprints", {}).values():
                assert isinstance(value, str)


def test_sarif_has_one_error_result_per_deny_reason(decisions: list[Decision]) -> None:
    log = json.loads(formats.to_sarif(decisions, artifact="models/credit-scorer/model-card.md"))
    check_sarif(log)
    (run,) = log["runs"]
    results = run["results"]
    assert [r["ruleId"] for r in results] == [
        "eu_ai_act:art14",
        "eu_ai_act:art10",
        "bastion-policy-error",
    ]
    assert {r["level"] for r in results} == {"error"}
    assert results[1]["message"]["text"] == "production gate: no fairness assessment"
    assert results[1]["properties"]["evidence"] == "assessment.fairness"
    assert results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "models/credit-scorer/model-card.md"
    )
    assert (
        results[1]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
        == "bastion.gates.production"
    )
    assert run["invocations"] == [{"executionSuccessful": False}]
    # stable fingerprints: the same decision gives the same alerts
    again = json.loads(formats.to_sarif(decisions, artifact="models/credit-scorer/model-card.md"))
    assert again["runs"][0]["results"] == results


def test_sarif_of_allowed_decisions_has_no_results(decisions: list[Decision]) -> None:
    log = json.loads(formats.render([decisions[1]], "sarif"))
    check_sarif(log)
    assert log["runs"][0]["results"] == []
    assert "physicalLocation" not in json.dumps(log)


def test_sarif_rule_id_falls_back_to_the_evidence_kind() -> None:
    decision = Decision(
        "production", False, (Reason(None, "scan.model", "no model scan"),), (), "0" * 64, "1" * 64
    )
    (result,) = json.loads(formats.to_sarif(decision))["runs"][0]["results"]
    assert result["ruleId"] == "scan.model"


def test_an_unknown_format_is_refused(decisions: list[Decision]) -> None:
    with pytest.raises(ValueError, match="choose one of text, json, junit, sarif"):
        formats.render(decisions, "html")


def test_test_reports_as_text_and_junit() -> None:
    report = run_tests(builtin_bundle())
    text = formats.report_to_text(report)
    counts = f"{report.passed_count} passed, 0 failed, 0 errors"
    assert text.startswith(f"bundle builtin ({report.bundle_digest[:12]}): {counts}")
    assert "test_" not in text  # only what did not pass, unless verbose
    assert "PASSED bastion.gates.production.test_high_complete_with_two_approvals_is_allowed" in (
        formats.report_to_text(report, verbose=True)
    )
    root = parse(formats.report_to_junit(report))
    assert root.get("tests") == str(len(report.results))
    suites = {s.get("name") for s in root.findall("testsuite")}
    assert "bastion.gates.production" in suites
    case = root.find("testsuite/testcase")
    assert case is not None
    assert case.get("file", "").endswith("_test.rego")
