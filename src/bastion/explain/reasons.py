"""Reason codes: for each decision, the features that pushed it the way it went.

A lender who turns an applicant down owes them the principal reasons (in the US, the
Equal Credit Opportunity Act and Regulation B's adverse-action notice). SHAP values give
a principled ranking: the features whose contributions moved this applicant's score
furthest toward the adverse outcome, compared with the reference (background)
population. Protected attributes can be left out of the list — a notice must not cite
them — but leaving a feature out of the list does not take it out of the model: when an
excluded feature would have ranked among the top ``k``, the codes say so in
``excluded_in_top_k``, for a compliance reviewer to see.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from bastion.assessment.errors import AssessmentInputError
from bastion.assessment.verdict import plain
from bastion.explain.model_view import (
    at_least_one,
    known_features,
    label,
    probe,
    same_columns,
    table,
    view,
)
from bastion.explain.shapley import Method, attribute

__all__ = ["Direction", "Reason", "ReasonCodes", "reason_codes"]

Direction = Literal["toward_negative", "toward_positive"]
DIRECTIONS: tuple[str, ...] = ("toward_negative", "toward_positive")


@dataclass(frozen=True)
class Reason:
    """One feature behind a decision: its value in the row and its contribution."""

    feature: str
    value: Any
    contribution: float

    def to_dict(self) -> dict[str, Any]:
        """The reason as plain JSON (a missing value as ``None``)."""
        value = self.value
        if isinstance(value, float) and math.isnan(value):
            value = None
        out = {"feature": self.feature, "value": value, "contribution": self.contribution}
        return plain(out)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ReasonCodes:
    """The reasons for one row's decision, strongest first.

    Attributes
    ----------
    row : object
        The row's index label.
    output : float
        The model's output for the row (probability of the positive class, or log-odds;
        see ``output_kind``).
    base_value : float
        The reference output the contributions are measured from.
    direction : {"toward_negative", "toward_positive"}
        Which way the listed features pushed: toward the negative class (lower output)
        or the positive class.
    reasons : tuple of Reason
        Up to ``k`` features that pushed that way, strongest first; fewer when fewer
        features pushed that way at all. Excluded features are never listed.
    excluded_in_top_k : tuple of str
        Excluded features that would have been listed among the top ``k``: the model
        relied on them for this decision although the notice does not name them.
    explainer, output_kind : str
        Which SHAP explainer ran, and the units of ``output`` and the contributions.
    """

    row: Any
    output: float
    base_value: float
    direction: Direction
    reasons: tuple[Reason, ...]
    excluded_in_top_k: tuple[str, ...]
    explainer: str
    output_kind: str

    @property
    def flagged(self) -> bool:
        """Whether an excluded feature would have been among the top ``k`` reasons."""
        return bool(self.excluded_in_top_k)

    @property
    def features(self) -> tuple[str, ...]:
        """The listed features, strongest first."""
        return tuple(r.feature for r in self.reasons)

    def to_dict(self) -> dict[str, Any]:
        """The reason codes as plain JSON."""
        out = {
            "row": self.row,
            "output": self.output,
            "output_kind": self.output_kind,
            "base_value": self.base_value,
            "direction": self.direction,
            "reasons": [r.to_dict() for r in self.reasons],
            "excluded_in_top_k": list(self.excluded_in_top_k),
            "flagged": self.flagged,
            "explainer": self.explainer,
        }
        return plain(out)  # type: ignore[no-any-return]


def reason_codes(
    model: Any,
    rows: Any,
    *,
    background: Any,
    k: int = 4,
    exclude: str | Sequence[str] = (),
    direction: Direction = "toward_negative",
    method: Method = "auto",
    max_evals: int | None = None,
    seed: int = 0,
) -> list[ReasonCodes]:
    """The top ``k`` features behind each row's decision, for an adverse-action notice.

    Parameters
    ----------
    model : estimator or LoadedModel
        A binary classifier with ``predict_proba``.
    rows : table
        The decisions to explain, one row each.
    background : table
        Reference rows (say, a sample of past applicants) with the same columns: the
        contributions say how each row differs from them. For forests, path-dependent
        TreeSHAP measures against the training data held in the trees instead.
    k : int
        At most this many reasons per row.
    exclude : str or sequence of str
        Features never listed (protected attributes). They are still used by the model;
        if one would have been among the top ``k``, ``excluded_in_top_k`` names it.
    direction : {"toward_negative", "toward_positive"}
        ``toward_negative`` (the default) lists features that lowered the probability of
        the positive class — the adverse outcome when the positive class is approval or
        good credit; ``toward_positive`` when the positive class is the adverse one
        (default, fraud).
    method : {"auto", "tree", "permutation", "kernel"}
        The explainer, as in :func:`~bastion.explain.explain_model`.
    max_evals : int, optional
        Model evaluations per row for the model-agnostic explainers.
    seed : int
        Seeds the model-agnostic explainers.

    Returns
    -------
    list of ReasonCodes
        One per row, in the order of ``rows``.

    Raises
    ------
    AssessmentInputError
        ``k`` below 1, an unknown ``direction``, empty rows or background, or columns
        the model does not know.
    UnknownColumnError
        A name in ``exclude`` is not a column of ``rows``.
    """
    at_least_one(k, "k")
    if direction not in DIRECTIONS:
        raise AssessmentInputError(
            f"direction must be one of {', '.join(DIRECTIONS)}; got {direction!r}",
            field="direction",
        )
    if isinstance(background, int | np.integer):
        raise AssessmentInputError(
            "background must be a table of reference rows (a sample of the population the "
            "decisions are compared with), not a number",
            field="background",
        )
    mv, frame = view(model, rows, role="rows")
    excluded = set(known_features(exclude, mv.features, "exclude"))
    back = same_columns(table(background, "background"), mv.features, "background")
    probe(mv, back, "background")
    found = attribute(mv, frame, back, method=method, max_evals=max_evals, seed=seed)
    sign = -1.0 if direction == "toward_negative" else 1.0
    codes = []
    for i in range(found.rows_explained):
        pushed = sign * found.values[i]
        # Strongest push first; ties keep the order of the columns, for reproducibility.
        order = [j for j in np.argsort(-pushed, kind="stable") if pushed[j] > 0]
        top = [mv.features[j] for j in order[:k]]
        listed = [j for j in order if mv.features[j] not in excluded][:k]
        codes.append(
            ReasonCodes(
                row=label(frame.index[i]),
                output=float(found.outputs[i]),
                base_value=float(found.base_values[i]),
                direction=direction,
                reasons=tuple(
                    Reason(
                        mv.features[j],
                        _value(frame.iloc[i, j]),
                        float(found.values[i, j]),
                    )
                    for j in listed
                ),
                excluded_in_top_k=tuple(f for f in top if f in excluded),
                explainer=found.explainer,
                output_kind=found.output,
            )
        )
    return codes


def _value(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
