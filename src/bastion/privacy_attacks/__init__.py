"""Privacy attacks on trained models: membership inference, for notebooks, CI and the
platform's ``assessment.privacy_attack`` evidence.

A model that remembers its training rows lets an attacker tell whether a person's record
was among them — under the GDPR, a disclosure of personal data. The assessment runs the
Adversarial Robustness Toolbox's black-box membership-inference attacks on a balanced
sample of training and held-out rows and reports how well they do where it matters (the
true positive rate at a low false positive rate), a leakage risk level and a verdict.
See ``docs/privacy_attacks.md`` for a walk-through.

>>> from bastion.privacy_attacks import assess_membership_inference
>>> result = assess_membership_inference(model, X_train, y_train, X_test, y_test)
>>> result.risk_level, result.verdict, result.to_frame()

Without the model, from its predictions:

>>> from bastion.privacy_attacks import assess_membership_from_predictions
>>> result = assess_membership_from_predictions(y_true, proba, member)
"""

from bastion.assessment.errors import (
    AssessmentInputError,
    LengthMismatchError,
    NonFiniteValuesError,
    UnusableModelError,
)
from bastion.assessment.verdict import Check
from bastion.privacy_attacks.membership import (
    DEFAULT_MAX_SAMPLES,
    assess_membership_from_predictions,
    assess_membership_inference,
)
from bastion.privacy_attacks.metrics import LOW_FPR_TARGETS, attack_figures, tpr_at_fpr
from bastion.privacy_attacks.result import (
    ATTACK_MODELS,
    ATTACKS,
    AttackResult,
    MembershipResult,
    PrivacyThresholds,
)
from bastion.privacy_attacks.validation import MIN_ROWS

__all__ = [
    "ATTACKS",
    "ATTACK_MODELS",
    "DEFAULT_MAX_SAMPLES",
    "LOW_FPR_TARGETS",
    "MIN_ROWS",
    "AssessmentInputError",
    "AttackResult",
    "Check",
    "LengthMismatchError",
    "MembershipResult",
    "NonFiniteValuesError",
    "PrivacyThresholds",
    "UnusableModelError",
    "assess_membership_from_predictions",
    "assess_membership_inference",
    "attack_figures",
    "tpr_at_fpr",
]
