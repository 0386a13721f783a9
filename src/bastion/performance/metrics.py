"""The figures of a performance assessment, each computed by scikit-learn where it has one.

The same functions compute the overall figures and each group's, so the two can never
disagree in definition. A metric that is undefined on the rows given (ROC AUC where
``y_true`` holds one class, precision with no positive predictions) is not computed: it
comes back as ``None`` with the reason, so scikit-learn never warns and a per-group table
can say why a cell is empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from sklearn import metrics as skm  # type: ignore[import-untyped]

__all__ = [
    "CLASSIFICATION_METRICS",
    "CONFUSION_CELLS",
    "REGRESSION_METRICS",
    "SCORE_METRICS",
    "Computed",
    "classification_metrics",
    "expected_calibration_error",
    "regression_metrics",
]

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

CLASSIFICATION_METRICS = (
    "accuracy",
    "balanced_accuracy",
    "precision",
    "recall",
    "f1",
    "roc_auc",
    "average_precision",
    "log_loss",
    "brier_score",
    "expected_calibration_error",
    "positive_rate",
    "base_rate",
    "baseline_accuracy",
)
"""Per-group and overall figures of a binary classifier, by plain name."""

SCORE_METRICS = frozenset(
    {"roc_auc", "average_precision", "log_loss", "brier_score", "expected_calibration_error"}
)
"""The figures that need scores (``y_score``), absent when only ``y_pred`` is given."""

REGRESSION_METRICS = (
    "mean_absolute_error",
    "root_mean_squared_error",
    "r2",
    "mean_absolute_percentage_error",
    "mean_error",
)
"""Per-group and overall figures of a regressor, by plain name."""

CONFUSION_CELLS = ("tn", "fp", "fn", "tp")
"""The confusion matrix cells, in scikit-learn's ``confusion_matrix(...).ravel()`` order."""

# Why each metric can be undefined on a set of rows (the notes quote these).
ONE_CLASS = "y_true holds one class only"
NO_POSITIVES = "y_true holds no positives"
NO_PREDICTED_POSITIVES = "nothing is predicted positive"
NOTHING_POSITIVE = "neither y_true nor y_pred holds a positive"
NO_WEIGHT = "the rows' sample weights sum to zero"
R2_UNDEFINED = "y_true is constant (or there is one row), so R² has no variance to explain"


@dataclass(frozen=True)
class Computed:
    """The figures of one set of rows: metrics (``None`` where undefined) and why not."""

    metrics: dict[str, float | None]
    undefined: dict[str, str] = field(default_factory=dict)
    confusion: dict[str, float] | None = None


def expected_calibration_error(
    y_true: npt.ArrayLike,
    y_score: npt.ArrayLike,
    *,
    n_bins: int = 10,
    sample_weight: npt.ArrayLike | None = None,
) -> float:
    """Expected calibration error over equal-width score bins.

    ``ECE = sum over bins b of (|b| / n) * |mean score in b - positive rate in b|``
    (Naeini, Cooper and Hauskrecht, AAAI 2015; Guo et al., ICML 2017), where ``|b|`` and
    ``n`` are row counts — sums of weights when ``sample_weight`` is given, and the means
    weighted too. Bins are ``[0, 1/k], (1/k, 2/k], …, ((k-1)/k, 1]``: the bins of
    :func:`sklearn.calibration.calibration_curve` with ``strategy="uniform"``, so its
    ``prob_pred`` and ``prob_true`` are the per-bin means used here. Empty bins add 0.

    Parameters
    ----------
    y_true : array-like of {0, 1} or bool
        Whether each row is positive.
    y_score : array-like of float in [0, 1]
        The predicted probability of the positive class.
    n_bins : int, default 10
        Number of equal-width bins on [0, 1].
    sample_weight : array-like, optional
        Non-negative row weights.

    Returns
    -------
    float
        In [0, 1]; 0 for a perfectly calibrated model (on these bins).
    """
    t = np.asarray(y_true, dtype=np.float64)
    s = np.asarray(y_score, dtype=np.float64)
    w = np.ones_like(s) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    bins = np.searchsorted(edges[1:-1], s)  # the binning of calibration_curve
    total = np.bincount(bins, weights=w, minlength=n_bins)
    scores = np.bincount(bins, weights=w * s, minlength=n_bins)
    positives = np.bincount(bins, weights=w * t, minlength=n_bins)
    # (|b| / n) * |sum_s / |b| - sum_y / |b||  =  |sum_s - sum_y| / n
    return float(np.abs(scores - positives).sum() / total.sum())


def _f(value: object) -> float:
    return float(value)  # type: ignore[arg-type]


def _nan_to_none(value: float) -> float | None:
    return None if np.isnan(value) else value


def classification_metrics(
    y_true: Bools,
    y_pred: Bools,
    y_score: Floats | None,
    sample_weight: Floats | None,
    *,
    n_bins: int,
) -> Computed:
    """Every classification figure on these rows (see ``docs/performance.md``).

    Labels are booleans (is the positive label); they are handed to scikit-learn as 0/1
    with ``pos_label=1``. Score-based figures are ``None`` without scores.
    """
    t = y_true.astype(np.int8)
    p = y_pred.astype(np.int8)
    w = sample_weight
    out: dict[str, float | None] = dict.fromkeys(CLASSIFICATION_METRICS)
    undefined: dict[str, str] = {}
    if w is not None and not w.sum() > 0:  # sklearn refuses all-zero weights
        zeros = dict.fromkeys(CONFUSION_CELLS, 0.0)
        return Computed(out, dict.fromkeys(CLASSIFICATION_METRICS, NO_WEIGHT), zeros)
    cells = skm.confusion_matrix(t, p, labels=[0, 1], sample_weight=w).ravel()
    confusion = {
        name: (float(v) if w is not None else int(v))
        for name, v in zip(CONFUSION_CELLS, cells, strict=True)
    }
    tn, fp, fn, tp = (float(v) for v in cells)
    total = tn + fp + fn + tp
    positives, negatives = fn + tp, tn + fp
    both = positives > 0 and negatives > 0

    out["accuracy"] = _f(skm.accuracy_score(t, p, sample_weight=w))
    out["positive_rate"] = (fp + tp) / total
    out["base_rate"] = positives / total
    # The accuracy of always predicting the majority class: what a model must beat.
    out["baseline_accuracy"] = max(positives, negatives) / total
    if both:
        out["balanced_accuracy"] = _f(skm.balanced_accuracy_score(t, p, sample_weight=w))
    else:
        undefined["balanced_accuracy"] = ONE_CLASS
    # One call for the three (precision_score, recall_score and f1_score each make it).
    # zero_division=nan: a 0/0 rate is undefined, not the 0 (and warning) of the default.
    prf = skm.precision_recall_fscore_support(
        t, p, average="binary", sample_weight=w, zero_division=np.nan
    )[:3]
    for name, value, reason in zip(
        ("precision", "recall", "f1"),
        prf,
        (NO_PREDICTED_POSITIVES, NO_POSITIVES, NOTHING_POSITIVE),
        strict=True,
    ):
        out[name] = _nan_to_none(_f(value))
        if out[name] is None:
            undefined[name] = reason
    if y_score is None:
        return Computed(out, undefined, confusion)

    s = y_score
    if both:
        out["roc_auc"] = _f(skm.roc_auc_score(t, s, sample_weight=w))
    else:
        undefined["roc_auc"] = ONE_CLASS
    if positives > 0:
        out["average_precision"] = _f(skm.average_precision_score(t, s, sample_weight=w))
    else:
        undefined["average_precision"] = NO_POSITIVES
    # labels=[0, 1]: log loss and Brier score stay defined on rows of one class.
    out["log_loss"] = _f(skm.log_loss(t, s, labels=[0, 1], sample_weight=w))
    out["brier_score"] = _f(skm.brier_score_loss(t, s, pos_label=1, labels=[0, 1], sample_weight=w))
    out["expected_calibration_error"] = expected_calibration_error(
        t, s, n_bins=n_bins, sample_weight=w
    )
    return Computed(out, undefined, confusion)


def regression_metrics(y_true: Floats, y_pred: Floats, sample_weight: Floats | None) -> Computed:
    """Every regression figure on these rows; ``mean_error`` is ``mean(y_pred - y_true)``."""
    w = sample_weight
    out: dict[str, float | None] = dict.fromkeys(REGRESSION_METRICS)
    if not (len(y_true) > 0 and (w is None or w.sum() > 0)):
        return Computed(out, dict.fromkeys(REGRESSION_METRICS, NO_WEIGHT))
    undefined: dict[str, str] = {}
    out["mean_absolute_error"] = _f(skm.mean_absolute_error(y_true, y_pred, sample_weight=w))
    out["root_mean_squared_error"] = _f(
        skm.root_mean_squared_error(y_true, y_pred, sample_weight=w)
    )
    # sklearn's MAPE divides by max(|y_true|, machine epsilon): a zero target gives a huge
    # figure, not an error; the assessment says so in a note.
    out["mean_absolute_percentage_error"] = _f(
        skm.mean_absolute_percentage_error(y_true, y_pred, sample_weight=w)
    )
    out["mean_error"] = float(np.average(y_pred - y_true, weights=w))
    # R² is 1 - SSE / SST: with a constant target SST is 0. sklearn then returns 1 or 0 by
    # convention (force_finite) or warns (one row); both are reported here as undefined.
    weighted = y_true if w is None else y_true[w > 0]
    if len(y_true) >= 2 and weighted.min() < weighted.max():
        out["r2"] = _f(skm.r2_score(y_true, y_pred, sample_weight=w))
    else:
        undefined["r2"] = R2_UNDEFINED
    return Computed(out, undefined)
