"""Decision-based evasion attacks on one record at a time, through ART.

HopSkipJump (Chen, Jordan & Wainwright 2020, arXiv:1904.02144) and the Boundary Attack
(Brendel, Rauber & Bethge 2018, arXiv:1712.04248) need only the model's predicted labels.
ART sees a :class:`BlackBoxClassifier` whose inputs are the row's numeric features in
standardized units; its predict function un-standardizes them, clips them to the range
observed on ``X``, writes them into copies of the row's full record (categorical columns
keep the row's values) and calls the model. To ART the model has two classes: "the row's
own label" and "any other label", which makes every attack untargeted and works for any
number of classes or any label type.

ART has no query budget and draws its randomness from unseeded generators, so:
- every query passes through :class:`_Oracle`, which counts it and stops the attack
  when the row's budget is spent (or when ART's arithmetic has degenerated to NaN);
- the oracle keeps the closest adversarial point among all the points queried (as
  foolbox's ``Adversarial`` object does), so a stopped attack still reports its best;
- the starting point is found here, with a seeded generator, and handed to ART as
  ``x_adv_init`` (ART's own search would use ``np.random.RandomState()`` unseeded), and
  numpy's global generator, from which ART draws its random directions, is seeded for the
  attack and restored after.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from bastion.assessment.art import art_imports
from bastion.assessment.randomness import seeded_global_rng
from bastion.robustness.prepare import Predictor, Scale, records

__all__ = ["ATTACKS", "INIT_DRAWS", "AttackBudget", "RowOutcome", "art_parameters", "attack_row"]

Floats = npt.NDArray[np.float64]

ATTACKS: tuple[str, ...] = ("hopskipjump", "boundary")
"""The attacks :func:`~bastion.robustness.assess_robustness` knows, by name."""

INIT_DRAWS = 100
"""Uniform random draws in the clip box searched for a starting adversarial point (ART's
``init_size`` default); the closest one found starts the attack."""

# HopSkipJump estimates the boundary's normal from init_eval * sqrt(iteration) random
# probes per iteration (at most max_eval). ART's defaults (100, 10,000) are sized for
# images with thousands of pixels; a tabular row has a handful of numeric features, for
# which 20 probes already give the sign of the gradient, and a query budget goes further
# in iterations.
_HSJ_INIT_EVAL = 20
_HSJ_MAX_EVAL = 200
# ART calls predict in batches of this many rows: one model call per probe batch.
_BATCH_SIZE = 1024


@dataclass(frozen=True)
class AttackBudget:
    """How far each attack may go on one row.

    Attributes
    ----------
    max_iter : int
        ART's ``max_iter`` for each attack.
    max_evals : int
        Model queries (records predicted) per row and attack, the starting search included.
    """

    max_iter: int
    max_evals: int


def art_parameters(name: str, budget: AttackBudget) -> dict[str, Any]:
    """The keyword arguments ART's attack is built with (recorded in the result)."""
    if name == "hopskipjump":
        return {
            "norm": 2,
            "max_iter": budget.max_iter,
            "max_eval": min(_HSJ_MAX_EVAL, budget.max_evals),
            "init_eval": min(_HSJ_INIT_EVAL, budget.max_evals),
            "batch_size": _BATCH_SIZE,
        }
    # ART's defaults for the step sizes and trials (Brendel et al.'s trust-region rules).
    return {
        "delta": 0.01,
        "epsilon": 0.01,
        "step_adapt": 0.667,
        "max_iter": budget.max_iter,
        "num_trial": 25,
        "sample_size": 20,
        "batch_size": _BATCH_SIZE,
    }


@functools.cache
def _art() -> tuple[Any, Any, Any]:
    """ART's attack and classifier classes, imported on first use (the import is slow)."""
    with art_imports():
        from art.attacks.evasion.boundary import (  # type: ignore[import-untyped]
            BoundaryAttack,
        )
        from art.attacks.evasion.hop_skip_jump import (  # type: ignore[import-untyped]
            HopSkipJump,
        )
        from art.estimators.classification.blackbox import (  # type: ignore[import-untyped]
            BlackBoxClassifier,
        )
    return HopSkipJump, BoundaryAttack, BlackBoxClassifier


@dataclass(frozen=True)
class RowOutcome:
    """What one attack did to one row.

    ``values`` are the adversarial record's perturbed features in their own units (``None``
    when the label did not change); ``l2`` and ``linf`` its distance from the row in
    standardized units (NaN when the label did not change).
    """

    attack: str
    position: int
    flipped: bool
    label: Any
    values: Floats | None
    l2: float
    linf: float
    queries: int
    capped: bool
    started: bool
    seconds: float


class _QueriesSpent(Exception):
    """The row's query budget is spent; raised through ART to stop the attack."""


class _Degenerate(Exception):
    """ART asked about a point with NaN or infinite values; raised to stop the attack.

    HopSkipJump normalizes an estimated direction that can be all zeros; the NaN step
    that follows would make its step-size search (halve until adversarial) loop forever.
    """


class _Oracle:
    """The model as ART sees it while one row is attacked.

    Called with standardized feature values, one row each; answers one-hot
    ``[same label, other label]``. Counts queries, refuses to exceed the budget, and keeps
    the closest adversarial point it has been asked about.
    """

    def __init__(
        self,
        predictor: Predictor,
        base: pd.DataFrame,
        features: list[Any],
        scale: Scale,
        label: Any,
        max_queries: int,
    ) -> None:
        self._predictor = predictor
        self._base = base
        self._features = features
        self._scale = scale
        self._label = label
        self._max_queries = max_queries
        self.z0 = scale.standardize(base[features].to_numpy(dtype=np.float64))[0]
        self.queries = 0
        self.best_l2 = np.inf
        self.best_linf = np.nan
        self.best_z: Floats | None = None
        self.best_values: Floats | None = None
        self.best_label: Any = None

    def __call__(self, z: npt.NDArray[Any]) -> npt.NDArray[np.float32]:
        z = np.asarray(z, dtype=np.float64).reshape(len(z), -1)
        if not np.isfinite(z).all():
            raise _Degenerate
        if self.queries + len(z) > self._max_queries:
            raise _QueriesSpent
        self.queries += len(z)
        raw = self._scale.raw(z)
        labels = self._predictor(records(self._base, self._features, raw))
        other = np.asarray(labels != self._label, dtype=np.bool_)
        if other.any():
            delta = self._scale.standardize(raw[other]) - self.z0
            l2 = np.linalg.norm(delta, axis=1)
            k = int(np.argmin(l2))
            if l2[k] < self.best_l2:
                self.best_l2 = float(l2[k])
                self.best_linf = float(np.abs(delta[k]).max())
                self.best_z = z[other][k]
                self.best_values = raw[other][k]
                self.best_label = labels[other][k]
        return np.stack([~other, other], axis=1).astype(np.float32)


def attack_row(
    name: str,
    *,
    predictor: Predictor,
    base: pd.DataFrame,
    features: list[Any],
    scale: Scale,
    label: Any,
    position: int,
    budget: AttackBudget,
    start_seed: np.random.SeedSequence,
    seed: int,
) -> RowOutcome:
    """Attack one record with one attack, within the budget.

    Parameters
    ----------
    name : {"hopskipjump", "boundary"}
    predictor : Predictor
        The model, called on whole records.
    base : pandas.DataFrame
        The record attacked: one row with every column of ``X`` (features as float64).
    features : list
        The columns perturbed, in the order of ``scale``.
    scale : Scale
    label : object
        The model's label for the record (the true label: only correct rows are attacked).
    position : int
        The record's position in ``X``, for the outcome.
    budget : AttackBudget
    start_seed : numpy.random.SeedSequence
        Seeds the search for a starting point (the same for every attack on a row, so
        that they refine the same start).
    seed : int
        Seeds ART's random directions.
    """
    hop_skip_jump, boundary, black_box = _art()
    started_at = time.perf_counter()
    oracle = _Oracle(predictor, base, features, scale, label, budget.max_evals)
    capped = False
    started = False
    try:
        # Drawn as float32, the precision ART computes in, so that ART asking again about
        # the starting point gets exactly the answer the search got.
        draws = np.random.default_rng(start_seed).uniform(
            scale.z_low, scale.z_high, size=(min(INIT_DRAWS, budget.max_evals), len(features))
        )
        oracle(draws.astype(np.float32))
        started = oracle.best_z is not None
        if oracle.best_z is not None:
            classifier = black_box(
                oracle,
                input_shape=(len(features),),
                nb_classes=2,
                clip_values=(scale.z_low.astype(np.float32), scale.z_high.astype(np.float32)),
            )
            parameters = art_parameters(name, budget)
            # init_size=1: the start is handed over, so ART's own (unseeded) search for one
            # never runs; ART refuses 0.
            attack = (hop_skip_jump if name == "hopskipjump" else boundary)(
                classifier, targeted=False, verbose=False, init_size=1, **parameters
            )
            # A zero direction normalized gives NaN, not an error: the oracle stops the
            # attack when it is asked about such a point (_Degenerate), so numpy's warning
            # about the division is noise.
            with (
                seeded_global_rng(seed),
                np.errstate(divide="ignore", invalid="ignore"),
            ):
                attack.generate(
                    oracle.z0[None].astype(np.float32),
                    x_adv_init=oracle.best_z[None].astype(np.float32),
                )
    except _QueriesSpent:
        capped = True
    except _Degenerate:
        pass  # the best point found so far stands
    flipped = oracle.best_values is not None
    return RowOutcome(
        attack=name,
        position=position,
        flipped=flipped,
        label=oracle.best_label,
        values=oracle.best_values,
        l2=oracle.best_l2 if flipped else np.nan,
        linf=oracle.best_linf if flipped else np.nan,
        queries=oracle.queries,
        capped=capped,
        started=started,
        seconds=time.perf_counter() - started_at,
    )
