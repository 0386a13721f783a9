"""What a user reads from a result: groups (missing values, small groups), the JSON form,
the AIF360 and Aequitas comparisons, intervals, the verdict, other kinds of input."""

import json

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from fairlearn.metrics import MetricFrame
from sklearn.metrics import mean_absolute_error
from sklearn.metrics import root_mean_squared_error as rmse

from bastion.fairness import (
    FairnessThresholds,
    assess_fairness,
    evaluate_counts,
    group_counts,
)

from .conftest import Case


def _toy(n: int = 400, seed: int = 3) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "sex": rng.choice(np.array(["F", "M"], dtype=object), n),
        "region": rng.choice(np.array(["north", "south", None], dtype=object), n),
        "y": rng.integers(0, 2, n),
        "p": rng.integers(0, 2, n),
    }


def test_missing_values_are_a_group_of_their_own() -> None:
    d = _toy()
    d["region"][:5] = np.nan  # NaN and None are the same missing group
    r = assess_fairness(d["y"], d["p"], sensitive_features={"region": d["region"]})
    assert [g.values["region"] for g in r.groups] == ["north", "south", None]
    assert r.groups[2].count == int(pd.isna(d["region"]).sum())
    assert json.loads(json.dumps(r.to_dict()))["groups"][2]["region"] is None


def test_intersectional_groups_are_the_combinations_present_with_counts() -> None:
    d = _toy()
    keep = ~((d["sex"] == "F") & (d["region"] == "south"))  # one combination absent
    r = assess_fairness(
        d["y"][keep],
        d["p"][keep],
        sensitive_features={"sex": d["sex"][keep], "region": d["region"][keep]},
    )
    keys = [(g.values["sex"], g.values["region"]) for g in r.groups]
    assert keys == [("F", "north"), ("F", None), ("M", "north"), ("M", "south"), ("M", None)]
    assert sum(g.count for g in r.groups) == keep.sum()


def test_small_groups_are_flagged_not_dropped() -> None:
    d = _toy(200)
    d["sex"][:7] = "X"
    r = assess_fairness(d["y"], d["p"], sensitive_features={"sex": d["sex"]}, min_group_size=10)
    x = next(g for g in r.groups if g.values["sex"] == "X")
    assert x.count == 7
    assert x.small
    assert r.small_groups == ({"sex": "X"},)
    assert r.verdict in ("warn", "fail")
    assert any("under 10 rows" in n for n in r.notes)
    assert r.to_frame().loc["X", "small"]


def test_to_dict_is_plain_json_with_plain_names(adult: Case) -> None:
    r = assess_fairness(
        adult.y_true,
        adult.y_pred,
        sensitive_features=adult.frame[["sex", "race"]],
        pos_label=">50K",
    )
    doc = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    group = doc["groups"][0]
    assert {"sex", "race", "count", "small", "false_positive_rate", "selection_rate"} <= set(group)
    assert doc["aggregates"]["demographic_parity_ratio"]["between_groups"] < 1
    assert doc["verdict"] in ("pass", "warn", "fail")
    assert doc["summary"].startswith(doc["verdict"])
    assert doc["pos_label"] == ">50K"
    html = r._repr_html_()
    assert "By group" in html
    assert "Amer-Indian-Eskimo" in html
    assert r.to_frame().index.names == ["sex", "race"]


def test_aif360_signed_metrics_against_the_privileged_group(adult: Case) -> None:
    r = assess_fairness(
        adult.y_true, adult.y_pred, sensitive_features=adult.frame[["sex"]], pos_label=">50K",
        privileged_group={"sex": "Male"},
    )  # fmt: skip
    assert r.privileged is not None
    t = adult.y_true == ">50K"
    p = adult.y_pred == ">50K"
    male = (adult.frame["sex"] == "Male").to_numpy()
    sr_u, sr_p = p[~male].mean(), p[male].mean()
    tpr_u, tpr_p = p[~male & t].mean(), p[male & t].mean()
    fpr_u, fpr_p = p[~male & ~t].mean(), p[male & ~t].mean()
    pooled = r.privileged.pooled
    assert pooled["statistical_parity_difference"] == pytest.approx(sr_u - sr_p, abs=1e-12)
    assert pooled["disparate_impact"] == pytest.approx(sr_u / sr_p, abs=1e-12)
    assert pooled["equal_opportunity_difference"] == pytest.approx(tpr_u - tpr_p, abs=1e-12)
    assert pooled["average_odds_difference"] == pytest.approx(
        ((fpr_u - fpr_p) + (tpr_u - tpr_p)) / 2, abs=1e-12
    )
    assert r.privileged.four_fifths_rule == (sr_u / sr_p >= 0.8)
    # AIF360's generalized entropy index, alpha = 1, on b = y_pred - y_true + 1.
    b = p.astype(float) - t + 1
    mu = b.mean()
    with np.errstate(divide="ignore", invalid="ignore"):
        theil = np.mean(np.log((b / mu) ** b) / mu)
    assert r.privileged.theil_index == pytest.approx(theil, abs=1e-12)


def test_aequitas_disparities_against_the_largest_group(german: Case) -> None:
    r = assess_fairness(
        german.y_true, german.y_pred, sensitive_features=german.frame[["sex"]], pos_label=1, tau=0.8
    )
    assert r.disparities is not None
    assert r.disparities.reference_group == {"sex": "male"}  # 690 of 1,000 rows
    assert r.disparities.band == (0.8, 1.25)
    (female,) = r.disparities.by_group
    by = r.to_frame()
    expected = by.loc["female", "false_positive_rate"] / by.loc["male", "false_positive_rate"]
    assert female["disparity"]["false_positive_rate"] == pytest.approx(expected)
    assert female["passed"]["false_positive_rate"] == (0.8 <= expected <= 1.25)


def test_bootstrap_intervals_are_seeded_and_surround_the_estimate() -> None:
    d = _toy(600)
    kw = {"sensitive_features": {"sex": d["sex"]}, "bootstrap": 200, "seed": 11}
    a = assess_fairness(d["y"], d["p"], **kw)
    b = assess_fairness(d["y"], d["p"], **kw)
    assert a.aggregate_intervals == b.aggregate_intervals
    for g in a.groups:
        lo, hi = g.intervals["selection_rate"]
        assert lo <= g.metrics["selection_rate"] <= hi
        assert hi - lo < 0.2
    lo, hi = a.aggregate_intervals["demographic_parity_difference"]["between_groups"]
    assert 0 <= lo <= hi
    weighted = assess_fairness(d["y"], d["p"], sample_weight=np.full(600, 2.0), **kw)
    lo, hi = weighted.groups[0].intervals["true_positive_rate"]
    assert lo <= weighted.groups[0].metrics["true_positive_rate"] <= hi


def test_verdict_follows_configurable_thresholds() -> None:
    s = np.repeat(["a", "b"], 100)
    y = np.tile([0, 1], 100)
    p = np.concatenate([np.ones(100, int), np.tile([0, 1], 50)])  # a: all selected, b: half
    r = assess_fairness(y, p, sensitive_features=s)
    assert r.aggregates["demographic_parity_ratio"]["between_groups"] == 0.5
    assert r.verdict == "fail"
    lenient = FairnessThresholds(
        demographic_parity_ratio_fail=0.4, demographic_parity_ratio_warn=0.45,
        equalized_odds_difference_fail=1.1, equalized_odds_difference_warn=1.1,
    )  # fmt: skip
    assert assess_fairness(y, p, sensitive_features=s, thresholds=lenient).verdict == "pass"


def test_undefined_rates_count_as_zero_like_fairlearn_or_are_skipped() -> None:
    s = np.array(["a"] * 4 + ["b"] * 4 + ["c"] * 4)
    y = np.array([1, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0])  # group c has no positives
    p = np.array([1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0])
    zero = assess_fairness(y, p, sensitive_features=s)
    skip = assess_fairness(y, p, sensitive_features=s, undefined_rates="skip")
    assert np.isnan(zero.groups[2].metrics["true_positive_rate"])
    assert zero.aggregates["equal_opportunity_difference"]["between_groups"] == 0.5  # 0.5 - 0
    assert skip.aggregates["equal_opportunity_difference"]["between_groups"] == 0.0  # 0.5, 0.5
    assert any("true_positive_rate is undefined" in n for n in zero.notes)


def test_polars_arrow_and_named_columns_give_the_same_result() -> None:
    d = _toy()
    frame = pd.DataFrame({"y": d["y"], "p": d["p"], "sex": d["sex"], "region": d["region"]})
    base = assess_fairness(frame["y"], frame["p"], sensitive_features=frame[["sex", "region"]])
    named = assess_fairness("y", "p", sensitive_features=["sex", "region"], data=frame)
    table = pa.Table.from_pandas(frame)
    arrow = assess_fairness("y", "p", sensitive_features=["sex", "region"], data=table)
    pframe = pl.from_pandas(frame)
    polars = assess_fairness(
        pframe["y"], pframe["p"], sensitive_features=pframe.select("sex", "region")
    )
    for other in (named, arrow, polars):
        assert other.to_dict() == base.to_dict()


def test_counts_of_partitions_merge_into_the_counts_of_the_whole() -> None:
    d = _toy(500)
    whole = group_counts(
        d["y"], d["p"], sensitive_features={"sex": d["sex"], "region": d["region"]}
    )
    first = group_counts(
        d["y"][:40],
        d["p"][:40],
        sensitive_features={"sex": d["sex"][:40], "region": d["region"][:40]},
    )
    rest = group_counts(
        d["y"][40:],
        d["p"][40:],
        sensitive_features={"sex": d["sex"][40:], "region": d["region"][40:]},
    )
    merged = first.merge(rest)
    a, b = evaluate_counts(merged).to_dict(), evaluate_counts(whole).to_dict()
    key = lambda g: (g["sex"], str(g["region"]))  # noqa: E731
    assert sorted(a["groups"], key=key) == sorted(b["groups"], key=key)
    for name, methods in a["aggregates"].items():
        assert methods == pytest.approx(b["aggregates"][name], abs=1e-12)


def test_regression_errors_per_group_equal_fairlearn(german: Case) -> None:
    y = german.frame["credit_amount"].to_numpy(float)
    pred = y * 0.9 + german.frame["duration"].to_numpy(float) * 20
    w = german.frame["installment_rate"].to_numpy(float)
    r = assess_fairness(
        y, pred, sensitive_features=german.frame[["sex"]], task="regression", sample_weight=w
    )
    weighted = {"sample_weight": w}
    mf = MetricFrame(
        metrics={"mean_absolute_error": mean_absolute_error, "root_mean_squared_error": rmse},
        y_true=y,
        y_pred=pred,
        sensitive_features=german.frame[["sex"]],
        sample_params={"mean_absolute_error": weighted, "root_mean_squared_error": weighted},
    )
    by = r.to_frame()
    for name in ("mean_absolute_error", "root_mean_squared_error"):
        assert np.allclose(by[name], mf.by_group[name], atol=1e-9, rtol=1e-12)
        assert r.aggregates[f"{name}_difference"]["between_groups"] == pytest.approx(
            float(mf.difference()[name]), abs=1e-9
        )
        assert r.aggregates[f"{name}_ratio"]["to_overall"] == pytest.approx(
            float(mf.ratio(method="to_overall")[name]), abs=1e-12
        )
    expected_me = np.average(
        (pred - y)[german.frame["sex"] == "female"], weights=w[german.frame["sex"] == "female"]
    )
    assert by.loc["female", "mean_error"] == pytest.approx(expected_me)
    assert r.verdict == "info"
    assert r.privileged is None
