"""The typed result of a fairness assessment, and the ways to read it.

A :class:`FairnessResult` is what a notebook shows (``_repr_html_``), what ``to_frame``
hands to pandas, and what ``to_dict`` turns into the JSON stored as the ``result`` of an
``assessment.fairness`` evidence record (DESIGN.md, "The evidence record"). Its verdict
comes from :class:`FairnessThresholds`, whose defaults are documented there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import pandas as pd

from bastion.assessment.display import html_report
from bastion.assessment.verdict import Check, Verdict, plain
from bastion.fairness.counts import GroupCounts

__all__ = [
    "SCHEMA_VERSION",
    "Disparities",
    "FairnessResult",
    "FairnessThresholds",
    "GroupResult",
    "PrivilegedComparison",
]

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class FairnessThresholds:
    """When a classification result passes, warns or fails.

    The defaults: the demographic parity ratio fails below 0.8 — the four-fifths rule of
    the US Uniform Guidelines on Employee Selection Procedures (29 C.F.R. § 1607.4(D)) —
    and warns below 0.9; the equalized odds difference fails above 0.2 and warns above
    0.1 (no legal standard exists for it; 0.1 is the tolerance most used in the
    literature). Any group under the minimum size makes the verdict at least ``warn``,
    since its rates are too noisy to trust either way.

    Attributes
    ----------
    demographic_parity_ratio_warn, demographic_parity_ratio_fail : float
        Warn / fail when the ratio is below these.
    equalized_odds_difference_warn, equalized_odds_difference_fail : float
        Warn / fail when the difference is above these.
    method : {"between_groups", "to_overall"}
        Which of fairlearn's methods the checks read.
    warn_on_small_groups : bool
        Whether groups under ``min_group_size`` make the verdict at least ``warn``.
    """

    demographic_parity_ratio_warn: float = 0.9
    demographic_parity_ratio_fail: float = 0.8
    equalized_odds_difference_warn: float = 0.1
    equalized_odds_difference_fail: float = 0.2
    method: Literal["between_groups", "to_overall"] = "between_groups"
    warn_on_small_groups: bool = True


@dataclass(frozen=True)
class GroupResult:
    """One intersectional group: its values, size and every per-group metric.

    ``values`` maps each sensitive feature to the group's value (``None`` for a missing
    value); ``small`` is true when ``count`` is under the minimum group size; ``intervals``
    holds bootstrap confidence intervals ``(low, high)`` when they were asked for.
    """

    values: dict[str, Any]
    count: int
    weight: float | None
    small: bool
    metrics: dict[str, float]
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The group's values under the feature names, then its figures by plain name."""
        out: dict[str, Any] = {**self.values, "count": self.count}
        if self.weight is not None:
            out["weight"] = self.weight
        out["small"] = self.small
        out.update(self.metrics)
        if self.intervals:
            out["intervals"] = self.intervals
        return plain(out)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class PrivilegedComparison:
    """AIF360's signed metrics of the other groups against a privileged group.

    ``pooled`` compares all non-privileged rows together with the privileged rows (as
    AIF360 does when the unprivileged group is the complement of the privileged one);
    ``by_group`` compares each non-privileged group on its own. ``four_fifths_rule`` is
    true when the pooled disparate impact is at least 0.8 (29 C.F.R. § 1607.4(D)),
    ``None`` when it is undefined. ``theil_index`` is AIF360's over all rows.
    """

    privileged_group: dict[str, Any]
    chosen_by: Literal["caller", "largest group"]
    pooled: dict[str, float]
    by_group: tuple[dict[str, Any], ...]
    four_fifths_rule: bool | None
    theil_index: float

    def to_dict(self) -> dict[str, Any]:
        """The comparison as plain JSON."""
        return plain(self.__dict__)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Disparities:
    """Aequitas disparities against a reference group, with the fairness band.

    For each group and Aequitas metric: ``disparity = metric(group) / metric(reference)``
    and ``passed = tau <= disparity <= 1 / tau`` (``None`` where undefined).
    """

    reference_group: dict[str, Any]
    chosen_by: Literal["caller", "largest group"]
    tau: float
    band: tuple[float, float]
    by_group: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        """The disparities as plain JSON."""
        return plain(self.__dict__)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class FairnessResult:
    """Everything a fairness assessment found; see the attributes for each part.

    Attributes
    ----------
    task : {"classification", "regression"}
    sensitive_features : tuple of str
    pos_label : object
        The positive label (classification), else ``None``.
    weighted : bool
        Whether sample weights were applied.
    min_group_size : int
        Groups with fewer rows are flagged ``small`` (and kept).
    groups : tuple of GroupResult
        Every intersectional group present, in sorted order of its values.
    overall : dict
        Each metric over all rows.
    aggregates : dict
        fairlearn's aggregates, ``{name: {"between_groups": v, "to_overall": v}}``.
    aggregate_intervals : dict
        Bootstrap intervals of the aggregates, same layout with ``(low, high)`` values.
    privileged : PrivilegedComparison or None
        AIF360's signed metrics (classification only).
    disparities : Disparities or None
        Aequitas disparities (classification only).
    checks : tuple of Check
        The threshold checks behind the verdict.
    verdict : {"pass", "warn", "fail", "info"}
    notes : tuple of str
        Sentences a reader should see: small groups, undefined metrics, conventions.
    undefined_metrics : tuple of str
        Per-group metrics undefined (NaN) in every group.
    settings : dict
        The options the result was computed with.
    inputs : dict
        SHA-256 digests of what it ran on, by role (``data``), for the evidence record.
    counts : GroupCounts
        The per-group counts everything was computed from (not serialized).
    """

    evidence_kind: ClassVar[str] = "assessment.fairness"
    """The kind of evidence this result is recorded as (``Client.log_assessment``)."""

    task: Literal["classification", "regression"]
    sensitive_features: tuple[str, ...]
    pos_label: Any
    weighted: bool
    min_group_size: int
    groups: tuple[GroupResult, ...]
    overall: dict[str, float]
    aggregates: dict[str, dict[str, float]]
    aggregate_intervals: dict[str, dict[str, tuple[float, float]]]
    privileged: PrivilegedComparison | None
    disparities: Disparities | None
    checks: tuple[Check, ...]
    verdict: Verdict
    notes: tuple[str, ...]
    undefined_metrics: tuple[str, ...]
    settings: dict[str, Any]
    inputs: dict[str, str]
    counts: GroupCounts = field(repr=False, compare=False)

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
        features = " x ".join(self.sensitive_features)
        where = f"across {len(self.groups)} groups of {features}"
        if not self.checks:
            return f"{self.verdict}: {self.task} fairness {where}"
        failing = [c for c in self.checks if c.outcome == self.verdict] or list(self.checks)
        parts = ", ".join(f"{c.metric.replace('_', ' ')} {c.value:.3g}" for c in failing)
        return f"{self.verdict}: {parts} {where}"

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-able data (NaN written as ``None``).

        Per group, its value under each feature name and every figure under a plain name
        (``false_positive_rate``, …); then the overall figures, the aggregates, the
        AIF360 and Aequitas comparisons, the checks and the verdict.
        """
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "task": self.task,
            "sensitive_features": list(self.sensitive_features),
            "pos_label": self.pos_label,
            "weighted": self.weighted,
            "min_group_size": self.min_group_size,
            "settings": self.settings,
            "groups": [g.to_dict() for g in self.groups],
            "overall": self.overall,
            "aggregates": self.aggregates,
        }
        if self.aggregate_intervals:
            out["aggregate_intervals"] = self.aggregate_intervals
        out["privileged"] = self.privileged.to_dict() if self.privileged else None
        out["disparities"] = self.disparities.to_dict() if self.disparities else None
        out["checks"] = [c.to_dict() for c in self.checks]
        out["verdict"] = self.verdict
        out["summary"] = self.summary
        out["notes"] = list(self.notes)
        out["undefined_metrics"] = list(self.undefined_metrics)
        out["inputs"] = self.inputs
        return plain(out)  # type: ignore[no-any-return]

    def to_frame(self) -> pd.DataFrame:
        """Per-group figures, one row per group indexed by the sensitive feature values."""
        rows = []
        for g in self.groups:
            row: dict[str, Any] = {"count": g.count}
            if g.weight is not None:
                row["weight"] = g.weight
            row["small"] = g.small
            row.update(g.metrics)
            rows.append(row)
        index: pd.Index[Any] = pd.MultiIndex.from_tuples(
            [tuple(g.values.values()) for g in self.groups], names=list(self.sensitive_features)
        )
        if len(self.sensitive_features) == 1:
            index = index.get_level_values(0)
        return pd.DataFrame(rows, index=index)

    def aggregates_frame(self) -> pd.DataFrame:
        """The aggregates as a data frame: one row per aggregate, one column per method."""
        return pd.DataFrame(self.aggregates).T

    def _repr_html_(self) -> str:
        sections = [("Aggregates", self.aggregates_frame()), ("By group", self.to_frame())]
        return html_report("Fairness", self.verdict, self.summary, self.notes, sections)
