"""Every figure, overall and per group, equals scikit-learn's on the same rows (to 1e-12),
on UCI Adult and German Credit, with and without sample weights."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve

from bastion.performance import (
    CLASSIFICATION_METRICS,
    REGRESSION_METRICS,
    assess_performance,
    expected_calibration_error,
)
from tests.performance.conftest import Regressed, Scored

TOL = 1e-12


def _ece_by_masks(y: np.ndarray, s: np.ndarray, w: np.ndarray | None, n_bins: int) -> float:
    """The documented definition, bin by bin: sum of |b| / n * |mean score - positive rate|
    over bins [0, 1/k], (1/k, 2/k], …, weighted when weights are given."""
    w = np.ones_like(s) if w is None else w
    edges = np.linspace(0, 1, n_bins + 1)
    total = 0.0
    for b in range(n_bins):
        inside = (s > edges[b]) & (s <= edges[b + 1])
        if b == 0:
            inside |= s == 0
        if w[inside].sum() > 0:
            gap = abs(
                np.average(s[inside], weights=w[inside]) - np.average(y[inside], weights=w[inside])
            )
            total += w[inside].sum() / w.sum() * gap
    return total


def expected(y: np.ndarray, p: np.ndarray, s: np.ndarray, w: np.ndarray | None) -> dict:
    """scikit-learn's figures on these rows; None where a metric needs a class absent here."""
    both = len(np.unique(y)) == 2
    positives = bool(y.any())
    base = float(np.average(y, weights=w))

    def defined(value: float) -> float | None:
        return None if math.isnan(value) else value

    return {
        "accuracy": skm.accuracy_score(y, p, sample_weight=w),
        "balanced_accuracy": skm.balanced_accuracy_score(y, p, sample_weight=w) if both else None,
        "precision": defined(skm.precision_score(y, p, sample_weight=w, zero_division=np.nan)),
        "recall": defined(skm.recall_score(y, p, sample_weight=w, zero_division=np.nan)),
        "f1": defined(skm.f1_score(y, p, sample_weight=w, zero_division=np.nan)),
        "roc_auc": skm.roc_auc_score(y, s, sample_weight=w) if both else None,
        "average_precision": (
            skm.average_precision_score(y, s, sample_weight=w) if positives else None
        ),
        "log_loss": skm.log_loss(y, s, labels=[0, 1], sample_weight=w),
        "brier_score": skm.brier_score_loss(y, s, pos_label=1, labels=[0, 1], sample_weight=w),
        "expected_calibration_error": _ece_by_masks(y, s, w, 10),
        "positive_rate": float(np.average(p, weights=w)),
        "base_rate": base,
        "baseline_accuracy": max(base, 1 - base),
    }


def assert_close(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    for name, value in want.items():
        if value is None:
            assert got[name] is None, name
        else:
            assert got[name] == pytest.approx(value, abs=TOL, rel=0), name


def _group_mask(rows: pd.DataFrame, values: dict) -> np.ndarray:
    mask = np.ones(len(rows), dtype=bool)
    for feature, value in values.items():
        column = rows[feature]
        mask &= column.isna().to_numpy() if value is None else (column == value).to_numpy()
    return mask


@pytest.mark.parametrize("dataset", ["adult", "german"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_classification_equals_sklearn(
    dataset: str, weighted: bool, request: pytest.FixtureRequest
) -> None:
    case: Scored = request.getfixturevalue(dataset)
    w = case.weights if weighted else None
    result = assess_performance(
        case.y_true,
        y_score=case.y_score,
        sensitive_features=case.rows[case.sensitive],
        sample_weight=w,
    )
    assert tuple(result.overall) == CLASSIFICATION_METRICS
    assert_close(result.overall, expected(case.y_true, case.y_pred, case.y_score, w))
    tn, fp, fn, tp = skm.confusion_matrix(case.y_true, case.y_pred, sample_weight=w).ravel()
    cm = result.confusion_matrix
    assert cm is not None
    assert [cm["tn"], cm["fp"], cm["fn"], cm["tp"]] == pytest.approx([tn, fp, fn, tp], abs=TOL)

    assert any(g.values.get("workclass", "") is None for g in result.groups) == (dataset == "adult")
    seen = np.zeros(len(case.rows), dtype=bool)
    for group in result.groups:
        mask = _group_mask(case.rows, group.values)
        assert group.count == mask.sum()
        seen |= mask
        gw = None if w is None else w[mask]
        assert group.weight == (None if gw is None else pytest.approx(gw.sum()))
        assert_close(
            group.metrics, expected(case.y_true[mask], case.y_pred[mask], case.y_score[mask], gw)
        )
        cells = skm.confusion_matrix(
            case.y_true[mask], case.y_pred[mask], labels=[0, 1], sample_weight=gw
        ).ravel()
        assert group.confusion_matrix is not None
        assert list(group.confusion_matrix.values()) == pytest.approx(list(cells), abs=TOL)
    assert seen.all()  # every row is in a group: none dropped, small ones included
    if dataset == "adult":  # some groups hold one class: their undefined metrics are None
        assert any(g.metrics["roc_auc"] is None for g in result.groups)
        assert any("undefined (None) in" in note for note in result.notes)
    assert len(result.groups) == case.rows[case.sensitive].drop_duplicates().shape[0]


def test_label_space_predictions_equal_sklearn_with_string_labels(adult: Scored) -> None:
    """Adult's own string labels with pos_label: the same figures as on 0/1 labels."""
    labels = np.where(adult.y_true == 1, ">50K", "<=50K")
    preds = np.where(adult.y_pred == 1, ">50K", "<=50K")
    result = assess_performance(labels, preds, y_score=adult.y_score, pos_label=">50K")
    assert result.pos_label == ">50K"
    assert result.overall["f1"] == pytest.approx(
        skm.f1_score(labels, preds, pos_label=">50K"), abs=TOL
    )
    assert result.overall["roc_auc"] == pytest.approx(
        skm.roc_auc_score(labels == ">50K", adult.y_score), abs=TOL
    )


@pytest.mark.parametrize("n_bins", [5, 10, 15])
def test_ece_matches_calibration_curve(adult: Scored, n_bins: int) -> None:
    """Unweighted, the per-bin means are calibration_curve's; ECE weighs them by bin size."""
    y, s = adult.y_true, adult.y_score
    prob_true, prob_pred = calibration_curve(y, s, n_bins=n_bins, strategy="uniform")
    edges = np.linspace(0, 1, n_bins + 1)
    sizes = np.array(
        [
            ((s > lo) & (s <= hi) | ((s == 0) & (lo == 0))).sum()
            for lo, hi in itertools.pairwise(edges)
        ]
    )
    sizes = sizes[sizes > 0]
    by_curve = float(np.sum(sizes / len(s) * np.abs(prob_pred - prob_true)))
    assert expected_calibration_error(y, s, n_bins=n_bins) == pytest.approx(by_curve, abs=TOL)
    result = assess_performance(y, y_score=s, n_bins=n_bins)
    assert result.overall["expected_calibration_error"] == pytest.approx(by_curve, abs=TOL)


def test_ece_bins_include_edges_as_calibration_curve_does() -> None:
    # 0.1 sits on an edge: with calibration_curve it belongs to the first bin [0, 0.1].
    y = np.array([0, 1, 0, 1])
    s = np.array([0.0, 0.1, 0.1000001, 1.0])
    assert expected_calibration_error(y, s, n_bins=10) == pytest.approx(
        _ece_by_masks(y, s, None, 10), abs=TOL
    )
    assert expected_calibration_error([1, 0], [1.0, 0.0]) == 0.0


def regression_expected(y: np.ndarray, p: np.ndarray, w: np.ndarray | None) -> dict:
    return {
        "mean_absolute_error": skm.mean_absolute_error(y, p, sample_weight=w),
        "root_mean_squared_error": skm.root_mean_squared_error(y, p, sample_weight=w),
        "r2": skm.r2_score(y, p, sample_weight=w) if len(np.unique(y)) > 1 else None,
        "mean_absolute_percentage_error": skm.mean_absolute_percentage_error(y, p, sample_weight=w),
        "mean_error": float(np.average(p - y, weights=w)),
    }


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_regression_equals_sklearn(credit_amount: Regressed, weighted: bool) -> None:
    case = credit_amount
    # Weight by loan duration in months: a longer loan is longer at risk.
    w = case.rows["duration"].to_numpy(dtype=float) if weighted else None
    result = assess_performance(
        case.y_true,
        case.y_pred,
        task="regression",
        sensitive_features=case.rows[["sex", "age_group"]],
        sample_weight=w,
    )
    assert result.task == "regression"
    assert result.confusion_matrix is None
    assert tuple(result.overall) == REGRESSION_METRICS
    assert_close(result.overall, regression_expected(case.y_true, case.y_pred, w))
    for group in result.groups:
        mask = _group_mask(case.rows, group.values)
        gw = None if w is None else w[mask]
        assert group.confusion_matrix is None
        assert_close(group.metrics, regression_expected(case.y_true[mask], case.y_pred[mask], gw))
