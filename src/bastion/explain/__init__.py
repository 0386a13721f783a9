"""Explainability of a classifier's decisions: pure computation for notebooks, CI and the
platform's ``assessment.explainability`` evidence.

SHAP values (TreeSHAP for tree models, a model-agnostic explainer otherwise) are computed
per *original* feature, even behind a preprocessing pipeline; global importance, per-row
explanations, permutation importance and a check for protected attributes among the
most important features are read from them. :func:`reason_codes` lists the features
behind each decision, for adverse-action notices. See ``docs/explain.md``.

>>> from bastion.explain import explain_model, reason_codes
>>> result = explain_model(pipeline, X_test, y=y_test, protected=["age"])
>>> result.verdict, result.to_frame()
>>> reason_codes(pipeline, declined, background=X_train.sample(100), exclude=["age"])
"""

from bastion.assessment.errors import (
    AssessmentInputError,
    LengthMismatchError,
    NonFiniteValuesError,
    UnknownColumnError,
    UnusableModelError,
)
from bastion.assessment.verdict import Check
from bastion.explain.assess import explain_model
from bastion.explain.reasons import Direction, Reason, ReasonCodes, reason_codes
from bastion.explain.result import (
    ExplainThresholds,
    ExplanationResult,
    FeatureImportance,
    PermutationImportance,
    RowExplanation,
)
from bastion.explain.shapley import Method

__all__ = [
    "AssessmentInputError",
    "Check",
    "Direction",
    "ExplainThresholds",
    "ExplanationResult",
    "FeatureImportance",
    "LengthMismatchError",
    "Method",
    "NonFiniteValuesError",
    "PermutationImportance",
    "Reason",
    "ReasonCodes",
    "RowExplanation",
    "UnknownColumnError",
    "UnusableModelError",
    "explain_model",
    "reason_codes",
]
