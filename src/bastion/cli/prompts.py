"""Interactive answering of a questionnaire or classification tree in the terminal.

Used by ``bastion classify`` and ``bastion questionnaire fill``: each asked question is
shown with its help and numbered options, answered in a line (or, for a list, a line
per item), checked with the same rules as the API (:mod:`bastion.questionnaires`), and
asked again with the reason when the answer does not fit. Questions already answered —
from a file, or from an earlier classification — are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape

from bastion.questionnaires import (
    AnswerError,
    Question,
    Questionnaire,
    asked,
    is_empty,
    next_question,
    normalize_answer,
    validate_answers,
)

__all__ = ["InputEnded", "ask"]


class InputEnded(AnswerError):
    """The input ended before every question was answered."""


_PROMPTS = {
    "text": "> ",
    "boolean": "y/n > ",
    "number": "number > ",
    "date": "date (YYYY-MM-DD) > ",
    "list": "item > ",
}


def ask(
    questionnaire: Questionnaire,
    console: Console,
    answers: dict[str, Any] | None = None,
    *,
    defaults: Mapping[str, Any] | None = None,
    stream: TextIO | None = None,
) -> dict[str, Any]:
    """Ask every question the answers lead to and return the validated answers.

    Parameters
    ----------
    questionnaire : Questionnaire
        A questionnaire or a classification tree.
    console : rich.console.Console
        Where questions are shown.
    answers : dict, optional
        Answers already given; their questions are skipped (an entry of ``None`` marks an
        optional question skipped).
    defaults : mapping, optional
        Answers offered as defaults, kept by pressing Enter — the previous answers, when
        a system is classified again. A default that no longer fits its question (an
        option since removed) is not offered.
    stream : file, optional
        Where answers are read from (default: standard input).

    Returns
    -------
    dict
        The answers, normalized as :func:`~bastion.questionnaires.validate_answers` does.

    Raises
    ------
    AnswerError
        If a given answer does not fit its question.
    InputEnded
        If the input ends before every question is answered (an :class:`AnswerError`).

    Examples
    --------
    >>> answers = ask(builtin("dpia"), Console())  # doctest: +SKIP
    """
    given: dict[str, Any] = dict(answers or {})
    while (question := next_question(questionnaire, given)) is not None:
        # Numbered by place among the questions asked, so a skipped one keeps its number.
        number = [q.id for q in asked(questionnaire, given)].index(question.id) + 1
        default = _default(question, (defaults or {}).get(question.id))
        given[question.id] = _ask_one(question, number, default, console, stream)
    return validate_answers(questionnaire, given)


def _default(question: Question, value: Any) -> Any:
    try:
        return normalize_answer(question, value)
    except AnswerError:
        return None


def _ask_one(
    question: Question, number: int, default: Any, console: Console, stream: TextIO | None
) -> Any:
    console.print()
    optional = "" if question.required else " [dim](optional: Enter skips it)[/]"
    console.print(f"[bold]{number}. {escape(question.text)}[/]{optional}")
    if question.help:
        console.print(escape(question.help.strip()), style="dim")
    options = question.options or ()
    for i, option in enumerate(options, start=1):
        detail = f" [dim]— {escape(option.help)}[/]" if option.help else ""
        console.print(f"  [cyan]{i:>2}[/] {escape(option.label)}{detail}")
    if question.type == "multi":
        console.print("[dim]One or more numbers, separated by commas.[/]")
    elif question.type == "list":
        console.print("[dim]One item per line; an empty line ends the list.[/]")
    if default is not None:
        console.print(f"[dim]Enter keeps: {escape(question.describe(default))}[/]")
    while True:
        try:
            raw = _read_answer(question, console, stream)
            if default is not None and is_empty(raw):
                return default
            value = normalize_answer(question, raw)
        except InputEnded:
            raise
        except AnswerError as exc:
            console.print(f"[red]{escape(exc.reason)}[/]")
            continue
        if value is None and question.required:
            console.print("[red]An answer is required.[/]")
            continue
        return value


def _read_line(question: Question, prompt: str, console: Console, stream: TextIO | None) -> str:
    try:
        line = console.input(prompt, stream=stream)
    except EOFError:
        line = ""
    else:
        if stream is None or line:
            return line.rstrip("\r\n")
    raise InputEnded(question.id, "the input ended before this question was answered")


def _read_answer(question: Question, console: Console, stream: TextIO | None) -> Any:
    options = question.options or ()
    if question.type == "choice":
        line = _read_line(question, f"1-{len(options)} > ", console, stream).strip()
        return _option_value(question, line) if line else None
    if question.type == "multi":
        line = _read_line(question, f"1-{len(options)} > ", console, stream)
        return [_option_value(question, part.strip()) for part in line.split(",") if part.strip()]
    if question.type == "list":
        items: list[str] = []
        while line := _read_line(question, _PROMPTS["list"], console, stream).strip():
            items.append(line)
        return items
    return _read_line(question, _PROMPTS[question.type], console, stream)


def _option_value(question: Question, text: str) -> str:
    options = question.options or ()
    if text.isdigit():
        if 1 <= int(text) <= len(options):
            return options[int(text) - 1].value
        raise AnswerError(question.id, f"{text} is not a number from 1 to {len(options)}")
    if question.option(text) is None:
        raise AnswerError(
            question.id,
            f"{text!r} is not one of the options: enter a number from 1 to {len(options)}",
        )
    return text  # an option value typed out in full
