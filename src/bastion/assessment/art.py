"""Importing the Adversarial Robustness Toolbox, which robustness and privacy attacks share.

ART's package ``__init__`` warns "PyTorch not found" whenever torch is absent. Bastion uses
none of ART's PyTorch parts, and the test suite turns warnings into errors, so every import
from ``art`` goes through :func:`art_imports`. ART is slow to import (seconds): import it
inside the function that runs an attack, not at module level.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["art_imports"]


@contextmanager
def art_imports() -> Iterator[None]:
    """A block in which ``from art… import …`` does not warn about PyTorch."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="PyTorch not found", category=UserWarning)
        yield
