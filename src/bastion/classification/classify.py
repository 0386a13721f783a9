"""Classify an AI system: answers to a tree in, tier, role, facts and reasons out.

The result is what the platform records as ``classification.eu_ai_act`` evidence; its
tier and facts are what framework catalogs read to decide which requirements apply
(docs/frameworks.md). Only ``prohibited`` fails; every other tier is information.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from bastion.classification.trees import FACT_PREFIX, PLACEHOLDER, TIER_KEY, Tier, Tree, tree
from bastion.questionnaires.answers import validate_answers
from bastion.questionnaires.conditions import holds
from bastion.questionnaires.result import answer_rows, shorten
from bastion.questionnaires.schema import SCHEMA_VERSION

__all__ = ["TIER_TITLES", "Classification", "classify"]

TIER_TITLES: dict[str, str] = {
    "out_of_scope": "Outside the scope of the AI Act",
    "prohibited": "Prohibited AI practice",
    "gpai_systemic_risk": "General-purpose AI model with systemic risk",
    "gpai": "General-purpose AI model",
    "high": "High-risk AI system",
    "limited": "AI system with transparency obligations",
    "minimal": "Minimal-risk AI system",
}
"""How summaries and reports name each tier."""


@dataclass(frozen=True)
class Classification:
    """The classification of one system for one intended purpose.

    Attributes
    ----------
    tree : Tree
        The tree answered.
    answers : dict
        The validated, normalized answers.
    tier : str
        One of :data:`~bastion.classification.TIERS`.
    role : str or None
        The answer to the tree's role question.
    facts : dict of str to bool
        Every fact the tree names; ``False`` when its condition does not hold.
    reasons : tuple of str
        The tier rule's reason first, then every note that applies.
    derogation_justification : str or None
        The answer to the tree's justification question (the Art. 6(3) derogation), if
        asked.
    verdict : {"fail", "info"}
        ``fail`` for a prohibited practice, else ``info``.
    summary : str
        One sentence: ``High-risk AI system (Annex III: …); role: deployer.``
    """

    tree: Tree = field(repr=False)
    answers: dict[str, Any] = field(repr=False)
    tier: Tier
    role: str | None
    facts: dict[str, bool]
    reasons: tuple[str, ...]
    derogation_justification: str | None
    verdict: Literal["fail", "info"]
    summary: str

    @property
    def tree_id(self) -> str:
        """The id of the tree answered (``eu_ai_act``)."""
        return self.tree.id

    @property
    def tree_version(self) -> str:
        """The version of the tree answered."""
        return self.tree.version

    @property
    def tree_digest(self) -> str:
        """SHA-256 of the canonical tree definition."""
        return self.tree.digest

    @property
    def evidence_kind(self) -> str:
        """The kind of evidence this result is recorded as."""
        return self.tree.evidence_kind

    @property
    def inputs(self) -> dict[str, str]:
        """Digests of what the result was computed from, by role."""
        return {"classification_tree": self.tree_digest}

    def to_dict(self) -> dict[str, Any]:
        """The classification as plain JSON, with the question texts beside the answers."""
        return {
            "schema_version": SCHEMA_VERSION,
            "tree_id": self.tree_id,
            "tree_version": self.tree_version,
            "tree_digest": self.tree_digest,
            "evidence_kind": self.evidence_kind,
            "tier": self.tier,
            "tier_title": TIER_TITLES[self.tier],
            "role": self.role,
            "facts": dict(self.facts),
            "reasons": list(self.reasons),
            "derogation_justification": self.derogation_justification,
            "verdict": self.verdict,
            "summary": self.summary,
            "answers": answer_rows(self.tree, self.answers),
        }

    def _repr_html_(self) -> str:
        facts = ", ".join(name for name, value in self.facts.items() if value) or "none"
        reasons = "".join(f"<li>{html.escape(r)}</li>" for r in self.reasons)
        return (
            f"<h4>{html.escape(TIER_TITLES[self.tier])}</h4>"
            f"<p>{html.escape(self.summary)}</p><ul>{reasons}</ul>"
            f"<p>Facts: {html.escape(facts)}</p>"
        )


def classify(answers: Mapping[str, Any], tree: Tree | None = None) -> Classification:
    """Classify from answers to a tree (by default the shipped EU AI Act tree).

    Parameters
    ----------
    answers : mapping
        Question id to answer, complete for the questions the answers lead to (walk
        them with :func:`~bastion.questionnaires.next_question`).
    tree : Tree, optional
        Another tree, e.g. from :func:`~bastion.classification.load_tree`.

    Raises
    ------
    AnswerError
        With ``field`` ``answers.<question id>``: a missing required answer, an answer
        that does not belong to its question, or one to a question not asked.
    """
    chosen = tree if tree is not None else _shipped()
    values = validate_answers(chosen, answers)
    outcome = chosen.outcome
    rule = next(r for r in outcome.tiers if r.when is None or holds(r.when, values))
    scope: dict[str, Any] = dict(values)
    scope[TIER_KEY] = rule.tier
    facts: dict[str, bool] = {}
    for name, condition in outcome.facts.items():
        facts[name] = holds(condition, scope)
        scope[f"{FACT_PREFIX}{name}"] = facts[name]
    reason = _render(rule.reason, chosen, values)
    notes = [_render(n.note, chosen, values) for n in outcome.notes if holds(n.when, scope)]
    role = values.get(outcome.role)
    justification = values.get(outcome.justification) if outcome.justification else None
    shown_role = f"; role: {role}" if role else ""
    return Classification(
        tree=chosen,
        answers=values,
        tier=rule.tier,
        role=role,
        facts=facts,
        reasons=(reason, *notes),
        derogation_justification=justification,
        verdict="fail" if rule.tier == "prohibited" else "info",
        summary=shorten(f"{TIER_TITLES[rule.tier]} ({reason}){shown_role}."),
    )


def _shipped() -> Tree:
    return tree()


def _render(text: str, chosen: Tree, values: Mapping[str, Any]) -> str:
    def answer(match: Any) -> str:
        name = match.group(1)
        if name not in values:
            return "(not answered)"
        return chosen.question(name).describe(values[name])

    return PLACEHOLDER.sub(answer, text)
