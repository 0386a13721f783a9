"""The condition language: each matcher, AND and OR, and the rule that a missing answer
matches nothing but ``{empty: true}`` — checked through which questions are asked."""

from pathlib import Path
from typing import Any

import pytest

from bastion.questionnaires import asked, holds, load_questionnaire

DEFINITION = """\
schema_version: 1
id: conditions
evidence_kind: questionnaire.conditions
title: Conditions
basis: Test
version: "1"
questions:
  - id: role
    text: Role
    type: choice
    options: [{value: provider, label: P}, {value: deployer, label: D}, {value: importer, label: I}]
  - id: areas
    text: Areas
    type: multi
    required: false
    options: [{value: credit, label: C}, {value: health, label: H}, {value: jobs, label: J}]
  - {id: names, text: Names, type: list, required: false}
  - {id: note, text: Note, type: text, required: false}
  - {id: public, text: Public, type: boolean, required: false}
  - {id: count, text: Count, type: number, required: false}
  - {id: since, text: Since, type: date, required: false}
  - {id: equals, text: E, type: text, required: false, when: {role: deployer}}
  - {id: in, text: I, type: text, required: false, when: {role: {in: [provider, importer]}}}
  - {id: not_in, text: N, type: text, required: false, when: {role: {not_in: [provider]}}}
  - {id: contains, text: C, type: text, required: false, when: {areas: health}}
  - {id: contains_any, text: CA, type: text, required: false,
     when: {areas: {contains_any: [credit, jobs]}}}
  - {id: areas_empty, text: AE, type: text, required: false, when: {areas: {empty: true}}}
  - {id: names_given, text: NG, type: text, required: false, when: {names: {empty: false}}}
  - {id: note_empty, text: NE, type: text, required: false, when: {note: {empty: true}}}
  - {id: name_is_ann, text: NA, type: text, required: false, when: {names: Ann}}
  - {id: public_true, text: PT, type: text, required: false, when: {public: true}}
  - {id: count_three, text: C3, type: text, required: false, when: {count: {in: [3, 4]}}}
  - {id: since_new_year, text: SN, type: text, required: false, when: {since: 2026-01-01}}
  - {id: both, text: B, type: text, required: false, when: {role: deployer, public: true}}
  - id: either
    text: Either
    type: text
    required: false
    when: {any: [{role: provider}, {areas: {contains_any: [health]}}], count: {not_in: [0]}}
"""


@pytest.fixture(scope="module")
def definition(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path: Path = tmp_path_factory.mktemp("conditions") / "conditions.yaml"
    path.write_text(DEFINITION, encoding="utf-8")
    return load_questionnaire(path)


def conditional(definition: Any, answers: dict[str, Any]) -> set[str]:
    """The conditional questions asked with these answers."""
    plain = {"role", "areas", "names", "note", "public", "count", "since"}
    return {q.id for q in asked(definition, answers)} - plain


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"role": "deployer"}, {"equals", "not_in", "areas_empty", "note_empty"}),
        ({"role": "importer"}, {"in", "not_in", "areas_empty", "note_empty"}),
        ({"role": "provider"}, {"in", "areas_empty", "note_empty"}),
        (
            {"role": "provider", "areas": ["health"]},
            {"in", "contains", "note_empty"},
        ),
        (
            {"role": "provider", "areas": ["jobs"], "note": "x"},
            {"in", "contains_any"},
        ),
        (
            {"role": "provider", "areas": [], "note": "   ", "names": ["Bob", "Ann"]},
            {"in", "areas_empty", "note_empty", "names_given", "name_is_ann"},
        ),
        (
            {"role": "deployer", "public": True, "count": 3, "since": "2026-01-01"},
            {"equals", "not_in", "areas_empty", "note_empty", "public_true", "count_three"}
            | {"since_new_year", "both"},
        ),
        (
            {"role": "deployer", "public": False, "count": 4.0},
            {"equals", "not_in", "areas_empty", "note_empty", "count_three"},
        ),
    ],
)
def test_each_matcher(definition: Any, answers: dict[str, Any], expected: set[str]) -> None:
    assert conditional(definition, answers) - {"either"} == expected


def test_any_is_an_or_group_anded_with_the_rest(definition: Any) -> None:
    def either(**answers: Any) -> bool:
        return "either" in conditional(definition, answers)

    assert either(role="provider", count=1)
    assert either(role="importer", areas=["health", "jobs"], count=1)
    assert not either(role="importer", areas=["credit"], count=1)
    assert not either(role="provider", count=0)
    # count: {not_in: [0]} needs an answer: no answer matches nothing but {empty: true}.
    assert not either(role="provider")


def test_a_missing_answer_matches_nothing_but_empty_true() -> None:
    for matcher in ["x", {"in": ["x"]}, {"not_in": ["x"]}, {"contains_any": ["x"]}]:
        assert not holds({"q": matcher}, {})
        assert not holds({"q": matcher}, {"q": None})
    assert holds({"q": {"empty": True}}, {})
    assert not holds({"q": {"empty": False}}, {})


def test_a_boolean_never_equals_a_number() -> None:
    assert holds({"q": True}, {"q": True})
    assert not holds({"q": True}, {"q": 1})
    assert not holds({"q": 1}, {"q": True})
    assert not holds({"q": {"in": [0, 1]}}, {"q": False})
    assert holds({"q": {"in": [0, 1]}}, {"q": 1.0})


def test_conditions_only_see_answers_to_asked_questions(definition: Any) -> None:
    # "equals" is not asked for a provider, so an answer to it cannot open anything.
    answers = {"role": "provider", "equals": "given anyway"}
    assert "equals" not in conditional(definition, answers)
