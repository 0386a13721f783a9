"""The errors PII discovery raises: bad arguments and unreadable inputs.

Both are :class:`~bastion.errors.InvalidInput` (422 on the platform, one line on the CLI)
and :class:`ValueError` (what a notebook user expects from a bad argument). Unreadable
table files raise :class:`bastion.tabular.TableError`, which is both as well.
"""

from __future__ import annotations

from bastion.errors import InvalidInput

__all__ = ["PiiInputError", "UnknownEntityError"]


class PiiInputError(InvalidInput, ValueError):
    """An argument or input PII discovery cannot work with; ``field`` names it."""


class UnknownEntityError(PiiInputError):
    """An entity name that is not one of :data:`bastion.pii.ENTITIES`."""
