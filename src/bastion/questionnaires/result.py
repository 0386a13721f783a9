"""The result of a filled-in questionnaire: what the platform records as evidence of the
questionnaire's kind (``questionnaire.dpia``, …), and what a notebook shows.

Its verdict is ``pass`` when every required question is answered and no flag is raised;
otherwise the worst raised flag's verdict, and at least ``warn`` while answers are
missing (a draft can be recorded, but it does not pass).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from bastion.questionnaires.answers import missing_answers, validate_answers
from bastion.questionnaires.conditions import holds
from bastion.questionnaires.schema import SCHEMA_VERSION, Flag, Questionnaire

__all__ = ["SUMMARY_LIMIT", "QuestionnaireResult", "Verdict", "evaluate"]

Verdict = Literal["pass", "warn", "fail", "info"]
SUMMARY_LIMIT = 300
_SEVERITY = {"info": 0, "pass": 1, "warn": 2, "fail": 3}


def shorten(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def answer_rows(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The answers with their questions, in question order, as plain JSON."""
    return [
        {
            "id": q.id,
            "question": q.text,
            "type": q.type,
            "answer": answers[q.id],
            "display": q.describe(answers[q.id]),
        }
        for q in questionnaire.questions
        if q.id in answers
    ]


@dataclass(frozen=True)
class QuestionnaireResult:
    """A questionnaire's answers, judged.

    Attributes
    ----------
    questionnaire : Questionnaire
        The definition answered.
    answers : dict
        The normalized answers (:func:`~bastion.questionnaires.validate_answers`).
    verdict : {"pass", "warn", "fail"}
    summary : str
        One sentence of at most 300 characters.
    findings : tuple of str
        The messages of the raised flags, in the definition's order.
    flags : tuple of Flag
        The raised flags themselves (message and verdict).
    missing : tuple of str
        Ids of asked, required questions still without an answer.
    """

    questionnaire: Questionnaire = field(repr=False)
    answers: dict[str, Any]
    verdict: Verdict
    summary: str
    findings: tuple[str, ...]
    flags: tuple[Flag, ...] = field(repr=False)
    missing: tuple[str, ...]

    @property
    def evidence_kind(self) -> str:
        """The kind of evidence this result is recorded as."""
        return self.questionnaire.evidence_kind

    @property
    def complete(self) -> bool:
        """Whether every asked, required question is answered."""
        return not self.missing

    @property
    def definition_digest(self) -> str:
        """SHA-256 of the canonical definition answered."""
        return self.questionnaire.digest

    @property
    def inputs(self) -> dict[str, str]:
        """Digests of what the result was computed from, by role."""
        return {"questionnaire": self.definition_digest}

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON, with the question texts beside the answers."""
        q = self.questionnaire
        return {
            "schema_version": SCHEMA_VERSION,
            "id": q.id,
            "version": q.version,
            "title": q.title,
            "basis": q.basis,
            "evidence_kind": q.evidence_kind,
            "definition_digest": self.definition_digest,
            "verdict": self.verdict,
            "summary": self.summary,
            "complete": self.complete,
            "missing": list(self.missing),
            "findings": list(self.findings),
            "flags": [{"verdict": f.verdict, "message": f.message} for f in self.flags],
            "answers": answer_rows(q, self.answers),
        }

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(r['question'])}</td><td>{html.escape(r['display'])}</td></tr>"
            for r in answer_rows(self.questionnaire, self.answers)
        )
        findings = "".join(
            f"<li><b>{f.verdict}</b>: {html.escape(f.message)}</li>" for f in self.flags
        )
        return (
            f"<h4>{html.escape(self.questionnaire.title)} — {self.verdict}</h4>"
            f"<p>{html.escape(self.summary)}</p>"
            + (f"<ul>{findings}</ul>" if findings else "")
            + f"<table><tr><th>Question</th><th>Answer</th></tr>{rows}</table>"
        )


def evaluate(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> QuestionnaireResult:
    """Judge a questionnaire's answers: flags raised, completeness, verdict and summary.

    Answers may be incomplete (the result then warns and lists what is missing); every
    other problem with them raises, as in :func:`~bastion.questionnaires.validate_answers`.

    Raises
    ------
    AnswerError
        If an answer does not belong to its question, its question is not asked, or no
        such question exists.
    """
    values = validate_answers(questionnaire, answers, partial=True)
    missing = tuple(q.id for q in missing_answers(questionnaire, values))
    raised = tuple(f for f in questionnaire.flags if holds(f.when, values))
    verdicts: list[Verdict] = [f.verdict for f in raised]
    if missing:
        verdicts.append("warn")
    verdict: Verdict = max(verdicts, key=_SEVERITY.__getitem__, default="pass")
    return QuestionnaireResult(
        questionnaire=questionnaire,
        answers=values,
        verdict=verdict,
        summary=_summary(questionnaire, len(values), missing, raised),
        findings=tuple(f.message for f in raised),
        flags=raised,
        missing=missing,
    )


def _summary(
    questionnaire: Questionnaire, answered: int, missing: tuple[str, ...], raised: tuple[Flag, ...]
) -> str:
    head = f"{questionnaire.title} ({questionnaire.basis})"
    if missing:
        plural = "s" if len(missing) != 1 else ""
        state = f"incomplete, {len(missing)} required answer{plural} missing"
    else:
        state = f"complete with {answered} answers"
    if not raised:
        return shorten(f"{head}: {state}; nothing flagged.")
    fails = sum(f.verdict == "fail" for f in raised)
    counted = f"{len(raised)} flag{'s' if len(raised) != 1 else ''}"
    if fails:
        counted += f" ({fails} failing)"
    worst = next((f for f in raised if f.verdict == "fail"), raised[0])
    return shorten(f"{head}: {state}; {counted}: {worst.message.rstrip('.')}.")
