"""The declarative anonymization spec: which operator applies to which column, read from
YAML or JSON and validated before any row is touched.

Rules are given per column name (``columns``) and per PII entity (``entities``, applied
to the columns a caller classifies, e.g. from a PII scan); a column rule wins over an
entity rule, and ``default`` (``keep`` or ``drop``) covers the rest. A rule is an
operator name, or a mapping with ``operator`` and that operator's settings::

    default: keep
    columns:
      email: pseudonymize
      phone: {operator: mask, keep_last: 4, keep_separators: true}
      age: {operator: generalize, width: 10}
    entities:
      US_SSN: {operator: tokenize}

Errors name the path in the spec (``columns.phone.keep_last``). Keys never appear in a
spec: they come from the caller (:mod:`bastion.anonymize.keys`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bastion.anonymize.errors import SpecError

__all__ = [
    "OPERATORS",
    "Condition",
    "DropRule",
    "GeneralizeRule",
    "KeepRule",
    "MaskRule",
    "PseudonymizeRule",
    "RedactRule",
    "ReplaceRule",
    "Rule",
    "Spec",
    "SuppressRule",
    "TokenizeRule",
    "load_spec",
]

OPERATORS = (
    "keep",
    "drop",
    "redact",
    "mask",
    "replace",
    "pseudonymize",
    "tokenize",
    "generalize",
    "suppress",
)
"""Every operator a rule may name."""

_ENTITY = re.compile(r"^[A-Z][A-Z0-9_]*$")  # Presidio's entity names: EMAIL_ADDRESS, US_SSN
_SPEC_SUFFIXES = (".yaml", ".yml", ".json")


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    optional: bool = False
    """For a column rule: no error when the table lacks the column."""


class KeepRule(_Rule):
    """Leave the column as it is."""

    operator: Literal["keep"]


class DropRule(_Rule):
    """Remove the column from the output."""

    operator: Literal["drop"]


class RedactRule(_Rule):
    """Empty every value (missing in the output; an empty field in CSV)."""

    operator: Literal["redact"]


class MaskRule(_Rule):
    """Replace characters by ``char``, keeping the first ``keep_first`` and last
    ``keep_last``; with ``keep_separators``, only letters and digits are masked (and
    counted). A value no longer than what would be kept is masked whole."""

    operator: Literal["mask"]
    keep_first: int = Field(0, ge=0)
    keep_last: int = Field(0, ge=0)
    char: str = Field("*", min_length=1, max_length=1)
    keep_separators: bool = False


class ReplaceRule(_Rule):
    """Replace every value by a fixed label: by default ``<ENTITY>`` for a classified
    column (``<EMAIL_ADDRESS>``), else ``<column name>``."""

    operator: Literal["replace"]
    label: str | None = None


class PseudonymizeRule(_Rule):
    """Keyed HMAC-SHA256 of the value's text: ``prefix`` + the first ``length`` hex digits.

    The same value gives the same pseudonym under the same key (and ``namespace``), so
    joins on the column still work. ``lowercase`` and ``strip`` normalize the text first
    (so ``Ann@X.org`` and ``ann@x.org`` join).
    """

    operator: Literal["pseudonymize"]
    length: int = Field(16, ge=8, le=64)
    prefix: str = ""
    namespace: str = ""
    lowercase: bool = False
    strip: bool = False


class TokenizeRule(_Rule):
    """Format-preserving encryption with FF3-1: digits stay digits, letters letters (of
    the same case), everything else in place. Reversible with the keys."""

    operator: Literal["tokenize"]


class GeneralizeRule(_Rule):
    """Coarsen values, in one of four ways.

    - numeric ranges: ``width`` (with ``origin``) or ``edges``, giving labels such as
      ``[20, 30)``; with ``width``, ``top``/``bottom`` also label the tails ``>= top``
      and ``< bottom``;
    - top- and bottom-coding alone: ``top`` and/or ``bottom``, values beyond them
      replaced by them (numbers stay numbers);
    - date truncation: ``date`` to ``year``, ``month`` or ``day`` (ISO 8601 text out),
      the input parsed as ISO 8601 unless ``date_format`` (strptime) says otherwise;
    - text truncation: ``truncate`` keeps the first N characters (postcodes, ZIP codes).
    """

    operator: Literal["generalize"]
    width: float | None = Field(None, gt=0, allow_inf_nan=False)
    origin: float = Field(0.0, allow_inf_nan=False)
    edges: list[Annotated[float, Field(allow_inf_nan=False)]] | None = Field(None, min_length=1)
    top: float | None = Field(None, allow_inf_nan=False)
    bottom: float | None = Field(None, allow_inf_nan=False)
    date: Literal["year", "month", "day"] | None = None
    date_format: str | None = None
    truncate: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _one_method(self) -> Self:
        numeric = any(v is not None for v in (self.width, self.edges, self.top, self.bottom))
        chosen = [
            name
            for name, used in (
                ("numeric ranges or top/bottom coding", numeric),
                ("date", self.date is not None),
                ("truncate", self.truncate is not None),
            )
            if used
        ]
        if len(chosen) != 1:
            raise ValueError(
                "give exactly one way to generalize: width, edges, top/bottom, date or "
                f"truncate (got {', '.join(chosen) if chosen else 'none'})"
            )
        if self.width is not None and self.edges is not None:
            raise ValueError("give width or edges, not both")
        if self.edges is not None:
            if self.top is not None or self.bottom is not None:
                raise ValueError("edges already code the tails: drop top/bottom")
            if any(b <= a for a, b in itertools.pairwise(self.edges)):
                raise ValueError("edges must be strictly increasing")
        if self.top is not None and self.bottom is not None and self.bottom >= self.top:
            raise ValueError("bottom must be below top")
        if self.width is not None:
            for name, bound in (("top", self.top), ("bottom", self.bottom)):
                steps = None if bound is None else (bound - self.origin) / self.width
                if steps is not None and abs(steps - round(steps)) > 1e-9:
                    raise ValueError(
                        f"{name} must fall on a range edge (origin + k * width), so that no "
                        "range straddles it"
                    )
        if self.date_format is not None and self.date is None:
            raise ValueError("date_format applies only with date")
        if self.origin != 0.0 and self.width is None:
            raise ValueError("origin applies only with width")
        return self

    @property
    def method(self) -> str:
        """How it generalizes, in a few words (no data values): ``width``, ``date:year``."""
        if self.width is not None:
            return "width"
        if self.edges is not None:
            return "edges"
        if self.date is not None:
            return f"date:{self.date}"
        if self.truncate is not None:
            return f"truncate:{self.truncate}"
        return "top/bottom coding"


class Condition(BaseModel):
    """When a row is suppressed: exactly one test on the column's value.

    ``equals`` and ``one_of`` compare the value's text (numbers numerically in a numeric
    column); ``matches`` is a regular expression the whole text must match; ``missing``
    holds for a missing value; ``above`` and ``below`` compare numbers strictly.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    equals: str | int | float | bool | None = None
    one_of: list[str | int | float | bool] | None = Field(None, min_length=1)
    matches: str | None = None
    missing: Literal[True] | None = None
    above: float | None = Field(None, allow_inf_nan=False)
    below: float | None = Field(None, allow_inf_nan=False)

    @field_validator("matches")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {exc}") from None
        return pattern

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        given = [name for name, value in self if value is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of equals, one_of, matches, missing, above, below "
                f"(got {', '.join(given) if given else 'none'})"
            )
        return self


class SuppressRule(_Rule):
    """Without ``when``, remove the column; with it, drop every row where it holds."""

    operator: Literal["suppress"]
    when: Condition | None = None


Rule = Annotated[
    KeepRule
    | DropRule
    | RedactRule
    | MaskRule
    | ReplaceRule
    | PseudonymizeRule
    | TokenizeRule
    | GeneralizeRule
    | SuppressRule,
    Field(discriminator="operator"),
]
"""One rule: its ``operator`` says which of the rule classes it is."""


def _shorthand(rules: Any) -> Any:
    # ``email: pseudonymize`` is short for ``email: {operator: pseudonymize}``.
    if isinstance(rules, Mapping):
        return {k: {"operator": v} if isinstance(v, str) else v for k, v in rules.items()}
    return rules


class Spec(BaseModel):
    """A validated anonymization spec.

    Attributes
    ----------
    version : 1
        The spec format's version.
    default : {"keep", "drop"}
        What happens to a column no rule names.
    columns : dict
        Rules by column name.
    entities : dict
        Rules by PII entity (Presidio's names: ``EMAIL_ADDRESS``, ``US_SSN``, …), for the
        columns the caller classifies; a column rule wins over an entity rule.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1
    default: Literal["keep", "drop"] = "keep"
    columns: dict[str, Rule] = Field(default_factory=dict)
    entities: dict[str, Rule] = Field(default_factory=dict)

    @field_validator("columns", "entities", mode="before")
    @classmethod
    def _short_rules(cls, rules: Any) -> Any:
        return _shorthand(rules)

    @field_validator("entities")
    @classmethod
    def _entity_names(cls, rules: dict[str, Rule]) -> dict[str, Rule]:
        for name, rule in rules.items():
            if not _ENTITY.match(name):
                raise ValueError(
                    f"{name!r} is not an entity name: entities are upper case, as "
                    "Presidio names them (EMAIL_ADDRESS, US_SSN, …)"
                )
            if rule.optional:
                raise ValueError(f"{name}: optional applies to column rules only")
        return rules

    @property
    def digest(self) -> str:
        """The SHA-256 of the spec's canonical JSON (defaults filled in, keys sorted).

        The same spec written in YAML or JSON, in any order, has the same digest.
        """
        canonical = json.dumps(
            self.model_dump(mode="json"),
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @classmethod
    def from_data(cls, data: Any) -> Spec:
        """Validate parsed YAML/JSON data, raising :class:`SpecError` with spec paths."""
        if not isinstance(data, Mapping):
            raise SpecError(
                f"a spec is a mapping (default, columns, entities), not {type(data).__name__}",
                field="spec",
            )
        try:
            return cls.model_validate(dict(data))
        except ValidationError as exc:
            raise _spec_error(exc) from None


def _path(loc: tuple[int | str, ...]) -> list[str]:
    parts = [str(p) for p in loc]
    # Inside a rule, pydantic puts the operator tag in the path (columns.age.generalize.x):
    # the spec the user wrote has no such level.
    if len(parts) >= 3 and parts[0] in ("columns", "entities") and parts[2] in OPERATORS:
        del parts[2]
    return parts


def _spec_error(exc: ValidationError) -> SpecError:
    messages: list[str] = []
    first: str | None = None
    valid = ", ".join(sorted(OPERATORS))
    for error in exc.errors(include_url=False):
        parts = _path(error["loc"])
        kind = error["type"]
        given = error.get("input")
        if kind == "union_tag_invalid":
            parts.append("operator")
            text = f"unknown operator {given.get('operator')!r}; use one of {valid}"
        elif kind == "union_tag_not_found":
            parts.append("operator")
            text = f"missing; use one of {valid}"
        elif kind == "model_attributes_type" and len(parts) == 2:
            text = f"a rule is an operator name or a mapping with 'operator' ({valid})"
        elif kind == "extra_forbidden":
            text = "unknown setting"
        else:
            text = str(error["msg"]).removeprefix("Value error, ")
        where = ".".join(parts) or "spec"
        first = first or where
        messages.append(f"{where}: {text}")
    return SpecError("invalid spec: " + "; ".join(messages), field=first)


def _parse(text: str, name: str, as_json: bool) -> Any:
    if as_json:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(
                f"{name}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                field="spec",
            ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SpecError(f"{name}: not valid YAML{where}: {problem}", field="spec") from None


def _looks_like_path(text: str) -> bool:
    return "\n" not in text and text.strip().lower().endswith(_SPEC_SUFFIXES)


def load_spec(source: Spec | Mapping[str, Any] | str | os.PathLike[str]) -> Spec:
    """Read and validate a spec from a YAML or JSON file, text, or parsed data.

    Parameters
    ----------
    source : Spec, mapping, str or path
        A path (``os.PathLike``, or a one-line string ending in ``.yaml``, ``.yml`` or
        ``.json``) to read; other strings are YAML or JSON text; a mapping is parsed data.

    Raises
    ------
    SpecError
        If the file is missing, the text does not parse (naming the line), or the spec is
        not valid (naming the path in the spec, e.g. ``columns.email.operator``).
    """
    if isinstance(source, Spec):
        return source
    if isinstance(source, Mapping):
        return Spec.from_data(source)
    if isinstance(source, os.PathLike) or _looks_like_path(source):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SpecError(f"spec file {path}: no such file", field="spec") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SpecError(f"spec file {path}: cannot be read ({exc})", field="spec") from None
        data = _parse(text, path.name, as_json=path.suffix.lower() == ".json")
    else:
        data = _parse(source, "spec", as_json=False)  # JSON text is YAML too
    if data is None:
        raise SpecError("the spec is empty", field="spec")
    return Spec.from_data(data)
