"""The reference's own summary is counted from its sorted values, and a column of a few
categories is counted in Python: both must give what binning every value and polars'
joins give — the summary a current batch of the same data gets."""

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bastion.drift import NumericSummary, fit_profile, summarize
from bastion.drift import profile as profile_module
from bastion.drift.profile import _sorted_counts
from tests.drift.conftest import frame


def _assert_same_numeric(a: NumericSummary, b: NumericSummary) -> None:
    """Counts, bins and extremes exactly; sums up to the rounding of another order."""
    np.testing.assert_array_equal(a.counts, b.counts)
    np.testing.assert_allclose(a.sums, b.sums, rtol=1e-12, atol=1e-9)
    assert (a.rows, a.missing, a.violations, a.pos_inf, a.neg_inf, a.count) == (
        b.rows,
        b.missing,
        b.violations,
        b.pos_inf,
        b.neg_inf,
        b.count,
    )
    assert (a.min, a.max, a.distinct) == (b.min, b.max, b.distinct)
    assert math.isclose(a.sum, b.sum, rel_tol=1e-9, abs_tol=1e-6)
    assert math.isclose(a.sumsq, b.sumsq, rel_tol=1e-9, abs_tol=1e-6)


@pytest.mark.parametrize("n", [7, 1000, 50_000])
def test_the_reference_summary_equals_summarizing_the_reference(n: int) -> None:
    data = frame(n, 3).with_columns(
        pl.Series("gaps", np.where(np.arange(n) % 7 == 0, np.nan, np.arange(n) % 13)),
        pl.Series("infinite", np.where(np.arange(n) % 5 == 0, -np.inf, np.arange(n) * 0.5)),
    )
    fitted = fit_profile(data)
    again = summarize(data, fitted)
    for name, summary in fitted.columns.items():
        if isinstance(summary, NumericSummary):
            other = again.columns[name]
            assert isinstance(other, NumericSummary)
            _assert_same_numeric(summary, other)
        else:
            assert summary.to_dict() == again.columns[name].to_dict()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=40, unique=True),
    st.lists(st.floats(-1e6, 1e6) | st.sampled_from([0.0, -0.0, 1.0]), min_size=1, max_size=200),
)
def test_sorted_counts_equal_bincount_of_the_bins(edges: list[float], values: list[float]) -> None:
    e = np.sort(np.asarray(edges))
    x = np.concatenate([np.asarray(values), e])
    counts, sums = _sorted_counts(np.sort(x), e)
    index = np.searchsorted(e, x, side="right")
    np.testing.assert_array_equal(counts, np.bincount(index, minlength=e.size + 1))
    np.testing.assert_allclose(
        sums, np.bincount(index, weights=x, minlength=e.size + 1), rtol=1e-12, atol=1e-6
    )


def test_few_and_many_categories_are_counted_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(5)
    names = [f"c{i}" for i in range(40)] + ["Ünïcode", "ß", "a", "B", ""]
    reference = pl.DataFrame(
        {
            "text": rng.choice([*names, None], 3000),
            "code": rng.integers(0, 30, 3000),
            "number": rng.choice([0.5, 1.0, 1.5, np.nan], 3000),
        }
    ).with_columns(pl.col("code").cast(pl.String).alias("code_text"))
    current = reference.with_columns(
        pl.Series("text", rng.choice([*names[5:], "new1", "new2", None], 3000)),
        pl.Series("code", rng.integers(10, 45, 3000)),
    ).with_columns(pl.col("code").cast(pl.String).alias("code_text"))
    categorical = ["text", "code", "number", "code_text"]

    def run(max_categories: int) -> tuple[dict, dict]:  # type: ignore[type-arg]
        fitted = fit_profile(reference, categorical=categorical, max_categories=max_categories)
        return fitted.to_dict(), summarize(current, fitted).to_dict()

    for max_categories in (100, 10):
        few = run(max_categories)
        monkeypatch.setattr(profile_module, "SMALL_TALLY", -1)  # polars for every column
        many = run(max_categories)
        monkeypatch.undo()
        assert few == many
