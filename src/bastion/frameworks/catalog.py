"""The typed form of the framework catalogs (``docs/frameworks.md``): frameworks, their
requirements, the crosswalks between them, and :class:`Catalog`, which holds everything
loaded and answers the questions compliance asks of it.

The models check everything one file can tell on its own — the shape, the id patterns,
the words of :mod:`bastion.frameworks.vocabulary`. Checks across files (duplicate
framework ids, crosswalks into other catalogs) are made by
:func:`bastion.frameworks.loader.load_catalog`, the only intended way to build a
:class:`Catalog`.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    PrivateAttr,
    StrictBool,
    field_validator,
    model_validator,
)

from bastion.frameworks.errors import UnknownFramework, UnknownRequirement
from bastion.frameworks.vocabulary import (
    CATALOG_RISK_TIERS,
    EVIDENCE_KINDS,
    FACTS,
    ROLES,
    UNCLASSIFIED,
    EvidenceKind,
)

__all__ = [
    "FRAMEWORK_ID",
    "REQUIREMENT_ID",
    "REQUIREMENT_KEY",
    "SCHEMA_VERSION",
    "Applicability",
    "Catalog",
    "Crosswalk",
    "FieldProblem",
    "Framework",
    "Requirement",
    "split_key",
]

SCHEMA_VERSION: Final = 1
FRAMEWORK_ID: Final = r"^[a-z][a-z0-9_]*$"
REQUIREMENT_ID: Final = r"^[a-z0-9][a-z0-9_]*$"
REQUIREMENT_KEY: Final = r"^[a-z][a-z0-9_]*:[a-z0-9][a-z0-9_]*$"
EVIDENCE_KIND_NAME: Final = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class FieldProblem(ValueError):
    """A problem found by a whole-framework check, which knows the requirement and field
    at fault better than the location pydantic would give it (the top of the file)."""

    def __init__(self, problem: str, *, field: str, requirement: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.field = field
        self.requirement = requirement


def unknown(what: str, value: str, known: Iterable[str]) -> str:
    """``unknown <what> 'value'``, with the closest known word when it looks like a typo."""
    close = difflib.get_close_matches(value, list(known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown {what} {value!r}{hint}"


def split_key(key: str) -> tuple[str, str]:
    """``"gdpr:art35"`` → ``("gdpr", "art35")``; a key without a colon is refused."""
    framework_id, colon, requirement_id = key.partition(":")
    if not colon or not framework_id or not requirement_id:
        raise UnknownRequirement(
            f"{key!r} is not a requirement key; write framework:requirement, e.g. gdpr:art35"
        )
    return framework_id, requirement_id


def _refuse_empty(values: tuple[str, ...], *, listing: str) -> None:
    if not values:
        raise ValueError(f"an empty list matches no system; omit it to match every {listing}")


class Applicability(BaseModel):
    """When a requirement applies: the system's tier is any of ``risk_tiers``, its role is
    any of ``roles``, and every fact of ``facts`` has the value given. An omitted
    condition holds for every system."""

    model_config = _FROZEN

    risk_tiers: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    facts: Mapping[str, StrictBool] = Field(default_factory=dict)

    @field_validator("risk_tiers")
    @classmethod
    def _known_tiers(cls, tiers: tuple[str, ...]) -> tuple[str, ...]:
        _refuse_empty(tiers, listing="tier")
        for tier in tiers:
            if tier == UNCLASSIFIED:
                raise ValueError(
                    "'unclassified' cannot be a condition: an unclassified system is "
                    "already assumed to be in scope of every tier"
                )
            if tier not in CATALOG_RISK_TIERS:
                raise ValueError(unknown("risk tier", tier, CATALOG_RISK_TIERS))
        return tiers

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, roles: tuple[str, ...]) -> tuple[str, ...]:
        _refuse_empty(roles, listing="role")
        for role in roles:
            if role not in ROLES:
                raise ValueError(unknown("role", role, ROLES))
        return roles

    @field_validator("facts")
    @classmethod
    def _known_facts(cls, facts: Mapping[str, bool]) -> Mapping[str, bool]:
        for fact in facts:
            if fact not in FACTS:
                raise ValueError(unknown("fact", fact, FACTS))
        return facts


class Requirement(BaseModel):
    """One requirement of a framework: when it applies and what evidence satisfies it.

    ``evidence`` lists the items that are all needed; an item ``"a|b"`` is satisfied by
    evidence of kind ``a`` or ``b``.
    """

    model_config = _FROZEN

    id: str = Field(pattern=REQUIREMENT_ID)
    ref: str
    title: str
    group: str | None = None
    summary: str
    applies_when: Applicability | None = None
    evidence: tuple[str, ...]
    validity_days: PositiveInt | None = None

    @field_validator("evidence")
    @classmethod
    def _items_name_kinds(cls, items: tuple[str, ...]) -> tuple[str, ...]:
        if not items:
            raise ValueError("a requirement needs at least one evidence item")
        normalized = []
        for item in items:
            kinds = [kind.strip() for kind in item.split("|")]
            if not all(kinds):
                raise ValueError(f"{item!r} has an empty alternative")
            normalized.append("|".join(kinds))
        return tuple(normalized)

    @property
    def accepted_kinds(self) -> tuple[frozenset[str], ...]:
        """Per evidence item, the kinds that satisfy it (this requirement's own; the
        catalog adds those of equivalent requirements, see :meth:`Catalog.accepted_kinds`)."""
        return tuple(frozenset(item.split("|")) for item in self.evidence)


class Crosswalk(BaseModel):
    """A group of requirements across frameworks.

    ``equivalent`` requirements accept each other's evidence; ``related`` ones are only
    shown side by side.
    """

    model_config = _FROZEN

    relation: Literal["equivalent", "related"]
    requirements: tuple[Annotated[str, Field(pattern=REQUIREMENT_KEY)], ...]
    note: str | None = None

    @field_validator("requirements")
    @classmethod
    def _at_least_two(cls, keys: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(keys)) < 2:
            raise ValueError(
                f"a crosswalk groups at least two different requirements; found {len(set(keys))}"
            )
        return keys


def supported_schema_version(version: int) -> int:
    """The field validator of ``schema_version`` in every catalog file."""
    if version != SCHEMA_VERSION:
        raise ValueError(f"this Bastion reads schema_version {SCHEMA_VERSION}, not {version}")
    return version


class Framework(BaseModel):
    """One catalog file: a law, standard or framework and its requirements."""

    model_config = _FROZEN

    schema_version: int
    id: str = Field(pattern=FRAMEWORK_ID)
    name: str
    title: str
    version: str
    publisher: str
    kind: Literal["law", "standard", "framework", "internal"]
    url: str | None = None  # optional: an internal framework may have no public page
    summary: str
    evidence_kinds: Mapping[Annotated[str, Field(pattern=EVIDENCE_KIND_NAME)], EvidenceKind] = (
        Field(default_factory=dict)
    )
    requirements: tuple[Requirement, ...]
    crosswalks: tuple[Crosswalk, ...] = ()

    _by_id: dict[str, Requirement] = PrivateAttr(default_factory=dict)

    _supported_version = field_validator("schema_version")(supported_schema_version)

    @field_validator("requirements")
    @classmethod
    def _not_empty(cls, requirements: tuple[Requirement, ...]) -> tuple[Requirement, ...]:
        # A validator rather than min_length, which pydantic would also report when the
        # only requirement is invalid.
        if not requirements:
            raise ValueError("a framework needs at least one requirement")
        return requirements

    @model_validator(mode="after")
    def _consistent(self) -> Framework:
        seen: set[str] = set()
        for requirement in self.requirements:
            if requirement.id in seen:
                raise FieldProblem(
                    "the id is used by another requirement of this framework",
                    requirement=requirement.id,
                    field="id",
                )
            seen.add(requirement.id)
        for name in self.evidence_kinds:
            if name in EVIDENCE_KINDS:
                raise FieldProblem(
                    f"{name!r} is a built-in evidence kind and cannot be redeclared; "
                    "name your kind differently",
                    field="evidence_kinds",
                )
        known_kinds = EVIDENCE_KINDS.keys() | self.evidence_kinds.keys()
        for requirement in self.requirements:
            named = frozenset().union(*requirement.accepted_kinds)
            if strangers := sorted(named - known_kinds):
                raise FieldProblem(
                    unknown("evidence kind", strangers[0], known_kinds),
                    requirement=requirement.id,
                    field="evidence",
                )
        for index, crosswalk in enumerate(self.crosswalks):
            for key in crosswalk.requirements:
                framework_id, requirement_id = split_key(key)
                if framework_id == self.id and requirement_id not in seen:
                    raise FieldProblem(
                        f"{key!r}: this framework has no requirement {requirement_id!r}",
                        field=f"crosswalks[{index}].requirements",
                    )
        return self

    def model_post_init(self, context: Any, /) -> None:
        self._by_id = {requirement.id: requirement for requirement in self.requirements}

    def requirement(self, requirement_id: str) -> Requirement:
        """The requirement with this id (not the ``framework:`` key)."""
        try:
            return self._by_id[requirement_id]
        except KeyError:
            raise UnknownRequirement(
                f"framework {self.id} has no requirement {requirement_id!r}"
            ) from None


def _equivalence_classes(crosswalks: Iterable[Crosswalk]) -> dict[str, frozenset[str]]:
    """Each key of an ``equivalent`` group → every key it is transitively equivalent to
    (itself included): if A ≡ B and B ≡ C, evidence for C also counts for A."""
    neighbours: defaultdict[str, set[str]] = defaultdict(set)
    for crosswalk in crosswalks:
        if crosswalk.relation == "equivalent":
            for key in crosswalk.requirements:
                neighbours[key].update(crosswalk.requirements)
    classes: dict[str, frozenset[str]] = {}
    for start in neighbours:
        if start in classes:
            continue
        reached, frontier = {start}, [start]
        while frontier:
            for neighbour in neighbours[frontier.pop()] - reached:
                reached.add(neighbour)
                frontier.append(neighbour)
        members = frozenset(reached)
        classes.update(dict.fromkeys(members, members))
    return classes


def _related_index(crosswalks: Iterable[Crosswalk]) -> dict[str, frozenset[str]]:
    related: defaultdict[str, set[str]] = defaultdict(set)
    for crosswalk in crosswalks:
        if crosswalk.relation == "related":
            for key in crosswalk.requirements:
                related[key].update(crosswalk.requirements)
    return {key: frozenset(others - {key}) for key, others in related.items()}


class Catalog(BaseModel):
    """Every loaded framework, the crosswalks between them and the evidence vocabulary.

    Built by :func:`~bastion.frameworks.load_catalog`. Requirements are named by key,
    ``"framework:requirement"`` (``"gdpr:art35"``).

    Attributes
    ----------
    frameworks : Mapping[str, Framework]
        By framework id.
    crosswalks : tuple[Crosswalk, ...]
        From ``crosswalks.yaml`` and the ``crosswalks:`` lists of the catalogs.
    evidence_kinds : Mapping[str, EvidenceKind]
        The vocabulary plus the kinds the catalogs declare.
    digest : str
        SHA-256 (hex) over the canonical content of every loaded file: a decision that
        records it says which catalog version it was made against.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    frameworks: Mapping[str, Framework]
    crosswalks: tuple[Crosswalk, ...] = ()
    evidence_kinds: Mapping[str, EvidenceKind]
    digest: str

    _equivalence: dict[str, frozenset[str]] = PrivateAttr(default_factory=dict)
    _related: dict[str, frozenset[str]] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._equivalence = _equivalence_classes(self.crosswalks)
        self._related = _related_index(self.crosswalks)

    def framework(self, framework_id: str) -> Framework:
        """The framework with this id; :class:`UnknownFramework` names the known ones."""
        try:
            return self.frameworks[framework_id]
        except KeyError:
            raise UnknownFramework(framework_id, self.frameworks) from None

    def requirement(self, key: str) -> Requirement:
        """The requirement named ``"framework:requirement"``."""
        framework_id, requirement_id = split_key(key)
        return self.framework(framework_id).requirement(requirement_id)

    def equivalents(self, key: str) -> frozenset[str]:
        """The keys equivalent to ``key`` through ``equivalent`` crosswalks, followed
        transitively, ``key`` itself excluded."""
        self.requirement(key)
        return self._equivalence.get(key, frozenset()) - {key}

    def related(self, key: str) -> frozenset[str]:
        """The keys grouped with ``key`` by a ``related`` crosswalk (not transitive:
        only what a crosswalk lists beside it)."""
        self.requirement(key)
        return self._related.get(key, frozenset())

    def accepted_kinds(self, key: str) -> tuple[frozenset[str], ...]:
        """Per evidence item of the requirement, the kinds of evidence that satisfy it.

        An item ``"a|b"`` accepts ``a`` and ``b``. When the requirement has equivalents,
        every item also accepts every kind that any equivalent requirement names, in
        any of its items: evidence recorded for an equivalent requirement counts here
        too. (Deliberately simple: equivalence says the requirements are met by the same
        work, so we do not try to match item to item.)
        """
        own = self.requirement(key).accepted_kinds
        shared = frozenset().union(
            *(
                kinds
                for equivalent in self.equivalents(key)
                for kinds in self.requirement(equivalent).accepted_kinds
            )
        )
        return tuple(kinds | shared for kinds in own)
