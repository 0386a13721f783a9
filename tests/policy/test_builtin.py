"""The built-in bundle (docs/policy.md, "The built-in bundle") on realistic evidence
documents: a credit-scoring model trained on German Credit, high risk under the EU AI
Act, and the same model in lighter tiers."""

from typing import Any

import pytest

from bastion.frameworks.loader import load_catalog
from bastion.policy import Decision, TestStatus, builtin_bundle, compile_bundle, evaluate, run_tests
from tests.policy.documents import approval, evidence, german_credit

GATES = ("register", "staging", "production", "retired")


def decide(gate: str, document: dict[str, Any]) -> Decision:
    decision = evaluate(compile_bundle(builtin_bundle()), gate, document)
    assert decision.error is None, decision.error
    return decision


def named(decision: Decision) -> set[tuple[str | None, str | None]]:
    return {(r.requirement, r.evidence) for r in decision.reasons}


def messages(decision: Decision) -> list[str]:
    return [r.message for r in decision.reasons]


def test_the_bundles_rego_tests_all_pass() -> None:
    report = run_tests(builtin_bundle())
    assert report.results, "the built-in bundle has tests"
    failing = [
        f"{r.package}.{r.name}: {r.message}" for r in report if r.status is not TestStatus.PASSED
    ]
    assert failing == []
    tested = {r.package for r in report}
    assert {"bastion.lib", *(f"bastion.gates.{g}" for g in GATES)} <= tested


def test_a_high_risk_system_missing_evidence_is_denied_naming_each_requirement() -> None:
    decision = decide("production", german_credit(complete=False))
    assert decision.allow is False
    assert named(decision) == {
        ("eu_ai_act:art10", "assessment.fairness"),
        ("eu_ai_act:art15", "assessment.performance"),
        ("eu_ai_act:art15", "assessment.robustness"),
        ("eu_ai_act:art13", "assessment.explainability"),
        ("eu_ai_act:art13", None),  # the model card's training data and performance
        ("gdpr:art25", "check.data_minimization"),  # status_sex used, no minimization check
        ("gdpr:art35", "questionnaire.dpia"),  # personal data, no DPIA
        ("eu_ai_act:art9", "risk.register"),  # R-1 is high and untreated
    }
    assert "no fairness assessment" in messages(decision)
    untreated = 'the high risk R-1 "Lower approval rate for applicants under 25" is open'
    assert f"{untreated} without a treatment" in messages(decision)
    assert [a.to_dict() for a in decision.approvals] == [{"role": "risk_officer", "count": 2}]


@pytest.mark.parametrize(("given", "allowed"), [(0, False), (1, False), (2, True), (3, True)])
def test_a_complete_high_risk_system_needs_two_current_approvals(given: int, allowed: bool) -> None:
    decision = decide("production", german_credit(approvals=given))
    assert decision.allow is allowed
    if not allowed:
        assert decision.reasons[0].to_dict() == {
            "requirement": "eu_ai_act:art14",
            "evidence": "approval.promotion",
            "message": f"{given} of 2 required risk_officer approvals",
        }
        assert len(decision.reasons) == 1


@pytest.mark.parametrize(
    "second",
    [
        approval("risk-officer-2", current=False),  # given before the model version changed
        approval("ml-engineer"),  # the requester's own
        approval("risk-officer-1"),  # the same principal twice
        approval("auditor-1", roles=("auditor",)),  # not a risk officer
        approval("risk-officer-2", decision="reject"),
    ],
    ids=["stale", "requester", "duplicate", "other-role", "rejection"],
)
def test_approvals_that_do_not_count(second: dict[str, Any]) -> None:
    document = german_credit(approvals=0)
    document["approvals"] = [approval("risk-officer-1"), second]
    decision = decide("production", document)
    assert decision.allow is False
    assert messages(decision) == ["1 of 2 required risk_officer approvals"]


@pytest.mark.parametrize("tier", ["minimal", "limited", "out_of_scope"])
def test_lighter_tiers_need_performance_a_card_and_one_approval(tier: str) -> None:
    document = german_credit(tier, approvals=1, complete=False)
    document["evidence"]["assessment.performance"] = evidence("assessment.performance")
    decision = decide("production", document)
    assert decision.allow is True, decision.reasons
    assert [a.to_dict() for a in decision.approvals] == [{"role": "risk_officer", "count": 1}]
    # the same document for a high-risk system is far from enough
    document["system"]["risk_tier"] = "high"
    assert len(decide("production", document).reasons) >= 7


def test_lighter_tiers_still_deny_what_they_need() -> None:
    document = german_credit("minimal", approvals=0, complete=False)
    document["evidence"]["assessment.performance"] = evidence(
        "assessment.performance", expired=True, age_days=200
    )
    document["model_card"]["intended_use"] = False
    decision = decide("production", document)
    assert named(decision) == {
        ("eu_ai_act:art15", "assessment.performance"),
        ("eu_ai_act:art13", None),
        ("eu_ai_act:art14", "approval.promotion"),
    }
    assert "the performance assessment has expired (200 days old, valid for 180 days)" in messages(
        decision
    )


def test_a_failing_assessment_is_denied_and_a_warning_is_not() -> None:
    document = german_credit()
    document["evidence"]["assessment.robustness"] = evidence("assessment.robustness", "fail")
    decision = decide("production", document)
    assert messages(decision) == ["the robustness assessment fails: assessment.robustness: fail"]
    document["evidence"]["assessment.robustness"] = evidence("assessment.robustness", "warn")
    assert decide("production", document).allow is True


def test_a_prohibited_system_is_denied_at_every_gate_but_retired() -> None:
    document = german_credit("prohibited")
    for gate in ("register", "staging", "production"):
        decision = decide(gate, document)
        assert decision.allow is False, gate
        assert ("eu_ai_act:art5", "classification.eu_ai_act") in named(decision)
    assert decide("retired", document).allow is True


@pytest.mark.parametrize("tier", ["unclassified", "gpai", None])
def test_an_unclassified_system_is_treated_as_high_risk(tier: str | None) -> None:
    document = german_credit("minimal", approvals=1, complete=False)
    document["evidence"]["assessment.performance"] = evidence("assessment.performance")
    document["system"]["risk_tier"] = tier
    decision = decide("production", document)
    assert decision.allow is False
    assert [a.count for a in decision.approvals] == [2]
    assert ("eu_ai_act:art10", "assessment.fairness") in named(decision)


def test_a_stale_classification_is_denied_and_no_longer_vouches_for_a_light_tier() -> None:
    document = german_credit("minimal", approvals=1)
    document["system"]["classification"] = {"present": True, "stale": True, "age_days": 40}
    staging = decide("staging", document)
    assert staging.allow is False
    assert messages(staging) == [
        "the system's EU AI Act classification is stale (40 days old): its purpose, intended use "
        "or deployment context changed since"
    ]
    assert [a.count for a in decide("production", document).approvals] == [2]


def test_staging_needs_a_classification_and_register_does_not() -> None:
    document = german_credit()
    document["system"] = None  # a model version that belongs to no AI system
    assert decide("register", document).allow is True
    staging = decide("staging", document)
    assert staging.allow is False
    assert named(staging) == {("eu_ai_act:art5", "classification.eu_ai_act")}
    assert decide("staging", german_credit("minimal")).allow is True


def test_special_category_features_need_a_justification() -> None:
    document = german_credit()
    document["minimization"]["justified"] = []
    decision = decide("production", document)
    assert decision.reasons[0].to_dict() == {
        "requirement": "gdpr:art9",
        "evidence": "check.data_minimization",
        "message": 'the special-category feature "status_sex" is used without a justification '
        "in the data minimization check",
    }
    # a column the scan flagged but the model does not use needs nothing
    document["model_version"]["features"].remove("status_sex")
    document["minimization"] = None
    assert decide("production", document).allow is True


def test_training_data_must_be_scanned_and_a_dpia_follows_personal_data() -> None:
    document = german_credit()
    document["datasets"][0]["pii_scan"] = None
    decision = decide("production", document)
    assert messages(decision) == [
        "the training dataset german credit (train) has not been scanned for PII"
    ]
    no_personal_data = german_credit()
    del no_personal_data["evidence"]["questionnaire.dpia"]
    no_personal_data["system"]["facts"]["personal_data"] = False
    no_personal_data["datasets"][0]["pii_scan"]["personal_data"] = False
    assert decide("production", no_personal_data).allow is True
    no_personal_data["datasets"][0]["pii_scan"]["personal_data"] = True  # the scan found some
    assert named(decide("production", no_personal_data)) == {("gdpr:art35", "questionnaire.dpia")}


def test_malformed_parts_of_the_document_count_as_missing_not_as_errors() -> None:
    document = german_credit()
    document.update(evidence=None, datasets="none", approvals={"risk_officer": 2}, risks=None)
    decision = decide("production", document)
    assert decision.allow is False
    assert ("eu_ai_act:art10", "assessment.fairness") in named(decision)
    assert "0 of 2 required risk_officer approvals" in messages(decision)
    assert decide("production", {}).allow is False


def test_every_requirement_and_evidence_kind_named_exists_in_the_frameworks() -> None:
    catalog = load_catalog()
    seen: set[tuple[str | None, str | None]] = set()
    for document in (german_credit(complete=False), german_credit("prohibited", approvals=0), {}):
        for gate in GATES:
            seen |= named(decide(gate, document))
    requirements = {r for r, _ in seen if r}
    kinds = {k for _, k in seen if k}
    assert len(requirements) >= 8
    for key in requirements:
        catalog.requirement(key)  # raises UnknownRequirement
    assert kinds <= set(catalog.evidence_kinds)
