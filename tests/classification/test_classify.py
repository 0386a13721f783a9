"""EU AI Act classification with the shipped tree: every tier, the Art. 6(3) derogation
with and without profiling, who must do a FRIA, the German Credit examples, and that any
answer set a person can give classifies."""

import json
from typing import Any

import pytest
from hypothesis import given, settings

from bastion.classification import TIERS, Classification, classify, tree
from bastion.questionnaires import AnswerError, next_question
from tests.classification.examples import FACTS, example
from tests.questionnaires.strategies import walked_answers

DEFAULTS: dict[str, Any] = {
    "intended_purpose": "Screening job applications for a first interview",
    "role": "provider",
    "system_type": "ai_system",
    "gpai_systemic_risk": ["none"],
    "exclusion": "none",
    "prohibited_practices": ["none"],
    "annex_i_safety_component": False,
    "annex_iii_areas": ["none"],
    "art6_3_conditions": ["none"],
    "profiling": False,
    "derogation_justification": "It only sorts applications by date of receipt.",
    "transparency": ["none"],
    "personal_data": True,
    "special_category_data": False,
    "automated_decisions": False,
    "public_sector": False,
    "california_consumers": False,
    "sells_or_shares_data": False,
}
DEROGATION = ["narrow_procedural_task"]


def answers_for(**overrides: Any) -> dict[str, Any]:
    """Answers as a person gives them: each asked question, from overrides or defaults."""
    chosen = {**DEFAULTS, **overrides}
    answers: dict[str, Any] = {}
    while (question := next_question(tree(), answers)) is not None:
        answers[question.id] = chosen[question.id]
    return answers


def classified(**overrides: Any) -> Classification:
    return classify(answers_for(**overrides))


@pytest.mark.parametrize(
    ("overrides", "tier", "reason"),
    [
        ({"exclusion": "military_defence_security"}, "out_of_scope", "Art. 2(3) exclusion"),
        ({"exclusion": "scientific_research"}, "out_of_scope", "Art. 2(6) exclusion"),
        ({"exclusion": "personal_use"}, "out_of_scope", "Art. 2(10) exclusion"),
        ({"exclusion": "pre_market_research"}, "out_of_scope", "Art. 2(8) exclusion"),
        ({"exclusion": "open_source"}, "out_of_scope", "Art. 2(12) exclusion"),
        (
            {
                "exclusion": "open_source",
                "annex_iii_areas": ["education"],
                "art6_3_conditions": DEROGATION,
            },
            "out_of_scope",
            "Art. 2(12) exclusion",
        ),
        (
            {"exclusion": "open_source", "transparency": ["interacts_with_people"]},
            "limited",
            "Art. 50: Interacts directly with natural persons (Art. 50(1))",
        ),
        (
            {"exclusion": "open_source", "annex_iii_areas": ["education"]},
            "high",
            "Annex III: Education and vocational training",
        ),
        (
            {"prohibited_practices": ["social_scoring", "manipulation"]},
            "prohibited",
            "Art. 5: Subliminal, manipulative or deceptive techniques",
        ),
        (
            {"exclusion": "open_source", "prohibited_practices": ["facial_scraping"]},
            "prohibited",
            "Art. 5: Untargeted scraping",
        ),
        (
            {"system_type": "gpai_model", "gpai_systemic_risk": ["training_compute"]},
            "gpai_systemic_risk",
            "Art. 51: Training compute above 10^25 FLOP",
        ),
        (
            {"system_type": "gpai_model", "gpai_systemic_risk": ["designated"]},
            "gpai_systemic_risk",
            "Art. 51: Designated by the Commission",
        ),
        ({"system_type": "gpai_model"}, "gpai", "Art. 3(63) general-purpose AI model"),
        ({"system_type": "gpai_model", "exclusion": "open_source"}, "gpai", "Art. 3(63)"),
        ({"annex_i_safety_component": True}, "high", "Art. 6(1): product or safety component"),
        (
            {"annex_i_safety_component": True, "transparency": ["deep_fake"]},
            "high",
            "Art. 6(1)",
        ),
        (
            {"annex_iii_areas": ["employment", "education"]},
            "high",
            "Annex III: Education and vocational training, Employment and workers management",
        ),
        (
            {"annex_iii_areas": ["employment"], "art6_3_conditions": DEROGATION, "profiling": True},
            "high",
            "Annex III: Employment and workers management",
        ),
        (
            {"annex_iii_areas": ["employment"], "art6_3_conditions": DEROGATION},
            "minimal",
            "no prohibited practice, high-risk use or Art. 50 obligation",
        ),
        (
            {
                "annex_iii_areas": ["employment"],
                "art6_3_conditions": DEROGATION,
                "transparency": ["interacts_with_people"],
            },
            "limited",
            "Art. 50: Interacts directly",
        ),
        ({"transparency": ["deep_fake", "synthetic_content"]}, "limited", "Art. 50: Generates"),
        ({}, "minimal", "no prohibited practice"),
    ],
)
def test_classification_table(overrides: dict[str, Any], tier: str, reason: str) -> None:
    result = classified(**overrides)
    assert result.tier == tier
    assert result.reasons[0].startswith(reason)
    assert result.verdict == ("fail" if tier == "prohibited" else "info")
    assert set(result.facts) == FACTS


def test_every_tier_is_reachable() -> None:
    reached = {
        classified(exclusion="personal_use").tier,
        classified(prohibited_practices=["crime_prediction"]).tier,
        classified(system_type="gpai_model", gpai_systemic_risk=["designated"]).tier,
        classified(system_type="gpai_model").tier,
        classified(annex_iii_areas=["law_enforcement"]).tier,
        classified(transparency=["emotion_or_biometric_categorisation"]).tier,
        classified().tier,
    }
    assert reached == set(TIERS)


def test_an_accepted_derogation_is_a_fact_with_its_justification() -> None:
    result = classified(annex_iii_areas=["employment"], art6_3_conditions=DEROGATION)
    assert result.facts["annex_iii_derogation"]
    assert result.derogation_justification == DEFAULTS["derogation_justification"]
    assert (
        "Art. 6(3) derogation claimed: It only sorts applications by date of receipt."
        in result.reasons
    )
    assert any("Art. 6(4)" in r for r in result.reasons)  # the provider documents it


def test_profiling_rules_out_the_derogation() -> None:
    answers = answers_for(
        annex_iii_areas=["employment"], art6_3_conditions=DEROGATION, profiling=True
    )
    assert "derogation_justification" not in answers  # not even asked
    result = classify(answers)
    assert result.tier == "high"
    assert not result.facts["annex_iii_derogation"]
    assert result.derogation_justification is None
    assert (
        "Art. 6(3) derogation not available: the system profiles natural persons "
        "(Art. 6(3), last subparagraph)." in result.reasons
    )


def test_a_claimed_derogation_needs_its_justification() -> None:
    answers = answers_for(annex_iii_areas=["employment"], art6_3_conditions=DEROGATION)
    del answers["derogation_justification"]
    with pytest.raises(AnswerError) as caught:
        classify(answers)
    assert caught.value.field == "answers.derogation_justification"
    assert "an answer is required" in caught.value.detail


@pytest.mark.parametrize(
    ("overrides", "required"),
    [
        ({"role": "deployer", "annex_iii_areas": ["credit_scoring"]}, True),
        ({"role": "deployer", "annex_iii_areas": ["life_health_insurance"]}, True),
        ({"role": "deployer", "annex_iii_areas": ["education"], "public_sector": True}, True),
        (
            {"role": "deployer", "annex_iii_areas": ["migration_border"], "public_sector": True},
            True,
        ),
        # Art. 27(1) leaves out critical infrastructure (Annex III point 2) ...
        (
            {
                "role": "deployer",
                "annex_iii_areas": ["critical_infrastructure"],
                "public_sector": True,
            },
            False,
        ),
        # ... and high-risk systems under Annex I (Art. 6(1)).
        ({"role": "deployer", "annex_i_safety_component": True, "public_sector": True}, False),
        ({"role": "deployer", "annex_iii_areas": ["education"]}, False),
        ({"role": "provider", "annex_iii_areas": ["credit_scoring"]}, False),
        ({"role": "importer", "annex_iii_areas": ["credit_scoring"]}, False),
        (
            {
                "role": "deployer",
                "annex_iii_areas": ["credit_scoring"],
                "art6_3_conditions": DEROGATION,
            },
            False,
        ),
        (
            {"role": "deployer", "public_sector": True, "transparency": ["interacts_with_people"]},
            False,
        ),
    ],
)
def test_who_must_assess_fundamental_rights(overrides: dict[str, Any], required: bool) -> None:
    result = classified(**overrides)
    assert result.facts["fria_required"] is required
    assert any("(Art. 27;" in r for r in result.reasons) is required


def test_facts_follow_the_answers() -> None:
    result = classified(
        role="deployer",
        annex_i_safety_component=True,
        transparency=["interacts_with_people", "synthetic_content", "deep_fake"],
        special_category_data=True,
        automated_decisions=True,
        public_sector=True,
        california_consumers=True,
        sells_or_shares_data=True,
        profiling=True,
    )
    assert {name for name, value in result.facts.items() if value} == {
        "personal_data",
        "special_category_data",
        "profiling",
        "automated_decisions",
        "interacts_with_people",
        "synthetic_content",
        "deep_fake",
        "public_sector",
        "california_consumers",
        "sells_or_shares_data",
        "safety_component",
    }
    nothing = classified(personal_data=False)
    assert not any(nothing.facts.values())
    assert "special_category_data" not in nothing.answers  # only asked with personal data


def test_the_german_credit_deployer() -> None:
    result = classify(example("german_credit_deployer"))
    assert (result.tier, result.role, result.verdict) == ("high", "deployer", "info")
    assert result.facts["fria_required"]
    assert result.facts["profiling"]
    assert result.facts["personal_data"]
    assert result.facts["automated_decisions"]
    assert not result.facts["annex_iii_derogation"]
    assert result.summary == (
        "High-risk AI system (Annex III: Essential services – credit scoring); role: deployer."  # noqa: RUF001
    )
    assert result.evidence_kind == "classification.eu_ai_act"


def test_the_german_credit_provider() -> None:
    result = classify(example("german_credit_provider"))
    assert (result.tier, result.role) == ("high", "provider")
    assert not result.facts["fria_required"]
    assert result.summary.endswith("; role: provider.")


def test_the_customer_chatbot() -> None:
    result = classify(example("customer_chatbot"))
    assert result.tier == "limited"
    assert result.facts["interacts_with_people"]
    assert result.facts["synthetic_content"]
    assert result.facts["california_consumers"]
    assert not result.facts["sells_or_shares_data"]


def test_to_dict_is_the_evidence_result() -> None:
    result = classify(example("german_credit_deployer"))
    data = json.loads(json.dumps(result.to_dict()))
    assert data["schema_version"] == 1
    assert (data["tree_id"], data["tree_version"]) == ("eu_ai_act", tree().version)
    assert data["tree_digest"] == tree().digest == result.tree_digest
    assert (data["tier"], data["tier_title"], data["role"]) == (
        "high",
        "High-risk AI system",
        "deployer",
    )
    assert data["facts"]["fria_required"] is True
    assert data["reasons"] == list(result.reasons)
    assert data["verdict"] == "info"
    areas = next(a for a in data["answers"] if a["id"] == "annex_iii_areas")
    assert areas["answer"] == ["credit_scoring"]
    assert areas["display"] == "Essential services – credit scoring"  # noqa: RUF001
    assert areas["question"].startswith("Is the system intended to be used in one of the high-risk")
    assert result.inputs == {"classification_tree": tree().digest}
    assert "High-risk AI system" in result._repr_html_()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"annex_iii_areas": ["credit"]}, "answers.annex_iii_areas", "'credit' is not an option"),
        ({"profiling": "sometimes"}, "answers.profiling", "expects true or false"),
        ({"gpai_systemic_risk": ["none"]}, "answers.gpai_systemic_risk", "is not asked"),
        ({"risk_tier": "high"}, "answers.risk_tier", "has no question 'risk_tier'"),
        ({"role": None}, "answers.role", "an answer is required"),
    ],
)
def test_invalid_answers_name_the_question(
    change: dict[str, Any], field: str, message: str
) -> None:
    answers = {**example("german_credit_deployer"), **change}
    with pytest.raises(AnswerError) as caught:
        classify(answers)
    assert caught.value.field == field
    assert message in caught.value.detail


@settings(max_examples=400, deadline=None)
@given(answers=walked_answers(tree()))
def test_every_answer_set_a_person_can_give_classifies(answers: dict[str, Any]) -> None:
    result = classify(answers)
    assert result.tier in TIERS
    assert set(result.facts) == FACTS
    assert all(isinstance(v, bool) for v in result.facts.values())
    assert (result.verdict == "fail") == (result.tier == "prohibited")
    assert result.role in ("provider", "deployer", "importer", "distributor")
    if result.facts["fria_required"]:
        assert (result.role, result.tier) == ("deployer", "high")
    if result.facts["annex_iii_derogation"]:
        assert not result.facts["profiling"]
        assert result.derogation_justification
    if result.tier in ("high", "prohibited"):
        assert answers["system_type"] == "ai_system"
    assert "{" not in " ".join(result.reasons)
    assert len(result.summary) <= 300
    json.dumps(result.to_dict())
