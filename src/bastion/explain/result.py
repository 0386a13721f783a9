"""The typed result of an explainability assessment, and the ways to read it.

An :class:`ExplanationResult` is what a notebook shows (``_repr_html_``), what
``to_frame`` hands to pandas (the global importance table), and what ``to_dict`` turns
into the JSON stored as the ``result`` of an ``assessment.explainability`` evidence
record. Its verdict comes from :class:`ExplainThresholds`, whose defaults are documented
there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from bastion.assessment.display import html_report
from bastion.assessment.verdict import Check, Verdict, plain, summarize

__all__ = [
    "SCHEMA_VERSION",
    "ExplainThresholds",
    "ExplanationResult",
    "FeatureImportance",
    "PermutationImportance",
    "RowExplanation",
]

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class ExplainThresholds:
    """When an explanation passes, warns or fails.

    The defaults are heuristics, not legal standards. A protected attribute among the
    ``top_k`` most important features warns when its share of the total mean |SHAP| is
    above 0.05 and fails above 0.15: with ten or so features an even split gives each
    about 0.1, so 0.05 is "used noticeably" and 0.15 "among the model's main drivers".
    A model that leans on a protected attribute risks disparate treatment; the check
    cannot see proxies (a postcode standing in for race), so a pass does not clear a
    model — run the fairness assessment too.

    The additivity tolerance (1e-6, in the units explained) is far above round-off (about
    1e-15 for exact explainers, 1e-8 for boosted trees, whose thresholds are float32) and
    far below any difference a reader would notice:
    beyond it the contributions do not add up to the model's output, and the explanation
    does not describe the model it claims to.

    Attributes
    ----------
    protected_share_warn, protected_share_fail : float
        Warn / fail when a protected feature in the top-k has a larger importance share.
    additivity_tolerance : float
        Warn when ``max |base + sum(contributions) - output|`` is larger.
    """

    protected_share_warn: float = 0.05
    protected_share_fail: float = 0.15
    additivity_tolerance: float = 1e-6

    def to_dict(self) -> dict[str, Any]:
        """The thresholds as plain JSON."""
        return plain(self.__dict__)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class FeatureImportance:
    """One feature's global importance: mean |SHAP| over the explained rows.

    ``share`` is its part of the sum over all features (0 when every value is 0);
    ``rank`` counts from 1 for the most important.
    """

    feature: str
    mean_abs_shap: float
    share: float
    rank: int

    def to_dict(self) -> dict[str, Any]:
        """The importance as plain JSON."""
        return plain(self.__dict__)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class PermutationImportance:
    """How much the score drops when one feature's values are shuffled (Breiman 2001),
    as ``sklearn.inspection.permutation_importance`` computes it: mean and standard
    deviation over the repeats."""

    feature: str
    mean: float
    std: float

    def to_dict(self) -> dict[str, Any]:
        """The importance as plain JSON."""
        return plain(self.__dict__)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class RowExplanation:
    """One explained row: its index label, the model's output, the base value and each
    feature's contribution (``base_value + sum(contributions) == output``).

    The row's feature values are not kept: an evidence record should not hold personal
    data it does not need.
    """

    index: Any
    output: float
    base_value: float
    contributions: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """The row as plain JSON."""
        return plain(self.__dict__)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ExplanationResult:
    """Everything an explainability assessment found.

    Attributes
    ----------
    explainer : {"tree", "permutation", "kernel"}
        Which SHAP explainer ran (see ``docs/explain.md`` for when each is chosen).
    output : {"probability", "log_odds"}
        The units of every contribution and base value: the probability of the positive
        class, or its log-odds when boosted trees could not be explained exactly in
        probability.
    positive_class : object
        The class whose probability is explained (``classes_[1]``).
    feature_perturbation : {"tree_path_dependent", "interventional"}
        What a hidden feature is replaced by: the training data's distribution along
        each tree's paths, or the background rows' values.
    features : tuple of str
        The original features (the columns of ``X``).
    importance : tuple of FeatureImportance
        Global importance, most important first.
    permutation_importance : tuple of PermutationImportance or None
        In feature order; ``None`` when no ``y`` was given (or the budget ran out first).
    base_value : float
        The mean base value (the model's average output over the reference data).
    rows : tuple of RowExplanation
        The explained rows.
    rows_requested, rows_explained : int
        Rows chosen to explain, and rows explained before the time budget ran out.
    stopped_early : bool
        Whether the time budget stopped the work.
    background_rows : int
        Background rows used (0 for TreeSHAP, which does not use them).
    max_evals : int or None
        Model evaluations per row (model-agnostic explainers).
    model_rows_evaluated : int or None
        Rows the model predicted while explaining: the budget spent.
    elapsed_seconds : float
    additivity_error : float
        ``max |base + sum(contributions) - model output|`` over the explained rows.
    protected : tuple of str
        The features checked as protected attributes.
    top_k : int
        How many of the most important features the protected check looks at.
    checks : tuple of Check
    verdict : {"pass", "warn", "fail", "info"}
    notes : tuple of str
    settings : dict
        The options the result was computed with.
    inputs : dict
        SHA-256 digests of what it ran on, by role (``data``, ``model``).
    values : numpy.ndarray
        The contributions, rows by features (not serialized; see ``rows``).
    """

    evidence_kind: ClassVar[str] = "assessment.explainability"
    """The kind of evidence this result is recorded as (``Client.log_assessment``)."""

    explainer: Literal["tree", "permutation", "kernel"]
    output: Literal["probability", "log_odds"]
    positive_class: Any
    feature_perturbation: Literal["tree_path_dependent", "interventional"]
    features: tuple[str, ...]
    importance: tuple[FeatureImportance, ...]
    permutation_importance: tuple[PermutationImportance, ...] | None
    base_value: float
    rows: tuple[RowExplanation, ...]
    rows_requested: int
    rows_explained: int
    stopped_early: bool
    background_rows: int
    max_evals: int | None
    model_rows_evaluated: int | None
    elapsed_seconds: float
    additivity_error: float
    protected: tuple[str, ...]
    top_k: int
    checks: tuple[Check, ...]
    verdict: Verdict
    notes: tuple[str, ...]
    settings: dict[str, Any]
    inputs: dict[str, str]
    values: npt.NDArray[np.float64] = field(repr=False, compare=False)

    @property
    def top_features(self) -> tuple[str, ...]:
        """The ``top_k`` most important features, most important first."""
        return tuple(i.feature for i in self.importance[: self.top_k])

    @property
    def summary(self) -> str:
        """One sentence for the evidence record's ``summary``."""
        top = ", ".join(i.feature for i in self.importance[:3])
        title = (
            f"{self.explainer} SHAP over {self.rows_explained} rows of "
            f"{len(self.features)} features; most important: {top}"
        )
        return summarize(title, self.verdict, self.checks)

    def contributions(self) -> pd.DataFrame:
        """The contributions as a frame: one row per explained row, one column per feature."""
        return pd.DataFrame(
            self.values,
            index=pd.Index([r.index for r in self.rows]),
            columns=list(self.features),
        )

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-able data (NaN written as ``None``)."""
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "explainer": self.explainer,
            "output": self.output,
            "positive_class": self.positive_class,
            "feature_perturbation": self.feature_perturbation,
            "features": list(self.features),
            "settings": self.settings,
            "importance": [i.to_dict() for i in self.importance],
            "permutation_importance": (
                None
                if self.permutation_importance is None
                else [p.to_dict() for p in self.permutation_importance]
            ),
            "base_value": self.base_value,
            "rows": [r.to_dict() for r in self.rows],
            "rows_requested": self.rows_requested,
            "rows_explained": self.rows_explained,
            "stopped_early": self.stopped_early,
            "background_rows": self.background_rows,
            "max_evals": self.max_evals,
            "model_rows_evaluated": self.model_rows_evaluated,
            "elapsed_seconds": self.elapsed_seconds,
            "additivity_error": self.additivity_error,
            "protected": list(self.protected),
            "top_k": self.top_k,
            "checks": [c.to_dict() for c in self.checks],
            "verdict": self.verdict,
            "summary": self.summary,
            "notes": list(self.notes),
            "inputs": self.inputs,
        }
        return plain(out)  # type: ignore[no-any-return]

    def to_frame(self) -> pd.DataFrame:
        """Global importance, one row per feature (most important first), with the
        permutation importance beside it when it was computed."""
        frame = pd.DataFrame(
            [
                {"mean_abs_shap": i.mean_abs_shap, "share": i.share, "rank": i.rank}
                for i in self.importance
            ],
            index=pd.Index([i.feature for i in self.importance], name="feature"),
        )
        if self.permutation_importance is not None:
            by_feature = {p.feature: p for p in self.permutation_importance}
            frame["permutation_mean"] = [by_feature[f].mean for f in frame.index]
            frame["permutation_std"] = [by_feature[f].std for f in frame.index]
        frame["protected"] = [f in self.protected for f in frame.index]
        return frame

    def _repr_html_(self) -> str:
        detail = (
            f"Contributions to the {self.output.replace('_', '-')} of class "
            f"{self.positive_class!r}; {self.rows_explained} of {self.rows_requested} rows "
            f"explained in {self.elapsed_seconds:.1f} s."
        )
        return html_report(
            "Explainability", self.verdict, self.summary, self.notes,
            [("Global importance", self.to_frame())], detail=detail,
        )  # fmt: skip
