"""The error drift detection raises for input it cannot work with.

It is an :class:`~bastion.errors.InvalidInput` (422 on the platform, one line on the CLI)
and a :class:`ValueError` (what a notebook user expects from a bad argument); ``field``
names the argument, column or file at fault.
"""

from __future__ import annotations

from bastion.errors import InvalidInput

__all__ = ["DriftInputError"]


class DriftInputError(InvalidInput, ValueError):
    """An argument, column or file drift detection cannot work with."""
