"""Bad input, each reported for what it is rather than as drift or a crash: columns
missing or new, type changes, all-null and constant columns, too few rows, infinities
and NaN, empty tables."""

import json

import numpy as np
import pandas as pd
import polars as pl
import pytest

from bastion.drift import DriftConfig, DriftInputError, Profile, compare, fit_profile, summarize
from tests.drift.conftest import frame


def test_missing_and_new_columns() -> None:
    ref, cur = frame(2000, 1), frame(2000, 2).drop("city").with_columns(extra=pl.lit(1.0))
    report = compare(ref, cur)
    city, extra = report.column("city"), report.column("extra")
    assert (city.status, city.drifted, city.test) == ("missing", None, None)
    assert (extra.status, extra.drifted, extra.kind) == ("new", None, None)
    assert "Float64" in (extra.note or "")
    assert len(report.tested) == 5
    assert report.verdict == "warn"  # a reference column went missing
    assert "1 missing, 1 new" in report.summary


def test_type_change_from_numbers_to_text() -> None:
    ref = pl.DataFrame({"x": np.arange(100.0)})
    words = compare(ref, pl.DataFrame({"x": ["n/a", "unknown"] * 50}))
    x = words.column("x")
    assert (x.status, x.drifted) == ("type_changed", None)
    assert words.quality[0].type_violations == 100
    # Numbers stored as text are numbers; a stray word is a type violation, not a crash.
    mixed = compare(ref, pl.DataFrame({"x": [str(v) for v in range(99)] + ["oops"]}))
    assert mixed.column("x").status == "ok"
    assert mixed.quality[0].type_violations == 1
    assert mixed.metrics()["quality.type_violations.x"] == 1.0


def test_all_null_columns() -> None:
    ref = pl.DataFrame({"x": np.arange(100.0), "c": ["a", "b"] * 50})
    cur = pl.DataFrame({"x": [None] * 50, "c": [None] * 50}, schema=ref.schema)
    report = compare(ref, cur)
    assert [c.status for c in report.columns] == ["all_null", "all_null"]
    assert report.quality[0].missing_share == 1.0
    empty_ref = compare(pl.DataFrame({"x": [np.nan] * 50}), pl.DataFrame({"x": np.arange(50.0)}))
    assert empty_ref.column("x").status == "all_null"
    assert "reference" in (empty_ref.column("x").note or "")


def test_too_few_rows_is_insufficient_data_not_drift() -> None:
    ref = frame(2000, 1)
    few = frame(10, 2, shift=5.0)
    report = compare(ref, few)
    assert {c.status for c in report.columns} == {"insufficient_data"}
    assert not report.drifted
    assert report.drift_share == 0.0
    assert report.verdict == "pass"
    assert compare(ref, few, DriftConfig(min_rows=5)).drifted


def test_constant_columns() -> None:
    ref = pl.DataFrame({"x": [3.0] * 100, "c": ["a"] * 100})
    same = compare(ref, pl.DataFrame({"x": [3.0] * 80, "c": ["a"] * 80}))
    assert [(c.status, c.drifted) for c in same.columns] == [("constant", False)] * 2
    moved = compare(ref, pl.DataFrame({"x": [4.0] * 80, "c": ["b"] * 80}))
    assert [(c.status, c.drifted) for c in moved.columns] == [("drift", True)] * 2


def test_infinities_and_nan_are_counted_not_crashing() -> None:
    rng = np.random.default_rng(1)
    ref_x = rng.normal(size=1000)
    ref_x[:10] = np.inf
    cur_x = rng.normal(size=1000)
    cur_x[:20], cur_x[20:30], cur_x[30:60] = np.inf, -np.inf, np.nan
    report = compare(pd.DataFrame({"x": ref_x}), pd.DataFrame({"x": cur_x}))
    x = report.column("x")
    assert x.status in ("ok", "drift")
    assert x.statistic is not None
    assert np.isfinite(x.statistic)
    assert (x.reference_values, x.current_values) == (990, 940)
    quality = report.quality[0]
    assert (quality.infinities, quality.missing) == (30, 30)
    ref = fit_profile(pd.DataFrame({"x": ref_x}))
    assert ref.columns["x"].pos_inf == 10  # type: ignore[union-attr]


def test_out_of_range_values_against_reference_min_and_max() -> None:
    ref = pl.DataFrame({"x": np.linspace(0, 10, 101)})
    cur = pl.DataFrame({"x": [-1.0, 0.0, 5.0, 10.0, 11.0, 12.0]})
    quality = compare(ref, cur, DriftConfig(min_rows=1)).quality[0]
    assert (quality.out_of_range, quality.reference_min, quality.reference_max) == (3, 0.0, 10.0)
    assert quality.out_of_range_share == pytest.approx(0.5)


def test_empty_current_window_and_empty_reference() -> None:
    ref = frame(500, 1)
    empty = ref.clear()
    report = compare(ref, empty)
    assert report.rows == 0
    assert {c.status for c in report.columns} == {"insufficient_data"}
    assert report.quality[0].missing_share is None
    profile = fit_profile(ref)
    window = summarize(empty, profile) + summarize(frame(400, 2), profile)
    assert window.rows == 400
    with pytest.raises(DriftInputError, match="reference has no rows"):
        fit_profile(empty)
    no_columns = compare(ref, pl.DataFrame())
    assert {c.status for c in no_columns.columns} == {"missing"}


def test_unknown_and_unprofilable_columns_are_refused_by_name() -> None:
    data = pl.DataFrame(
        {
            "x": [1.0, 2.0],
            "when": pl.date_range(pl.date(2024, 1, 1), pl.date(2024, 1, 2), eager=True),
        }
    )
    assert fit_profile(data).skipped == {"when": "type Date is neither numeric nor categorical"}
    with pytest.raises(DriftInputError, match="'when'") as caught:
        fit_profile(data, columns=["x", "when"])
    assert caught.value.field == "when"
    with pytest.raises(DriftInputError, match=r"unknown column\(s\) \['y'\]"):
        fit_profile(data, columns=["y"])
    with pytest.raises(DriftInputError, match="expected a polars, pandas or Arrow table"):
        fit_profile([1, 2, 3])
    with pytest.raises(DriftInputError, match=r"window\.csv: no such file"):
        summarize("window.csv", fit_profile(data))
    with pytest.raises(DriftInputError, match="expected a Profile"):
        summarize(data, data)  # type: ignore[arg-type]


def test_values_near_the_float_limits_do_not_warn_or_break_json() -> None:
    huge = pl.DataFrame({"x": [1.7e308, -1.7e308, 1e308, 3.0] * 20})
    ref = fit_profile(huge)
    text = json.dumps(ref.to_dict(), allow_nan=False)
    back = Profile.from_dict(json.loads(text))
    report = compare(back, summarize(huge, back))
    assert report.column("x").status in ("ok", "constant")
    assert not report.drifted
