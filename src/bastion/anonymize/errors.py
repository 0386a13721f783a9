"""The errors of anonymization: each names what is wrong — the place in the spec, the
column and row of the table, the key — and never repeats a value from the data or a key.

They are :class:`ValueError` for notebook users and :class:`bastion.errors.InvalidInput`
for the platform, so the API answers them as 422 problem+json without a mapping of its own.
"""

from bastion.errors import InvalidInput

__all__ = ["AnonymizationError", "KeyMaterialError", "SpecError", "TokenizeError"]


class AnonymizationError(InvalidInput, ValueError):
    """The table, the spec or the keys cannot be used to anonymize as asked."""


class SpecError(AnonymizationError):
    """The spec is not valid; ``field`` is the first path in the spec found wrong."""


class KeyMaterialError(AnonymizationError):
    """Key material that is missing, unreadable or too short (its value is never shown)."""


class TokenizeError(AnonymizationError):
    """A value that FF3-1 cannot encrypt with its format kept (too short or too long)."""
