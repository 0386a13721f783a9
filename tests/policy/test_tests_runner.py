"""``run_tests``: every ``test_*`` rule of every package, as ``bastion policy test DIR``
runs them."""

from collections.abc import Callable
from pathlib import Path

import pytest

from bastion.policy import Bundle, CompiledBundle, PolicyError, TestStatus, load_bundle, run_tests

CompileGate = Callable[..., CompiledBundle]

CHECKS = """package bastion.checks.limits

import rego.v1

too_many(doc) if count(doc.items) > 2

test_three_are_too_many if too_many({"items": [1, 2, 3]})

test_two_are_too_many if too_many({"items": [1, 2]})

test_one_is_fine if not too_many({"items": [1]})

test_counts_a_number if too_many({"items": 5})

test_is_a_number := 42
"""


def test_each_test_passes_fails_or_errors_with_its_message(compile_gate: CompileGate) -> None:
    compiled = compile_gate(
        'decision := {"allow": true}\n\ntest_allows if decision.allow\n',
        **{"limits_test.rego": CHECKS},
    )
    report = run_tests(compiled)
    outcome = {(r.package, r.name): (r.status, r.message) for r in report}
    assert outcome == {
        ("bastion.gates.production", "test_allows"): (TestStatus.PASSED, None),
        ("bastion.checks.limits", "test_three_are_too_many"): (TestStatus.PASSED, None),
        ("bastion.checks.limits", "test_two_are_too_many"): (TestStatus.FAILED, "undefined"),
        ("bastion.checks.limits", "test_one_is_fine"): (TestStatus.PASSED, None),
        ("bastion.checks.limits", "test_counts_a_number"): (
            TestStatus.ERROR,
            "eval_type_error: operand 1 must be one of {array, object, set, string} but got number",
        ),
        ("bastion.checks.limits", "test_is_a_number"): (
            TestStatus.FAILED,
            "value 42, expected true",
        ),
    }
    assert (report.passed_count, report.failed_count, report.error_count) == (3, 2, 1)
    assert report.passed is False
    assert all(r.duration_ms >= 0 for r in report)
    assert {r.file for r in report} == {"gate.rego", "limits_test.rego"}
    assert report.to_dict()["counts"] == {"passed": 3, "failed": 2, "error": 1}


def test_a_bundle_without_tests_reports_none(compile_gate: CompileGate) -> None:
    report = run_tests(compile_gate('decision := {"allow": true}\n'))
    assert report.results == ()
    assert report.passed is False  # nothing was shown to work


def test_a_directory_is_compiled_then_tested(tmp_path: Path) -> None:
    (tmp_path / "gate.rego").write_text(
        "package bastion.gates.staging\n\nimport rego.v1\n\n"
        'decision := decide(input)\n\ndecide(doc) := {"allow": doc.ok == true}\n'
    )
    (tmp_path / "gate_test.rego").write_text(
        "package bastion.gates.staging\n\nimport rego.v1\n\n"
        'test_ok if decide({"ok": true}).allow\n\ntest_not_ok if not decide({"ok": false}).allow\n'
    )
    report = run_tests(load_bundle(tmp_path))
    assert report.passed is True
    assert report.passed_count == 2
    assert report.bundle_name == tmp_path.name


def test_a_bundle_that_does_not_compile_is_refused() -> None:
    bundle = Bundle.from_files(
        "bad", {"gate.rego": "package bastion.gates.x\n\ndecision := := 1\n"}
    )
    with pytest.raises(PolicyError, match=r"gate\.rego:3:"):
        run_tests(bundle)
