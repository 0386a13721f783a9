"""The errors of the re-identification measures: each names the column, value or
parameter at fault.

They are :class:`ValueError` for notebook users and :class:`bastion.errors.InvalidInput`
for the platform (through :class:`~bastion.assessment.errors.AssessmentInputError`), so
the API answers them as 422 problem+json without a mapping of its own.
"""

from bastion.assessment.errors import AssessmentInputError, UnknownColumnError

__all__ = ["AssessmentInputError", "HierarchyError", "UnknownColumnError"]


class HierarchyError(AssessmentInputError):
    """A generalization hierarchy cannot be used: a value it does not cover, a bin width
    that does not nest, or a specification of an unknown form."""
