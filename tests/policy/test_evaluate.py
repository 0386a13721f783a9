"""Gate decisions fail closed: whatever goes wrong on the policy's side is a deny that
says why, never an exception and never an allow (docs/policy.md, "Entrypoints and
result")."""

import hashlib
import json
import math
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bastion.errors import InvalidInput
from bastion.policy import (
    Approval,
    CompiledBundle,
    Decision,
    Reason,
    builtin_bundle,
    compile_bundle,
    document_digest,
    evaluate,
)
from tests.policy.bundles import gate_bundle
from tests.policy.documents import german_credit

CompileGate = Callable[..., CompiledBundle]


def denied_by_error(decision: Decision, *fragments: str) -> None:
    assert decision.allow is False
    assert decision.error is not None
    assert decision.approvals == ()
    assert len(decision.reasons) == 1
    reason = decision.reasons[0]
    assert reason.requirement is None
    assert reason.evidence is None
    assert reason.message == f"policy error: {decision.error}"
    for fragment in fragments:
        assert fragment in decision.error


def test_a_well_formed_decision_is_read_as_given(compile_gate: CompileGate) -> None:
    compiled = compile_gate(
        """decision := {
	"allow": false,
	"reasons": [{
		"requirement": "eu_ai_act:art10",
		"evidence": "assessment.fairness",
		"message": "no fairness assessment",
	}],
	"approvals": [{"role": "risk_officer", "count": 2}],
}
"""
    )
    decision = evaluate(compiled, "production", {"any": "document"})
    assert decision == Decision(
        gate="production",
        allow=False,
        reasons=(Reason("eu_ai_act:art10", "assessment.fairness", "no fairness assessment"),),
        approvals=(Approval("risk_officer", 2),),
        bundle_digest=compiled.digest,
        input_digest=document_digest({"any": "document"}),
        error=None,
        duration_ms=decision.duration_ms,
    )
    assert decision.duration_ms > 0


def test_a_constant_decision_rego_cpp_cannot_plan_is_still_read(compile_gate: CompileGate) -> None:
    # rego-cpp's bundle compiler fails on an object literal of four keys as the entrypoint
    # ("bundle verify: raw index 7 >= local_count 7"); the query path reads it right.
    decision = evaluate(
        compile_gate('decision := {"allow": true, "reasons": [], "approvals": [], "note": "x"}\n'),
        "production",
        {},
    )
    assert (decision.allow, decision.error) == (True, None)


def test_reasons_and_approvals_are_optional_and_notes_keep_an_allow(
    compile_gate: CompileGate,
) -> None:
    bare = evaluate(compile_gate('decision := {"allow": true}\n'), "production", {})
    assert (bare.allow, bare.reasons, bare.approvals, bare.error) == (True, (), (), None)
    noted = evaluate(
        compile_gate('decision := {"allow": true, "reasons": [{"message": "a note"}]}\n'),
        "production",
        {},
    )
    assert noted.allow is True
    assert noted.reasons == (Reason(None, None, "a note"),)


def test_a_deny_without_reasons_gets_one(compile_gate: CompileGate) -> None:
    decision = evaluate(compile_gate('decision := {"allow": false}\n'), "production", {})
    assert decision.allow is False
    assert decision.error is None
    assert decision.reasons == (Reason(None, None, "the policy denies without giving a reason"),)


@pytest.mark.parametrize(
    "gate", ["staging", "deploy", "production.decision", "production; true", "", "Production"]
)
def test_an_unknown_gate_is_denied(compile_gate: CompileGate, gate: str) -> None:
    decision = evaluate(compile_gate('decision := {"allow": true}\n'), gate, {})
    denied_by_error(decision, "unknown gate", "defines production")
    assert decision.gate == gate


def test_an_undefined_decision_is_denied(compile_gate: CompileGate) -> None:
    compiled = compile_gate('decision := {"allow": true} if input.ready == true\n')
    assert evaluate(compiled, "production", {"ready": True}).allow is True
    denied_by_error(evaluate(compiled, "production", {"ready": "soon"}), "undefined")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ('"allowed"', "the decision must be an object"),
        ('{"allow": "yes"}', 'allow must be a boolean, not "yes"'),
        ('{"allow": 1}', "allow must be a boolean, not 1"),
        ('{"reasons": []}', "allow must be a boolean, not null"),
        ('{"allow": true, "reasons": "none"}', "reasons must be an array"),
        ('{"allow": false, "reasons": ["no fairness assessment"]}', "reasons[0] must be an object"),
        (
            '{"allow": false, "reasons": [{"requirement": "x"}]}',
            "reasons[0].message must be a non-empty string",
        ),
        (
            '{"allow": false, "reasons": [{"message": "m", "requirement": 10}]}',
            "reasons[0].requirement must be a string or null",
        ),
        (
            '{"allow": false, "reasons": [{"message": "m", "evidence": ["scan.pii"]}]}',
            "reasons[0].evidence must be a string or null",
        ),
        ('{"allow": true, "approvals": {"risk_officer": 2}}', "approvals must be an array"),
        (
            '{"allow": true, "approvals": [{"role": "risk_officer", "count": "2"}]}',
            "approvals[0].count must be a whole number",
        ),
        (
            '{"allow": true, "approvals": [{"role": "risk_officer", "count": -1}]}',
            "approvals[0].count must be a whole number",
        ),
        (
            '{"allow": true, "approvals": [{"role": "risk_officer", "count": 1.5}]}',
            "approvals[0].count must be a whole number",
        ),
        (
            '{"allow": true, "approvals": [{"role": "", "count": 1}]}',
            "approvals[0].role must be a non-empty string",
        ),
        ('{"allow": true, "approvals": ["risk_officer"]}', "approvals[0] must be an object"),
    ],
)
def test_a_malformed_decision_is_denied(
    compile_gate: CompileGate, value: str, fragment: str
) -> None:
    decision = evaluate(compile_gate(f"decision := {value}\n"), "production", {})
    denied_by_error(decision, "malformed decision", fragment)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        # a runtime type error (strict: not silently undefined)
        ('decision := {"allow": input.count + "1" > 2}\n', "eval_type_error"),
        # a builtin failing
        ('decision := {"allow": to_number(input.limit) > 2}\n', "eval_builtin_error"),
        ('decision := {"allow": 10 / input.zero > 1}\n', "divide by zero"),
        # a complete rule with two values
        (
            'decision := {"allow": true}\n\ndecision := {"allow": false} if true\n',
            "eval_conflict_error",
        ),
        # an unknown function (rego-cpp reports it only when evaluated)
        ('decision := {"allow": no_such_function(input)}\n', "Function not found"),
        # rego-cpp 1.5 writes invalid JSON for this message
        (
            'f(x) := sprintf("no %v", [x])\n\n'
            'decision := {"allow": false, "reasons": [{"message": f("fairness")}]}\n',
            "invalid JSON",
        ),
    ],
)
def test_an_evaluation_error_is_denied_with_the_error(
    compile_gate: CompileGate, body: str, fragment: str
) -> None:
    compiled = compile_gate(body)
    document = {"count": 1, "limit": "abc", "zero": 0}
    decision = evaluate(compiled, "production", document)
    denied_by_error(decision, "evaluation error", fragment)
    # the interpreter that hit the error serves the next evaluation alike
    assert evaluate(compiled, "production", document).error == decision.error


def test_a_gate_the_bundle_defines_beyond_the_four_is_evaluated(compile_gate: CompileGate) -> None:
    compiled = compile_gate('decision := {"allow": input.canary}\n', gate="canary")
    assert compiled.gates == ("canary",)
    assert evaluate(compiled, "canary", {"canary": True}).allow is True
    denied_by_error(evaluate(compiled, "production", {}), "unknown gate")


@pytest.mark.parametrize(
    "document",
    [
        [1, 2],
        "text",
        None,
        {"when": datetime(2026, 11, 26, tzinfo=UTC)},
        {"score": math.nan},
    ],
)
def test_a_document_that_is_not_a_json_object_is_the_callers_fault(document: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        evaluate(compile_bundle(builtin_bundle()), "production", document)  # type: ignore[arg-type]
    assert caught.value.field == "document"


def test_the_input_digest_is_the_sha256_of_canonical_json() -> None:
    document = german_credit()
    reordered = dict(reversed(document.items()))
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert document_digest(document) == hashlib.sha256(canonical.encode()).hexdigest()
    assert document_digest(reordered) == document_digest(document)
    changed = german_credit()
    changed["approvals"][0]["current"] = False
    assert document_digest(changed) != document_digest(document)
    compiled = compile_bundle(builtin_bundle())
    assert evaluate(compiled, "production", reordered).input_digest == document_digest(document)


def test_a_bundle_is_compiled_on_first_use() -> None:
    decision = evaluate(builtin_bundle(), "retired", {})
    assert decision.allow is True
    assert decision.bundle_digest == builtin_bundle().digest


def test_a_bundle_that_does_not_compile_is_a_deny_when_evaluated_directly() -> None:
    bundle = gate_bundle("decision := := 1\n")
    decision = evaluate(bundle, "production", {})
    denied_by_error(decision, "the bundle does not compile", "gate.rego:5: Invalid")
    assert decision.bundle_digest == bundle.digest


def test_decisions_round_trip_through_their_dict() -> None:
    decision = evaluate(compile_bundle(builtin_bundle()), "production", german_credit(approvals=1))
    data = json.loads(json.dumps(decision.to_dict()))
    assert set(data) == {
        "gate", "allow", "reasons", "approvals", "bundle_digest", "input_digest", "error",
        "duration_ms",
    }  # fmt: skip
    again = Decision.from_dict(data)
    assert again.reasons == decision.reasons
    assert again.approvals == decision.approvals
    assert (again.gate, again.allow, again.input_digest) == (
        decision.gate,
        decision.allow,
        decision.input_digest,
    )


def test_threads_sharing_one_compiled_bundle_get_their_own_decisions() -> None:
    # One rego-cpp interpreter shared by threads returned other threads' decisions;
    # each evaluation borrows its own.
    compiled = compile_bundle(builtin_bundle())
    allowed, denied = german_credit(approvals=2), german_credit(approvals=1)
    wrong: list[str] = []

    def work(k: int) -> None:
        for i in range(15):
            document = allowed if (i + k) % 2 else denied
            decision = evaluate(compiled, "production", document)
            if decision.allow is not (document is allowed) or decision.error:
                wrong.append(f"thread {k} #{i}: {decision.reasons}")

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []


def test_an_error_while_evaluating_does_not_return_the_interpreter_to_the_pool(
    compile_gate: CompileGate,
) -> None:
    compiled = compile_gate('decision := {"allow": true}\n')
    with pytest.raises(RuntimeError), compiled.runner():
        raise RuntimeError("boom")
    assert compiled._pool.empty()
    assert evaluate(compiled, "production", {}).allow is True  # a new runner is built


def test_gate_bundle_helper_builds_distinct_bundles() -> None:
    assert gate_bundle("a := 1\n").digest != gate_bundle("a := 2\n").digest
