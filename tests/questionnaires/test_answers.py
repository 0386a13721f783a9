"""Answers: normalized to one form, and every kind of wrong answer refused with its own
message and the question's field — what the API returns as a 422 and the prompts show."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from bastion.errors import InvalidInput
from bastion.questionnaires import (
    AnswerError,
    QuestionnaireError,
    asked,
    builtin,
    load_questionnaire,
    next_question,
    validate_answers,
)

DEFINITION = """\
schema_version: 1
id: sample
evidence_kind: questionnaire.sample
title: Sample
basis: Test
version: "1"
questions:
  - {id: name, text: Name of the system, type: text}
  - id: level
    text: Level
    type: choice
    options: [{value: low, label: Low}, {value: high, label: High}]
  - id: areas
    text: Areas
    type: multi
    options:
      - {value: a, label: A}
      - {value: b, label: B}
      - {value: none, label: None, exclusive: true}
  - {id: public, text: Public, type: boolean}
  - {id: score, text: Score, type: number, min: 0, max: 10}
  - {id: since, text: Since, type: date, required: false}
  - {id: owners, text: Owners, type: list, required: false}
  - {id: why, text: Why is it high, type: text, when: {level: high}}
"""

VALID: dict[str, Any] = {
    "name": "  Credit scoring ",
    "level": "high",
    "areas": ["b", "a", "b"],
    "public": "yes",
    "score": "7",
    "since": dt.date(2026, 3, 1),
    "owners": ["Risk team", "  ", "Credit "],
    "why": "Scores people",
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path: Path = tmp_path_factory.mktemp("answers") / "sample.yaml"
    path.write_text(DEFINITION, encoding="utf-8")
    return load_questionnaire(path)


def refused(sample: Any, **changes: Any) -> AnswerError:
    answers = {**VALID, **changes}
    for key in [k for k, v in changes.items() if v is ...]:
        del answers[key]
    with pytest.raises(AnswerError) as caught:
        validate_answers(sample, answers)
    return caught.value


def test_answers_are_normalized(sample: Any) -> None:
    assert validate_answers(sample, VALID) == {
        "name": "Credit scoring",
        "level": "high",
        "areas": ["a", "b"],  # the definition's order, once each
        "public": True,
        "score": 7,
        "since": "2026-03-01",
        "owners": ["Risk team", "Credit"],
        "why": "Scores people",
    }
    normalized = validate_answers(sample, {**VALID, "score": 7.5, "since": "2026-03-01"})
    assert normalized["score"] == 7.5
    assert normalized["since"] == "2026-03-01"
    assert validate_answers(sample, {**VALID, "score": "2.5"})["score"] == 2.5


def test_empty_answers_are_dropped_and_allowed_where_not_asked(sample: Any) -> None:
    answers = {**VALID, "level": "low", "why": "", "since": None, "owners": []}
    assert set(validate_answers(sample, answers)) == {"name", "level", "areas", "public", "score"}


def test_an_unknown_question_is_refused(sample: Any) -> None:
    error = refused(sample, colour="red")
    assert error.detail == "answers.colour: the sample questionnaire has no question 'colour'"
    assert error.field == "answers.colour"
    assert isinstance(error, InvalidInput)


def test_an_answer_to_a_question_not_asked_is_refused(sample: Any) -> None:
    error = refused(sample, level="low")
    assert error.field == "answers.why"
    assert error.detail == (
        "answers.why: this question is not asked with the other answers given (its condition "
        "does not hold), so it cannot be answered"
    )


def test_an_option_not_offered_is_refused(sample: Any) -> None:
    error = refused(sample, level="extreme")
    assert error.detail == "answers.level: 'extreme' is not an option here; choose from low, high"
    assert refused(sample, areas=["a", "c"]).detail == (
        "answers.areas: 'c' is not an option here; choose from a, b, none"
    )


def test_an_exclusive_option_cannot_be_combined(sample: Any) -> None:
    error = refused(sample, areas=["none", "a"])
    assert error.detail == "answers.areas: 'none' (None) cannot be combined with other options"
    assert validate_answers(sample, {**VALID, "areas": ["none"]})["areas"] == ["none"]


@pytest.mark.parametrize(
    ("question", "value", "message"),
    [
        ("name", 42, "expects text, got 42"),
        ("level", 1, "expects one of the option values (low, high), got 1"),
        ("areas", "a", "expects a list of option values, got 'a'"),
        ("public", "maybe", "expects true or false, got 'maybe'"),
        ("public", 1, "expects true or false, got 1"),
        ("score", "seven", "expects a number, got 'seven'"),
        ("score", True, "expects a number, got True"),
        ("score", float("nan"), "expects a finite number"),
        ("score", 11, "must be at most 10, got 11"),
        ("score", -1, "must be at least 0, got -1"),
        ("since", "01.03.2026", "expects a date as YYYY-MM-DD, got '01.03.2026'"),
        ("since", dt.datetime(2026, 3, 1, 12, 0), "expects a date as YYYY-MM-DD"),
        ("owners", "Risk team", "expects a list of text items, got 'Risk team'"),
        ("owners", ["Risk team", 3], "expects a list of text, got 3"),
    ],
)
def test_a_wrong_type_is_refused(sample: Any, question: str, value: Any, message: str) -> None:
    error = refused(sample, **{question: value})
    assert error.field == f"answers.{question}"
    assert error.question == question
    assert error.reason.startswith(message)


def test_a_missing_required_answer_is_refused(sample: Any) -> None:
    error = refused(sample, public=...)
    assert error.detail == "answers.public: an answer is required: “Public”"
    assert refused(sample, name="   ").field == "answers.name"
    assert refused(sample, areas=[]).field == "answers.areas"
    # A draft may leave it out.
    assert "public" not in validate_answers(sample, {**VALID, "public": None}, partial=True)


def test_answers_must_be_a_mapping(sample: Any) -> None:
    with pytest.raises(QuestionnaireError, match="answers: a mapping of question id to answer"):
        validate_answers(sample, ["name"])  # type: ignore[arg-type]


def test_next_question_walks_the_asked_questions_in_order(sample: Any) -> None:
    answers: dict[str, Any] = {}
    walked = []
    while (question := next_question(sample, answers)) is not None:
        walked.append(question.id)
        answers[question.id] = {**VALID, "level": "low", "since": None}[question.id]
    assert walked == ["name", "level", "areas", "public", "score", "since", "owners"]
    assert [q.id for q in asked(sample, {"level": "high"})][-1] == "why"


def test_asked_refuses_an_answer_that_does_not_fit(sample: Any) -> None:
    with pytest.raises(AnswerError, match=r"answers\.level: 'medium' is not an option"):
        asked(sample, {"level": "medium"})


def test_the_errors_name_questions_of_the_shipped_questionnaires() -> None:
    dpia = builtin("dpia")
    with pytest.raises(AnswerError) as caught:
        validate_answers(dpia, {"residual_risk": "catastrophic"})
    assert caught.value.field == "answers.residual_risk"
