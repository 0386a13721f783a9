"""The compliance status of a system: which requirements apply to it and whether its
evidence satisfies them, expired, is missing or fails."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from bastion.frameworks import (
    Catalog,
    EvidenceItem,
    FrameworkStatus,
    Implementation,
    RequirementStatus,
    Status,
    StatusInputError,
    SystemProfile,
    UnknownFramework,
    applies,
    evaluate,
    rollup,
)
from tests.frameworks.conftest import NOW, evidence

# In scope of every alpha and beta requirement.
HIGH_RISK_PROVIDER = SystemProfile("high", "provider", {"personal_data": True})
TODAY = NOW.date()


def status_of(
    catalog: Catalog,
    key: str,
    items: list[EvidenceItem],
    *,
    profile: SystemProfile = HIGH_RISK_PROVIDER,
    implementations: dict[str, Implementation] | None = None,
) -> RequirementStatus:
    framework_id = key.partition(":")[0]
    result = evaluate(catalog, framework_id, profile, items, implementations or {}, now=NOW)
    return next(requirement for requirement in result.requirements if requirement.key == key)


# --- applies -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "profile", "expected"),
    [
        ("alpha:a1", SystemProfile("minimal", "importer"), (True, "applies to every system")),
        ("alpha:a2", SystemProfile("high", "provider"), (True, "risk tier high; role provider")),
        (
            "alpha:a2",
            SystemProfile("limited", "provider"),
            (False, "risk tier limited is not high"),
        ),
        ("alpha:a2", SystemProfile("high", "deployer"), (False, "role deployer is not provider")),
        (
            "beta:b1",
            SystemProfile("minimal", "importer"),
            (False, "role importer is not one of deployer, provider"),
        ),
        (
            "alpha:a3",
            SystemProfile("minimal", "deployer", {"personal_data": True}),
            (True, "personal_data is true"),
        ),
        (
            "alpha:a3",
            SystemProfile("minimal", "deployer", {"personal_data": False}),
            (False, "personal_data is false; applies when true"),
        ),
        (
            "alpha:a3",
            SystemProfile("minimal", "deployer"),
            (False, "personal_data is not established; applies when true"),
        ),
    ],
)
def test_applies_checks_tier_role_and_facts(
    catalog: Catalog, key: str, profile: SystemProfile, expected: tuple[bool, str]
) -> None:
    assert applies(catalog.requirement(key), profile) == expected


def test_an_unclassified_system_is_assumed_in_scope_of_tiers_and_unknown_facts(
    catalog: Catalog,
) -> None:
    unclassified = SystemProfile("unclassified", "provider")
    assert applies(catalog.requirement("alpha:a2"), unclassified) == (
        True,
        "assumed: the system is not classified; role provider",
    )
    assert applies(catalog.requirement("alpha:a3"), unclassified) == (
        True,
        "assumed: the system is not classified",
    )
    # What is known about it still counts.
    assert (
        applies(catalog.requirement("alpha:a2"), SystemProfile("unclassified", "deployer"))[0]
        is False
    )
    no_personal_data = SystemProfile("unclassified", "provider", {"personal_data": False})
    assert applies(catalog.requirement("alpha:a3"), no_personal_data)[0] is False


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("hihg", "provider", {}), "unknown risk tier 'hihg'; did you mean 'high'?"),
        (("high", "vendor", {}), "unknown role 'vendor'"),
        (("high", "provider", {"pii": True}), "unknown fact 'pii'"),
    ],
)
def test_a_profile_with_unknown_words_is_refused(
    arguments: tuple[str, str, dict[str, bool]], message: str
) -> None:
    with pytest.raises(StatusInputError, match=message):
        SystemProfile(*arguments)


# --- one evidence item ---------------------------------------------------------------------


def test_live_passing_evidence_satisfies(catalog: Catalog) -> None:
    register = evidence("risk.register")
    requirement = status_of(catalog, "alpha:a1", [register])
    assert requirement.status is Status.SATISFIED
    [item] = requirement.items
    assert item.accepted_kinds == ("risk.register",)
    assert item.evidence is not None
    assert (item.evidence.id, item.evidence.verdict) == (register.id, "pass")
    assert item.evidence.expires_at == register.created_at + timedelta(days=90)


@pytest.mark.parametrize("verdict", ["warn", "info"])
def test_a_warning_or_information_also_satisfies(catalog: Catalog, verdict: str) -> None:
    register = evidence("risk.register", verdict=verdict)
    assert status_of(catalog, "alpha:a1", [register]).status is Status.SATISFIED


def test_no_evidence_is_missing(catalog: Catalog) -> None:
    requirement = status_of(catalog, "alpha:a1", [])
    assert requirement.status is Status.MISSING
    assert requirement.items[0].evidence is None


def test_only_failing_evidence_is_failing(catalog: Catalog) -> None:
    failed = evidence("risk.register", verdict="fail")
    requirement = status_of(catalog, "alpha:a1", [failed])
    assert requirement.status is Status.FAILING
    assert requirement.items[0].evidence is not None
    assert requirement.items[0].evidence.id == failed.id


def test_evidence_expires_after_its_kinds_validity(catalog: Catalog) -> None:
    # risk.register counts for 90 days.
    assert (
        status_of(catalog, "alpha:a1", [evidence("risk.register", age=timedelta(days=89))]).status
        is Status.SATISFIED
    )
    old = evidence("risk.register", age=timedelta(days=90))  # expires exactly now
    requirement = status_of(catalog, "alpha:a1", [old])
    assert requirement.status is Status.EXPIRED
    assert requirement.items[0].evidence is not None
    assert requirement.items[0].evidence.expires_at == NOW


def test_a_declared_kind_expires_after_its_declared_validity(catalog: Catalog) -> None:
    checklist = evidence("document.alpha_checklist", age=timedelta(days=11))
    assert status_of(catalog, "alpha:a4", [checklist]).status is Status.EXPIRED


def test_the_requirements_validity_overrides_the_kinds(catalog: Catalog) -> None:
    # assessment.fairness counts for 180 days, but alpha:a2 asks for one of 30 days.
    fairness = evidence("assessment.fairness", age=timedelta(days=31))
    report = evidence("document.evaluation_report")
    requirement = status_of(catalog, "alpha:a2", [fairness, report])
    assert [item.status for item in requirement.items] == [Status.EXPIRED, Status.SATISFIED]
    assert requirement.status is Status.EXPIRED


def test_valid_until_overrides_every_validity(catalog: Catalog) -> None:
    withdrawn = evidence("risk.register", valid_until=NOW - timedelta(seconds=1))
    assert status_of(catalog, "alpha:a1", [withdrawn]).status is Status.EXPIRED
    extended = evidence(
        "risk.register", age=timedelta(days=200), valid_until=NOW + timedelta(days=1)
    )
    requirement = status_of(catalog, "alpha:a1", [extended])
    assert requirement.status is Status.SATISFIED
    assert requirement.items[0].evidence is not None
    assert requirement.items[0].evidence.expires_at == NOW + timedelta(days=1)


def test_a_kind_without_validity_never_expires(catalog: Catalog) -> None:
    scan = evidence("scan.model", age=timedelta(days=3650))
    requirement = status_of(catalog, "beta:b3", [scan])
    assert requirement.status is Status.SATISFIED
    assert requirement.items[0].evidence is not None
    assert requirement.items[0].evidence.expires_at is None


def test_live_evidence_is_preferred_to_expired(catalog: Catalog) -> None:
    expired_pass = evidence("risk.register", age=timedelta(days=100), subject="model-1")
    live_fail = evidence("risk.register", verdict="fail", subject="model-2")
    assert status_of(catalog, "alpha:a1", [expired_pass, live_fail]).status is Status.FAILING


# --- several pieces of evidence --------------------------------------------------------------


def test_failing_evidence_newer_than_passing_makes_it_fail(catalog: Catalog) -> None:
    # A new run of the same kind about the same subject supersedes the earlier one.
    passed = evidence("risk.register", age=timedelta(days=2))
    failed = evidence("risk.register", verdict="fail", age=timedelta(days=1))
    requirement = status_of(catalog, "alpha:a1", [passed, failed])
    assert requirement.status is Status.FAILING
    assert requirement.items[0].evidence is not None
    assert requirement.items[0].evidence.id == failed.id


def test_passing_evidence_newer_than_failing_satisfies(catalog: Catalog) -> None:
    failed = evidence("risk.register", verdict="fail", age=timedelta(days=2))
    passed = evidence("risk.register", age=timedelta(days=1))
    assert status_of(catalog, "alpha:a1", [failed, passed]).status is Status.SATISFIED


def test_a_failure_about_one_subject_does_not_supersede_a_pass_about_another(
    catalog: Catalog,
) -> None:
    passed = evidence("risk.register", age=timedelta(days=2), subject="model-1")
    failed = evidence("risk.register", verdict="fail", subject="model-2")
    requirement = status_of(catalog, "alpha:a1", [passed, failed])
    assert requirement.status is Status.SATISFIED
    assert requirement.items[0].evidence is not None
    assert requirement.items[0].evidence.id == passed.id


def test_the_newest_satisfying_evidence_is_chosen(catalog: Catalog) -> None:
    older = evidence("document.evaluation_report", age=timedelta(days=3))
    newer = evidence("assessment.robustness", age=timedelta(days=1), subject="model-2")
    requirement = status_of(catalog, "alpha:a2", [older, newer, evidence("assessment.fairness")])
    assert requirement.items[1].evidence is not None
    assert requirement.items[1].evidence.id == newer.id


@pytest.mark.parametrize(
    ("fairness", "robustness", "expected"),
    [
        ("pass", "pass", Status.SATISFIED),
        ("pass", None, Status.MISSING),
        ("expired", None, Status.MISSING),
        ("expired", "pass", Status.EXPIRED),
        ("fail", "expired", Status.FAILING),
        ("expired", "fail", Status.FAILING),
    ],
)
def test_a_requirement_is_as_bad_as_its_worst_item(
    catalog: Catalog, fairness: str, robustness: str | None, expected: Status
) -> None:
    def made(kind: str, state: str | None) -> list[EvidenceItem]:
        if state is None:
            return []
        if state == "expired":
            return [evidence(kind, age=timedelta(days=400))]
        return [evidence(kind, verdict=state)]

    items = made("assessment.fairness", fairness) + made("assessment.robustness", robustness)
    assert status_of(catalog, "alpha:a2", items).status is expected


def test_evidence_for_an_equivalent_requirement_counts(catalog: Catalog) -> None:
    # alpha:a3 asks for a DPIA; beta:b1 (a FRIA) and beta:b2 (an AI policy) are equivalent.
    fria = evidence("questionnaire.fria")
    requirement = status_of(catalog, "alpha:a3", [fria])
    assert requirement.status is Status.SATISFIED
    assert requirement.items[0].accepted_kinds == (
        "document.ai_policy",
        "questionnaire.dpia",
        "questionnaire.fria",
    )


def test_evidence_of_kinds_no_requirement_accepts_is_ignored(catalog: Catalog) -> None:
    unrelated = [
        evidence("signature.artifact", verdict="fail"),
        evidence("scan.pii", verdict="fail"),
    ]
    register = evidence("risk.register")
    with_noise = evaluate(catalog, "alpha", HIGH_RISK_PROVIDER, [register, *unrelated], {}, now=NOW)
    without = evaluate(catalog, "alpha", HIGH_RISK_PROVIDER, [register], {}, now=NOW)
    assert with_noise == without


# --- not applicable, implementation notes -------------------------------------------------


def test_a_requirement_outside_the_profile_is_not_applicable(catalog: Catalog) -> None:
    requirement = status_of(
        catalog,
        "alpha:a2",
        [evidence("assessment.fairness")],
        profile=SystemProfile("minimal", "provider"),
    )
    assert requirement.status is Status.NOT_APPLICABLE
    assert (requirement.applicable, requirement.justified) == (False, False)
    assert requirement.reason == "risk tier minimal is not high"
    assert requirement.items == ()


def test_a_justified_declaration_makes_an_applicable_requirement_not_applicable(
    catalog: Catalog,
) -> None:
    justification = "The register is kept by the parent company (contract 12)."
    requirement = status_of(
        catalog,
        "alpha:a1",
        [],
        implementations={"alpha:a1": Implementation(owner="dpo", not_applicable=justification)},
    )
    assert requirement.status is Status.NOT_APPLICABLE
    assert (requirement.applicable, requirement.justified) == (True, True)
    assert requirement.reason == requirement.justification == justification
    assert requirement.owner == "dpo"


def test_a_declaration_without_justification_is_refused() -> None:
    with pytest.raises(StatusInputError, match="needs a justification"):
        Implementation(not_applicable="  ")


def test_the_profile_decides_before_a_declaration(catalog: Catalog) -> None:
    requirement = status_of(
        catalog,
        "alpha:a2",
        [],
        profile=SystemProfile("minimal", "provider"),
        implementations={"alpha:a2": Implementation(not_applicable="We think so.")},
    )
    assert (requirement.justified, requirement.justification) == (False, None)
    assert requirement.reason == "risk tier minimal is not high"


@pytest.mark.parametrize(
    ("due_date", "items", "overdue"),
    [
        (TODAY - timedelta(days=1), [], True),
        (TODAY - timedelta(days=1), [evidence("risk.register", verdict="fail")], True),
        (TODAY - timedelta(days=1), [evidence("risk.register")], False),
        (TODAY, [], False),
        (None, [], False),
    ],
)
def test_a_requirement_not_met_by_its_due_date_is_overdue(
    catalog: Catalog, due_date: date | None, items: list[EvidenceItem], overdue: bool
) -> None:
    plan = {"alpha:a1": Implementation(owner="ml-team", due_date=due_date)}
    requirement = status_of(catalog, "alpha:a1", items, implementations=plan)
    assert (requirement.overdue, requirement.due_date) == (overdue, due_date)


def test_a_not_applicable_requirement_is_never_overdue(catalog: Catalog) -> None:
    plan = {"alpha:a2": Implementation(due_date=TODAY - timedelta(days=30))}
    requirement = status_of(
        catalog, "alpha:a2", [], profile=SystemProfile("minimal", "provider"), implementations=plan
    )
    assert requirement.overdue is False


# --- the framework as a whole ----------------------------------------------------------------


def alpha_status(catalog: Catalog) -> FrameworkStatus:
    """a1 satisfied, a2 failing, a3 justified not applicable, a4 missing (overdue)."""
    items = [
        evidence("risk.register"),
        evidence("assessment.fairness", verdict="fail"),
        evidence("document.evaluation_report"),
    ]
    plan = {
        "alpha:a3": Implementation(not_applicable="Anonymized upstream; see the PII scan."),
        "alpha:a4": Implementation(owner="release-manager", due_date=date(2025, 5, 1)),
    }
    return evaluate(catalog, "alpha", HIGH_RISK_PROVIDER, items, plan, now=NOW)


def test_counts_and_score(catalog: Catalog) -> None:
    status = alpha_status(catalog)
    assert [r.status for r in status.requirements] == [
        Status.SATISFIED,
        Status.FAILING,
        Status.NOT_APPLICABLE,
        Status.MISSING,
    ]
    assert status.counts == {
        Status.SATISFIED: 1,
        Status.EXPIRED: 0,
        Status.MISSING: 1,
        Status.FAILING: 1,
        Status.NOT_APPLICABLE: 1,
    }
    assert status.score == pytest.approx(1 / 3)  # the justified a3 does not count
    assert status.overdue == 1


def test_the_score_is_none_when_nothing_applies(catalog: Catalog) -> None:
    plan = {f"beta:b{n}": Implementation(not_applicable="Out of our hands.") for n in (1, 2, 3)}
    status = evaluate(catalog, "beta", HIGH_RISK_PROVIDER, [], plan, now=NOW)
    assert status.score is None


def test_the_status_serializes_to_json(catalog: Catalog) -> None:
    status = alpha_status(catalog)
    document = json.loads(json.dumps(status.to_dict()))
    assert document["framework_id"] == "alpha"
    assert document["framework_version"] == "2025"
    assert document["catalog_digest"] == catalog.digest
    assert document["evaluated_at"] == "2025-06-01T12:00:00+00:00"
    assert document["profile"] == {
        "risk_tier": "high",
        "role": "provider",
        "facts": {"personal_data": True},
    }
    assert document["counts"]["failing"] == 1
    a1, a2, a3, a4 = document["requirements"]
    assert a1["items"][0]["evidence"]["created_at"] == "2025-05-31T12:00:00+00:00"
    assert a1["items"][0]["evidence"]["expires_at"] == "2025-08-29T12:00:00+00:00"
    assert a2["items"][0]["status"] == "failing"
    assert a3["justified"] is True
    assert a4["due_date"] == "2025-05-01"
    assert a4["overdue"] is True


def test_rollup_sums_systems_per_framework(catalog: Catalog) -> None:
    alpha = alpha_status(catalog)
    beta = evaluate(catalog, "beta", HIGH_RISK_PROVIDER, [evidence("scan.model")], {}, now=NOW)
    summary = rollup([alpha, alpha, beta])
    assert summary["evaluations"] == 3
    assert summary["counts"] == {
        "satisfied": 3,
        "expired": 0,
        "missing": 4,
        "failing": 2,
        "not_applicable": 2,
    }
    assert summary["overdue"] == 2
    assert summary["score"] == pytest.approx(3 / 9)
    assert summary["frameworks"]["alpha"] == {
        "name": "Alpha Act",
        "evaluations": 2,
        "counts": {"satisfied": 2, "expired": 0, "missing": 2, "failing": 2, "not_applicable": 2},
        "overdue": 2,
        "score": pytest.approx(2 / 6),
    }
    assert summary["frameworks"]["beta"]["score"] == pytest.approx(1 / 3)
    json.dumps(summary)


def test_rollup_of_nothing_has_no_score() -> None:
    assert rollup([])["score"] is None


# --- bad input -----------------------------------------------------------------------------


def test_an_unknown_framework_is_refused(catalog: Catalog) -> None:
    with pytest.raises(UnknownFramework, match="known frameworks: alpha, beta"):
        evaluate(catalog, "gamma", HIGH_RISK_PROVIDER, [], {}, now=NOW)


def test_times_without_a_time_zone_are_refused(catalog: Catalog) -> None:
    with pytest.raises(StatusInputError, match="now must be timezone-aware"):
        evaluate(catalog, "alpha", HIGH_RISK_PROVIDER, [], {}, now=datetime(2025, 6, 1))
    with pytest.raises(StatusInputError, match="created_at must be timezone-aware"):
        EvidenceItem(
            "e", "scan.pii", "pass", datetime(2025, 6, 1), None, "dataset_version", "d", ""
        )


def test_an_unknown_verdict_is_refused() -> None:
    with pytest.raises(StatusInputError, match="verdict 'ok' is not one of fail, info, pass, warn"):
        EvidenceItem(
            "e",
            "scan.pii",
            "ok",
            datetime(2025, 6, 1, tzinfo=UTC),
            None,
            "dataset_version",
            "d",
            "",
        )
