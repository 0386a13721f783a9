"""Questionnaire definitions: the YAML format, its pydantic models and the loader.

A definition is data — questions, the conditions under which each is asked, and flags
raised by answers that call for attention — validated when it is loaded, so a broken one
is refused with the file, the question and the field before anyone answers it::

    schema_version: 1
    id: dpia
    evidence_kind: questionnaire.dpia
    title: Data protection impact assessment
    basis: GDPR Art. 35
    version: "2026.1"
    questions:
      - id: residual_risk
        text: After the measures, how high is the remaining risk?
        type: choice
        options: [{value: low, label: Low}, {value: high, label: High}]
    flags:
      - when: {residual_risk: high}
        verdict: warn
        message: Consult the supervisory authority before processing (Art. 36).

The condition language is :mod:`bastion.questionnaires.conditions`. Classification trees
(:mod:`bastion.classification`) extend :class:`Questionnaire` and use the same loader.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any, Literal, Self, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from bastion.questionnaires.conditions import ANY, QuestionType, Subject, check
from bastion.questionnaires.errors import DefinitionError

__all__ = [
    "DefinitionModel",
    "Flag",
    "Option",
    "Question",
    "Questionnaire",
    "definition_problem",
    "load_questionnaire",
    "read_definition",
]

SCHEMA_VERSION = 1
IDENTIFIER = r"^[a-z][a-z0-9_]*$"
_VALUE = r"^[a-z0-9][a-z0-9_]*$"
_KIND = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"

Text = Annotated[str, Field(min_length=1, strict=True)]


def definition_problem(path: str, message: str) -> PydanticCustomError:
    """An error raised from a validator that names its own path in the definition."""
    return PydanticCustomError(
        "definition", "{path}: {message}", {"path": path, "message": message}
    )


class DefinitionModel(BaseModel):
    """The base of every part of a definition: frozen, and unknown fields refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(DefinitionModel):
    """One answer a ``choice`` or ``multi`` question offers.

    ``value`` is what is stored and what conditions compare; ``label`` what people read.
    An ``exclusive`` option (``none`` of the above) cannot be chosen with others.
    """

    value: Annotated[str, Field(pattern=_VALUE, strict=True)]
    label: Text
    help: Text | None = None
    exclusive: bool = False


class Question(DefinitionModel):
    """One question.

    Attributes
    ----------
    id : str
        Lower case, digits and ``_``; unique in the questionnaire.
    text, help : str
        The question, and optional longer guidance.
    type : {"text", "choice", "multi", "boolean", "number", "date", "list"}
        ``list`` is a list of strings; ``multi`` several options.
    options : tuple of Option
        For ``choice`` and ``multi`` only, where they are required.
    required : bool
        Whether an asked question must be answered (default true).
    when : mapping
        The condition under which the question is asked (always, without one).
    min, max : float
        Bounds of a ``number`` answer.
    """

    id: Annotated[str, Field(pattern=IDENTIFIER, strict=True)]
    text: Text
    help: Text | None = None
    type: QuestionType
    options: tuple[Option, ...] | None = None
    required: bool = True
    when: dict[str, Any] | None = None
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _fits_type(self) -> Self:
        if self.type in ("choice", "multi"):
            if not self.options:
                raise ValueError(f"a {self.type} question needs options")
            values = [o.value for o in self.options]
            duplicates = sorted({v for v in values if values.count(v) > 1})
            if duplicates:
                raise ValueError(f"duplicate option value {duplicates[0]!r}")
            if self.type == "choice" and any(o.exclusive for o in self.options):
                raise ValueError("exclusive applies to the options of multi questions")
        elif self.options is not None:
            raise ValueError(f"options apply to choice and multi questions, not {self.type}")
        if self.type != "number" and (self.min is not None or self.max is not None):
            raise ValueError("min and max apply to number questions")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is above max")
        return self

    @property
    def subject(self) -> Subject:
        """What conditions may say about this question's answer."""
        values = tuple(o.value for o in self.options) if self.options else None
        return Subject(self.type, values)

    def option(self, value: str) -> Option | None:
        """The option with this value, if the question offers it."""
        return next((o for o in self.options or () if o.value == value), None)

    def describe(self, answer: Any) -> str:
        """An answer as people read it: option labels rather than values."""
        if isinstance(answer, list):
            return ", ".join(self.describe(item) for item in answer)
        if isinstance(answer, bool):
            return "yes" if answer else "no"
        option = self.option(answer) if isinstance(answer, str) else None
        return option.label if option else str(answer)


class Flag(DefinitionModel):
    """An answer that calls for attention: when ``when`` holds, the result carries
    ``message`` and at least ``verdict``."""

    when: dict[str, Any]
    verdict: Literal["warn", "fail"]
    message: Text


class Questionnaire(DefinitionModel):
    """A validated questionnaire definition (see the module's docstring for the format).

    Attributes
    ----------
    id : str
        Lower case, digits and ``_``.
    evidence_kind : str
        The kind of evidence its results are recorded as (``questionnaire.dpia``).
    title, basis, version : str
        What it is, the provision it serves (``GDPR Art. 35``) and its version.
    description : str
        Optional: who fills it in, and when.
    questions : tuple of Question
    flags : tuple of Flag
    """

    schema_version: Literal[1]
    id: Annotated[str, Field(pattern=IDENTIFIER, strict=True)]
    evidence_kind: Annotated[str, Field(pattern=_KIND, strict=True)]
    title: Text
    basis: Text
    version: Text
    description: Text | None = None
    questions: tuple[Question, ...] = Field(min_length=1)
    flags: tuple[Flag, ...] = ()

    @model_validator(mode="after")
    def _references(self) -> Self:
        seen: dict[str, Subject] = {}
        ids = [q.id for q in self.questions]
        for position, question in enumerate(self.questions):
            where = f"questions.{question.id}"
            if question.id == ANY:
                raise definition_problem(
                    f"{where}.id", f"{ANY!r} is reserved for OR groups in conditions"
                )
            if question.id in seen:
                raise definition_problem(
                    f"{where}.id", f"duplicate question id (question {ids.index(question.id) + 1})"
                )
            if question.when is not None:
                problem = check(
                    question.when, seen, f"{where}.when", later=set(ids[position + 1 :])
                )
                if problem:
                    raise definition_problem(*problem)
            seen[question.id] = question.subject
        for i, flag in enumerate(self.flags):
            problem = check(flag.when, seen, f"flags[{i}].when")
            if problem:
                raise definition_problem(*problem)
        return self

    def question(self, question_id: str) -> Question:
        """The question with this id (``KeyError`` if there is none)."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    @property
    def subjects(self) -> dict[str, Subject]:
        """Every question's id and what conditions may say about its answer."""
        return {q.id: q.subject for q in self.questions}

    @property
    def digest(self) -> str:
        """SHA-256 of the canonical definition: its JSON with defaults filled in and keys
        sorted, so the same definition written in any key order has the same digest."""
        canonical = json.dumps(
            self.model_dump(mode="json"),
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


Model = TypeVar("Model", bound=Questionnaire)


def read_definition(
    source: str | os.PathLike[str] | Traversable, model: type[Model], *, name: str | None = None
) -> Model:
    """Read and validate a YAML definition file as ``model``.

    Raises
    ------
    DefinitionError
        If the file cannot be read or parsed (naming the line) or is not a valid
        definition (naming the file, the question and the field).
    """
    path = source if isinstance(source, Traversable) else Path(source)
    name = name or path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DefinitionError(f"{path}: no such file", field="definition") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(f"{path}: cannot be read ({exc})", field="definition") from None
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as exc:
        # PyYAML raises a bare ValueError for an impossible date such as 2026-13-01.
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc) or "cannot be parsed"
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise DefinitionError(
            f"{name}: not valid YAML{at}: {problem}", field="definition"
        ) from None
    return parse_definition(data, model, name=name)


def parse_definition(data: Any, model: type[Model], *, name: str) -> Model:
    """Validate parsed YAML as ``model``, errors prefixed with ``name``."""
    if not isinstance(data, Mapping):
        raise DefinitionError(
            f"{name}: a definition is a mapping (schema_version, id, questions, …)",
            field="definition",
        )
    if model is Questionnaire and "outcome" in data:
        raise DefinitionError(
            f"{name}: outcome: a definition with an outcome is a classification tree; "
            "load it with bastion.classification.load_tree",
            field="outcome",
        )
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise _definition_error(exc, data, name) from None


def _definition_error(exc: ValidationError, data: Mapping[str, Any], name: str) -> DefinitionError:
    messages: list[str] = []
    first: str | None = None
    for error in exc.errors(include_url=False):
        if error["type"] == "definition":
            context = error.get("ctx") or {}
            where, text = str(context["path"]), str(context["message"])
        else:
            where = _path(error["loc"], data)
            text = _message(error)
        first = first or where
        messages.append(f"{where}: {text}")
    return DefinitionError(f"{name}: " + "; ".join(messages), field=first or "definition")


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "missing"
    if kind == "literal_error" and error["loc"][-1] == "type":
        return f"unknown type {error['input']!r}; use one of {error['ctx']['expected']}"
    if kind == "string_pattern_mismatch":
        return (
            f"{error['input']!r} is not a valid identifier (lower case letters, digits and _, "
            "starting with a letter)"
        )
    return str(error["msg"]).removeprefix("Value error, ")


def _path(loc: tuple[int | str, ...], data: Mapping[str, Any]) -> str:
    # ("questions", 3, "options") reads better as questions.residual_risk.options.
    parts: list[str] = []
    node: Any = data
    for part in loc:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and part < len(node) else None
            ident = item.get("id") if isinstance(item, Mapping) else None
            if isinstance(ident, str) and parts and parts[-1] == "questions":
                parts.append(f".{ident}")
            else:
                parts.append(f"[{part}]")
            node = item
        else:
            parts.append(f".{part}" if parts else part)
            node = node.get(part) if isinstance(node, Mapping) else None
    return "".join(parts) or "definition"


def load_questionnaire(path: str | os.PathLike[str] | Traversable) -> Questionnaire:
    """Read and validate a questionnaire definition from a YAML file.

    Raises
    ------
    DefinitionError
        If the file is missing or unreadable, does not parse, or is not a valid
        definition; the message names the file, the question and the field, e.g.
        ``dpia.yaml: questions.residual_risk.when.level: unknown question 'level'``.
    """
    return read_definition(path, Questionnaire)
