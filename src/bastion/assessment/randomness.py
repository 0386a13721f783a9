"""Repeatable runs of libraries that draw from numpy's global random generator.

shap's permutation and kernel explainers and ART's attacks draw from ``np.random`` (shap
even calls ``np.random.seed`` itself). Seeding it makes a result repeatable; restoring it
afterwards leaves the caller's random stream as it was. Not safe while other threads draw
from ``np.random`` at the same time.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np

__all__ = ["seeded_global_rng"]


@contextlib.contextmanager
def seeded_global_rng(seed: int) -> Iterator[None]:
    """Seed numpy's global generator for the block and give the caller's state back."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)
