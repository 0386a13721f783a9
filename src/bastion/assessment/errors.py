"""The errors of the assessments: each names the problem with the input.

They are :class:`ValueError` for notebook users and :class:`bastion.errors.InvalidInput`
for the platform, so the API answers them as 422 problem+json without a mapping of its own.
"""

from bastion.errors import InvalidInput

__all__ = [
    "AssessmentInputError",
    "LengthMismatchError",
    "NonBinaryLabelsError",
    "NonFiniteValuesError",
    "SingleClassError",
    "SingleGroupError",
    "UnknownColumnError",
    "UnsafeModelError",
    "UnusableModelError",
]


class AssessmentInputError(InvalidInput, ValueError):
    """The data or model given to an assessment cannot be assessed as it is."""


class LengthMismatchError(AssessmentInputError):
    """Labels, predictions, weights or sensitive features differ in length."""


class NonBinaryLabelsError(AssessmentInputError):
    """A binary metric was given more than two label values, or no positive label."""


class NonFiniteValuesError(AssessmentInputError):
    """Labels, predictions, scores or weights hold NaN, infinity or missing values."""


class SingleClassError(AssessmentInputError):
    """``y_true`` holds one class only, so some rates are undefined in every group."""


class SingleGroupError(AssessmentInputError):
    """A sensitive feature has one group only: there is nothing to compare."""


class UnknownColumnError(AssessmentInputError):
    """A column name is not in the data frame it was looked up in."""


class UnusableModelError(AssessmentInputError):
    """A model cannot be loaded, or lacks what the assessment calls (``predict``, …)."""


class UnsafeModelError(UnusableModelError):
    """A model file would import or call something unsafe when loaded; it was not loaded."""
