"""The condition language of questionnaires and classification trees — one module, used
for a question's ``when``, a flag's ``when`` and the outcome rules of a tree.

A condition is a mapping of question id to matcher; every entry must hold (AND). The
key ``any`` takes a list of conditions, one of which must hold (OR)::

    when:
      role: deployer                                   # equals (contains, for multi/list)
      residual_risk: {in: [medium, high]}
      exclusion: {not_in: [military]}
      annex_iii_areas: {contains_any: [credit_scoring, life_health_insurance]}
      recipients: {empty: false}
      any: [{public_sector: true}, {profiling: true}]

A question without an answer — not asked, skipped, or answered with nothing — makes
every matcher false except ``{empty: true}``: nothing is inferred from a missing answer.

:func:`check` validates a condition against the questions it may refer to (on load, so a
broken definition is refused before anyone answers it); :func:`holds` evaluates it on
normalized answers (see :mod:`bastion.questionnaires.answers`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["ANY", "MATCHERS", "QUESTION_TYPES", "QuestionType", "Subject", "check", "holds"]

QuestionType = Literal["text", "choice", "multi", "boolean", "number", "date", "list"]
QUESTION_TYPES: tuple[QuestionType, ...] = (
    "text",
    "choice",
    "multi",
    "boolean",
    "number",
    "date",
    "list",
)
ANY = "any"
"""The key of an OR group; no question may take this id."""
MATCHERS = ("in", "not_in", "contains_any", "empty")
_MANY: tuple[QuestionType, ...] = ("multi", "list")  # answers that are lists


@dataclass(frozen=True)
class Subject:
    """What a condition may say about one key: the answer's type and, for ``choice`` and
    ``multi``, the option values that exist."""

    type: QuestionType
    options: tuple[str, ...] | None = None


Problem = tuple[str, str]
"""A path in the definition and what is wrong there."""


def check(
    condition: Any,
    subjects: Mapping[str, Subject],
    path: str,
    *,
    later: Collection[str] = (),
) -> Problem | None:
    """The first problem of ``condition``, or ``None`` when it is valid.

    Parameters
    ----------
    condition
        The parsed condition.
    subjects : mapping
        The keys it may refer to (for a question: the questions before it).
    path : str
        Where the condition is in the definition (``questions.residual_risk.when``).
    later : collection of str
        Questions that exist but come later, named as such in the message.
    """
    if not isinstance(condition, Mapping) or not condition:
        return path, "a condition is a non-empty mapping of question id to matcher"
    for key, matcher in condition.items():
        where = f"{path}.{key}"
        if key == ANY:
            if not isinstance(matcher, list) or len(matcher) < 2:
                return where, "'any' takes a list of at least two conditions"
            for i, alternative in enumerate(matcher):
                problem = check(alternative, subjects, f"{where}[{i}]", later=later)
                if problem:
                    return problem
            continue
        subject = subjects.get(key)
        if subject is None:
            if key in later:
                return where, (
                    f"question {key!r} comes later; a condition may refer only to "
                    "questions asked before it"
                )
            return where, f"unknown question {key!r}"
        problem = _check_matcher(matcher, subject, key, where)
        if problem:
            return problem
    return None


def _check_matcher(matcher: Any, subject: Subject, key: str, where: str) -> Problem | None:
    if not isinstance(matcher, Mapping):
        return _check_value(matcher, subject, key, where)
    if len(matcher) != 1 or next(iter(matcher)) not in MATCHERS:
        return where, (
            "a matcher is a value, or a mapping with exactly one of " + ", ".join(MATCHERS)
        )
    op, argument = next(iter(matcher.items()))
    where = f"{where}.{op}"
    if op == "empty":
        if not isinstance(argument, bool):
            return where, "takes true or false"
        return None
    if op in ("in", "not_in") and subject.type in _MANY:
        return where, (
            f"{op} compares a single answer; {key!r} is a {subject.type} question: "
            "use a value (contains) or contains_any"
        )
    if op == "contains_any" and subject.type not in _MANY:
        return where, (
            f"contains_any applies to multi and list questions; {key!r} is a "
            f"{subject.type} question: use in"
        )
    if not isinstance(argument, list) or not argument:
        return where, "takes a non-empty list of values"
    for i, value in enumerate(argument):
        problem = _check_value(value, subject, key, f"{where}[{i}]")
        if problem:
            return problem
    return None


def _check_value(value: Any, subject: Subject, key: str, where: str) -> Problem | None:
    kind = subject.type
    if kind in ("choice", "multi"):
        options = subject.options or ()
        if not isinstance(value, str) or value not in options:
            return where, f"{value!r} is not an option of {key!r} (options: {', '.join(options)})"
    elif kind == "boolean" and not isinstance(value, bool):
        return where, f"{key!r} is a boolean question: compare with true or false"
    elif kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return where, f"{key!r} is a number question: compare with a number"
    elif kind in ("text", "list") and not isinstance(value, str):
        return where, f"{key!r} is a {kind} question: compare with text"
    elif kind == "date":
        try:
            _date(value)
        except (TypeError, ValueError):
            return where, f"{key!r} is a date question: compare with a date (YYYY-MM-DD)"
    return None


def _date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        raise TypeError("a date, not a date and time")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return dt.date.fromisoformat(value).isoformat()
    raise TypeError("not a date")


def holds(condition: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    """Whether a (checked) condition holds for normalized answers.

    ``values`` holds only real answers: a key that is absent (or ``None``) has no answer.
    """
    for key, matcher in condition.items():
        if key == ANY:
            if not any(holds(alternative, values) for alternative in matcher):
                return False
        elif not _matches(matcher, values.get(key)):
            return False
    return True


def _matches(matcher: Any, value: Any) -> bool:
    if isinstance(matcher, Mapping):
        op, argument = next(iter(matcher.items()))
        if op == "empty":
            return (value is None) is argument
        if value is None:
            return False
        if op == "in":
            return any(_same(value, a) for a in argument)
        if op == "not_in":
            return not any(_same(value, a) for a in argument)
        return any(_same(item, a) for item in value for a in argument)  # contains_any
    if value is None:
        return False
    if isinstance(value, list):
        return any(_same(item, matcher) for item in value)
    return _same(value, matcher)


def _same(answer: Any, literal: Any) -> bool:
    # True == 1 in Python; a boolean answer only ever equals a boolean.
    if isinstance(answer, bool) or isinstance(literal, bool):
        return type(answer) is type(literal) and answer == literal
    if isinstance(literal, dt.date):
        literal = literal.isoformat()
    return bool(answer == literal)
