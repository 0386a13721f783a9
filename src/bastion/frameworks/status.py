"""The compliance status of one AI system against one framework: which requirements
apply to it, and whether the evidence recorded about it satisfies each of them.

Pure: the platform passes in the system's profile (its EU AI Act tier, its role and the
facts known about it), its evidence and the organization's implementation notes, and
stores or shows the :class:`FrameworkStatus` it gets back. The rules are written out in
``docs/frameworks.md`` ("Reference").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from bastion.frameworks.catalog import Catalog, Framework, Requirement, unknown
from bastion.frameworks.errors import StatusInputError
from bastion.frameworks.vocabulary import FACTS, RISK_TIERS, ROLES, UNCLASSIFIED, EvidenceKind

__all__ = [
    "VERDICTS",
    "ChosenEvidence",
    "EvidenceItem",
    "FrameworkStatus",
    "Implementation",
    "ItemStatus",
    "RequirementStatus",
    "Status",
    "SystemProfile",
    "applies",
    "evaluate",
    "rollup",
]

VERDICTS: Final = frozenset({"pass", "warn", "fail", "info"})


class Status(StrEnum):
    SATISFIED = "satisfied"
    EXPIRED = "expired"
    MISSING = "missing"
    FAILING = "failing"
    NOT_APPLICABLE = "not_applicable"


# A requirement is as bad as its worst evidence item.
_SEVERITY: Final = {Status.SATISFIED: 0, Status.EXPIRED: 1, Status.MISSING: 2, Status.FAILING: 3}


def _require_utc_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise StatusInputError(f"{name} must be timezone-aware (UTC), got {value}", field=name)


@dataclass(frozen=True)
class SystemProfile:
    """What decides which requirements apply to a system.

    Attributes
    ----------
    risk_tier : str
        One of :data:`~bastion.frameworks.vocabulary.RISK_TIERS`; ``"unclassified"``
        until the EU AI Act classification is done.
    role : str
        ``provider``, ``deployer``, ``importer`` or ``distributor``.
    facts : Mapping[str, bool]
        What the classification questionnaire (or a PII scan) established. A fact not
        listed is not established: false for a classified system, assumed to match
        every condition for an unclassified one.
    """

    risk_tier: str
    role: str
    facts: Mapping[str, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.risk_tier not in RISK_TIERS:
            raise StatusInputError(
                unknown("risk tier", self.risk_tier, RISK_TIERS), field="risk_tier"
            )
        if self.role not in ROLES:
            raise StatusInputError(unknown("role", self.role, ROLES), field="role")
        for fact in self.facts:
            if fact not in FACTS:
                raise StatusInputError(unknown("fact", fact, FACTS), field="facts")

    @property
    def classified(self) -> bool:
        return self.risk_tier != UNCLASSIFIED


@dataclass(frozen=True)
class EvidenceItem:
    """The part of an evidence record that compliance reads (see DESIGN.md)."""

    id: str
    kind: str
    verdict: str
    created_at: datetime
    valid_until: datetime | None
    subject_type: str
    subject_id: str
    summary: str

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise StatusInputError(
                f"evidence {self.id}: verdict {self.verdict!r} is not one of "
                f"{', '.join(sorted(VERDICTS))}",
                field="verdict",
            )
        _require_utc_aware(self.created_at, "created_at")
        if self.valid_until is not None:
            _require_utc_aware(self.valid_until, "valid_until")


@dataclass(frozen=True)
class Implementation:
    """What the organization noted about one requirement for one system.

    ``not_applicable`` holds the justification when the organization decided the
    requirement does not apply although the profile says it does.
    """

    owner: str | None = None
    due_date: date | None = None
    not_applicable: str | None = None
    notes: str = ""

    def __post_init__(self) -> None:
        if self.not_applicable is not None and not self.not_applicable.strip():
            raise StatusInputError(
                "declaring a requirement not applicable needs a justification",
                field="not_applicable",
            )


@dataclass(frozen=True)
class ChosenEvidence:
    """The evidence an item's status rests on."""

    id: str
    kind: str
    verdict: str
    created_at: datetime
    expires_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "verdict": self.verdict,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
        }


@dataclass(frozen=True)
class ItemStatus:
    """One evidence item of a requirement: the kinds it accepts and how it stands."""

    accepted_kinds: tuple[str, ...]
    status: Status
    evidence: ChosenEvidence | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "accepted_kinds": list(self.accepted_kinds),
            "status": self.status.value,
            "evidence": self.evidence.to_dict() if self.evidence else None,
        }


@dataclass(frozen=True)
class RequirementStatus:
    """How one requirement stands for the system.

    ``applicable`` is what the profile says; ``justified`` marks a requirement that
    applies but that the organization declared not applicable, ``reason`` then being
    the justification. ``items`` is empty for a requirement that is not applicable.
    """

    key: str
    ref: str
    title: str
    group: str | None
    status: Status
    applicable: bool
    justified: bool
    reason: str
    items: tuple[ItemStatus, ...]
    owner: str | None
    due_date: date | None
    overdue: bool
    justification: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "ref": self.ref,
            "title": self.title,
            "group": self.group,
            "status": self.status.value,
            "applicable": self.applicable,
            "justified": self.justified,
            "reason": self.reason,
            "items": [item.to_dict() for item in self.items],
            "owner": self.owner,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "overdue": self.overdue,
            "justification": self.justification,
        }


def _score(counts: Mapping[Status, int]) -> float | None:
    """Satisfied over the requirements that count: those that apply and were not
    declared not applicable. ``None`` when none count."""
    counted = sum(counts.values()) - counts[Status.NOT_APPLICABLE]
    return counts[Status.SATISFIED] / counted if counted else None


def _all_statuses(counts: Counter[Status]) -> dict[Status, int]:
    return {status: counts[status] for status in Status}


@dataclass(frozen=True)
class FrameworkStatus:
    """One system's status against one framework, evaluated at ``evaluated_at`` against
    the catalog whose digest is ``catalog_digest``."""

    framework_id: str
    framework_name: str
    framework_version: str
    catalog_digest: str
    evaluated_at: datetime
    profile: SystemProfile
    requirements: tuple[RequirementStatus, ...]

    @property
    def counts(self) -> dict[Status, int]:
        """How many requirements are in each status (every status listed)."""
        return _all_statuses(Counter(requirement.status for requirement in self.requirements))

    @property
    def score(self) -> float | None:
        """Satisfied / (applicable - justified not applicable); ``None`` when nothing
        applies."""
        return _score(self.counts)

    @property
    def overdue(self) -> int:
        return sum(requirement.overdue for requirement in self.requirements)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: statuses as strings, times and dates in ISO 8601."""
        return {
            "framework_id": self.framework_id,
            "framework_name": self.framework_name,
            "framework_version": self.framework_version,
            "catalog_digest": self.catalog_digest,
            "evaluated_at": self.evaluated_at.isoformat(),
            "profile": {
                "risk_tier": self.profile.risk_tier,
                "role": self.profile.role,
                "facts": dict(self.profile.facts),
            },
            "counts": {status.value: n for status, n in self.counts.items()},
            "score": self.score,
            "overdue": self.overdue,
            "requirements": [requirement.to_dict() for requirement in self.requirements],
        }


def applies(requirement: Requirement, profile: SystemProfile) -> tuple[bool, str]:
    """Whether ``requirement`` applies to a system with ``profile``, and why.

    A system not classified yet is assumed to be in scope of every tier condition, and
    of every fact condition on a fact it does not have; the reason then starts with
    "assumed: the system is not classified".
    """
    condition = requirement.applies_when
    if condition is None:
        return True, "applies to every system"
    reasons: list[str] = []
    assumed = False
    if condition.risk_tiers:
        if not profile.classified:
            assumed = True
        elif profile.risk_tier not in condition.risk_tiers:
            return False, f"risk tier {profile.risk_tier} is not {_any_of(condition.risk_tiers)}"
        else:
            reasons.append(f"risk tier {profile.risk_tier}")
    if condition.roles:
        if profile.role not in condition.roles:
            return False, f"role {profile.role} is not {_any_of(condition.roles)}"
        reasons.append(f"role {profile.role}")
    for fact, wanted in condition.facts.items():
        known = profile.facts.get(fact)
        if known is None and not profile.classified:
            assumed = True
        elif bool(known) != wanted:
            stated = "not established" if known is None else _word(known)
            return False, f"{fact} is {stated}; applies when {_word(wanted)}"
        else:
            reasons.append(f"{fact} is {_word(wanted)}")
    if assumed:
        reasons.insert(0, "assumed: the system is not classified")
    return True, "; ".join(reasons) or "applies to every system"


def _any_of(values: Iterable[str]) -> str:
    listed = list(values)
    return listed[0] if len(listed) == 1 else "one of " + ", ".join(listed)


def _word(value: bool) -> str:
    return "true" if value else "false"


def evaluate(
    catalog: Catalog,
    framework_id: str,
    profile: SystemProfile,
    evidence: Iterable[EvidenceItem],
    implementations: Mapping[str, Implementation],
    *,
    now: datetime,
) -> FrameworkStatus:
    """The status of every requirement of a framework for one system.

    Parameters
    ----------
    catalog : Catalog
        From :func:`~bastion.frameworks.load_catalog`.
    framework_id : str
        The framework to evaluate.
    profile : SystemProfile
        Decides which requirements apply.
    evidence : iterable of EvidenceItem
        The evidence about the system and its model versions, datasets and deployments.
        Kinds that no requirement accepts are ignored. Of several evidence of one kind
        about one subject only the newest counts: it supersedes the others, so a failing
        assessment run after a passing one makes the requirement fail.
    implementations : Mapping[str, Implementation]
        By requirement key (``"gdpr:art35"``); keys of other frameworks are ignored.
    now : datetime
        Timezone-aware; what "expired" and "overdue" are measured against.

    Returns
    -------
    FrameworkStatus
        One :class:`RequirementStatus` per requirement, in catalog order.
    """
    _require_utc_aware(now, "now")
    framework = catalog.framework(framework_id)
    current = _current(evidence)
    statuses = tuple(
        _requirement_status(catalog, framework, requirement, profile, current, implementations, now)
        for requirement in framework.requirements
    )
    return FrameworkStatus(
        framework_id=framework.id,
        framework_name=framework.name,
        framework_version=framework.version,
        catalog_digest=catalog.digest,
        evaluated_at=now,
        profile=profile,
        requirements=statuses,
    )


def _current(evidence: Iterable[EvidenceItem]) -> tuple[EvidenceItem, ...]:
    """The newest evidence of each kind about each subject: a new run supersedes the
    earlier ones (DESIGN.md, "The evidence record"). Ties go to the larger id, so the
    choice never depends on the order the evidence was passed in."""
    newest: dict[tuple[str, str, str], EvidenceItem] = {}
    for item in evidence:
        slot = (item.kind, item.subject_type, item.subject_id)
        held = newest.get(slot)
        if held is None or _recency(item) > _recency(held):
            newest[slot] = item
    return tuple(newest.values())


def _recency(item: EvidenceItem) -> tuple[datetime, str]:
    return item.created_at, item.id


def _requirement_status(
    catalog: Catalog,
    framework: Framework,
    requirement: Requirement,
    profile: SystemProfile,
    current: tuple[EvidenceItem, ...],
    implementations: Mapping[str, Implementation],
    now: datetime,
) -> RequirementStatus:
    key = f"{framework.id}:{requirement.id}"
    implementation = implementations.get(key, Implementation())
    applicable, reason = applies(requirement, profile)
    justification = implementation.not_applicable if applicable else None
    items: tuple[ItemStatus, ...] = ()
    if not applicable or justification is not None:
        status = Status.NOT_APPLICABLE
        reason = justification or reason
    else:
        items = tuple(
            _item_status(kinds, current, requirement, catalog.evidence_kinds, now)
            for kinds in catalog.accepted_kinds(key)
        )
        status = max((item.status for item in items), key=_SEVERITY.__getitem__)
    due_date = implementation.due_date
    today = now.astimezone(UTC).date()
    return RequirementStatus(
        key=key,
        ref=requirement.ref,
        title=requirement.title,
        group=requirement.group,
        status=status,
        applicable=applicable,
        justified=justification is not None,
        reason=reason,
        items=items,
        owner=implementation.owner,
        due_date=due_date,
        overdue=(
            due_date is not None
            and due_date < today
            and status not in (Status.SATISFIED, Status.NOT_APPLICABLE)
        ),
        justification=justification,
    )


def _item_status(
    kinds: frozenset[str],
    current: Iterable[EvidenceItem],
    requirement: Requirement,
    vocabulary: Mapping[str, EvidenceKind],
    now: datetime,
) -> ItemStatus:
    """The newest live (not expired) evidence that does not fail satisfies the item;
    failing evidence alone makes it fail; expired evidence alone, expired."""
    found = [
        ChosenEvidence(
            id=item.id,
            kind=item.kind,
            verdict=item.verdict,
            created_at=item.created_at,
            expires_at=_expires_at(item, requirement, vocabulary),
        )
        for item in current
        if item.kind in kinds
    ]
    live = [chosen for chosen in found if chosen.expires_at is None or chosen.expires_at > now]
    passing = [chosen for chosen in live if chosen.verdict != "fail"]
    if passing:
        status, pool = Status.SATISFIED, passing
    elif live:
        status, pool = Status.FAILING, live
    elif found:
        status, pool = Status.EXPIRED, found
    else:
        return ItemStatus(tuple(sorted(kinds)), Status.MISSING, None)
    newest = max(pool, key=lambda chosen: (chosen.created_at, chosen.id))
    return ItemStatus(tuple(sorted(kinds)), status, newest)


def _expires_at(
    item: EvidenceItem, requirement: Requirement, vocabulary: Mapping[str, EvidenceKind]
) -> datetime | None:
    """``valid_until`` when the evidence sets one; otherwise the requirement's validity,
    or else the kind's, counted from ``created_at``; ``None`` never expires."""
    if item.valid_until is not None:
        return item.valid_until
    days = requirement.validity_days or vocabulary[item.kind].validity_days
    return item.created_at + timedelta(days=days) if days else None


def rollup(statuses: Iterable[FrameworkStatus]) -> dict[str, Any]:
    """Organization-wide totals of many systems' statuses, overall and per framework.

    Returns a JSON-ready dict: ``evaluations`` (how many statuses), ``counts`` (status
    → requirements), ``overdue``, ``score`` (as :attr:`FrameworkStatus.score`, over
    all requirements of all evaluations) and ``frameworks`` (the same per framework id,
    plus its name).
    """
    overall = _Tally()
    per_framework: dict[str, _Tally] = {}
    names: dict[str, str] = {}
    for status in statuses:
        overall.add(status)
        per_framework.setdefault(status.framework_id, _Tally()).add(status)
        names[status.framework_id] = status.framework_name
    return {
        **overall.to_dict(),
        "frameworks": {
            framework_id: {"name": names[framework_id], **tally.to_dict()}
            for framework_id, tally in sorted(per_framework.items())
        },
    }


@dataclass
class _Tally:
    evaluations: int = 0
    overdue: int = 0
    counts: Counter[Status] = field(default_factory=Counter)

    def add(self, status: FrameworkStatus) -> None:
        self.evaluations += 1
        self.overdue += status.overdue
        self.counts.update(status.counts)

    def to_dict(self) -> dict[str, Any]:
        counts = _all_statuses(self.counts)
        return {
            "evaluations": self.evaluations,
            "counts": {status.value: n for status, n in counts.items()},
            "overdue": self.overdue,
            "score": _score(counts),
        }
