"""Answers to a questionnaire: which questions are asked, and whether the answers fit.

Questions are walked in order; a question is asked when its condition holds on the
answers to the questions asked before it. Answers are normalized on the way — dates to
ISO 8601 text, numbers to ``int`` or ``float``, option lists to the definition's order —
so conditions, digests and stored evidence see one form of each answer.

"No answer" is ``None``, blank text or an empty list: such a value is dropped, and is
allowed for a question that is not asked (a form posts every field).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from bastion.questionnaires.conditions import holds
from bastion.questionnaires.errors import AnswerError, QuestionnaireError
from bastion.questionnaires.schema import Question, Questionnaire

__all__ = [
    "asked",
    "is_empty",
    "missing_answers",
    "next_question",
    "normalize_answer",
    "validate_answers",
]

_TRUE = {"true", "yes", "y"}
_FALSE = {"false", "no", "n"}


def is_empty(value: Any) -> bool:
    """Whether a value means "no answer": ``None``, blank text or an empty list."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple) and not value


def normalize_answer(question: Question, value: Any) -> Any:
    """The normalized form of one answer, or ``None`` for no answer.

    Raises
    ------
    AnswerError
        If the value does not belong to the question: a type it cannot be, an option the
        question does not offer, a number out of bounds.
    """
    if is_empty(value):
        return None
    kind = question.type
    if kind == "text":
        if not isinstance(value, str):
            raise AnswerError(question.id, f"expects text, got {_shown(value)}")
        return value.strip()
    if kind == "boolean":
        return _boolean(question, value)
    if kind == "number":
        return _number(question, value)
    if kind == "date":
        return _date(question, value)
    if kind == "choice":
        return _option(question, value)
    items = _items(question, value)
    if kind == "list":
        out = []
        for item in items:
            if not isinstance(item, str):
                raise AnswerError(question.id, f"expects a list of text, got {_shown(item)}")
            if item.strip():
                out.append(item.strip())
        return out or None
    chosen = {_option(question, item) for item in items}
    exclusive = [o for o in question.options or () if o.exclusive and o.value in chosen]
    if exclusive and len(chosen) > 1:
        raise AnswerError(
            question.id,
            f"{exclusive[0].value!r} ({exclusive[0].label}) cannot be combined with other options",
        )
    return [o.value for o in question.options or () if o.value in chosen]


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _boolean(question: Question, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise AnswerError(question.id, f"expects true or false, got {_shown(value)}")


def _number(question: Question, value: Any) -> int | float:
    number: int | float
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise AnswerError(question.id, f"expects a number, got {_shown(value)}")
    if isinstance(value, str):
        text = value.strip()
        try:
            number = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise AnswerError(question.id, f"expects a number, got {_shown(value)}") from None
    else:
        number = value
    if isinstance(number, float) and not math.isfinite(number):
        raise AnswerError(question.id, "expects a finite number")
    if question.min is not None and number < question.min:
        raise AnswerError(question.id, f"must be at least {question.min:g}, got {number:g}")
    if question.max is not None and number > question.max:
        raise AnswerError(question.id, f"must be at most {question.max:g}, got {number:g}")
    return number


def _date(question: Question, value: Any) -> str:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise AnswerError(question.id, f"expects a date as YYYY-MM-DD, got {_shown(value)}")


def _option(question: Question, value: Any) -> str:
    options = question.options or ()
    if isinstance(value, str) and question.option(value) is not None:
        return value
    offered = ", ".join(o.value for o in options)
    if not isinstance(value, str):
        raise AnswerError(
            question.id, f"expects one of the option values ({offered}), got {_shown(value)}"
        )
    raise AnswerError(question.id, f"{value!r} is not an option here; choose from {offered}")


def _items(question: Question, value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    wanted = "option values" if question.type == "multi" else "text items"
    raise AnswerError(question.id, f"expects a list of {wanted}, got {_shown(value)}")


def _walk(
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    *,
    strict: bool,
    complete: bool = False,
) -> tuple[list[Question], dict[str, Any]]:
    """The asked questions and the normalized answers to them, in order.

    ``strict`` also refuses a real answer to a question that is not asked; ``complete``
    a missing required answer.
    """
    asked_questions: list[Question] = []
    values: dict[str, Any] = {}
    missing: Question | None = None
    for question in questionnaire.questions:
        given = answers.get(question.id)
        if question.when is None or holds(question.when, values):
            asked_questions.append(question)
            value = normalize_answer(question, given)
            if value is not None:
                values[question.id] = value
            elif question.required and missing is None:
                missing = question
        elif strict and not is_empty(given):
            if complete and missing is not None:
                # The missing answer may be why this question is not asked: name it first.
                raise _required(missing)
            raise AnswerError(
                question.id,
                "this question is not asked with the other answers given (its condition "
                "does not hold), so it cannot be answered",
            )
    if complete and missing is not None:
        raise _required(missing)
    return asked_questions, values


def _required(question: Question) -> AnswerError:
    return AnswerError(question.id, f"an answer is required: {_excerpt(question)}")


def _answers_mapping(answers: Any) -> Mapping[str, Any]:
    if answers is None:
        return {}
    if not isinstance(answers, Mapping):
        raise QuestionnaireError(
            f"answers: a mapping of question id to answer, not {type(answers).__name__}",
            field="answers",
        )
    return answers


def asked(questionnaire: Questionnaire, answers: Mapping[str, Any] | None = None) -> list[Question]:
    """The questions asked with these answers, in order (conditions applied).

    Answers to questions that are not asked, or that do not exist, are ignored here
    (:func:`validate_answers` refuses them).

    Raises
    ------
    AnswerError
        If an answer to an asked question does not belong to it.
    """
    return _walk(questionnaire, _answers_mapping(answers), strict=False)[0]


def next_question(
    questionnaire: Questionnaire, answers: Mapping[str, Any] | None = None
) -> Question | None:
    """The first asked question without an entry in ``answers``, or ``None`` when every
    asked question has one (an entry of ``None`` marks an optional question skipped)."""
    given = _answers_mapping(answers)
    return next((q for q in asked(questionnaire, given) if q.id not in given), None)


def validate_answers(
    questionnaire: Questionnaire, answers: Mapping[str, Any], *, partial: bool = False
) -> dict[str, Any]:
    """The normalized answers, in question order, or an error naming the question.

    Parameters
    ----------
    questionnaire : Questionnaire
    answers : mapping
        Question id to answer.
    partial : bool
        Accept missing required answers (a draft); every other check still applies.

    Returns
    -------
    dict
        Answers to asked questions only, without empty ones: dates as ISO 8601 text,
        numbers as ``int`` or ``float``, multi answers in the definition's option order.

    Raises
    ------
    AnswerError
        With ``field`` ``answers.<question id>``: an answer to a question that does not
        exist; else, in question order, an answer that does not belong to its question
        (wrong type, option not offered), an answer to a question that is not asked, a
        required answer missing (named before a question it keeps from being asked).
    """
    given = _answers_mapping(answers)
    ids = {q.id for q in questionnaire.questions}
    for key in given:
        if key not in ids:
            raise AnswerError(
                str(key), f"the {questionnaire.id} questionnaire has no question {key!r}"
            )
    return _walk(questionnaire, given, strict=True, complete=not partial)[1]


def missing_answers(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> list[Question]:
    """The asked, required questions without an answer."""
    asked_questions, values = _walk(questionnaire, _answers_mapping(answers), strict=False)
    return [q for q in asked_questions if q.required and q.id not in values]


def _excerpt(question: Question) -> str:
    text = question.text.strip()
    return f"“{text}”" if len(text) <= 80 else f"“{text[:77]}…”"
