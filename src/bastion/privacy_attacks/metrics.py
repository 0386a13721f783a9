"""The figures of one membership-inference attack, from its scores and decisions.

"Member" is the positive class throughout. The AUC and the ROC curve are scikit-learn's
(``roc_auc_score``, ``roc_curve``), so that anyone can recompute them from an
:class:`~bastion.privacy_attacks.result.AttackResult`'s ``member`` and ``scores``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from sklearn.metrics import roc_auc_score, roc_curve  # type: ignore[import-untyped]

__all__ = ["LOW_FPR_TARGETS", "attack_figures", "tpr_at_fpr"]

# The false positive rates at which Carlini et al. (2022, "Membership Inference Attacks
# From First Principles") read the true positive rate; their headline figure is 0.1 %.
LOW_FPR_TARGETS: dict[str, float] = {
    "tpr_at_0_1pct_fpr": 0.001,
    "tpr_at_1pct_fpr": 0.01,
    "tpr_at_10pct_fpr": 0.1,
}


def tpr_at_fpr(
    member: npt.NDArray[np.bool_], scores: npt.NDArray[np.float64], target: float
) -> float:
    """The highest true positive rate on the ROC curve whose false positive rate is at
    most ``target`` (the curve always starts at (0, 0), so this is defined).

    ``drop_intermediate=False`` keeps every threshold: no corner of the curve is lost.
    """
    fpr, tpr, _ = roc_curve(member, scores, drop_intermediate=False)
    return float(tpr[fpr <= target].max())


def attack_figures(
    member: npt.NDArray[np.bool_],
    scores: npt.NDArray[np.float64],
    decisions: npt.NDArray[np.bool_],
) -> dict[str, float]:
    """Accuracy, precision, recall, AUC, TPR at low FPRs and membership advantage.

    Parameters
    ----------
    member : numpy.ndarray of bool
        True membership of each evaluated row; both values must be present.
    scores : numpy.ndarray of float
        The attack's membership score (higher means "more likely a member").
    decisions : numpy.ndarray of bool
        The attack's yes/no call for each row.

    Returns
    -------
    dict
        ``accuracy``, ``precision`` (NaN if no row is called a member), ``recall``,
        ``auc``, the ``tpr_at_*_fpr`` figures, ``tpr``, ``fpr`` and ``advantage`` =
        ``tpr - fpr`` (Yeom et al. 2018).
    """
    positives = int(member.sum())
    negatives = len(member) - positives
    tp = int(np.count_nonzero(decisions & member))
    fp = int(np.count_nonzero(decisions & ~member))
    tpr = tp / positives
    fpr = fp / negatives
    figures: dict[str, float] = {
        "accuracy": float(np.mean(decisions == member)),
        "precision": tp / (tp + fp) if tp + fp else float("nan"),
        "recall": tpr,
        "auc": float(roc_auc_score(member, scores)),
    }
    for name, target in LOW_FPR_TARGETS.items():
        figures[name] = tpr_at_fpr(member, scores, target)
    figures.update(tpr=tpr, fpr=fpr, advantage=tpr - fpr)
    return figures
