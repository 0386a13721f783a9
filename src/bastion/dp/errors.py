"""The errors of the differential-privacy queries: each names the field at fault.

They are :class:`ValueError` for notebook users and :class:`bastion.errors.InvalidInput`
for the platform, so the API answers them as 422 problem+json without a mapping of its own.
Their messages never quote a value of the data: a caller allowed only differentially
private answers must not learn a record from an error.
"""

from bastion.errors import InvalidInput

__all__ = [
    "BoundsError",
    "ColumnError",
    "DpInputError",
    "NonNumericColumnError",
    "PrivacyLossError",
]


class DpInputError(InvalidInput, ValueError):
    """A differentially private query that cannot run as it was asked."""


class BoundsError(DpInputError):
    """Bounds, categories or candidates missing, inverted, not finite, or not wanted."""


class PrivacyLossError(DpInputError):
    """Epsilon or delta out of range, or a delta the mechanism cannot use."""


class ColumnError(DpInputError):
    """The column is not in the table."""


class NonNumericColumnError(ColumnError):
    """A sum, mean or quantile asked of a column that does not hold numbers."""
