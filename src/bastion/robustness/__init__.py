"""Robustness of a classifier's decisions to small changes of its numeric inputs: pure
computation for notebooks, CI and the platform's ``assessment.robustness`` evidence.

Decision-based evasion attacks (ART's HopSkipJump and Boundary Attack) measure how far a
correctly classified row's numeric features must move to change the label; Gaussian noise
measures how often small random changes do. Sizes are in standard deviations of each
feature; categorical columns never move. See ``docs/robustness.md`` for a walk-through.

>>> from bastion.robustness import assess_robustness
>>> result = assess_robustness(model, X_test, y_test, max_samples=20, time_budget=120)
>>> result.verdict, result.to_frame()
"""

from bastion.assessment.errors import (
    AssessmentInputError,
    LengthMismatchError,
    NonFiniteValuesError,
    UnknownColumnError,
    UnusableModelError,
)
from bastion.assessment.verdict import Check
from bastion.robustness.assess import assess_robustness
from bastion.robustness.attacks import ATTACKS
from bastion.robustness.errors import ModelPredictError
from bastion.robustness.result import (
    AdversarialExample,
    AttackResult,
    RobustnessResult,
    RobustnessThresholds,
    StabilityResult,
)

__all__ = [
    "ATTACKS",
    "AdversarialExample",
    "AssessmentInputError",
    "AttackResult",
    "Check",
    "LengthMismatchError",
    "ModelPredictError",
    "NonFiniteValuesError",
    "RobustnessResult",
    "RobustnessThresholds",
    "StabilityResult",
    "UnknownColumnError",
    "UnusableModelError",
    "assess_robustness",
]
