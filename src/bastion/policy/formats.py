"""Gate decisions and test reports for people and for CI: text, JSON, JUnit XML, SARIF.

JUnit XML is what GitLab (``artifacts:reports:junit``) and GitHub test-report actions
read: one testsuite per gate decision, one testcase per reason, a failure per deny
reason. SARIF 2.1.0 is what GitHub code scanning reads: one result per deny reason,
``ruleId`` the requirement (or the evidence kind), level ``error``; pass ``artifact`` (a
path in the repository, e.g. the model's card or pipeline file) for GitHub to place the
alerts, which it requires a file location for.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from importlib import metadata
from typing import Any

from bastion.policy.evaluate import Decision, Reason
from bastion.policy.tests_runner import TestReport, TestStatus

FORMATS = ("text", "json", "junit", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
POLICY_ERROR_RULE = "bastion-policy-error"
# Characters XML 1.0 cannot hold, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _decisions(decisions: Decision | Iterable[Decision]) -> list[Decision]:
    return [decisions] if isinstance(decisions, Decision) else list(decisions)


def _version() -> str:
    try:
        return metadata.version("bastion-governance")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def render(decisions: Decision | Iterable[Decision], fmt: str, **options: Any) -> str:
    """One decision or several in ``fmt`` (one of ``FORMATS``)."""
    renderers = {"text": to_text, "json": to_json, "junit": to_junit, "sarif": to_sarif}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return renderers[fmt](decisions, **options)


def _label(reason: Reason) -> str:
    return " / ".join(part for part in (reason.requirement, reason.evidence) if part)


def to_text(decisions: Decision | Iterable[Decision]) -> str:
    """A few lines per decision, for a terminal or a CI log."""
    lines: list[str] = []
    for d in _decisions(decisions):
        verdict = "ALLOWED" if d.allow else "DENIED (policy error)" if d.error else "DENIED"
        lines.append(
            f"{d.gate}: {verdict} - bundle {d.bundle_digest[:12]}, document "
            f"{d.input_digest[:12]}, {d.duration_ms:.1f} ms"
        )
        prefix = "note:" if d.allow else "-"
        for reason in d.reasons:
            label = _label(reason)
            tag = f"[{label}] " if label else ""
            lines.append(f"  {prefix} {tag}{reason.message}")
        for approval in d.approvals:
            lines.append(f"  approvals needed: {approval.count} x {approval.role}")
    return "\n".join(lines) + "\n"


def to_json(decisions: Decision | Iterable[Decision]) -> str:
    """``Decision.to_dict()``, or a list of them when given several."""
    if isinstance(decisions, Decision):
        return json.dumps(decisions.to_dict(), indent=2, ensure_ascii=False) + "\n"
    return json.dumps([d.to_dict() for d in decisions], indent=2, ensure_ascii=False) + "\n"


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


def _element(parent: ET.Element, tag: str, text: str | None = None, **attrs: Any) -> ET.Element:
    child = ET.SubElement(parent, tag, {k: _xml_text(str(v)) for k, v in attrs.items()})
    if text is not None:
        child.text = _xml_text(text)
    return child


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def to_junit(decisions: Decision | Iterable[Decision]) -> str:
    """JUnit XML: a testsuite per decision, a testcase per reason (a failure when the
    gate denies), a passing ``decision`` testcase when it allows without notes."""
    decisions = _decisions(decisions)
    root = ET.Element("testsuites", name="bastion policy")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for d in decisions:
        suite = _element(root, "testsuite", name=d.gate, time=f"{d.duration_ms / 1000:.6f}")
        properties = _element(suite, "properties")
        for name, value in (
            ("allow", str(d.allow).lower()),
            ("bundle_digest", d.bundle_digest),
            ("input_digest", d.input_digest),
            *((f"approvals.{a.role}", str(a.count)) for a in d.approvals),
        ):
            _element(properties, "property", name=name, value=value)
        counts = {"tests": 0, "failures": 0, "errors": 0}
        classname = f"bastion.gates.{d.gate}"
        if d.error:
            case = _element(suite, "testcase", classname=classname, name="policy", time="0")
            _element(case, "error", d.error, type="policy-error", message=d.error)
            counts["tests"] += 1
            counts["errors"] += 1
        else:
            for reason in d.reasons:
                label = _label(reason)
                name = f"{label}: {reason.message}" if label else reason.message
                case = _element(suite, "testcase", classname=classname, name=name, time="0")
                counts["tests"] += 1
                if d.allow:
                    _element(case, "system-out", reason.message)
                else:
                    _element(case, "failure", name, type="deny", message=reason.message)
                    counts["failures"] += 1
            if not d.reasons:
                _element(suite, "testcase", classname=classname, name="decision", time="0")
                counts["tests"] += 1
        for key, count in counts.items():
            suite.set(key, str(count))
            totals[key] += count
    for key, count in totals.items():
        root.set(key, str(count))
    return _xml(root)


def _rule_id(reason: Reason, decision: Decision) -> str:
    if decision.error:
        return POLICY_ERROR_RULE
    return reason.requirement or reason.evidence or "bastion-policy"


def to_sarif(decisions: Decision | Iterable[Decision], *, artifact: str | None = None) -> str:
    """SARIF 2.1.0: one run, one ``error`` result per deny reason.

    ``artifact`` is a repository-relative path to attach each result to (GitHub code
    scanning shows only results with a file location).
    """
    decisions = _decisions(decisions)
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    for d in decisions:
        if d.allow:
            continue
        for reason in d.reasons:
            rule_id = _rule_id(reason, d)
            if rule_id not in rules:
                rules[rule_id] = {
                    "id": rule_id,
                    "name": rule_id,
                    "shortDescription": {"text": _rule_description(rule_id, reason)},
                    "defaultConfiguration": {"level": "error"},
                }
            location: dict[str, Any] = {
                "logicalLocations": [
                    {
                        "name": d.gate,
                        "fullyQualifiedName": f"bastion.gates.{d.gate}",
                        "kind": "module",
                    }
                ]
            }
            if artifact:
                location["physicalLocation"] = {"artifactLocation": {"uri": artifact}}
            fingerprint = hashlib.sha256(
                f"{d.gate}\0{rule_id}\0{reason.evidence}\0{reason.message}".encode()
            ).hexdigest()
            results.append(
                {
                    "ruleId": rule_id,
                    "ruleIndex": list(rules).index(rule_id),
                    "level": "error",
                    "message": {"text": f"{d.gate} gate: {reason.message}"},
                    "locations": [location],
                    "partialFingerprints": {"bastionReason/v1": fingerprint},
                    "properties": {
                        "gate": d.gate,
                        "requirement": reason.requirement,
                        "evidence": reason.evidence,
                        "bundle_digest": d.bundle_digest,
                        "input_digest": d.input_digest,
                    },
                }
            )
    sarif = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "bastion-policy",
                        "fullName": "Bastion policy gates",
                        "version": _version(),
                        "rules": list(rules.values()),
                    }
                },
                "invocations": [{"executionSuccessful": all(d.error is None for d in decisions)}],
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"


def _rule_description(rule_id: str, reason: Reason) -> str:
    if rule_id == POLICY_ERROR_RULE:
        return "The policy bundle could not decide; the gate fails closed."
    if reason.requirement:
        return f"Requirement {reason.requirement}"
    return f"Evidence {rule_id}"


def report_to_text(report: TestReport, *, verbose: bool = False) -> str:
    """A summary line, then the tests that did not pass (all of them with ``verbose``)."""
    lines = [
        f"bundle {report.bundle_name} ({report.bundle_digest[:12]}): {report.passed_count} "
        f"passed, {report.failed_count} failed, {report.error_count} errors in "
        f"{report.duration_ms:.0f} ms"
    ]
    if not report.results:
        lines.append("  no test_ rules found")
    for r in report.results:
        if verbose or r.status is not TestStatus.PASSED:
            note = f": {r.message}" if r.message else ""
            lines.append(f"  {r.status.value.upper():6} {r.package}.{r.name} ({r.file}){note}")
    return "\n".join(lines) + "\n"


def report_to_junit(report: TestReport) -> str:
    """JUnit XML: a testsuite per package, a testcase per test rule."""
    root = ET.Element("testsuites", name=f"bastion policy test {report.bundle_name}")
    suites: dict[str, ET.Element] = {}
    for r in report.results:
        if r.package not in suites:
            suites[r.package] = _element(root, "testsuite", name=r.package)
        case = _element(
            suites[r.package],
            "testcase",
            classname=r.package,
            name=r.name,
            file=r.file,
            time=f"{r.duration_ms / 1000:.6f}",
        )
        if r.status is TestStatus.FAILED:
            _element(case, "failure", r.message, type="fail", message=r.message or "failed")
        elif r.status is TestStatus.ERROR:
            _element(case, "error", r.message, type="error", message=r.message or "error")
    for package, suite in suites.items():
        mine = [r for r in report.results if r.package == package]
        suite.set("tests", str(len(mine)))
        suite.set("failures", str(sum(r.status is TestStatus.FAILED for r in mine)))
        suite.set("errors", str(sum(r.status is TestStatus.ERROR for r in mine)))
        suite.set("time", f"{sum(r.duration_ms for r in mine) / 1000:.6f}")
    root.set("tests", str(len(report.results)))
    root.set("failures", str(report.failed_count))
    root.set("errors", str(report.error_count))
    root.set("time", f"{report.duration_ms / 1000:.6f}")
    return _xml(root)


__all__ = [
    "FORMATS",
    "render",
    "report_to_junit",
    "report_to_text",
    "to_json",
    "to_junit",
    "to_sarif",
    "to_text",
]
