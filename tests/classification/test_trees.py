"""Classification trees: the shipped tree loads with every fact the frameworks read, and a
broken tree is refused naming the file and the place in its outcome."""

from pathlib import Path
from textwrap import dedent

import pytest

from bastion.classification import ROLES, TIERS, Tree, load_tree, tree
from bastion.questionnaires import DefinitionError, asked
from tests.classification.examples import FACTS

QUESTIONS = """\
schema_version: 1
id: mini
evidence_kind: classification.mini
title: Mini tree
basis: Test
version: "1"
questions:
  - id: role
    text: Role
    type: choice
    options: [{value: provider, label: Provider}, {value: deployer, label: Deployer}]
  - {id: scoring, text: Scores people, type: boolean}
  - {id: why, text: Why not high, type: text, required: false}
"""

OUTCOME = """\
outcome:
  role: role
  justification: why
  tiers:
    - {when: {scoring: true}, tier: high, reason: "Scores people ({role})"}
    - {tier: minimal, reason: Nothing else}
  facts:
    public: {role: deployer}
    fria_required: {tier: high, fact.public: true}
  notes:
    - {when: {fact.fria_required: true}, note: Assess fundamental rights.}
"""


def write(tmp_path: Path, outcome: str = OUTCOME, questions: str = QUESTIONS) -> Path:
    path = tmp_path / "mini.yaml"
    path.write_text(questions + dedent(outcome), encoding="utf-8")
    return path


def refused(path: Path) -> DefinitionError:
    with pytest.raises(DefinitionError) as caught:
        load_tree(path)
    return caught.value


def test_the_shipped_tree() -> None:
    shipped = tree()
    assert isinstance(shipped, Tree)
    assert shipped is tree()  # cached
    assert (shipped.id, shipped.evidence_kind) == ("eu_ai_act", "classification.eu_ai_act")
    assert set(shipped.fact_names) == FACTS
    assert {rule.tier for rule in shipped.outcome.tiers} == set(TIERS)
    role = shipped.question(shipped.outcome.role)
    assert [o.value for o in role.options or ()] == list(ROLES)
    assert [q.id for q in asked(shipped, {})] == [
        "intended_purpose",
        "role",
        "system_type",
        "exclusion",
        "personal_data",
    ]


def test_a_valid_tree_classifies(tmp_path: Path) -> None:
    from bastion.classification import classify

    mini = load_tree(write(tmp_path))
    result = classify({"role": "deployer", "scoring": True}, tree=mini)
    assert (result.tier, result.facts) == ("high", {"public": True, "fria_required": True})
    assert result.reasons == ("Scores people (Deployer)", "Assess fundamental rights.")
    assert result.summary == "High-risk AI system (Scores people (Deployer)); role: deployer."
    assert result.evidence_kind == "classification.mini"
    assert classify({"role": "provider", "scoring": False}, tree=mini).tier == "minimal"


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "fact.public: true",
            "fact.publik: true",
            "outcome.facts.fria_required.fact.publik",
            "unknown question 'fact.publik'",
        ),
        (
            "public: {role: deployer}",
            "public: {fact.fria_required: true}",
            "outcome.facts.public.fact.fria_required",
            "comes later",
        ),
        (
            "tier: high, fact",
            "tier: severe, fact",
            "outcome.facts.fria_required.tier",
            "'severe' is not an option of 'tier'",
        ),
        (
            "- {tier: minimal, reason: Nothing else}",
            "- {when: {scoring: false}, tier: minimal, reason: N}",
            "outcome.tiers[1].when",
            "the last tier rule has no condition",
        ),
        (
            "- {when: {scoring: true}, tier: high,",
            "- {tier: high,",
            "outcome.tiers[0].when",
            "and only the last",
        ),
        ("tier: minimal,", "tier: low,", "outcome.tiers[1].tier", "Input should be"),
        ("({role})", "({rank})", "outcome.tiers[0].reason", "{rank} names no question"),
        ("role: role", "role: scoring", "outcome.role", "must be a choice question offering roles"),
        ("role: role", "role: rank", "outcome.role", "unknown question 'rank'"),
        (
            "justification: why",
            "justification: scoring",
            "outcome.justification",
            "not a text question",
        ),
        (
            "{when: {fact.fria_required: true}",
            "{when: {fact.fria: true}",
            "outcome.notes[0].when.fact.fria",
            "unknown question",
        ),
        (
            "{when: {scoring: true}, tier: high",
            "{when: {scoring: 'yes'}, tier: high",
            "outcome.tiers[0].when.scoring",
            "compare with true or false",
        ),
    ],
)
def test_a_broken_outcome_is_refused(
    tmp_path: Path, old: str, new: str, field: str, message: str
) -> None:
    assert old in OUTCOME
    error = refused(write(tmp_path, OUTCOME.replace(old, new, 1)))
    assert error.field == field
    assert message in error.detail
    assert error.detail.startswith("mini.yaml: ")


def test_a_role_question_must_offer_roles_only(tmp_path: Path) -> None:
    questions = QUESTIONS.replace(
        "{value: deployer, label: Deployer}", "{value: user, label: User}"
    )
    error = refused(write(tmp_path, questions=questions))
    assert error.field == "outcome.role"


def test_tier_is_reserved_in_a_tree(tmp_path: Path) -> None:
    questions = QUESTIONS + "  - {id: tier, text: Tier, type: text}\n"
    error = refused(write(tmp_path, questions=questions))
    assert error.field == "questions.tier.id"


def test_a_tree_needs_an_outcome(tmp_path: Path) -> None:
    error = refused(write(tmp_path, outcome=""))
    assert error.detail == "mini.yaml: outcome: missing"
