"""Fairness of model predictions across groups: pure computation for notebooks, CI and
the platform's ``assessment.fairness`` evidence.

One pass counts each intersectional group's confusion matrix; every per-group rate,
fairlearn's aggregates, AIF360's signed metrics and Aequitas' disparities are read from
those counts. See ``docs/fairness.md`` for a walk-through.

>>> from bastion.fairness import assess_fairness
>>> result = assess_fairness(y_true, y_pred, sensitive_features=df[["sex", "race"]])
>>> result.verdict, result.to_frame()
"""

from bastion.assessment.errors import (
    AssessmentInputError,
    LengthMismatchError,
    NonBinaryLabelsError,
    NonFiniteValuesError,
    SingleClassError,
    SingleGroupError,
    UnknownColumnError,
)
from bastion.assessment.verdict import Check
from bastion.fairness.assess import (
    DEFAULT_MIN_GROUP_SIZE,
    assess_fairness,
    evaluate_counts,
    group_counts,
    predictions_from_scores,
)
from bastion.fairness.counts import GroupCounts
from bastion.fairness.mitigation import (
    BeforeAfter,
    MitigatedModel,
    MitigationResult,
    mitigate,
    reweighing_weights,
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
    "AssessmentInputError",
    "BeforeAfter",
    "Check",
    "Disparities",
    "FairnessResult",
    "FairnessThresholds",
    "GroupCounts",
    "GroupResult",
    "LengthMismatchError",
    "MitigatedModel",
    "MitigationResult",
    "NonBinaryLabelsError",
    "NonFiniteValuesError",
    "PrivilegedComparison",
    "SingleClassError",
    "SingleGroupError",
    "UnknownColumnError",
    "assess_fairness",
    "evaluate_counts",
    "group_counts",
    "mitigate",
    "predictions_from_scores",
    "reweighing_weights",
]
