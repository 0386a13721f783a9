"""Classification trees: a questionnaire plus an ``outcome`` that turns its answers into a
risk tier, a role and facts.

The outcome is data in the same condition language as the questions
(:mod:`bastion.questionnaires.conditions`)::

    outcome:
      role: role                     # the question whose answer is the role
      justification: derogation_justification   # optional: a text question
      tiers:                         # first rule whose condition holds wins
        - when: {exclusion: military_defence_security}
          tier: out_of_scope
          reason: Art. 2(3) exclusion (military, defence or national security)
        - when: {annex_iii_areas: {contains_any: [credit_scoring]}}
          tier: high
          reason: "Annex III: {annex_iii_areas}"     # {question} shows its answer
        - tier: minimal              # the last rule has no condition
          reason: nothing else applies
      facts:                         # in order; each may use the tier and earlier facts
        personal_data: {personal_data: true}
        fria_required: {role: deployer, tier: high, fact.public_sector: true}
      notes:                         # every note whose condition holds is added
        - when: {fact.fria_required: true}
          note: A fundamental rights impact assessment is needed (Art. 27).

Conditions of facts and notes may name ``tier`` (the tier found) and ``fact.<name>`` (a
fact defined before), besides the questions. A tree is checked on load like any
questionnaire, and its outcome with it.
"""

from __future__ import annotations

import os
import re
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Annotated, Any, Literal, Self

from pydantic import Field, model_validator

from bastion.questionnaires.conditions import Subject, check
from bastion.questionnaires.schema import (
    IDENTIFIER,
    DefinitionModel,
    Questionnaire,
    Text,
    definition_problem,
    read_definition,
)

__all__ = [
    "ROLES",
    "TIERS",
    "NoteRule",
    "Outcome",
    "Role",
    "Tier",
    "TierRule",
    "Tree",
    "load_tree",
    "tree",
]

Tier = Literal[
    "out_of_scope", "prohibited", "gpai_systemic_risk", "gpai", "high", "limited", "minimal"
]
TIERS: tuple[Tier, ...] = (
    "out_of_scope",
    "prohibited",
    "gpai_systemic_risk",
    "gpai",
    "high",
    "limited",
    "minimal",
)
"""The EU AI Act risk tiers, in order of precedence (docs/frameworks.md)."""
Role = Literal["provider", "deployer", "importer", "distributor"]
ROLES: tuple[Role, ...] = ("provider", "deployer", "importer", "distributor")
"""The operator roles a tree's role question may offer."""

TIER_KEY = "tier"
FACT_PREFIX = "fact."
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
"""``{question_id}`` in a reason or note: replaced by that question's answer (labels)."""


class TierRule(DefinitionModel):
    """One tier rule: when ``when`` holds (always, without it), the tier is ``tier``."""

    when: dict[str, Any] | None = None
    tier: Tier
    reason: Text


class NoteRule(DefinitionModel):
    """A note added to the reasons when ``when`` holds."""

    when: dict[str, Any]
    note: Text


class Outcome(DefinitionModel):
    """What a tree's answers decide: tier rules, the role question, facts and notes."""

    tiers: tuple[TierRule, ...] = Field(min_length=1)
    role: Annotated[str, Field(pattern=IDENTIFIER, strict=True)]
    justification: Annotated[str, Field(pattern=IDENTIFIER, strict=True)] | None = None
    facts: dict[Annotated[str, Field(pattern=IDENTIFIER)], dict[str, Any]] = Field(
        default_factory=dict
    )
    notes: tuple[NoteRule, ...] = ()


class Tree(Questionnaire):
    """A questionnaire whose answers classify: see the module's docstring for ``outcome``."""

    outcome: Outcome

    @model_validator(mode="after")
    def _outcome_references(self) -> Self:
        subjects = self.subjects
        if TIER_KEY in subjects:
            raise definition_problem(
                f"questions.{TIER_KEY}.id", f"{TIER_KEY!r} is reserved for the tier in a tree"
            )
        texts = {q.id for q in self.questions if q.type == "text"}
        outcome = self.outcome
        role = next((q for q in self.questions if q.id == outcome.role), None)
        if role is None:
            raise definition_problem("outcome.role", f"unknown question {outcome.role!r}")
        offered = [o.value for o in role.options or ()]
        if role.type != "choice" or any(value not in ROLES for value in offered):
            raise definition_problem(
                "outcome.role",
                f"{outcome.role!r} must be a choice question offering roles only "
                f"({', '.join(ROLES)})",
            )
        if outcome.justification is not None and outcome.justification not in texts:
            raise definition_problem(
                "outcome.justification",
                f"{outcome.justification!r} is not a text question of this tree",
            )
        last = len(outcome.tiers) - 1
        for i, rule in enumerate(outcome.tiers):
            where = f"outcome.tiers[{i}]"
            if (rule.when is None) != (i == last):
                raise definition_problem(
                    f"{where}.when",
                    "the last tier rule has no condition (it is the default), and only the last",
                )
            if rule.when is not None:
                problem = check(rule.when, subjects, f"{where}.when")
                if problem:
                    raise definition_problem(*problem)
            _check_placeholders(rule.reason, subjects, f"{where}.reason")
        scope = dict(subjects)
        scope[TIER_KEY] = Subject("choice", TIERS)
        names = list(outcome.facts)
        for position, (name, condition) in enumerate(outcome.facts.items()):
            where = f"outcome.facts.{name}"
            later = {f"{FACT_PREFIX}{n}" for n in names[position:]}
            problem = check(condition, scope, where, later=later)
            if problem:
                raise definition_problem(*problem)
            scope[f"{FACT_PREFIX}{name}"] = Subject("boolean")
        for i, note in enumerate(outcome.notes):
            where = f"outcome.notes[{i}]"
            problem = check(note.when, scope, f"{where}.when")
            if problem:
                raise definition_problem(*problem)
            _check_placeholders(note.note, subjects, f"{where}.note")
        return self

    @property
    def fact_names(self) -> tuple[str, ...]:
        """Every fact the tree sets, in order."""
        return tuple(self.outcome.facts)


def _check_placeholders(text: str, subjects: dict[str, Subject], where: str) -> None:
    for name in PLACEHOLDER.findall(text):
        if name not in subjects:
            raise definition_problem(where, f"{{{name}}} names no question of this tree")


def load_tree(path: str | os.PathLike[str] | Traversable) -> Tree:
    """Read and validate a classification tree from a YAML file.

    Raises
    ------
    DefinitionError
        If the file is missing or unreadable, does not parse, or is not a valid tree;
        the message names the file and the place, e.g.
        ``tree.yaml: outcome.facts.fria_required.fact.public: unknown question 'fact.public'``.
    """
    return read_definition(path, Tree)


@cache
def tree() -> Tree:
    """The EU AI Act classification tree Bastion ships (read once, then cached)."""
    return load_tree(files("bastion.classification").joinpath("eu_ai_act.yaml"))
