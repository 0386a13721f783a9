"""Every fairness figure, computed from per-group counts (never from rows).

Functions take count arrays whose last axes are the groups (``(..., G, 2, 2)`` confusion
matrices, ``(..., G, 4)`` error sums) and work along any leading axes, so the same code
reads one table of counts or a stack of bootstrap resamples. Division by zero gives NaN,
never an error or a warning. Each formula cites the library whose definition it matches:

- per-group rates: the usual confusion-matrix definitions (as scikit-learn and Aequitas);
- aggregates: fairlearn 0.15 ``MetricFrame.difference``/``ratio`` and
  ``fairlearn.metrics.demographic_parity_*``, ``equalized_odds_*``,
  ``equal_opportunity_*``;
- signed metrics against a privileged group: AIF360 ``ClassificationMetric``
  (Bellamy et al., 2018) and its generalized entropy index (Speck et al., KDD 2018);
- disparities against a reference group: Aequitas ``Bias``/``Fairness``
  (Saleiro et al., 2018, arXiv:1811.05577).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "AEQUITAS_METRICS",
    "CLASSIFICATION_METRICS",
    "REGRESSION_METRICS",
    "aequitas_disparities",
    "aif360_signed",
    "classification_aggregates",
    "classification_rates",
    "fairlearn_difference",
    "fairlearn_ratio",
    "regression_aggregates",
    "regression_rates",
]

Array = npt.NDArray[np.float64]
Method = Literal["between_groups", "to_overall"]
METHODS: tuple[Method, Method] = ("between_groups", "to_overall")

CLASSIFICATION_METRICS = (
    "selection_rate",
    "base_rate",
    "true_positive_rate",
    "false_positive_rate",
    "true_negative_rate",
    "false_negative_rate",
    "precision",
    "negative_predictive_value",
    "false_discovery_rate",
    "false_omission_rate",
    "accuracy",
    "predicted_positive_share",
    "theil_index",
)
REGRESSION_METRICS = ("mean_error", "mean_absolute_error", "root_mean_squared_error")

# Aequitas' group metrics (its abbreviations: ppr, pprev, precision, fdr, for, fpr, fnr,
# tpr, tnr, npv), under our plain names.
AEQUITAS_METRICS = (
    "predicted_positive_share",
    "selection_rate",
    "precision",
    "false_discovery_rate",
    "false_omission_rate",
    "false_positive_rate",
    "false_negative_rate",
    "true_positive_rate",
    "true_negative_rate",
    "negative_predictive_value",
)


def _div(a: Array, b: Array) -> Array:
    """``a / b`` with NaN wherever ``b`` is zero (an undefined rate)."""
    a, b = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(b, np.float64))
    out = np.full(a.shape, np.nan)
    np.divide(a, b, out=out, where=b != 0)
    return out


def _theil(correct: Array, fp: Array, total: Array) -> Array:
    """Generalized entropy index with alpha = 1 (Theil index) of b = y_pred - y_true + 1.

    AIF360 ``ClassificationMetric.generalized_entropy_index(alpha=1)`` (Speck et al.,
    "A Unified Approach to Quantifying Algorithmic Unfairness", KDD 2018):
    ``GE(1) = mean((b / mu) * ln(b / mu))`` with ``mu = mean(b)`` and ``0 ln 0 = 0``. Here
    b is 0 for a false negative, 1 for a correct prediction and 2 for a false positive, so
    the mean over rows is a sum over those three counts (weighted counts give the
    weighted mean).
    """
    mu = _div(correct + 2.0 * fp, total)
    with np.errstate(divide="ignore", invalid="ignore"):
        one = np.where(correct > 0, correct * (1.0 / mu) * np.log(1.0 / mu), 0.0)
        two = np.where(fp > 0, fp * (2.0 / mu) * np.log(2.0 / mu), 0.0)
    return np.where(mu > 0, _div(one + two, total), np.nan)


def classification_rates(confusion: Array) -> dict[str, Array]:
    """Per-group rates from confusion counts of shape ``(..., G, 2, 2)``.

    ``confusion[..., g, t, p]`` is the (weighted) number of rows of group ``g`` with
    ``y_true`` positive iff ``t`` and ``y_pred`` positive iff ``p``. Each rate is NaN
    where its denominator is zero.
    """
    tn, fp = confusion[..., 0, 0], confusion[..., 0, 1]
    fn, tp = confusion[..., 1, 0], confusion[..., 1, 1]
    total = tn + fp + fn + tp
    predicted_pos, actual_pos = tp + fp, tp + fn
    return {
        "selection_rate": _div(predicted_pos, total),  # P(ŷ=1)
        "base_rate": _div(actual_pos, total),  # P(y=1), prevalence
        "true_positive_rate": _div(tp, actual_pos),  # recall, P(ŷ=1 | y=1)
        "false_positive_rate": _div(fp, fp + tn),  # P(ŷ=1 | y=0)
        "true_negative_rate": _div(tn, fp + tn),  # specificity
        "false_negative_rate": _div(fn, actual_pos),  # miss rate
        "precision": _div(tp, predicted_pos),  # PPV, P(y=1 | ŷ=1)
        "negative_predictive_value": _div(tn, tn + fn),  # P(y=0 | ŷ=0)
        "false_discovery_rate": _div(fp, predicted_pos),  # P(y=0 | ŷ=1)
        "false_omission_rate": _div(fn, tn + fn),  # P(y=1 | ŷ=0)
        "accuracy": _div(tp + tn, total),
        # Aequitas "ppr": the group's share of all positive predictions.
        "predicted_positive_share": _div(
            predicted_pos, np.sum(predicted_pos, axis=-1, keepdims=True)
        ),
        "theil_index": _theil(tp + tn, fp, total),
    }


def regression_rates(errors: Array) -> dict[str, Array]:
    """Per-group mean error (``y_pred - y_true``), MAE and RMSE from sums ``(..., G, 4)``."""
    w, e, a, s = (errors[..., i] for i in range(4))
    return {
        "mean_error": _div(e, w),
        "mean_absolute_error": _div(a, w),
        "root_mean_squared_error": np.sqrt(_div(s, w)),
    }


def fairlearn_difference(by_group: Array, overall: Array, method: Method) -> Array:
    """fairlearn ``MetricFrame.difference(method=...)`` of one metric.

    ``between_groups``: largest minus smallest group value; ``to_overall``: the largest
    absolute difference between a group's value and the overall value. NaN group values
    are skipped (pandas' ``max``/``min``); all NaN gives NaN.
    """
    if method == "between_groups":
        result: Array = np.fmax.reduce(by_group, axis=-1) - np.fmin.reduce(by_group, axis=-1)
        return result
    return np.asarray(np.fmax.reduce(np.abs(by_group - overall[..., None]), axis=-1))


def fairlearn_ratio(by_group: Array, overall: Array, method: Method) -> Array:
    """fairlearn ``MetricFrame.ratio(method=...)`` of one metric.

    ``between_groups``: smallest over largest group value; ``to_overall``: each group's
    value over the overall value, inverted where above 1, and the smallest of those.
    NaN group values are skipped; 0/0 is NaN and x/0 (x > 0) counts as ratio 0.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "between_groups":
            return np.asarray(np.fmin.reduce(by_group, axis=-1) / np.fmax.reduce(by_group, axis=-1))
        ratios = by_group / overall[..., None]
        ratios = np.where(ratios > 1, 1.0 / ratios, ratios)
    return np.asarray(np.fmin.reduce(ratios, axis=-1))


def _fairlearn_view(
    rate: Array, present: npt.NDArray[np.bool_], undefined_rates: Literal["zero", "skip"]
) -> Array:
    """A rate as fairlearn's metric functions report it.

    fairlearn computes TPR/FPR through scikit-learn's ``confusion_matrix(normalize="true")``,
    which turns 0/0 into 0: a group without positives has TPR 0 there. ``"zero"`` copies
    that (so results equal fairlearn's); ``"skip"`` leaves such a group out of the
    aggregate instead. Groups absent from a bootstrap resample are always left out.
    """
    if undefined_rates == "zero":
        return np.where(np.isnan(rate) & present, 0.0, rate)
    return rate


def classification_aggregates(
    by_group: dict[str, Array],
    overall: dict[str, Array],
    present: npt.NDArray[np.bool_],
    *,
    undefined_rates: Literal["zero", "skip"] = "zero",
    agg: Literal["worst_case", "mean"] = "worst_case",
) -> dict[str, dict[str, Array]]:
    """fairlearn's demographic parity, equalized odds and equal opportunity aggregates.

    Parameters
    ----------
    by_group, overall : dict of arrays
        From :func:`classification_rates` on the groups (``(..., G)``) and on the summed
        counts (``(...,)``).
    present : array of bool, shape (..., G)
        Groups that have rows (all of them, except in a bootstrap resample).
    undefined_rates : {"zero", "skip"}
        See :func:`_fairlearn_view`.
    agg : {"worst_case", "mean"}
        How equalized odds combines its TPR and FPR parts, as fairlearn's ``agg``:
        the larger difference / smaller ratio, or the mean of the two.

    Returns
    -------
    dict
        ``{aggregate name: {"between_groups": value, "to_overall": value}}``.
    """
    allp = np.ones(np.shape(overall["selection_rate"]), dtype=bool)

    def view(name: str) -> tuple[Array, Array]:
        return (
            _fairlearn_view(by_group[name], present, undefined_rates),
            _fairlearn_view(overall[name], allp, undefined_rates),
        )

    sr, tpr, fpr = view("selection_rate"), view("true_positive_rate"), view("false_positive_rate")
    out: dict[str, dict[str, Array]] = {}
    for kind, fn in (("difference", fairlearn_difference), ("ratio", fairlearn_ratio)):
        out[f"demographic_parity_{kind}"] = {m: fn(*sr, m) for m in METHODS}
        tpr_agg: dict[str, Array] = {m: fn(*tpr, m) for m in METHODS}
        fpr_agg: dict[str, Array] = {m: fn(*fpr, m) for m in METHODS}
        eo: dict[str, Array]
        if agg == "mean":
            eo = {m: _skipna_mean(tpr_agg[m], fpr_agg[m]) for m in METHODS}
        elif kind == "difference":
            # fairlearn takes Python's max() of [tpr, fpr]: the FPR part wins only when
            # it compares greater, so a NaN FPR part leaves the TPR part, a NaN TPR part
            # stays NaN. Matched exactly, NaN cases included.
            eo = {m: np.where(fpr_agg[m] > tpr_agg[m], fpr_agg[m], tpr_agg[m]) for m in METHODS}
        else:
            eo = {m: np.where(fpr_agg[m] < tpr_agg[m], fpr_agg[m], tpr_agg[m]) for m in METHODS}
        out[f"equalized_odds_{kind}"] = eo
        out[f"equal_opportunity_{kind}"] = tpr_agg
    return out


def _skipna_mean(a: Array, b: Array) -> Array:
    """The mean of the parts that are defined, as pandas' ``Series.mean()`` (fairlearn's
    ``agg="mean"``); NaN only when both are NaN."""
    defined = (~np.isnan(a)).astype(float) + (~np.isnan(b)).astype(float)
    total = np.nan_to_num(a) + np.nan_to_num(b)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(defined > 0, total / defined, np.nan)


def regression_aggregates(
    by_group: dict[str, Array], overall: dict[str, Array]
) -> dict[str, dict[str, Array]]:
    """fairlearn ``MetricFrame`` difference and ratio of per-group MAE and RMSE."""
    out: dict[str, dict[str, Array]] = {}
    for name in ("mean_absolute_error", "root_mean_squared_error"):
        out[f"{name}_difference"] = {
            m: fairlearn_difference(by_group[name], overall[name], m) for m in METHODS
        }
        out[f"{name}_ratio"] = {
            m: fairlearn_ratio(by_group[name], overall[name], m) for m in METHODS
        }
    return out


def aif360_signed(unprivileged: dict[str, Array], privileged: dict[str, Array]) -> dict[str, Array]:
    """AIF360's signed group-fairness metrics, unprivileged minus (or over) privileged.

    Definitions of AIF360 ``ClassificationMetric``: statistical parity difference
    ``SR_u - SR_p``; disparate impact ``SR_u / SR_p``; average odds difference
    ``((FPR_u - FPR_p) + (TPR_u - TPR_p)) / 2``; equal opportunity difference
    ``TPR_u - TPR_p``. Undefined rates stay NaN, as in AIF360.
    """
    su, sp = unprivileged["selection_rate"], privileged["selection_rate"]
    tu, tp = unprivileged["true_positive_rate"], privileged["true_positive_rate"]
    fu, fp = unprivileged["false_positive_rate"], privileged["false_positive_rate"]
    return {
        "statistical_parity_difference": su - sp,
        "disparate_impact": _div(su, sp),
        "average_odds_difference": ((fu - fp) + (tu - tp)) / 2,
        "equal_opportunity_difference": tu - tp,
    }


def aequitas_disparities(
    by_group: dict[str, Array], reference: int, tau: float
) -> tuple[dict[str, Array], dict[str, npt.NDArray[np.bool_]]]:
    """Aequitas disparities: each group's metric over the reference group's.

    A group passes a metric when ``tau <= disparity <= 1 / tau`` (Aequitas' fairness
    threshold; tau = 0.8 gives the band [0.8, 1.25]). An undefined disparity (NaN)
    neither passes nor fails; callers report it as undefined.
    """
    disparity = {
        m: _div(by_group[m], np.broadcast_to(by_group[m][..., reference, None], by_group[m].shape))
        for m in AEQUITAS_METRICS
    }
    lo, hi = tau, 1.0 / tau
    passed = {m: (d >= lo) & (d <= hi) for m, d in disparity.items()}
    return disparity, passed
