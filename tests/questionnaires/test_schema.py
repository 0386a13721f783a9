"""Definitions: a broken one is refused on load, naming the file, the question and the
field; the shipped ones load and are the size a DPO can fill in."""

from pathlib import Path
from textwrap import dedent, indent

import pytest

from bastion.errors import InvalidInput
from bastion.questionnaires import (
    BUILTIN_IDS,
    DefinitionError,
    QuestionnaireError,
    builtin,
    load_questionnaire,
)

HEADER = """\
schema_version: 1
id: sample
evidence_kind: questionnaire.sample
title: Sample
basis: Test
version: "1"
"""

QUESTIONS = """\
- id: level
  text: How high?
  type: choice
  options: [{value: low, label: Low}, {value: high, label: High}]
- id: areas
  text: Which areas?
  type: multi
  options: [{value: a, label: A}, {value: b, label: B}, {value: none, label: None, exclusive: true}]
- id: note
  text: Why?
  type: text
  when: {level: high}
"""


def write(tmp_path: Path, questions: str = QUESTIONS, extra: str = "") -> Path:
    path = tmp_path / "sample.yaml"
    body = HEADER + "questions:\n" + indent(dedent(questions), "  ") + dedent(extra)
    path.write_text(body, encoding="utf-8")
    return path


def refused(path: Path) -> DefinitionError:
    with pytest.raises(DefinitionError) as caught:
        load_questionnaire(path)
    return caught.value


def test_a_valid_definition_loads(tmp_path: Path) -> None:
    q = load_questionnaire(write(tmp_path))
    assert [x.id for x in q.questions] == ["level", "areas", "note"]
    assert q.question("note").when == {"level": "high"}
    assert q.question("note").required is True
    assert len(q.digest) == 64


def test_the_digest_does_not_depend_on_key_order(tmp_path: Path) -> None:
    reordered = QUESTIONS.replace(
        "- id: level\n  text: How high?\n  type: choice",
        "- type: choice\n  text: How high?\n  id: level",
    )
    assert reordered != QUESTIONS
    a = load_questionnaire(write(tmp_path, QUESTIONS))
    b = load_questionnaire(write(tmp_path, reordered))
    c = load_questionnaire(write(tmp_path, QUESTIONS.replace("How high?", "How severe?")))
    assert a.digest == b.digest != c.digest


def test_an_unknown_question_in_when_is_named_with_file_question_and_field(
    tmp_path: Path,
) -> None:
    error = refused(write(tmp_path, QUESTIONS.replace("when: {level: high}", "when: {lvl: high}")))
    assert error.detail == "sample.yaml: questions.note.when.lvl: unknown question 'lvl'"
    assert error.field == "questions.note.when.lvl"
    assert isinstance(error, InvalidInput)
    assert isinstance(error, ValueError)


def test_a_condition_on_a_later_question_is_refused(tmp_path: Path) -> None:
    questions = QUESTIONS.replace(
        "  type: choice\n", "  type: choice\n  when: {note: {empty: false}}\n", 1
    )
    error = refused(write(tmp_path, questions))
    assert "questions.level.when.note: question 'note' comes later" in error.detail


def test_an_unknown_option_value_in_a_condition_is_refused(tmp_path: Path) -> None:
    error = refused(write(tmp_path, QUESTIONS.replace("{level: high}", "{level: extreme}")))
    assert error.field == "questions.note.when.level"
    assert "'extreme' is not an option of 'level' (options: low, high)" in error.detail


def test_an_unknown_option_inside_a_matcher_is_refused(tmp_path: Path) -> None:
    condition = "{areas: {contains_any: [a, c]}}"
    error = refused(write(tmp_path, QUESTIONS.replace("{level: high}", condition)))
    assert error.field == "questions.note.when.areas.contains_any[1]"
    assert "'c' is not an option of 'areas'" in error.detail


def test_duplicate_question_ids_are_refused(tmp_path: Path) -> None:
    error = refused(write(tmp_path, QUESTIONS + "- {id: level, text: Again, type: boolean}\n"))
    assert error.detail == "sample.yaml: questions.level.id: duplicate question id (question 1)"


def test_a_choice_without_options_is_refused(tmp_path: Path) -> None:
    questions = QUESTIONS.replace(
        "  options: [{value: low, label: Low}, {value: high, label: High}]\n", ""
    )
    error = refused(write(tmp_path, questions))
    assert error.detail == "sample.yaml: questions.level: a choice question needs options"
    assert error.field == "questions.level"


def test_an_unknown_type_is_refused(tmp_path: Path) -> None:
    error = refused(write(tmp_path, QUESTIONS.replace("type: text", "type: textarea")))
    assert error.field == "questions.note.type"
    assert "unknown type 'textarea'; use one of 'text', 'choice', 'multi'" in error.detail


@pytest.mark.parametrize(
    ("questions", "field", "message"),
    [
        (
            "- {id: q, text: Q, type: text, options: [{value: a, label: A}]}\n",
            "questions.q",
            "options apply to choice and multi questions, not text",
        ),
        (
            "- {id: q, text: Q, type: choice, options: [{value: a, label: A, exclusive: true}]}\n",
            "questions.q",
            "exclusive applies to the options of multi questions",
        ),
        (
            "- {id: q, text: Q, type: choice, options: [{value: a, label: A}, {value: a, label: B}]}\n",  # noqa: E501
            "questions.q",
            "duplicate option value 'a'",
        ),
        ("- {id: q, text: Q, type: text, min: 1}\n", "questions.q", "min and max apply"),
        ("- {id: q, text: Q, type: number, min: 5, max: 1}\n", "questions.q", "min is above max"),
        ("- {id: Q1, text: Q, type: text}\n", "questions.Q1.id", "not a valid identifier"),
        ("- {id: q, text: Q, type: text, colour: red}\n", "questions.q.colour", "unknown field"),
        ("- {id: q, type: text}\n", "questions.q.text", "missing"),
        (
            "- {id: q, text: Q, type: choice, options: [{value: yes, label: Yes}]}\n",
            "questions.q.options[0].value",
            "valid string",
        ),
        ("- {id: any, text: Q, type: boolean}\n", "questions.any.id", "reserved"),
    ],
)
def test_malformed_questions_are_refused_with_their_place(
    tmp_path: Path, questions: str, field: str, message: str
) -> None:
    error = refused(write(tmp_path, questions))
    assert error.field == field
    assert message in error.detail
    assert error.detail.startswith("sample.yaml: ")


@pytest.mark.parametrize(
    ("condition", "field", "message"),
    [
        ("{level: {in: [low]}, any: [{level: low}]}", "questions.note.when.any", "at least two"),
        ("{areas: {in: [a]}}", "questions.note.when.areas.in", "use a value (contains)"),
        ("{level: {contains_any: [low]}}", "questions.note.when.level.contains_any", "use in"),
        ("{areas: {empty: maybe}}", "questions.note.when.areas.empty", "true or false"),
        ("{level: {above: 3}}", "questions.note.when.level", "exactly one of in, not_in"),
        ("{level: {in: []}}", "questions.note.when.level.in", "non-empty list"),
        ("{}", "questions.note.when", "non-empty mapping"),
    ],
)
def test_malformed_conditions_are_refused_with_their_place(
    tmp_path: Path, condition: str, field: str, message: str
) -> None:
    error = refused(write(tmp_path, QUESTIONS.replace("{level: high}", condition)))
    assert error.field == field
    assert message in error.detail


def test_literals_must_fit_the_question_type(tmp_path: Path) -> None:
    questions = (
        "- {id: ok, text: OK, type: boolean}\n"
        "- {id: n, text: N, type: number}\n"
        "- {id: d, text: D, type: date}\n"
        "- {id: x, text: X, type: text, when: __}\n"
    )
    for condition, message in [
        ("{ok: 'yes'}", "compare with true or false"),
        ("{n: true}", "compare with a number"),
        ("{d: 31.01.2026}", "compare with a date"),
    ]:
        error = refused(write(tmp_path, questions.replace("__", condition)))
        assert message in error.detail, condition
    assert load_questionnaire(write(tmp_path, questions.replace("__", "{d: 2026-01-31, n: 3}")))


def test_a_flag_must_refer_to_questions(tmp_path: Path) -> None:
    flags = "flags:\n  - {when: {levels: high}, verdict: warn, message: Too high.}\n"
    error = refused(write(tmp_path, extra=flags))
    assert error.detail == "sample.yaml: flags[0].when.levels: unknown question 'levels'"
    flags = "flags:\n  - {when: {level: high}, verdict: error, message: Too high.}\n"
    assert refused(write(tmp_path, extra=flags)).field == "flags[0].verdict"


def test_unreadable_files_are_named(tmp_path: Path) -> None:
    error = refused(tmp_path / "missing.yaml")
    assert "missing.yaml: no such file" in error.detail
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nquestions: [\n", encoding="utf-8")
    assert refused(broken).detail.startswith("broken.yaml: not valid YAML at line 3")
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n- b\n", encoding="utf-8")
    assert "a definition is a mapping" in refused(listed).detail


def test_a_tree_is_not_loaded_as_a_questionnaire(tmp_path: Path) -> None:
    extra = "outcome:\n  role: level\n  tiers: [{tier: minimal, reason: r}]\n"
    error = refused(write(tmp_path, extra=extra))
    assert error.field == "outcome"
    assert "load it with bastion.classification.load_tree" in error.detail


@pytest.mark.parametrize("questionnaire_id", BUILTIN_IDS)
def test_the_shipped_questionnaires_load(questionnaire_id: str) -> None:
    q = builtin(questionnaire_id)
    assert q.id == questionnaire_id
    assert q.evidence_kind == f"questionnaire.{questionnaire_id}"
    assert 10 <= len(q.questions) <= 25
    assert q.flags, "every shipped questionnaire flags answers that call for attention"
    helped = sum(1 for question in q.questions if question.help)
    assert helped >= len(q.questions) / 2
    assert builtin(questionnaire_id) is q  # read once


def test_an_unknown_builtin_is_refused() -> None:
    with pytest.raises(QuestionnaireError, match="no built-in questionnaire 'pia'; choose from"):
        builtin("pia")


def test_an_impossible_date_is_a_parse_error(tmp_path: Path) -> None:
    questions = (
        "- {id: d, text: D, type: date}\n- {id: x, text: X, type: text, when: {d: 2026-13-01}}\n"
    )
    error = refused(write(tmp_path, questions))
    assert error.detail == "sample.yaml: not valid YAML: month must be in 1..12"
