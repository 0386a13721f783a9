"""Prediction stability under small random noise: the cheap half of the assessment.

Each row's numeric features get Gaussian noise of ``noise`` standard deviations (of each
feature on ``X``), clipped to the observed range, ``repeats`` times; the flip rate is the
share of noisy copies whose prediction differs from the row's own. Unlike the attacks,
this needs no correct label and covers many rows: it asks how often an honest
re-measurement would change the decision, not how far an adversary must go.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from bastion.robustness.prepare import Predictor, Scale, rows_of
from bastion.robustness.result import StabilityResult

__all__ = ["noise_stability"]


def noise_stability(
    predictor: Predictor,
    frame: pd.DataFrame,
    features: list[Any],
    scale: Scale,
    *,
    noise: float,
    repeats: int,
    max_rows: int,
    rng: np.random.Generator,
) -> StabilityResult:
    """The prediction flip rate of ``frame``'s rows under Gaussian noise.

    Parameters
    ----------
    predictor : Predictor
    frame : pandas.DataFrame
        All rows of ``X``.
    features : list
        The columns given noise, in the order of ``scale``.
    scale : Scale
    noise : float
        The noise's standard deviation in units of each feature's standard deviation.
    repeats : int
        Noisy copies of each row.
    max_rows : int
        At most this many rows, a seeded sample when ``X`` has more.
    rng : numpy.random.Generator
        Draws the sample and the noise.
    """
    started = time.perf_counter()
    n = len(frame)
    sampled = n > max_rows
    positions = np.sort(rng.choice(n, size=max_rows, replace=False)) if sampled else np.arange(n)
    rows = rows_of(frame, positions, features)
    clean = predictor(rows)
    values = rows[features].to_numpy(dtype=np.float64)
    flips = np.zeros((repeats, len(rows)), dtype=np.bool_)
    noisy = rows.copy()
    # One model call per repeat: memory stays at one copy of the rows however many repeats.
    for r in range(repeats):
        moved = values + rng.standard_normal(values.shape) * (noise * scale.std)
        noisy[features] = np.clip(moved, scale.low, scale.high)
        flips[r] = np.asarray(predictor(noisy) != clean, dtype=np.bool_)
    return StabilityResult(
        noise=noise,
        repeats=repeats,
        rows=len(rows),
        sampled=sampled,
        flip_rate=float(flips.mean()),
        rows_flipped=float(flips.any(axis=0).mean()),
        seconds=time.perf_counter() - started,
    )
