"""The entry point: from labels and predictions or scores to a
:class:`~bastion.performance.result.PerformanceResult`.

``assess_performance`` validates the input with :mod:`bastion.assessment.inputs` (so a
bad column is refused with the same error as in fairness), computes every figure over
all rows and within each group of the sensitive features (:mod:`.metrics`, scikit-learn
underneath), and judges the figures against :class:`PerformanceThresholds`. It needs no
model: a table of labels, predictions and scores is its normal input.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt
import pandas as pd

from bastion.assessment import inputs as columns
from bastion.assessment.digests import data_digest, input_digests
from bastion.assessment.errors import (
    AssessmentInputError,
    LengthMismatchError,
    NonBinaryLabelsError,
    SingleClassError,
)
from bastion.assessment.groups import Factorized, factorize_groups
from bastion.assessment.verdict import Check, judge, verdict_of
from bastion.performance.metrics import (
    CLASSIFICATION_METRICS,
    CONFUSION_CELLS,
    REGRESSION_METRICS,
    SCORE_METRICS,
    Computed,
    classification_metrics,
    regression_metrics,
)
from bastion.performance.result import (
    GapMetric,
    GroupPerformance,
    PerformanceResult,
    PerformanceThresholds,
)

__all__ = ["DEFAULT_MIN_GROUP_SIZE", "assess_performance"]

Task = Literal["classification", "regression"]
Floats = npt.NDArray[np.float64]

# 30 rows: the usual rule of thumb for trusting the normal approximation of a proportion
# (the same default as fairness).
DEFAULT_MIN_GROUP_SIZE = 30
# Names under which a group's figures are written in ``to_dict()`` and ``to_frame()``; a
# sensitive feature of the same name would be overwritten there, so it is refused.
RESERVED_NAMES = frozenset(
    {
        "count",
        "weight",
        "small",
        "confusion_matrix",
        *CLASSIFICATION_METRICS,
        *REGRESSION_METRICS,
        *CONFUSION_CELLS,
    }
)
# accuracy and the baseline are computed by different sums (sklearn's weighted mean of
# hits, the confusion matrix's majority cell), so a constant predictor's lift can come
# out as 1e-17 instead of 0; within this it counts as no lift at all.
_LIFT_TOLERANCE = 1e-12
_LISTED = 5  # groups named in a note before it says "…"


@dataclass(frozen=True)
class _Columns:
    """The validated columns: labels as booleans (classification) or floats (regression)."""

    y_true: npt.NDArray[Any]
    y_pred: npt.NDArray[Any]
    y_score: Floats | None
    weights: Floats | None
    pos_label: Any
    pred_from_scores: bool


def _shown(values: list[Any]) -> str:
    return ", ".join(repr(v) for v in values[:5]) + (", …" if len(values) > 5 else "")


def _scores(y_score: Any, data: Any, n: int) -> Floats:
    raw = columns.resolve(y_score, data, "y_score")
    if np.ndim(raw) == 2 and np.shape(raw)[1] == 2:
        raise AssessmentInputError(
            f"y_score has two columns (shape {np.shape(raw)}), like predict_proba's output: "
            "pass the probability of the positive class alone, e.g. predict_proba(X)[:, 1]",
            field="y_score",
        )
    s = columns.column(raw, "y_score")
    if len(s) != n:
        raise LengthMismatchError(
            f"y_true has {n} values but y_score has {len(s)}", field="y_score"
        )
    columns.finite(s, "y_score")
    if s.dtype.kind not in "biuf":
        raise AssessmentInputError(
            f"y_score must be numeric probabilities, got dtype {s.dtype}", field="y_score"
        )
    s = s.astype(np.float64, copy=False)
    outside = (s < 0) | (s > 1)
    if outside.any():
        raise AssessmentInputError(
            f"y_score holds {int(outside.sum())} value(s) outside [0, 1] (from {s.min():.4g} "
            f"to {s.max():.4g}): it must be the probability of the positive class, e.g. "
            "predict_proba(X)[:, 1]; margins such as decision_function's are not "
            "probabilities",
            field="y_score",
        )
    return s


def _labels_alone(yt: npt.NDArray[Any], pos_label: Any) -> columns.BinaryLabels:
    """The positive label and booleans of ``y_true`` when there is no ``y_pred``."""
    columns.finite(yt, "y_true")
    distinct = [v.item() if isinstance(v, np.generic) else v for v in pd.unique(yt)]
    if len(distinct) > 2:
        raise NonBinaryLabelsError(
            f"binary metrics need two label values, but y_true holds {len(distinct)} "
            f"({_shown(distinct)}); for a continuous target pass task='regression'",
            field="y_true",
        )
    return columns.binary_labels(yt, yt, pos_label)


def _prepare(
    y_true: Any,
    y_pred: Any,
    y_score: Any,
    data: Any,
    sample_weight: Any,
    task: Task,
    pos_label: Any,
    threshold: float,
    allow_single_class: bool,
) -> _Columns:
    yt = columns.column(columns.resolve(y_true, data, "y_true"), "y_true")
    if task == "regression" and y_score is not None:
        raise AssessmentInputError(
            "y_score is for classification (the probability of the positive class); "
            "a regressor's predictions go in y_pred",
            field="y_score",
        )
    if task == "regression" and y_pred is None:
        raise AssessmentInputError("task='regression' needs y_pred", field="y_pred")
    if y_pred is None and y_score is None:
        raise AssessmentInputError(
            "give y_pred (predicted labels), y_score (probabilities of the positive class) or both",
            field="y_pred",
        )
    yp = None
    if y_pred is not None:
        yp = columns.column(columns.resolve(y_pred, data, "y_pred"), "y_pred")
        columns.check_lengths(yt, yp)
    elif len(yt) == 0:
        raise AssessmentInputError("y_true is empty", field="y_true")
    n = len(yt)
    w = columns.weights(columns.resolve(sample_weight, data, "sample_weight"), n)

    if task == "regression":
        assert yp is not None  # noqa: S101 - checked above
        target, values = columns.continuous(yt, "y_true"), columns.continuous(yp, "y_pred")
        return _Columns(target, values, None, w, None, pred_from_scores=False)

    s = None if y_score is None else _scores(y_score, data, n)
    if yp is not None:
        labels = columns.binary_labels(yt, yp, pos_label)
        t, p = labels.y_true, labels.y_pred
    else:
        assert s is not None  # noqa: S101 - one of the two was checked above
        labels = _labels_alone(yt, pos_label)
        t, p = labels.y_true, s >= threshold
    positives = int(np.count_nonzero(t))
    if positives in (0, n) and not allow_single_class:
        which = "positive" if positives == n else "negative"
        undefined = (
            "ROC AUC and balanced accuracy are"
            if positives == n
            else "ROC AUC, balanced accuracy, recall and average precision are"
        )
        raise SingleClassError(
            f"y_true holds only the {which} class (pos_label={labels.pos_label!r}): "
            f"{undefined} undefined with one class; pass allow_single_class=True to "
            "compute the rest and have those reported as undefined (None)",
            field="y_true",
        )
    return _Columns(t, p, s, w, labels.pos_label, pred_from_scores=yp is None)


def _compute(
    task: Task, cols: _Columns, rows: npt.NDArray[np.intp] | None, n_bins: int
) -> Computed:
    """The figures of the rows given (all rows when ``rows`` is None)."""

    def take(arr: npt.NDArray[Any] | None) -> Any:
        return arr if arr is None or rows is None else arr[rows]

    if task == "classification":
        return classification_metrics(
            take(cols.y_true),
            take(cols.y_pred),
            take(cols.y_score),
            take(cols.weights),
            n_bins=n_bins,
        )
    return regression_metrics(take(cols.y_true), take(cols.y_pred), take(cols.weights))


def _listed(values: list[dict[str, Any]]) -> str:
    return "; ".join(str(v) for v in values[:_LISTED]) + (" …" if len(values) > _LISTED else "")


def _group_notes(
    groups: list[GroupPerformance], computed: list[Computed], min_group_size: int
) -> list[str]:
    notes: list[str] = []
    # Metrics undefined for the same reason in the same groups share one note.
    causes: dict[tuple[str, str], tuple[list[str], list[dict[str, Any]]]] = {}
    for metric in (*CLASSIFICATION_METRICS, *REGRESSION_METRICS):
        reasons = [c.undefined.get(metric) for c in computed]
        for reason in dict.fromkeys(r for r in reasons if r is not None):
            values = [g.values for g, r in zip(groups, reasons, strict=True) if r == reason]
            metrics, _ = causes.setdefault((reason, repr(values)), ([], values))
            metrics.append(metric)
    for (reason, _), (metrics, values) in causes.items():
        notes.append(
            f"{', '.join(metrics)} undefined (None) in {len(values)} group(s) where {reason}: "
            f"{_listed(values)}"
        )
    small = [g.values for g in groups if g.small]
    if small:
        notes.append(
            f"{len(small)} group(s) under {min_group_size} rows, flagged small and left out "
            f"of the group gap check (their figures are kept): {_listed(small)}"
        )
    if len(groups) == 1:
        notes.append(
            f"the sensitive features hold a single group ({groups[0].values}): its figures "
            "are the overall ones and there is no gap to check (fairness refuses this, as "
            "it compares groups; performance reports it)"
        )
    return notes


def _checks(
    task: Task,
    overall: Computed,
    groups: list[GroupPerformance],
    has_scores: bool,
    min_group_size: int,
    t: PerformanceThresholds,
) -> tuple[list[Check], list[str]]:
    """The threshold checks that can be made, and a note for each one skipped."""
    m = overall.metrics
    checks: list[Check] = []
    notes: list[str] = []

    def skipped(name: str, why: str) -> None:
        notes.append(f"{name} check skipped: {why}")

    if task == "regression":
        r2 = m["r2"]
        if r2 is None:
            skipped("R²", overall.undefined.get("r2", "R² is undefined"))
        else:
            checks.append(
                judge("r2", r2, warn_at=t.r2_warn, fail_at=t.r2_fail, higher_is_better=True)
            )
        if groups:
            notes.append(
                "no group gap is judged for regression: error metrics are in the target's "
                "units, so no default threshold fits; compare the groups in to_frame()"
            )
        return checks, notes

    auc = m["roc_auc"]
    if auc is not None:
        checks.append(
            judge(
                "roc_auc",
                auc,
                warn_at=t.roc_auc_warn,
                fail_at=t.roc_auc_fail,
                higher_is_better=True,
            )
        )
    else:
        skipped("ROC AUC", "no y_score given" if not has_scores else overall.undefined["roc_auc"])

    accuracy, baseline = m["accuracy"], m["baseline_accuracy"]
    if accuracy is None or baseline is None or m["balanced_accuracy"] is None:
        skipped(
            "accuracy over baseline",
            overall.undefined.get("balanced_accuracy", "accuracy is undefined")
            + ", so always predicting the one class is perfect and cannot be beaten",
        )
    else:
        lift = accuracy - baseline
        check = judge(
            "accuracy_over_baseline",
            lift,
            warn_at=t.accuracy_lift_warn,
            fail_at=t.accuracy_lift_fail,
            higher_is_better=True,
            method="majority_class",
        )
        # judge lets the fail threshold itself pass; here reaching it means no skill.
        if lift <= t.accuracy_lift_fail + _LIFT_TOLERANCE:
            check = replace(check, outcome="fail")
        checks.append(check)

    ece = m["expected_calibration_error"]
    if ece is not None:
        checks.append(
            judge(
                "expected_calibration_error",
                ece,
                warn_at=t.calibration_error_warn,
                fail_at=t.calibration_error_fail,
                higher_is_better=False,
            )
        )
    else:
        skipped(
            "calibration",
            "no y_score given"
            if not has_scores
            else overall.undefined.get("expected_calibration_error", "undefined"),
        )

    metric = t.gap_metric
    if not groups:
        skipped("group gap", "no sensitive_features given")
        return checks, notes
    eligible = [
        (v, g.values) for g in groups if not g.small and (v := g.metrics[metric]) is not None
    ]
    if len(eligible) < 2:
        skipped(
            "group gap",
            f"fewer than two groups have {min_group_size} or more rows and a defined {metric}",
        )
        return checks, notes
    (high, best), (low, worst) = max(eligible, key=_first), min(eligible, key=_first)
    checks.append(
        judge(
            f"{metric}_gap",
            high - low,
            warn_at=t.group_gap_warn,
            fail_at=t.group_gap_fail,
            higher_is_better=False,
            method="between_groups",
        )
    )
    if high == low:
        notes.append(f"{metric} is {high:.3g} in every group of {min_group_size}+ rows")
    else:
        notes.append(
            f"largest {metric} gap {high - low:.3g} between groups of {min_group_size}+ rows: "
            f"{best} {high:.3g} vs {worst} {low:.3g}"
        )
    return checks, notes


def _first(pair: tuple[float, Any]) -> float:
    return pair[0]


def _digest(task: Task, cols: _Columns, names: list[str], groups: Factorized | None) -> str:
    """The content digest of the values assessed (labels, predictions, scores, weights,
    groups), the same whether they came as pandas, polars, Arrow or lists."""
    keys = repr(groups.keys) if groups is not None else ""
    return data_digest(
        [task, repr(cols.pos_label), repr(names), keys],
        cols.y_true,
        cols.y_pred,
        cols.y_score,
        cols.weights,
        groups.codes if groups is not None else None,
    )


def _check_options(
    task: str,
    threshold: float,
    n_bins: int,
    min_group_size: int,
    thresholds: PerformanceThresholds,
) -> None:
    if task not in ("classification", "regression"):
        raise AssessmentInputError(
            f"task must be 'classification' or 'regression', not {task!r}", field="task"
        )
    if not (math.isfinite(threshold) and 0 <= threshold <= 1):
        raise AssessmentInputError(
            f"threshold must be in [0, 1], got {threshold}", field="threshold"
        )
    if isinstance(n_bins, bool) or not isinstance(n_bins, int | np.integer) or n_bins < 1:
        raise AssessmentInputError(
            f"n_bins must be a positive integer, got {n_bins!r}", field="n_bins"
        )
    if min_group_size < 0:
        raise AssessmentInputError("min_group_size must be >= 0", field="min_group_size")
    if thresholds.gap_metric not in get_args(GapMetric):
        raise AssessmentInputError(
            f"gap_metric must be one of {list(get_args(GapMetric))}, not {thresholds.gap_metric!r}",
            field="thresholds",
        )


def assess_performance(
    y_true: Any,
    y_pred: Any = None,
    *,
    y_score: Any = None,
    data: Any = None,
    sensitive_features: Any = None,
    task: Task = "classification",
    pos_label: Any = None,
    sample_weight: Any = None,
    threshold: float = 0.5,
    n_bins: int = 10,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    thresholds: PerformanceThresholds | None = None,
    allow_single_class: bool = False,
    inputs: Mapping[str, str] | None = None,
) -> PerformanceResult:
    """Assess how well a model's predictions match the labels, overall and per group.

    Parameters
    ----------
    y_true : array-like or str
        Labels (numpy, pandas, polars, pyarrow or a list), or a column name in ``data``.
        Classification labels may be numbers, booleans or strings; regression targets
        are numbers.
    y_pred : array-like or str, optional
        Predicted labels (classification) or values (regression). For classification,
        derived from ``y_score`` as ``y_score >= threshold`` when not given.
    y_score : array-like or str, optional
        Classification only: the predicted probability of the positive class, in
        [0, 1] (``predict_proba(X)[:, 1]``). Without it the score-based metrics (ROC AUC,
        average precision, log loss, Brier score, ECE) are ``None`` and a note says so.
    data : data frame, optional
        A pandas, polars or pyarrow table to look column names up in.
    sensitive_features : array-like, data frame, mapping, or str / list of str, optional
        Features to report the metrics by, as in :func:`bastion.fairness.assess_fairness`.
        Groups are every combination of values present; a missing value is its own
        group. A single group is fine (unlike fairness): it is reported, with a note.
    task : {"classification", "regression"}
        Binary classification or a continuous target.
    pos_label : object, optional
        The positive label. Inferred when the labels are {0, 1}, {-1, 1} or booleans;
        required otherwise (e.g. ``">50K"``).
    sample_weight : array-like or str, optional
        Non-negative weights, applied to every metric (group counts stay row counts).
    threshold : float, default 0.5
        Where ``y_pred`` is cut from ``y_score`` when ``y_pred`` is not given.
    n_bins : int, default 10
        Equal-width bins of the expected calibration error.
    min_group_size : int, default 30
        Groups with fewer rows are flagged ``small`` (kept, never dropped) and left out
        of the group gap check.
    thresholds : PerformanceThresholds, optional
        When the verdict is pass / warn / fail; see its documented defaults.
    allow_single_class : bool, default False
        Compute anyway when ``y_true`` holds one class; the metrics that need both
        classes are then ``None``.
    inputs : mapping of str to str, optional
        SHA-256 digests of what the assessment ran on, by role, when the caller knows
        them (``{"data": file_digest(path)}``). Without a ``data`` digest, the content
        digest of the values assessed is recorded.

    Returns
    -------
    PerformanceResult

    Raises
    ------
    AssessmentInputError
        (a ``ValueError``) or one of its subclasses, naming the problem:
        ``NonBinaryLabelsError``, ``LengthMismatchError``, ``SingleClassError``,
        ``NonFiniteValuesError``, ``UnknownColumnError``.

    Examples
    --------
    >>> result = assess_performance("label", "prediction", y_score="score", data=frame,
    ...                             sensitive_features=["sex"])
    >>> result.verdict, result.overall["roc_auc"], result.to_frame()
    """
    thresholds = thresholds or PerformanceThresholds()
    _check_options(task, threshold, n_bins, min_group_size, thresholds)
    cols = _prepare(
        y_true,
        y_pred,
        y_score,
        data,
        sample_weight,
        task,
        pos_label,
        threshold,
        allow_single_class,
    )
    n = len(cols.y_true)
    names: list[str] = []
    split: Factorized | None = None
    if sensitive_features is not None:
        names, sensitive = columns.sensitive_columns(
            sensitive_features, data, n, reserved=RESERVED_NAMES
        )
        split = factorize_groups(names, sensitive)

    overall = _compute(task, cols, None, n_bins)
    groups: list[GroupPerformance] = []
    computed: list[Computed] = []
    for key, rows in zip(split.keys if split else (), split.rows if split else (), strict=True):
        c = _compute(task, cols, rows, n_bins)
        computed.append(c)
        groups.append(
            GroupPerformance(
                values=dict(zip(names, key, strict=True)),
                count=len(rows),
                weight=None if cols.weights is None else float(cols.weights[rows].sum()),
                small=len(rows) < min_group_size,
                metrics=c.metrics,
                confusion_matrix=c.confusion,
            )
        )

    notes: list[str] = []
    has_scores = cols.y_score is not None
    if task == "classification" and not has_scores:
        notes.append(
            f"no y_score: {', '.join(m for m in CLASSIFICATION_METRICS if m in SCORE_METRICS)}"
            " are absent (None); pass the probability of the positive class as y_score "
            "to have them"
        )
    if cols.pred_from_scores:
        notes.append(f"y_pred derived from y_score as y_score >= {threshold}")
    if overall.undefined:
        notes.append(
            "undefined (None) over all rows: "
            + "; ".join(f"{m} ({why})" for m, why in overall.undefined.items())
        )
    if task == "regression":
        zeros = int(np.count_nonzero(np.abs(cols.y_true) < np.finfo(np.float64).eps))
        if zeros:
            notes.append(
                f"y_true holds {zeros} zero(s): scikit-learn's mean_absolute_percentage_error "
                "divides by max(|y_true|, machine epsilon), so it is huge there; read "
                "mean_absolute_error instead"
            )
    notes.extend(_group_notes(groups, computed, min_group_size))
    checks, check_notes = _checks(task, overall, groups, has_scores, min_group_size, thresholds)
    notes.extend(check_notes)

    return PerformanceResult(
        task=task,
        pos_label=cols.pos_label,
        count=n,
        weighted=cols.weights is not None,
        sensitive_features=tuple(names),
        overall=overall.metrics,
        confusion_matrix=overall.confusion,
        groups=tuple(groups),
        checks=tuple(checks),
        verdict=verdict_of(checks),
        notes=tuple(notes),
        settings={
            "threshold": threshold,
            "y_pred_from": "y_score" if cols.pred_from_scores else "y_pred",
            "n_bins": n_bins,
            "min_group_size": min_group_size,
            "allow_single_class": allow_single_class,
            "thresholds": asdict(thresholds),
        },
        inputs=input_digests(inputs, data=lambda: _digest(task, cols, names, split)),
    )
