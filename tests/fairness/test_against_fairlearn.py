"""Every per-group rate and aggregate equals fairlearn's on the same inputs, to 1e-9:
UCI Adult (sex, race, sex x race; census weights) and German Credit (sex, age group)."""

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fairlearn import metrics as flm
from sklearn.metrics import accuracy_score, precision_score

from bastion.fairness import assess_fairness

from .conftest import Case

TOL = 1e-9


def _binary(y: np.ndarray, pos_label: Any) -> np.ndarray:
    return (y == pos_label).astype(int)


def _precision(y_true: np.ndarray, y_pred: np.ndarray, **kw: Any) -> float:
    return float(precision_score(y_true, y_pred, zero_division=np.nan, **kw))


# Our plain names and the fairlearn / scikit-learn function that computes the same rate.
RATES: dict[str, Callable[..., float]] = {
    "selection_rate": flm.selection_rate,
    "true_positive_rate": flm.true_positive_rate,
    "false_positive_rate": flm.false_positive_rate,
    "true_negative_rate": flm.true_negative_rate,
    "false_negative_rate": flm.false_negative_rate,
    "accuracy": accuracy_score,
    "precision": _precision,
}
AGGREGATES: dict[str, Callable[..., float]] = {
    "demographic_parity_difference": flm.demographic_parity_difference,
    "demographic_parity_ratio": flm.demographic_parity_ratio,
    "equalized_odds_difference": flm.equalized_odds_difference,
    "equalized_odds_ratio": flm.equalized_odds_ratio,
    "equal_opportunity_difference": flm.equal_opportunity_difference,
    "equal_opportunity_ratio": flm.equal_opportunity_ratio,
}


def assert_matches_fairlearn(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    sensitive: pd.DataFrame,
    pos_label: Any,
    weights: np.ndarray | None,
    agg: str = "worst_case",
) -> None:
    ours = assess_fairness(
        y_true,
        y_pred,
        sensitive_features=sensitive,
        sample_weight=weights,
        pos_label=pos_label,
        agg=agg,  # type: ignore[arg-type]
    )
    t, p = _binary(y_true, pos_label), _binary(y_pred, pos_label)
    params = {"sample_weight": weights} if weights is not None else {}
    frame = flm.MetricFrame(
        metrics={**RATES, "count": flm.count},
        y_true=t,
        y_pred=p,
        sensitive_features=sensitive,
        sample_params=dict.fromkeys(RATES, params),
    )
    by_group = ours.to_frame()
    theirs = frame.by_group
    # Same groups, in the same (sorted) order, with the same row counts.
    assert list(by_group.index) == list(theirs.index)
    assert by_group["count"].tolist() == theirs["count"].tolist()
    for name in RATES:
        mine, their = by_group[name].to_numpy(float), theirs[name].to_numpy(float)
        # scikit-learn turns a 0/0 rate into 0 (precision here into NaN); we report NaN.
        undefined = np.isnan(mine)
        assert np.allclose(
            np.where(undefined & ~np.isnan(their), 0.0, mine),
            their,
            atol=TOL,
            rtol=0,
            equal_nan=True,
        ), name
        assert abs(ours.overall[name] - float(frame.overall[name])) <= TOL or (
            np.isnan(ours.overall[name]) and np.isnan(float(frame.overall[name]))
        ), name
    for name, fn in AGGREGATES.items():
        if agg != "worst_case" and not name.startswith("equalized_odds"):
            continue
        for method in ("between_groups", "to_overall"):
            extra = {"agg": agg} if name.startswith("equalized_odds") else {}
            expected = fn(
                t, p, sensitive_features=sensitive, method=method, sample_weight=weights, **extra
            )
            assert ours.aggregates[name][method] == pytest.approx(expected, abs=TOL), (name, method)


@pytest.mark.parametrize("features", [["sex"], ["race"], ["sex", "race"]])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "census-weights"])
def test_adult_equals_fairlearn(adult: Case, features: list[str], weighted: bool) -> None:
    weights = adult.frame["fnlwgt"].to_numpy(float) if weighted else None
    assert_matches_fairlearn(adult.y_true, adult.y_pred, adult.frame[features], ">50K", weights)


def test_adult_equalized_odds_mean_equals_fairlearn(adult: Case) -> None:
    assert_matches_fairlearn(
        adult.y_true, adult.y_pred, adult.frame[["sex", "race"]], ">50K", None, agg="mean"
    )


@pytest.mark.parametrize("features", [["sex"], ["age_group"], ["sex", "age_group"]])
@pytest.mark.parametrize("weighted", [False, True])
def test_german_credit_equals_fairlearn(german: Case, features: list[str], weighted: bool) -> None:
    weights = np.random.default_rng(7).uniform(0.5, 2.0, len(german.y_true)) if weighted else None
    # 1 = good credit: the favourable outcome is the positive label.
    assert_matches_fairlearn(german.y_true, german.y_pred, german.frame[features], 1, weights)
