"""Profiles: bins at reference quantiles, summaries that merge exactly like summarizing
all rows at once, and a JSON round trip that loses nothing."""

import json
import math

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bastion.drift import (
    CategoricalSummary,
    DriftInputError,
    NumericSummary,
    Profile,
    compare,
    fit_profile,
    summarize,
)
from bastion.drift.binning import Binner
from bastion.drift.profile import NEW_KEPT
from tests.drift.conftest import frame


def test_numeric_bins_are_reference_deciles_with_open_outer_bins() -> None:
    data = frame(5000, 1)
    x = data.get_column("x").to_numpy()
    summary = fit_profile(data).columns["x"]
    assert isinstance(summary, NumericSummary)
    np.testing.assert_allclose(summary.bins.coarse, np.quantile(x, np.arange(1, 10) / 10))
    # Ten PSI bins of a tenth each; outer bins open (a far value still lands in one).
    assert summary.psi_counts().tolist() == [500] * 10
    window = summarize(pl.DataFrame({"x": [-1e9, 1e9]}), fit_profile(data))
    assert window.columns["x"].psi_counts()[[0, -1]].tolist() == [1, 1]
    # The fine edges start at the minimum and end just past the maximum.
    assert summary.bins.edges[0] == x.min()
    assert summary.bins.edges[-1] == np.nextafter(x.max(), np.inf)
    assert summary.counts[0] == summary.counts[-1] == 0
    assert summary.mean == pytest.approx(x.mean())
    assert summary.std == pytest.approx(x.std())


def test_categorical_profile_counts_categories_other_and_missing() -> None:
    data = pl.DataFrame({"c": ["a", "b", "a", None, "c", "a", ""]})
    ref = fit_profile(data, max_categories=2)
    summary = ref.columns["c"]
    assert isinstance(summary, CategoricalSummary)
    assert summary.bins.categories == ("a", "b")
    assert not summary.bins.complete
    assert summary.counts.tolist() == [3, 1]
    assert (summary.other, summary.missing, summary.rows) == (1, 2, 7)


def test_kinds_are_inferred_and_overridable() -> None:
    data = pl.DataFrame({"n": [1, 2, 3], "s": ["a", "b", "c"], "b": [True, False, True]})
    assert {n: s.kind for n, s in fit_profile(data).columns.items()} == {
        "n": "numeric",
        "s": "categorical",
        "b": "categorical",
    }
    assert fit_profile(data, categorical=["n"]).columns["n"].kind == "categorical"
    # Integer codes read as categories compare with float codes as the same categories.
    ref = fit_profile(pl.DataFrame({"code": [1, 2, 2]}), categorical=["code"])
    window = summarize(pd.DataFrame({"code": [1.0, 2.0, np.nan]}), ref)
    code = window.columns["code"]
    assert isinstance(code, CategoricalSummary)
    assert code.counts.tolist() == [1, 1]
    assert code.other == 0
    assert code.missing == 1


def test_pandas_arrow_and_polars_inputs_give_the_same_profile() -> None:
    data = frame(2000, 2)
    reference = fit_profile(data)
    for same in (data.to_pandas(), data.to_arrow(), data.lazy()):
        assert fit_profile(same).to_dict() == reference.to_dict()
    mixed = pd.DataFrame({"m": [1, "two", 3.5, None]})  # no Arrow type: read as text
    assert fit_profile(mixed).columns["m"].kind == "categorical"


def test_profile_round_trips_through_json() -> None:
    data = frame(3000, 3)
    ref = fit_profile(data, multivariate=True)
    window = summarize(frame(1000, 4, shift=0.3), ref)
    for profile in (ref, window):
        text = json.dumps(profile.to_dict(), allow_nan=False)
        back = Profile.from_dict(json.loads(text))
        assert back.to_dict() == profile.to_dict()
    again = compare(Profile.from_dict(json.loads(json.dumps(ref.to_dict()))), window)
    assert again.to_dict()["columns"] == compare(ref, window).to_dict()["columns"]


def test_from_dict_refuses_what_is_not_a_profile() -> None:
    with pytest.raises(DriftInputError, match="not a drift profile"):
        Profile.from_dict({"rows": 3})
    broken = fit_profile(frame(100, 1)).to_dict()
    del broken["columns"]["x"]["counts"]
    with pytest.raises(DriftInputError, match="malformed drift profile"):
        Profile.from_dict(broken)


def test_merge_refuses_summaries_of_another_reference() -> None:
    one, two = fit_profile(frame(500, 1)), fit_profile(frame(500, 2))
    with pytest.raises(DriftInputError, match="different references"):
        summarize(frame(100, 3), one).merge(summarize(frame(100, 3), two))
    with pytest.raises(DriftInputError, match="another reference"):
        compare(one, summarize(frame(100, 3), two))


# --- merging: summaries of parts add up to the summary of the whole ---------------------

REFERENCE = fit_profile(frame(4000, 9))


def _same(a: object, b: object) -> bool:
    """Equal plain data, floats up to the rounding of additions done in another order
    (counts, bins and categories must match exactly)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


values = st.one_of(
    st.floats(-1e6, 1e6),
    st.just(float("nan")),
    st.just(float("inf")),
    st.just(float("-inf")),
    st.none(),
)
rows = st.lists(
    st.tuples(values, st.sampled_from(["red", "green", "blue", "mauve", "teal", None])),
    min_size=0,
    max_size=40,
)


def _batch(data: list[tuple[float | None, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        {"x": [v for v, _ in data], "colour": [c for _, c in data]},
        schema={"x": pl.Float64, "colour": pl.String},
    )


@settings(max_examples=60, deadline=None)
@given(rows, rows, rows)
def test_merge_is_associative_commutative_and_equals_the_whole(a, b, c) -> None:
    sa, sb, sc = (summarize(_batch(d), REFERENCE) for d in (a, b, c))
    whole = summarize(_batch(a + b + c), REFERENCE)
    left, right = sa.merge(sb).merge(sc), sa.merge(sb.merge(sc))
    assert _same(left.to_dict(), right.to_dict())
    assert _same(left.to_dict(), whole.to_dict())
    assert _same((sa + sb).to_dict(), (sb + sa).to_dict())


def test_new_categories_kept_by_name_stay_exact_under_merging() -> None:
    ref = fit_profile(pl.DataFrame({"c": ["a", "b"] * 50}))
    names = [f"n{i:03d}" for i in range(3 * NEW_KEPT)]
    parts = [pl.DataFrame({"c": names[i::3] * (i + 1)}) for i in range(3)]
    merged = summarize(parts[0], ref) + summarize(parts[1], ref) + summarize(parts[2], ref)
    whole = summarize(pl.concat(parts), ref)
    c = merged.columns["c"]
    assert isinstance(c, CategoricalSummary)
    assert c.new == whole.columns["c"].new  # type: ignore[union-attr]
    assert list(c.new) == sorted(names)[:NEW_KEPT]
    assert c.new_truncated
    assert c.other == sum(p.height for p in parts)


# --- binning ----------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.floats(-1e12, 1e12), min_size=1, max_size=60, unique=True),
    st.lists(st.floats(-1e15, 1e15), min_size=1, max_size=200),
)
def test_binner_finds_the_bins_searchsorted_finds(edges: list[float], values: list[float]) -> None:
    e = np.sort(np.asarray(edges))
    x = np.concatenate([np.asarray(values), e, np.nextafter(e, -np.inf), np.nextafter(e, np.inf)])
    np.testing.assert_array_equal(Binner(e).index(x), np.searchsorted(e, x, side="right"))


@pytest.mark.parametrize(
    "draw",
    [
        lambda rng: rng.normal(size=200_000),
        lambda rng: rng.lognormal(0, 2, 200_000),
        lambda rng: rng.pareto(0.5, 200_000),
        lambda rng: rng.integers(0, 100, 200_000).astype(float),
    ],
)
def test_binner_on_reference_quantiles_matches_searchsorted(draw) -> None:
    rng = np.random.default_rng(0)
    x = draw(rng)
    edges = np.unique(np.quantile(x, np.linspace(0, 1, 1001)))
    y = np.concatenate([draw(rng), [x.min() - 1, x.max() + 1, -1e300, 1e300]])
    np.testing.assert_array_equal(Binner(edges).index(y), np.searchsorted(edges, y, side="right"))


def test_arrow_record_batch_is_accepted() -> None:
    batch = pa.RecordBatch.from_pydict({"x": [1.0, 2.0, 3.0]})
    assert fit_profile(batch).rows == 3
