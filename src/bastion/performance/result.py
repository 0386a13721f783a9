"""The typed result of a performance assessment, and the thresholds behind its verdict.

A :class:`PerformanceResult` is what a notebook shows (``_repr_html_``), what ``to_frame``
hands to pandas (one row per group), and what ``to_dict`` turns into the JSON stored as
the ``result`` of an ``assessment.performance`` evidence record. Its verdict comes from
:class:`PerformanceThresholds`, whose defaults and the reasons for them are documented
there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import pandas as pd

from bastion.assessment.display import html_report
from bastion.assessment.verdict import Check, Verdict, plain, summarize

__all__ = [
    "SCHEMA_VERSION",
    "GapMetric",
    "GroupPerformance",
    "PerformanceResult",
    "PerformanceThresholds",
]

SCHEMA_VERSION = 1

GapMetric = Literal["accuracy", "balanced_accuracy", "precision", "recall", "f1", "roc_auc"]


@dataclass(frozen=True)
class PerformanceThresholds:
    """When a performance result passes, warns or fails, and why these defaults.

    Each figure is judged with :func:`bastion.assessment.verdict.judge` (the thresholds
    themselves pass, except where said). A check whose figure is unavailable — ROC AUC
    without scores, the group gap without two groups of ``min_group_size`` rows — is
    skipped, and a note says so.

    * **ROC AUC** warns below 0.75 and fails below 0.65. 0.5 is chance; by the usual
      reading of discrimination (Hosmer, Lemeshow and Sturdivant, *Applied Logistic
      Regression*, 3rd ed., 2013, ch. 5) 0.7 to 0.8 is "acceptable" and 0.8 to 0.9
      "excellent".
      0.65 leaves a model that barely separates the classes failing; a warning under
      0.75 asks for a look before a model in the lower "acceptable" band is relied on.
    * **Accuracy over the majority-class baseline** (``accuracy - max(base_rate,
      1 - base_rate)``) fails unless it is above 0, *including at 0*: a model no more
      accurate than always predicting the commoner class has shown no skill, whatever
      its headline accuracy (95 % on a 95/5 split is what a constant achieves). It warns
      within 0.02 of the baseline, a margin a resampled test set can erase. Skipped when
      ``y_true`` holds one class (the baseline is then perfect).
    * **Expected calibration error** warns above 0.05 and fails above 0.10: scores are
      read as probabilities (risk scores, expected losses), and an average miss of 10
      percentage points makes them unfit to be read that way. Recalibrating (Platt or
      isotonic) is cheap, so 5 points already warns. ECE is biased upward on small
      samples (few rows per bin), so a small test set can warn on a calibrated model.
    * **Largest per-group gap** in ``gap_metric`` between groups of at least
      ``min_group_size`` rows warns above 0.05 and fails above 0.10 (5 and 10
      percentage points, the tolerances most used for group gaps in the fairness
      literature). The default metric is **balanced accuracy**, not accuracy: accuracy
      follows a group's base rate (on UCI Adult, a good model's accuracy is 0.93 for
      women and 0.81 for men only because fewer women are labelled ">50K"; its
      balanced accuracy differs by 0.013), so an accuracy gap flags prevalence rather
      than the model. ``gap_metric="accuracy"`` judges the plain accuracy gap. Smaller
      groups are left out of the gap (their rates are too noisy to rank) and named in a
      note; groups where the metric is undefined are left out too.
    * **R²** (regression) warns below 0.5 and fails below 0.2: under 0.2 the model
      explains less than a fifth of the target's variance — little better than
      predicting the mean — and under 0.5 less than half. What is good enough depends
      on the target, so raise these for a well-understood one.

    Attributes
    ----------
    roc_auc_warn, roc_auc_fail : float
        Warn / fail when ROC AUC is below these.
    accuracy_lift_warn, accuracy_lift_fail : float
        Warn when accuracy minus the majority-class baseline is below ``warn``; fail
        when it is at or below ``fail``.
    calibration_error_warn, calibration_error_fail : float
        Warn / fail when the expected calibration error is above these.
    group_gap_warn, group_gap_fail : float
        Warn / fail when the largest gap of ``gap_metric`` between groups is above these.
    gap_metric : {"balanced_accuracy", "accuracy", "precision", "recall", "f1", "roc_auc"}
        The per-group figure whose gap is judged.
    r2_warn, r2_fail : float
        Warn / fail when R² is below these (regression).
    """

    roc_auc_warn: float = 0.75
    roc_auc_fail: float = 0.65
    accuracy_lift_warn: float = 0.02
    accuracy_lift_fail: float = 0.0
    calibration_error_warn: float = 0.05
    calibration_error_fail: float = 0.10
    group_gap_warn: float = 0.05
    group_gap_fail: float = 0.10
    gap_metric: GapMetric = "balanced_accuracy"
    r2_warn: float = 0.5
    r2_fail: float = 0.2


@dataclass(frozen=True)
class GroupPerformance:
    """One intersectional group: its values, size and every metric on its rows.

    ``values`` maps each sensitive feature to the group's value (``None`` for a missing
    value); ``small`` is true when ``count`` is under the minimum group size (the group
    is kept, but left out of the gap check); a metric undefined in the group is ``None``.
    """

    values: dict[str, Any]
    count: int
    weight: float | None
    small: bool
    metrics: dict[str, float | None]
    confusion_matrix: dict[str, float] | None

    def to_dict(self) -> dict[str, Any]:
        """The group's values under the feature names, then its figures by plain name."""
        out: dict[str, Any] = {**self.values, "count": self.count}
        if self.weight is not None:
            out["weight"] = self.weight
        out["small"] = self.small
        out.update(self.metrics)
        if self.confusion_matrix is not None:
            out["confusion_matrix"] = self.confusion_matrix
        return plain(out)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class PerformanceResult:
    """Everything a performance assessment found.

    Attributes
    ----------
    task : {"classification", "regression"}
    pos_label : object
        The positive label (classification), else ``None``.
    count : int
        Rows assessed.
    weighted : bool
        Whether sample weights were applied.
    sensitive_features : tuple of str
        The features the groups are made of (empty without ``sensitive_features``).
    overall : dict
        Each metric over all rows, by plain name; ``None`` where unavailable (score-based
        metrics without scores) or undefined.
    confusion_matrix : dict or None
        ``{"tn", "fp", "fn", "tp"}`` over all rows (sums of weights when weighted);
        ``None`` for regression.
    groups : tuple of GroupPerformance
        Every intersectional group present, in sorted order of its values.
    checks : tuple of Check
        The threshold checks behind the verdict.
    verdict : {"pass", "warn", "fail", "info"}
        The worst outcome of the checks; ``info`` when no check could be made.
    notes : tuple of str
        Sentences a reader should see: absent or undefined metrics, skipped checks,
        small groups, conventions.
    settings : dict
        The options the result was computed with, thresholds included.
    inputs : dict
        SHA-256 digests of what it ran on, by role (``data``), for the evidence record.
    """

    evidence_kind: ClassVar[str] = "assessment.performance"
    """The kind of evidence this result is recorded as (``Client.log_assessment``)."""

    task: Literal["classification", "regression"]
    pos_label: Any
    count: int
    weighted: bool
    sensitive_features: tuple[str, ...]
    overall: dict[str, float | None]
    confusion_matrix: dict[str, float] | None
    groups: tuple[GroupPerformance, ...]
    checks: tuple[Check, ...]
    verdict: Verdict
    notes: tuple[str, ...]
    settings: dict[str, Any]
    inputs: dict[str, str]

    @property
    def small_groups(self) -> tuple[dict[str, Any], ...]:
        """The values of each group under the minimum size."""
        return tuple(g.values for g in self.groups if g.small)

    @property
    def by_group(self) -> pd.DataFrame:
        """Per-group figures as a data frame (the same as :meth:`to_frame`)."""
        return self.to_frame()

    @property
    def summary(self) -> str:
        """One sentence for the evidence record's ``summary``."""
        title = f"{self.task} performance on {self.count} rows"
        if self.groups:
            title += f" across {len(self.groups)} groups of {' x '.join(self.sensitive_features)}"
        return summarize(title, self.verdict, self.checks)

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-able data (NaN and undefined figures as ``None``)."""
        return plain(  # type: ignore[no-any-return]
            {
                "schema_version": SCHEMA_VERSION,
                "task": self.task,
                "pos_label": self.pos_label,
                "count": self.count,
                "weighted": self.weighted,
                "sensitive_features": list(self.sensitive_features),
                "settings": self.settings,
                "overall": self.overall,
                "confusion_matrix": self.confusion_matrix,
                "groups": [g.to_dict() for g in self.groups],
                "checks": [c.to_dict() for c in self.checks],
                "verdict": self.verdict,
                "summary": self.summary,
                "notes": list(self.notes),
                "inputs": self.inputs,
            }
        )

    def to_frame(self) -> pd.DataFrame:
        """Per-group figures, one row per group indexed by the sensitive feature values.

        Columns: ``count`` (and ``weight`` when weighted), ``small``, every metric (NaN
        where undefined) and, for classification, the confusion cells ``tn fp fn tp``.
        Without sensitive features the frame has no rows.
        """
        rows = []
        for g in self.groups:
            row: dict[str, Any] = {"count": g.count}
            if g.weight is not None:
                row["weight"] = g.weight
            row["small"] = g.small
            row.update({k: float("nan") if v is None else v for k, v in g.metrics.items()})
            row.update(g.confusion_matrix or {})
            rows.append(row)
        if not self.groups:
            return pd.DataFrame(rows, columns=["count", "small", *self.overall])
        index: pd.Index[Any] = pd.MultiIndex.from_tuples(
            [tuple(g.values.values()) for g in self.groups], names=list(self.sensitive_features)
        )
        if len(self.sensitive_features) == 1:
            index = index.get_level_values(0)
        return pd.DataFrame(rows, index=index)

    def _repr_html_(self) -> str:
        overall = pd.DataFrame(
            {"overall": {k: float("nan") if v is None else v for k, v in self.overall.items()}}
        )
        checks = pd.DataFrame(
            [
                {
                    "check": c.metric,
                    "value": c.value,
                    "warn at": c.warn_at,
                    "fail at": c.fail_at,
                    "outcome": c.outcome,
                }
                for c in self.checks
            ]
        )
        sections: list[tuple[str, pd.DataFrame | str]] = []
        if self.checks:
            sections.append(("Checks", _html(checks, index=False)))
        sections.append(("Overall", overall))
        if self.confusion_matrix is not None:
            cm = self.confusion_matrix
            matrix = pd.DataFrame(
                [[cm["tn"], cm["fp"]], [cm["fn"], cm["tp"]]],
                index=pd.Index(["negative", "positive"], name="actual"),
                columns=pd.Index(["negative", "positive"], name="predicted"),
            )
            sections.append(("Confusion matrix", matrix))
        if self.groups:
            sections.append(("By group", self.to_frame()))
        return html_report("Performance", self.verdict, self.summary, self.notes, sections)


def _html(frame: pd.DataFrame, *, index: bool = True) -> str:
    """A frame as an HTML table: four decimals, an undefined figure as a dash."""
    return frame.to_html(index=index, float_format=lambda v: f"{v:.4f}", na_rep="—")
