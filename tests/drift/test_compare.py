"""Comparisons: Evidently's default tests by column kind and size, thresholds and
overrides, exact statistics on small tables, prediction drift, the dataset verdict, and
the report's metrics and JSON."""

import json

import numpy as np
import polars as pl
import pytest
from scipy import stats as sps
from scipy.spatial import distance

from bastion.drift import (
    ColumnRule,
    DriftConfig,
    DriftInputError,
    compare,
    fit_profile,
    summarize,
)
from tests.drift.conftest import frame


def test_large_data_is_tested_by_distances_as_evidently_does() -> None:
    report = compare(
        fit_profile(frame(5000, 1)), summarize(frame(4000, 2), fit_profile(frame(5000, 1)))
    )
    tests = {c.column: c.test for c in report.columns}
    # numeric → normed Wasserstein; categorical and numeric with ≤ 5 values → Jensen-Shannon
    assert tests == {
        "x": "wasserstein",
        "skewed": "wasserstein",
        "count": "wasserstein",
        "flag": "jensenshannon",
        "colour": "jensenshannon",
        "city": "jensenshannon",
    }
    assert all(c.threshold == 0.1 and c.p_value is None for c in report.columns)
    assert report.verdict == "pass"
    assert not report.drifted


def test_small_data_is_tested_by_p_values_as_evidently_does() -> None:
    report = compare(frame(800, 1), frame(600, 2))
    tests = {c.column: c.test for c in report.columns}
    assert tests == {
        "x": "ks",
        "skewed": "ks",
        "count": "ks",
        "flag": "chisquare",
        "colour": "chisquare",
        "city": "chisquare",
    }
    assert all(c.threshold == 0.05 and c.p_value is not None for c in report.columns)


def test_small_tables_get_exact_ks_and_categorical_tests_match_scipy() -> None:
    ref, cur = frame(800, 1), frame(600, 2, shift=0.4)
    report = compare(ref, cur)
    x = report.column("x")
    expected = sps.ks_2samp(ref["x"].to_numpy(), cur["x"].to_numpy())
    assert x.exact
    assert (x.statistic, x.p_value) == (expected.statistic, expected.pvalue)
    assert x.drifted
    assert x.status == "drift"
    colour = report.column("colour")
    table = np.array(
        [
            [ref.filter(pl.col("colour") == c).height for c in ("red", "green", "blue")],
            [cur.filter(pl.col("colour") == c).height for c in ("red", "green", "blue")],
        ]
    )
    chi = sps.chi2_contingency(table, correction=False)
    assert colour.statistic == pytest.approx(chi.statistic)
    assert colour.p_value == pytest.approx(chi.pvalue)


def test_exact_wasserstein_on_tables_and_binned_on_profiles_agree() -> None:
    ref, cur = frame(20_000, 1), frame(20_000, 2, shift=0.1)
    on_tables = compare(ref, cur).column("x")
    expected = sps.wasserstein_distance(ref["x"].to_numpy(), cur["x"].to_numpy()) / float(
        np.std(ref["x"].to_numpy())
    )
    assert on_tables.exact
    assert on_tables.statistic == pytest.approx(expected, rel=1e-12)
    profile = fit_profile(ref)
    on_profiles = compare(profile, summarize(cur, profile)).column("x")
    assert not on_profiles.exact
    assert on_profiles.statistic == pytest.approx(expected, abs=2e-3)
    # Tables above exact_max_rows are compared through their profiles.
    config = DriftConfig(exact_max_rows=10_000)
    assert compare(ref, cur, config).column("x").statistic == on_profiles.statistic


def test_categorical_jensenshannon_counts_new_categories() -> None:
    ref = pl.DataFrame({"c": ["a"] * 600 + ["b"] * 400 + ["c"] * 200})
    cur = pl.DataFrame({"c": ["a"] * 500 + ["b"] * 300 + ["d"] * 250 + ["e"] * 150})
    column = compare(ref, cur).column("c")
    p = np.array([600, 400, 200, 0, 0]) / 1200
    q = np.array([500, 300, 0, 250, 150]) / 1200
    assert column.test == "jensenshannon"
    assert column.statistic == pytest.approx(distance.jensenshannon(p, q, base=2))
    natural = compare(ref, cur, DriftConfig(js_base=np.e)).column("c").statistic
    assert natural == pytest.approx(distance.jensenshannon(p, q))


def test_psi_on_reference_deciles() -> None:
    ref, cur = frame(10_000, 1), frame(10_000, 2, shift=0.3)
    config = DriftConfig(columns={"x": ColumnRule(test="psi")})
    column = compare(ref, cur, config).column("x")
    deciles = np.quantile(ref["x"].to_numpy(), np.arange(1, 10) / 10)
    p = np.bincount(np.searchsorted(deciles, ref["x"].to_numpy(), side="right"), minlength=10)
    q = np.bincount(np.searchsorted(deciles, cur["x"].to_numpy(), side="right"), minlength=10)
    p, q = np.maximum(p / p.sum(), 1e-4), np.maximum(q / q.sum(), 1e-4)
    assert column.test == "psi"
    assert column.threshold == 0.1
    assert column.statistic == pytest.approx(float(np.sum((q - p) * np.log(q / p))))
    assert column.drifted


def test_overrides_per_column_and_per_test() -> None:
    ref, cur = frame(5000, 1), frame(5000, 2, shift=0.15)
    default = compare(ref, cur).column("x")
    assert default.test == "wasserstein"
    assert default.drifted
    config = DriftConfig(
        thresholds={"wasserstein": 0.5},
        columns={"city": ColumnRule(test="chisquare", threshold=0.01)},
    )
    report = compare(ref, cur, config)
    assert report.column("x").threshold == 0.5
    assert not report.column("x").drifted
    city = report.column("city")
    assert (city.test, city.threshold) == ("chisquare", 0.01)
    with pytest.raises(DriftInputError, match="numeric columns only"):
        compare(ref, cur, DriftConfig(columns={"city": ColumnRule(test="ks")}))
    with pytest.raises(DriftInputError, match="unknown test"):
        ColumnRule(test="t-test")  # type: ignore[arg-type]


def test_dataset_drift_is_the_share_of_drifted_columns() -> None:
    ref = frame(3000, 1)
    cur = frame(3000, 2, shift=1.0)  # x, skewed and colour move: 3 of 6 columns
    report = compare(ref, cur)
    assert sorted(report.drifted_columns) == ["colour", "skewed", "x"]
    assert report.drift_share == 0.5
    assert report.drifted  # Evidently's rule: share >= drift_share
    assert not compare(ref, cur, DriftConfig(drift_share=0.6)).drifted
    assert report.summary.startswith("dataset drift: 3 of 6 columns drifted (50%")
    assert report.verdict == "warn"


def test_prediction_drift_is_reported_on_its_own() -> None:
    ref = frame(3000, 1).with_columns(score=pl.col("x") * 0.1)
    cur = frame(3000, 2, shift=1.0).with_columns(score=pl.col("x") * 0.1)
    report = compare(ref, cur, DriftConfig(prediction="score"))
    prediction = report.prediction_drift
    assert prediction is not None
    assert prediction.role == "prediction"
    assert prediction.drifted
    metrics = report.metrics()
    assert metrics["drift.prediction"] == prediction.statistic
    assert metrics["drift.prediction.drifted"] == 1.0
    assert "prediction score drifted" in report.summary
    with pytest.raises(DriftInputError, match="prediction column 'nope'"):
        compare(ref, cur, DriftConfig(prediction="nope"))


def test_metrics_names_and_json() -> None:
    ref, cur = frame(2000, 1), frame(2000, 2, shift=0.5)
    cur = cur.with_columns(
        pl.when(pl.int_range(pl.len()) < 100).then(None).otherwise(pl.col("x")).alias("x"),
        pl.when(pl.int_range(pl.len()) < 50)
        .then(pl.lit("violet"))
        .otherwise(pl.col("colour"))
        .alias("colour"),
    )
    report = compare(ref, cur)
    m = report.metrics()
    assert m["rows"] == 2000
    assert m["drift.dataset"] in (0.0, 1.0)
    assert m["drift.wasserstein.x"] == report.column("x").statistic
    assert m["drift.drifted.x"] == 1.0
    assert m["quality.missing.x"] == pytest.approx(0.05)
    assert m["quality.new_categories.colour"] == pytest.approx(0.025)
    assert all(isinstance(v, float) for v in m.values())
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    first = data["columns"][0]
    assert {"column", "test", "statistic", "threshold", "drifted"} <= set(first)
    assert data["dataset_drift"] == report.drifted
    assert data["verdict"] == report.verdict
    assert DriftConfig.from_dict(data["config"]) == report.config


def test_config_is_validated_and_read_from_plain_data() -> None:
    config = DriftConfig.from_dict(
        {"drift_share": 0.3, "columns": {"x": {"test": "psi", "threshold": 0.2}}}
    )
    assert config.rule("x") == ColumnRule(test="psi", threshold=0.2)
    assert config.thresholds["ks"] == 0.05
    for bad, field in [
        ({"drift_share": 2}, "drift_share"),
        ({"thresholds": {"t": 0.1}}, "thresholds"),
        ({"colums": {}}, "config"),
        ({"columns": {"x": {"test": "psi", "bins": 3}}}, "x"),
    ]:
        with pytest.raises(DriftInputError) as caught:
            DriftConfig.from_dict(bad)
        assert caught.value.field == field


def test_html_repr_for_notebooks() -> None:
    report = compare(frame(500, 1), frame(500, 2))
    assert report._repr_html_().startswith("<h4>Data drift")
