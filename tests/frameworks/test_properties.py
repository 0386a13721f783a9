"""Invariants of the status evaluation, over random evidence."""

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from bastion.frameworks import (
    Catalog,
    EvidenceItem,
    FrameworkStatus,
    Status,
    SystemProfile,
    evaluate,
    load_catalog,
)
from tests.frameworks.conftest import FIXTURES, NOW

# Loaded here, not from the fixture: hypothesis runs a test many times per fixture call.
CATALOG: Catalog = load_catalog([FIXTURES], builtin=False)
KINDS = sorted(
    {
        kind
        for framework in CATALOG.frameworks.values()
        for r in framework.requirements
        for kinds in r.accepted_kinds
        for kind in kinds
    }
    | {"scan.pii"}  # accepted by no requirement
)
PROFILES = st.builds(
    SystemProfile,
    risk_tier=st.sampled_from(["high", "minimal", "unclassified"]),
    role=st.sampled_from(["provider", "deployer"]),
    facts=st.dictionaries(st.just("personal_data"), st.booleans()),
)
SUBJECTS = st.sampled_from(["model-1", "model-2"])
RANK = {Status.SATISFIED: 0, Status.EXPIRED: 1, Status.MISSING: 2, Status.FAILING: 3}


@st.composite
def evidence_items(draw: st.DrawFn) -> EvidenceItem:
    created_at = NOW - timedelta(hours=draw(st.integers(0, 24 * 400)))
    valid_until = draw(
        st.none() | st.integers(-24 * 30, 24 * 30).map(lambda h: NOW + timedelta(hours=h))
    )
    return EvidenceItem(
        id=f"ev-{draw(st.integers(0, 10**6))}",
        kind=draw(st.sampled_from(KINDS)),
        verdict=draw(st.sampled_from(["pass", "warn", "fail", "info"])),
        created_at=created_at,
        valid_until=valid_until,
        subject_type="model_version",
        subject_id=draw(SUBJECTS),
        summary="",
    )


# Evidence ids are UUIDs in the platform: unique.
EVIDENCE_LISTS = st.lists(evidence_items(), max_size=12, unique_by=lambda item: item.id)


def evaluate_all(profile: SystemProfile, items: list[EvidenceItem]) -> list[FrameworkStatus]:
    return [evaluate(CATALOG, f, profile, items, {}, now=NOW) for f in sorted(CATALOG.frameworks)]


@given(profile=PROFILES, items=EVIDENCE_LISTS, data=st.data())
def test_adding_live_passing_evidence_never_makes_a_requirement_worse(
    profile: SystemProfile, items: list[EvidenceItem], data: st.DataObject
) -> None:
    key = data.draw(
        st.sampled_from(
            [
                f"{framework.id}:{r.id}"
                for framework in CATALOG.frameworks.values()
                for r in framework.requirements
            ]
        )
    )
    kind = data.draw(st.sampled_from(sorted(set().union(*CATALOG.accepted_kinds(key)))))
    added = EvidenceItem(
        id=f"added-{data.draw(st.integers(0, 10**6))}",
        kind=kind,
        verdict=data.draw(st.sampled_from(["pass", "warn", "info"])),
        created_at=NOW - timedelta(hours=data.draw(st.integers(0, 24))),
        valid_until=NOW + timedelta(days=data.draw(st.integers(1, 30))),
        subject_type="model_version",
        subject_id=data.draw(SUBJECTS),
        summary="",
    )
    before = evaluate_all(profile, items)
    after = evaluate_all(profile, [*items, added])
    for old, new in zip(before, after, strict=True):
        for was, now in zip(old.requirements, new.requirements, strict=True):
            if was.status is Status.NOT_APPLICABLE:
                assert now.status is Status.NOT_APPLICABLE
            else:
                assert RANK[now.status] <= RANK[was.status], (was.key, was.status, now.status)


@given(profile=PROFILES, items=EVIDENCE_LISTS, data=st.data())
def test_the_order_of_the_evidence_does_not_matter(
    profile: SystemProfile, items: list[EvidenceItem], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(items))
    assert evaluate_all(profile, shuffled) == evaluate_all(profile, items)


@given(profile=PROFILES, items=EVIDENCE_LISTS)
def test_counts_cover_every_requirement_and_the_score_is_a_fraction(
    profile: SystemProfile, items: list[EvidenceItem]
) -> None:
    for status in evaluate_all(profile, items):
        assert sum(status.counts.values()) == len(status.requirements)
        assert status.score is None or 0.0 <= status.score <= 1.0
