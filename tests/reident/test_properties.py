"""Invariants over generated tables (hypothesis): generalizing never lowers k, counts
merge exactly, and the measures keep their known relations."""

import itertools

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bastion.reident import (
    ClassCounts,
    apply_levels,
    assess_reidentification,
    class_counts,
    hierarchies_of,
)

QIS = ["n", "s", "z"]

# Small tables, each with a number (missing at times), a category and a code.
rows = st.tuples(
    st.one_of(st.none(), st.integers(0, 90)),
    st.sampled_from(["a", "b", "c", None]),
    st.sampled_from(["021", "022", "031", "132"]),
    st.integers(0, 6),
)
tables = st.lists(rows, min_size=1, max_size=60).map(
    lambda r: pd.DataFrame(
        {
            "n": pd.array([x[0] for x in r], dtype="Float64").astype("float64"),
            "s": [x[1] for x in r],
            "z": [x[2] for x in r],
            "v": [x[3] for x in r],
        }
    )
)
quick = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@quick
@given(tables, st.data())
def test_generalizing_a_quasi_identifier_never_lowers_k(
    frame: pd.DataFrame, data: st.DataObject
) -> None:
    heights = {h.column: h.height for h in hierarchies_of(frame, QIS)}
    levels = {q: data.draw(st.integers(0, heights[q]), label=q) for q in QIS}
    raisable = [q for q in QIS if levels[q] < heights[q]]
    if not raisable:
        return
    up = data.draw(st.sampled_from(raisable), label="raised")
    before = apply_levels(frame, levels=levels)
    after = apply_levels(frame, levels={**levels, up: levels[up] + 1})
    k_before = assess_reidentification(before, quasi_identifiers=QIS, k=2).k
    k_after = assess_reidentification(after, quasi_identifiers=QIS, k=2).k
    assert k_after >= k_before


@quick
@given(tables, st.lists(st.integers(0, 60), max_size=4))
def test_batch_counts_merge_to_the_whole(frame: pd.DataFrame, cuts: list[int]) -> None:
    bounds = sorted({0, len(frame), *(c for c in cuts if c < len(frame))})
    parts = [
        class_counts(frame.iloc[a:b], quasi_identifiers=["n", "s"], sensitive=["z", "v"])
        for a, b in itertools.pairwise(bounds)
        if b > a
    ]
    whole = class_counts(frame, quasi_identifiers=["n", "s"], sensitive=["z", "v"])
    assert ClassCounts.merged(parts).equals(whole)
    assert ClassCounts.merged(list(reversed(parts))).equals(whole)


@quick
@given(tables, st.floats(1.01, 5))
def test_the_kinds_of_l_and_t_keep_their_relations(frame: pd.DataFrame, c: float) -> None:
    r = assess_reidentification(frame, quasi_identifiers=["s"], sensitive=["z", "v"], k=2, c=c)
    for s in r.sensitive_results:
        per_class = s.per_class
        # exp(entropy) is at most the number of values; recursive l too (r_l… is empty
        # beyond it); with c > 1 every class is recursive (c, 1)-diverse.
        assert (per_class["entropy"] <= per_class["distinct"] + 1e-9).all()
        assert (per_class["recursive"] <= per_class["distinct"]).all()
        assert (per_class["recursive"] >= 1).all()
        assert ((per_class["t"] >= 0) & (per_class["t"] <= 1)).all()
        assert s.mean_t <= s.t + 1e-12
        sizes = r.counts.class_sizes
        assert np.isclose((per_class["t"] * sizes).sum() / r.rows, s.mean_t)
    # One class holding the whole table is at distance 0 from it.
    single = assess_reidentification(
        frame.assign(one=1), quasi_identifiers="one", sensitive="v", k=2
    )
    assert single.sensitive_results[0].t == 0
