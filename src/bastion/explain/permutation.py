"""Permutation importance of the original features, as scikit-learn computes it.

Shuffling one column of ``X`` and measuring how much the model's score drops (Breiman
2001; Fisher, Rudin & Dominici 2019) needs the true labels, so it runs only when ``y`` is
given. It complements SHAP: SHAP says how much the model's output moves with a feature,
permutation importance how much its accuracy depends on it. The figures are exactly
``sklearn.inspection.permutation_importance``'s, with ``random_state=seed``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from bastion.assessment.errors import AssessmentInputError
from bastion.explain.model_view import ModelView
from bastion.explain.result import PermutationImportance

__all__ = ["permutation_scores"]


def permutation_scores(
    view: ModelView,
    frame: pd.DataFrame,
    y: npt.NDArray[Any],
    *,
    n_repeats: int,
    scoring: Any,
    seed: int,
) -> tuple[PermutationImportance, ...]:
    """Mean and standard deviation of the score drop per feature, in feature order.

    Raises
    ------
    AssessmentInputError
        If scikit-learn refuses ``scoring`` or the labels (its message is kept).
    """
    from sklearn.inspection import permutation_importance  # type: ignore[import-untyped]

    try:
        found = permutation_importance(
            view.model,
            view.for_model(frame),
            y,
            scoring=scoring,
            n_repeats=n_repeats,
            random_state=seed,
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise AssessmentInputError(
            f"permutation importance could not be computed: {exc}", field="scoring"
        ) from exc
    means = np.asarray(found["importances_mean"], dtype=np.float64)
    stds = np.asarray(found["importances_std"], dtype=np.float64)
    return tuple(
        PermutationImportance(f, float(m), float(s))
        for f, m, s in zip(view.features, means, stds, strict=True)
    )
