"""The entry points: from labels, predictions and sensitive features to a
:class:`~bastion.fairness.result.FairnessResult`.

``assess_fairness`` validates the input (:mod:`.inputs`), counts once
(:mod:`.counts`), reads every figure from the counts (:mod:`.metrics`) and, on request,
bootstraps confidence intervals by resampling the counts. ``evaluate_counts`` does the
reading alone, for counts merged from partitions of a large prediction log.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from bastion.assessment import inputs
from bastion.assessment.digests import data_digest, input_digests
from bastion.assessment.errors import (
    AssessmentInputError,
    SingleClassError,
    UnknownColumnError,
)
from bastion.assessment.groups import Factorized, factorize_groups
from bastion.assessment.verdict import Check, Verdict, judge, worst
from bastion.fairness.counts import GroupCounts, cell_codes
from bastion.fairness.metrics import (
    AEQUITAS_METRICS,
    CLASSIFICATION_METRICS,
    REGRESSION_METRICS,
    aequitas_disparities,
    aif360_signed,
    classification_aggregates,
    classification_rates,
    regression_aggregates,
    regression_rates,
)
from bastion.fairness.result import (
    Disparities,
    FairnessResult,
    FairnessThresholds,
    GroupResult,
    PrivilegedComparison,
)

__all__ = [
    "DEFAULT_MIN_GROUP_SIZE",
    "assess_fairness",
    "evaluate_counts",
    "group_counts",
    "predictions_from_scores",
]

Array = npt.NDArray[np.float64]

# 30 rows: the usual rule of thumb for trusting the normal approximation of a proportion.
DEFAULT_MIN_GROUP_SIZE = 30
# Names under which ``to_dict()`` writes a group's figures; a sensitive feature of the
# same name would be overwritten there, so it is refused up front.
RESERVED_NAMES = frozenset(
    {"count", "weight", "small", "intervals", *CLASSIFICATION_METRICS, *REGRESSION_METRICS}
)
Task = Literal["classification", "regression"]
UndefinedRates = Literal["zero", "skip"]
Agg = Literal["worst_case", "mean"]


def predictions_from_scores(y_score: Any, threshold: float = 0.5) -> npt.NDArray[np.int64]:
    """Hard 0/1 predictions from scores: 1 where ``score >= threshold``.

    Raises
    ------
    NonFiniteValuesError
        If a score is NaN, infinite or missing.
    """
    scores = inputs.column(y_score, "y_score")
    if scores.dtype.kind not in "biuf":
        raise AssessmentInputError(f"y_score must be numeric, got dtype {scores.dtype}")
    inputs.finite(scores.astype(np.float64, copy=False), "y_score")
    return (scores >= threshold).astype(np.int64)


class _Rows:
    """The validated row-level columns, kept for bootstrap resampling."""

    def __init__(
        self,
        groups: Factorized,
        weights: npt.NDArray[np.float64] | None,
        labels: inputs.BinaryLabels | None = None,
        error: Array | None = None,
    ) -> None:
        self.groups = groups
        self.weights = weights
        self.labels = labels
        self.error = error

    def digest(self) -> str:
        """The content digest of the values assessed: groups, labels or errors, weights."""
        labels = self.labels
        return data_digest(
            [repr(self.groups.features), repr(self.groups.keys), repr(labels and labels.pos_label)],
            self.groups.codes,
            labels.y_true if labels else self.error,
            labels.y_pred if labels else None,
            self.weights,
        )


def _prepare(
    y_true: Any,
    y_pred: Any,
    sensitive_features: Any,
    data: Any,
    sample_weight: Any,
    pos_label: Any,
    task: Task,
    allow_single_class: bool,
) -> tuple[GroupCounts, _Rows]:
    if task not in ("classification", "regression"):
        raise AssessmentInputError(f"task must be 'classification' or 'regression', not {task!r}")
    yt = inputs.column(inputs.resolve(y_true, data, "y_true"), "y_true")
    yp = inputs.column(inputs.resolve(y_pred, data, "y_pred"), "y_pred")
    n = inputs.check_lengths(yt, yp)
    w = inputs.weights(inputs.resolve(sample_weight, data, "sample_weight"), n)
    names, columns = inputs.sensitive_columns(sensitive_features, data, n, reserved=RESERVED_NAMES)
    if task == "regression":
        t, p = inputs.continuous(yt, "y_true"), inputs.continuous(yp, "y_pred")
        groups = factorize_groups(names, columns, at_least=2)
        return GroupCounts.regression(groups, t, p, w), _Rows(groups, w, error=p - t)
    labels = inputs.binary_labels(yt, yp, pos_label)
    positives = int(np.count_nonzero(labels.y_true))
    if positives in (0, n) and not allow_single_class:
        which = "positive" if positives == n else "negative"
        missing = "negatives" if positives == n else "positives"
        undefined = (
            "false_positive_rate, true_negative_rate"
            if positives == n
            else "true_positive_rate, false_negative_rate"
        )
        raise SingleClassError(
            f"y_true holds only the {which} class (pos_label={labels.pos_label!r}): with no "
            f"{missing}, {undefined} — and so equalized odds"
            + (" and equal opportunity" if positives == 0 else "")
            + " — are undefined in every group; pass allow_single_class=True to compute "
            "the rest and have those reported as undefined",
            field="y_true",
        )
    groups = factorize_groups(names, columns, at_least=2)
    counts = GroupCounts.classification(groups, labels.y_true, labels.y_pred, w, labels.pos_label)
    return counts, _Rows(groups, w, labels=labels)


def group_counts(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    data: Any = None,
    sample_weight: Any = None,
    pos_label: Any = None,
    task: Task = "classification",
    allow_single_class: bool = False,
) -> GroupCounts:
    """Validate the input and count it once per intersectional group.

    Takes the same data arguments as :func:`assess_fairness`; the counts of several
    partitions merge with :meth:`GroupCounts.merge` and are read with
    :func:`evaluate_counts`.
    """
    counts, _ = _prepare(
        y_true,
        y_pred,
        sensitive_features,
        data,
        sample_weight,
        pos_label,
        task,
        allow_single_class,
    )
    return counts


def _matching(
    spec: Any, counts: GroupCounts, role: str
) -> tuple[npt.NDArray[np.bool_], dict[str, Any]]:
    """Groups matching a group given as a mapping, a full tuple of values or one value."""
    features = counts.features
    if isinstance(spec, Mapping):
        wanted = dict(spec)
    elif isinstance(spec, tuple) and len(spec) == len(features):
        wanted = dict(zip(features, spec, strict=True))
    elif len(features) == 1:
        wanted = {features[0]: spec}
    else:
        raise AssessmentInputError(
            f"{role} must name a value per feature ({', '.join(features)}): give a mapping "
            "such as {feature: value} or a tuple of values"
        )
    unknown = [k for k in wanted if k not in features]
    if unknown:
        raise UnknownColumnError(
            f"{role} names unknown feature(s) {unknown}; the sensitive features are "
            f"{list(features)}",
            field=role,
        )
    positions = [features.index(k) for k in wanted]
    mask = np.array(
        [all(key[i] == wanted[features[i]] for i in positions) for key in counts.keys],
        dtype=bool,
    )
    if not mask.any():
        raise AssessmentInputError(
            f"{role} {wanted} matches no group; the groups are "
            f"{[dict(zip(features, k, strict=True)) for k in counts.keys[:20]]}",
            field=role,
        )
    return mask, wanted


def _values(counts: GroupCounts, g: int) -> dict[str, Any]:
    return dict(zip(counts.features, counts.keys[g], strict=True))


def _scalars(arrays: Mapping[str, Array]) -> dict[str, float]:
    return {k: float(v) for k, v in arrays.items()}


def _rates(task: str, table: Array) -> dict[str, Array]:
    return classification_rates(table) if task == "classification" else regression_rates(table)


def _table(counts: GroupCounts) -> Array:
    table = counts.confusion if counts.task == "classification" else counts.errors
    assert table is not None  # noqa: S101 - one of the two is set by construction
    return table


def _aggregates(
    task: str,
    table: Array,
    undefined_rates: UndefinedRates,
    agg: Agg,
) -> tuple[dict[str, Array], dict[str, Array], dict[str, dict[str, Array]]]:
    """Per-group rates, overall rates and aggregates of a table (or a stack of tables)."""
    by_group = _rates(task, table)
    group_axis = -3 if task == "classification" else -2
    overall = _rates(task, np.expand_dims(table.sum(axis=group_axis), group_axis))
    overall = {k: v[..., 0] for k, v in overall.items()}
    if task == "classification":
        present = table.sum(axis=(-2, -1)) > 0
        aggs = classification_aggregates(
            by_group, overall, present, undefined_rates=undefined_rates, agg=agg
        )
    else:
        aggs = regression_aggregates(by_group, overall)
    return by_group, overall, aggs


def _interval(samples: Array, confidence: float) -> tuple[Array, Array]:
    """Percentile bootstrap interval along axis 0, skipping NaN resamples."""
    finite = np.isfinite(samples)
    filled = np.where(finite.any(axis=0), 0.0, np.nan)
    data = np.where(finite, samples, np.nan)
    # Columns with no finite resample are filled so that nanquantile does not warn;
    # their interval is put back to NaN afterwards.
    data = np.where(finite.any(axis=0), data, filled)
    alpha = (1 - confidence) / 2
    lo, hi = np.nanquantile(data, [alpha, 1 - alpha], axis=0)
    none = ~finite.any(axis=0)
    return np.where(none, np.nan, lo), np.where(none, np.nan, hi)


def _bootstrap_tables(counts: GroupCounts, rows: _Rows, resamples: int, seed: int) -> Array:
    """``resamples`` tables of counts, each from rows drawn with replacement."""
    rng = np.random.default_rng(seed)
    g = len(counts.keys)
    n = len(rows.groups.codes)
    if counts.task == "classification" and rows.weights is None:
        # Unweighted rows drawn with replacement fall into cells as a multinomial over
        # the cell counts: the same distribution as resampling rows, without the rows.
        confusion = _table(counts).reshape(-1)
        draws = rng.multinomial(n, confusion / confusion.sum(), size=resamples)
        return draws.reshape(resamples, g, 2, 2).astype(np.float64)
    cells = None
    if rows.labels is not None:
        cells = cell_codes(rows.groups.codes, rows.labels.y_true, rows.labels.y_pred)
    out = []
    for _ in range(resamples):
        idx = rng.integers(0, n, size=n)
        w = None if rows.weights is None else rows.weights[idx]
        if counts.task == "classification":
            assert cells is not None  # noqa: S101
            out.append(np.bincount(cells[idx], weights=w, minlength=4 * g).reshape(g, 2, 2))
        else:
            assert rows.error is not None  # noqa: S101
            codes, err = rows.groups.codes[idx], rows.error[idx]
            ww = np.ones(n) if w is None else w
            out.append(
                np.stack(
                    [
                        np.bincount(codes, weights=ww * v, minlength=g)
                        for v in (np.ones(n), err, np.abs(err), err * err)
                    ],
                    axis=1,
                )
            )
    return np.stack(out).astype(np.float64)


def evaluate_counts(
    counts: GroupCounts,
    *,
    privileged_group: Any = None,
    reference_group: Any = None,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    tau: float = 0.8,
    thresholds: FairnessThresholds | None = None,
    undefined_rates: UndefinedRates = "zero",
    agg: Agg = "worst_case",
    bootstrap_tables: Array | None = None,
    confidence: float = 0.95,
    settings: Mapping[str, Any] | None = None,
    inputs: Mapping[str, str] | None = None,
) -> FairnessResult:
    """Every fairness figure from per-group counts (see :func:`assess_fairness`).

    ``inputs`` are the digests of the data the counts came from, by role, for the
    evidence record (counts merged from partitions have no rows to hash here).
    """
    if not 0 < tau <= 1:
        raise AssessmentInputError(f"tau must be in (0, 1], got {tau}", field="tau")
    if undefined_rates not in ("zero", "skip"):
        raise AssessmentInputError(
            f"undefined_rates must be 'zero' or 'skip', not {undefined_rates!r}"
        )
    if agg not in ("worst_case", "mean"):
        raise AssessmentInputError(f"agg must be 'worst_case' or 'mean', not {agg!r}")
    if not 0 < confidence < 1:
        raise AssessmentInputError(f"confidence must be in (0, 1), got {confidence}")
    thresholds = thresholds or FairnessThresholds()
    task = counts.task
    table = _table(counts)
    by_group, overall, aggs = _aggregates(task, table, undefined_rates, agg)
    names = CLASSIFICATION_METRICS if task == "classification" else REGRESSION_METRICS

    group_intervals: list[dict[str, tuple[float, float]]] = [{} for _ in counts.keys]
    aggregate_intervals: dict[str, dict[str, tuple[float, float]]] = {}
    if bootstrap_tables is not None:
        b_group, _, b_aggs = _aggregates(task, bootstrap_tables, undefined_rates, agg)
        for name in names:
            lo, hi = _interval(b_group[name], confidence)
            for g in range(len(counts.keys)):
                group_intervals[g][name] = (float(lo[g]), float(hi[g]))
        for name, methods in b_aggs.items():
            aggregate_intervals[name] = {}
            for method, samples in methods.items():
                lo, hi = _interval(samples[:, None], confidence)
                aggregate_intervals[name][method] = (float(lo[0]), float(hi[0]))

    weights = table.sum(axis=(-2, -1)) if task == "classification" else table[:, 0]
    groups = tuple(
        GroupResult(
            values=_values(counts, g),
            count=int(counts.sizes[g]),
            weight=float(weights[g]) if counts.weighted else None,
            small=bool(counts.sizes[g] < min_group_size),
            metrics={name: float(by_group[name][g]) for name in names},
            intervals=group_intervals[g],
        )
        for g in range(len(counts.keys))
    )
    largest = int(np.argmax(counts.sizes))
    notes: list[str] = []
    undefined = tuple(n for n in names if bool(np.isnan(by_group[n]).all()))
    if undefined:
        notes.append(f"undefined in every group: {', '.join(undefined)}")
    small = [g.values for g in groups if g.small]
    if small:
        notes.append(
            f"{len(small)} group(s) under {min_group_size} rows, flagged small: "
            + "; ".join(str(v) for v in small[:10])
            + (" …" if len(small) > 10 else "")
        )

    privileged = disparities = None
    checks: list[Check] = []
    verdict: Verdict = "info"
    if task == "classification":
        for rate in ("true_positive_rate", "false_positive_rate"):
            if undefined_rates == "zero" and rate not in undefined:
                holes = [g.values for g in groups if np.isnan(g.metrics[rate])]
                if holes:
                    notes.append(
                        f"{rate} is undefined (0/0) in {len(holes)} group(s); the aggregates "
                        "count it as 0 there, as fairlearn does (undefined_rates='skip' "
                        "leaves those groups out)"
                    )
        privileged = _privileged(counts, by_group, privileged_group, largest)
        disparities = _disparities(counts, by_group, reference_group, largest, tau)
        checks = _checks(aggs, thresholds)
        verdict = worst("pass", *(c.outcome for c in checks))
        if small and thresholds.warn_on_small_groups:
            verdict = worst(verdict, "warn")

    return FairnessResult(
        task=task,  # type: ignore[arg-type]
        sensitive_features=counts.features,
        pos_label=counts.pos_label,
        weighted=counts.weighted,
        min_group_size=min_group_size,
        groups=groups,
        overall=_scalars(overall),
        aggregates={k: _scalars(v) for k, v in aggs.items()},
        aggregate_intervals=aggregate_intervals,
        privileged=privileged,
        disparities=disparities,
        checks=tuple(checks),
        verdict=verdict,
        notes=tuple(notes),
        undefined_metrics=undefined,
        settings={
            "undefined_rates": undefined_rates,
            "agg": agg,
            "tau": tau,
            "confidence": confidence if bootstrap_tables is not None else None,
            **(settings or {}),
        },
        inputs=dict(inputs or {}),
        counts=counts,
    )


def _privileged(
    counts: GroupCounts, by_group: dict[str, Array], spec: Any, largest: int
) -> PrivilegedComparison:
    if spec is None:
        mask = np.zeros(len(counts.keys), dtype=bool)
        mask[largest] = True
        wanted, chosen_by = _values(counts, largest), "largest group"
    else:
        mask, wanted = _matching(spec, counts, "privileged_group")
        chosen_by = "caller"
    if mask.all():
        raise AssessmentInputError(
            f"privileged_group {wanted} covers every group: nothing is left to compare",
            field="privileged_group",
        )
    confusion = _table(counts)
    priv = classification_rates(confusion[mask].sum(axis=0)[None])
    unpriv = classification_rates(confusion[~mask].sum(axis=0)[None])
    pooled = {k: float(v[0]) for k, v in aif360_signed(unpriv, priv).items()}
    per_group = aif360_signed(
        by_group, {k: np.broadcast_to(v, by_group[k].shape) for k, v in priv.items()}
    )
    rows = tuple(
        {**_values(counts, g), **{k: float(v[g]) for k, v in per_group.items()}}
        for g in map(int, np.flatnonzero(~mask))
    )
    di = pooled["disparate_impact"]
    overall = classification_rates(confusion.sum(axis=0)[None])
    return PrivilegedComparison(
        privileged_group=wanted,
        chosen_by=chosen_by,  # type: ignore[arg-type]
        pooled=pooled,
        by_group=rows,
        four_fifths_rule=None if np.isnan(di) else bool(di >= 0.8),
        theil_index=float(overall["theil_index"][0]),
    )


def _disparities(
    counts: GroupCounts, by_group: dict[str, Array], spec: Any, largest: int, tau: float
) -> Disparities:
    if spec is None:
        ref, chosen_by = largest, "largest group"
    else:
        mask, wanted = _matching(spec, counts, "reference_group")
        if mask.sum() != 1:
            raise AssessmentInputError(
                f"reference_group {wanted} matches {int(mask.sum())} groups; give a value for "
                f"every feature ({', '.join(counts.features)})",
                field="reference_group",
            )
        ref, chosen_by = int(np.flatnonzero(mask)[0]), "caller"
    disparity, passed = aequitas_disparities(by_group, ref, tau)
    rows = tuple(
        {
            **_values(counts, g),
            "disparity": {m: float(disparity[m][g]) for m in AEQUITAS_METRICS},
            "passed": {
                m: None if np.isnan(disparity[m][g]) else bool(passed[m][g])
                for m in AEQUITAS_METRICS
            },
        }
        for g in range(len(counts.keys))
        if g != ref
    )
    return Disparities(
        reference_group=_values(counts, ref),
        chosen_by=chosen_by,  # type: ignore[arg-type]
        tau=tau,
        band=(tau, 1 / tau),
        by_group=rows,
    )


def _checks(aggs: dict[str, dict[str, Array]], t: FairnessThresholds) -> list[Check]:
    def check(metric: str, warn: float, fail: float, higher_is_better: bool) -> Check:
        return judge(
            metric,
            float(aggs[metric][t.method]),
            warn_at=warn,
            fail_at=fail,
            higher_is_better=higher_is_better,
            method=t.method,
        )

    return [
        check(
            "demographic_parity_ratio",
            t.demographic_parity_ratio_warn,
            t.demographic_parity_ratio_fail,
            True,
        ),
        check(
            "equalized_odds_difference",
            t.equalized_odds_difference_warn,
            t.equalized_odds_difference_fail,
            False,
        ),
    ]


def assess_fairness(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    data: Any = None,
    sample_weight: Any = None,
    pos_label: Any = None,
    task: Task = "classification",
    privileged_group: Any = None,
    reference_group: Any = None,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    tau: float = 0.8,
    thresholds: FairnessThresholds | None = None,
    undefined_rates: UndefinedRates = "zero",
    agg: Agg = "worst_case",
    bootstrap: int = 0,
    confidence: float = 0.95,
    seed: int = 0,
    allow_single_class: bool = False,
    inputs: Mapping[str, str] | None = None,
) -> FairnessResult:
    """Assess the fairness of predictions across groups of one or more sensitive features.

    Parameters
    ----------
    y_true, y_pred : array-like or str
        Labels and predictions (numpy, pandas, polars, pyarrow or lists), or column names
        in ``data``. Classification labels may be numbers, booleans or strings.
    sensitive_features : array-like, data frame, mapping, or str / list of str
        One or more sensitive columns; with ``data``, their names. Groups are every
        combination of values present; a missing value (None/NaN) is its own group.
    data : data frame, optional
        A pandas, polars or pyarrow table to look column names up in.
    sample_weight : array-like or str, optional
        Non-negative weights, applied to every rate and aggregate.
    pos_label : object, optional
        The positive label. Inferred as fairlearn does when the labels are {0, 1} or
        {-1, 1}; required otherwise (e.g. ``">50K"``).
    task : {"classification", "regression"}
        Binary classification metrics, or per-group error metrics for a continuous target.
    privileged_group : mapping, tuple or value, optional
        The privileged group of the AIF360 comparison, e.g. ``{"sex": "Male"}`` (which may
        cover several intersectional groups). Default: the largest group.
    reference_group : mapping, tuple or value, optional
        The reference group of the Aequitas disparities; it must be one group.
        Default: the largest group (Aequitas' "majority" reference).
    min_group_size : int, default 30
        Groups with fewer rows are flagged ``small`` (kept, never dropped).
    tau : float, default 0.8
        Aequitas fairness threshold: a disparity passes within ``[tau, 1 / tau]``.
    thresholds : FairnessThresholds, optional
        When the verdict is pass / warn / fail; see its documented defaults.
    undefined_rates : {"zero", "skip"}, default "zero"
        How a rate undefined in a group (e.g. TPR of a group with no positives) enters
        fairlearn's aggregates: as 0, exactly as fairlearn reports it, or left out.
        Per-group figures always show it as NaN.
    agg : {"worst_case", "mean"}, default "worst_case"
        fairlearn's ``agg`` for equalized odds.
    bootstrap : int, default 0
        Number of bootstrap resamples for percentile confidence intervals (0: none).
    confidence : float, default 0.95
        Confidence level of the intervals.
    seed : int, default 0
        Seed of the bootstrap's random generator (the same seed gives the same intervals).
    allow_single_class : bool, default False
        Compute anyway when ``y_true`` holds one class; the metrics that need the missing
        class are then reported as undefined.
    inputs : mapping of str to str, optional
        SHA-256 digests of what the assessment ran on, by role, when the caller knows
        them (the file the data came from: ``{"data": file_digest(path)}``). Without a
        ``data`` digest, the content digest of the values assessed is recorded.

    Returns
    -------
    FairnessResult

    Raises
    ------
    AssessmentInputError
        (a ``ValueError``) or one of its subclasses, naming the problem:
        ``NonBinaryLabelsError``, ``LengthMismatchError``, ``SingleClassError``,
        ``SingleGroupError``, ``NonFiniteValuesError``, ``UnknownColumnError``.
    """
    if min_group_size < 0:
        raise AssessmentInputError("min_group_size must be >= 0", field="min_group_size")
    if bootstrap < 0:
        raise AssessmentInputError("bootstrap must be >= 0", field="bootstrap")
    counts, rows = _prepare(
        y_true,
        y_pred,
        sensitive_features,
        data,
        sample_weight,
        pos_label,
        task,
        allow_single_class,
    )
    tables = _bootstrap_tables(counts, rows, bootstrap, seed) if bootstrap else None
    return evaluate_counts(
        counts,
        privileged_group=privileged_group,
        reference_group=reference_group,
        min_group_size=min_group_size,
        tau=tau,
        thresholds=thresholds,
        undefined_rates=undefined_rates,
        agg=agg,
        bootstrap_tables=tables,
        confidence=confidence,
        settings={"bootstrap": bootstrap, "seed": seed if bootstrap else None},
        inputs=input_digests(inputs, data=rows.digest),
    )
