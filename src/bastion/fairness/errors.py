"""The errors of :mod:`bastion.fairness`: each names the problem with the input.

They are :class:`ValueError` for notebook users and :class:`bastion.errors.InvalidInput`
for the platform, so the API answers them as 422 problem+json without a mapping of its own.
"""

from bastion.errors import InvalidInput

__all__ = [
    "FairnessInputError",
    "LengthMismatchError",
    "NonBinaryLabelsError",
    "NonFiniteValuesError",
    "SingleClassError",
    "SingleGroupError",
    "UnknownColumnError",
]


class FairnessInputError(InvalidInput, ValueError):
    """The data given to a fairness computation cannot be assessed as it is."""


class LengthMismatchError(FairnessInputError):
    """Labels, predictions, weights or sensitive features differ in length."""


class NonBinaryLabelsError(FairnessInputError):
    """A binary metric was given more than two label values, or no positive label."""


class NonFiniteValuesError(FairnessInputError):
    """Labels, predictions, scores or weights hold NaN, infinity or missing values."""


class SingleClassError(FairnessInputError):
    """``y_true`` holds one class only, so some rates are undefined in every group."""


class SingleGroupError(FairnessInputError):
    """A sensitive feature has one group only: there is nothing to compare."""


class UnknownColumnError(FairnessInputError):
    """A column name is not in the data frame it was looked up in."""
