"""Model performance — accuracy, discrimination, calibration, error — overall and per
group: pure computation for notebooks, CI and the platform's ``assessment.performance``
evidence.

It works from predictions alone (a table of labels, predicted labels and scores); every
metric is scikit-learn's, computed over all rows and within each intersectional group of
the sensitive features. See ``docs/performance.md`` for a walk-through.

>>> from bastion.performance import assess_performance
>>> result = assess_performance("label", y_score="score", data=frame, sensitive_features="sex")
>>> result.verdict, result.overall["roc_auc"], result.to_frame()
"""

from bastion.assessment.errors import (
    AssessmentInputError,
    LengthMismatchError,
    NonBinaryLabelsError,
    NonFiniteValuesError,
    SingleClassError,
    UnknownColumnError,
)
from bastion.assessment.verdict import Check
from bastion.performance.assess import DEFAULT_MIN_GROUP_SIZE, assess_performance
from bastion.performance.metrics import (
    CLASSIFICATION_METRICS,
    REGRESSION_METRICS,
    SCORE_METRICS,
    expected_calibration_error,
)
from bastion.performance.result import (
    GroupPerformance,
    PerformanceResult,
    PerformanceThresholds,
)

__all__ = [
    "CLASSIFICATION_METRICS",
    "DEFAULT_MIN_GROUP_SIZE",
    "REGRESSION_METRICS",
    "SCORE_METRICS",
    "AssessmentInputError",
    "Check",
    "GroupPerformance",
    "LengthMismatchError",
    "NonBinaryLabelsError",
    "NonFiniteValuesError",
    "PerformanceResult",
    "PerformanceThresholds",
    "SingleClassError",
    "UnknownColumnError",
    "assess_performance",
    "expected_calibration_error",
]
