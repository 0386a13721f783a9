"""The entry point: from a model and labelled rows to a
:class:`~bastion.robustness.result.RobustnessResult`.

``assess_robustness`` checks the input (:mod:`.prepare`), runs the noise test
(:mod:`.stability`), then attacks a seeded sample of the rows the model gets right, one
row at a time and every attack on each row before the next (:mod:`.attacks`), so that a
spent time budget leaves every attack with the same rows. The figures are read from the
per-row outcomes.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from bastion.assessment import inputs as input_checks
from bastion.assessment.budget import Deadline, Progress, report
from bastion.assessment.digests import data_digest, input_digests, model_digest
from bastion.assessment.errors import AssessmentInputError, LengthMismatchError
from bastion.assessment.model import require
from bastion.assessment.tables import as_frame
from bastion.assessment.verdict import Check, judge, verdict_of
from bastion.robustness.attacks import (
    ATTACKS,
    INIT_DRAWS,
    AttackBudget,
    RowOutcome,
    art_parameters,
    attack_row,
)
from bastion.robustness.prepare import Predictor, Scale, choose_features, records, rows_of
from bastion.robustness.result import (
    AdversarialExample,
    AttackResult,
    RobustnessResult,
    RobustnessThresholds,
)
from bastion.robustness.stability import noise_stability

__all__ = ["assess_robustness"]

# Independent random streams for each purpose, so that one option (say, the noise rows)
# does not shift the draws of another (the attacked sample).
_SAMPLE_STREAM, _NOISE_STREAM, _START_STREAM, _ATTACK_STREAM = 0, 1, 2, 3


def _count(value: Any, name: str, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise AssessmentInputError(f"{name} must be an integer, got {value!r}", field=name)
    if int(value) < minimum:
        raise AssessmentInputError(f"{name} must be at least {minimum}, got {value}", field=name)
    return int(value)


def _positive(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise AssessmentInputError(f"{name} must be a number, got {value!r}", field=name)
    number = float(value)
    if not (math.isfinite(number) and number > 0):
        raise AssessmentInputError(f"{name} must be positive and finite, got {value}", field=name)
    return number


def _attack_names(attacks: Sequence[str] | str) -> list[str]:
    names = [attacks] if isinstance(attacks, str) else list(attacks)
    unknown = [a for a in names if a not in ATTACKS]
    if unknown:
        raise AssessmentInputError(
            f"unknown attack(s) {unknown}; the attacks are {list(ATTACKS)}", field="attacks"
        )
    if len(set(names)) != len(names):
        raise AssessmentInputError(f"attacks repeat: {names}", field="attacks")
    return names


def _median(values: list[float]) -> float:
    return float(np.median(values)) if values else math.nan


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else math.nan


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else math.nan


def _attack_result(
    name: str,
    outcomes: list[RowOutcome],
    *,
    evaluated: int,
    epsilon: float,
    parameters: dict[str, Any],
) -> AttackResult:
    attacked = len(outcomes)
    flipped = [o for o in outcomes if o.flipped]
    within = [o for o in flipped if o.l2 <= epsilon]
    clean_accuracy = _ratio(attacked, evaluated)
    under_attack = _ratio(attacked - len(within), evaluated)
    return AttackResult(
        name=name,
        evaluated=evaluated,
        attacked=attacked,
        succeeded=len(flipped),
        succeeded_within_epsilon=len(within),
        success_rate=_ratio(len(flipped), attacked),
        success_rate_within_epsilon=_ratio(len(within), attacked),
        median_l2=_median([o.l2 for o in flipped]),
        mean_l2=_mean([o.l2 for o in flipped]),
        median_linf=_median([o.linf for o in flipped]),
        mean_linf=_mean([o.linf for o in flipped]),
        clean_accuracy=clean_accuracy,
        accuracy_under_attack=under_attack,
        accuracy_ratio=_ratio(under_attack, clean_accuracy) if attacked else math.nan,
        queries=sum(o.queries for o in outcomes),
        query_capped=sum(o.capped for o in outcomes),
        no_start=sum(not o.started for o in outcomes),
        seconds=sum(o.seconds for o in outcomes),
        parameters=parameters,
    )


def _art_version() -> str | None:
    try:
        return importlib.metadata.version("adversarial-robustness-toolbox")
    except importlib.metadata.PackageNotFoundError:
        return None


def assess_robustness(
    model: Any,
    X: Any,
    y: Any,
    *,
    attacks: Sequence[str] | str = ATTACKS,
    features: Sequence[Any] | str | None = None,
    max_samples: int = 20,
    max_evals: int = 1000,
    max_iter: int = 50,
    epsilon: float = 0.5,
    noise: float = 0.05,
    noise_repeats: int = 5,
    max_noise_rows: int = 5000,
    time_budget: float | None = None,
    seed: int = 0,
    progress: Progress | None = None,
    thresholds: RobustnessThresholds | None = None,
    inputs: Mapping[str, str] | None = None,
) -> RobustnessResult:
    """How far a classifier's numeric inputs must move to change its decisions.

    Two measurements. Decision-based evasion attacks (ART's HopSkipJump and Boundary
    Attack) look, for each of a seeded sample of correctly classified rows, for the
    smallest change of the numeric features that changes the predicted label; and
    Gaussian noise shows how often small random changes do. Categorical columns are never
    changed. Sizes are measured in standard deviations of each feature on ``X`` (L2 over
    the perturbed features) and perturbed values stay within each feature's observed
    range.

    Parameters
    ----------
    model : object
        A classifier with ``predict`` (a scikit-learn estimator or pipeline, or a
        :class:`~bastion.assessment.model.LoadedModel`). Only ``predict`` is called: the
        attacks need labels, not scores. It is called with a numpy array when ``X`` is
        one, else with a pandas frame with ``X``'s columns.
    X : table
        The rows: pandas, polars, Arrow or a 2-D numpy array. Its numeric columns are
        perturbed; every other column is held at each row's value.
    y : array-like
        The true labels, one per row of ``X``.
    attacks : sequence of {"hopskipjump", "boundary"}
        The attacks to run; empty runs the noise test only.
    features : sequence of column names, optional
        The numeric columns to perturb; by default every numeric (not boolean) column.
    max_samples : int
        Rows drawn (seeded) from ``X``; the correctly classified ones are attacked.
    max_evals : int
        Model queries (records predicted) per row and attack: the attacks' main budget.
    max_iter : int
        ART's ``max_iter`` for each attack.
    epsilon : float
        The perturbation size (standardized L2) within which a flip counts against
        accuracy.
    noise : float
        The standard deviation of the Gaussian noise, in standard deviations of each
        feature.
    noise_repeats : int
        Noisy copies of each row.
    max_noise_rows : int
        Rows the noise test covers at most (a seeded sample when ``X`` has more).
    time_budget : float, optional
        Seconds for the whole assessment; when spent, no further row is attacked and the
        result says how many were.
    seed : int
        Seeds the sample, the noise and the attacks: the same seed gives the same result.
    progress : callable, optional
        Called as ``progress(done, total)`` after the noise test and after each
        (row, attack).
    thresholds : RobustnessThresholds, optional
        When the result passes, warns or fails; documented defaults.
    inputs : mapping, optional
        Digests by role (``data``, ``model``) to record instead of computing them.

    Returns
    -------
    RobustnessResult

    Raises
    ------
    UnusableModelError
        If the model has no ``predict``.
    ModelPredictError
        If the model's ``predict`` raises or answers with the wrong number of labels.
    LengthMismatchError
        If ``X`` and ``y`` differ in length.
    UnknownColumnError
        If ``features`` names a column ``X`` does not have.
    NonFiniteValuesError
        If a perturbed feature or ``y`` holds NaN, infinity or missing values.
    AssessmentInputError
        If no numeric feature can be perturbed, an attack name is unknown, or an option
        is out of range.
    """
    deadline = Deadline(time_budget)
    require(model, "predict")
    attack_names = _attack_names(attacks)
    max_samples = _count(max_samples, "max_samples")
    max_evals = _count(max_evals, "max_evals")
    max_iter = _count(max_iter, "max_iter")
    noise_repeats = _count(noise_repeats, "noise_repeats")
    max_noise_rows = _count(max_noise_rows, "max_noise_rows")
    seed = _count(seed, "seed", minimum=0)
    epsilon = _positive(epsilon, "epsilon")
    noise = _positive(noise, "noise")
    thresholds = thresholds or RobustnessThresholds()

    frame = as_frame(X)
    if len(frame) == 0:
        raise AssessmentInputError("X has no rows", field="X")
    labels = input_checks.column(y, "y")
    if len(labels) != len(frame):
        raise LengthMismatchError(
            f"X has {len(frame)} rows but y has {len(labels)} values", field="y"
        )
    input_checks.finite(labels, "y")
    chosen, notes = choose_features(frame, features)
    fixed = [str(c) for c in frame.columns if c not in chosen]
    scale = Scale.of(frame, chosen)
    predictor = Predictor(model, as_array=isinstance(X, np.ndarray))
    budget = AttackBudget(max_iter=max_iter, max_evals=max_evals)

    stability = noise_stability(
        predictor,
        frame,
        chosen,
        scale,
        noise=noise,
        repeats=noise_repeats,
        max_rows=max_noise_rows,
        rng=np.random.default_rng([seed, _NOISE_STREAM]),
    )

    # RobustBench's protocol: clean and robust accuracy are read on the same sampled rows,
    # and only the rows the model gets right are attacked (a wrong row is already lost).
    positions = np.random.default_rng([seed, _SAMPLE_STREAM]).choice(
        len(frame), size=min(max_samples, len(frame)), replace=False
    )
    sample = rows_of(frame, positions, chosen)
    correct = np.asarray(predictor(sample) == labels[positions], dtype=np.bool_)
    planned = int(correct.sum()) if attack_names else 0
    total = 1 + planned * len(attack_names)
    done = 1
    report(progress, done, total)

    outcomes: dict[str, list[RowOutcome]] = {name: [] for name in attack_names}
    evaluated = 0
    stopped = False
    for i, position in enumerate(positions):
        if correct[i] and attack_names:
            if deadline.expired():
                stopped = True
                break
            for name in attack_names:
                outcomes[name].append(
                    attack_row(
                        name,
                        predictor=predictor,
                        base=sample.iloc[[i]],
                        features=chosen,
                        scale=scale,
                        label=labels[position],
                        position=int(position),
                        budget=budget,
                        # Seeded by the row and the attack, not by the order of either:
                        # an attack's result on a row is the same whatever else ran.
                        start_seed=np.random.SeedSequence([seed, _START_STREAM, int(position)]),
                        seed=int(
                            np.random.SeedSequence(
                                [seed, _ATTACK_STREAM, int(position), ATTACKS.index(name)]
                            ).generate_state(1)[0]
                        ),
                    )
                )
                done += 1
                report(progress, done, total)
        evaluated += 1
    attacked = len(outcomes[attack_names[0]]) if attack_names else 0

    results = tuple(
        _attack_result(
            name,
            outcomes[name],
            evaluated=evaluated,
            epsilon=epsilon,
            parameters=art_parameters(name, budget),
        )
        for name in attack_names
    )
    # The worst case over the attacks: a row is lost if any attack flipped it within
    # epsilon (every attack ran on the same rows, in the same order).
    lost = sum(
        any(outcomes[name][r].flipped and outcomes[name][r].l2 <= epsilon for name in attack_names)
        for r in range(attacked)
    )
    clean_accuracy = _ratio(int(correct[:evaluated].sum()), evaluated)
    robust_accuracy = _ratio(attacked - lost, evaluated) if attack_names else math.nan
    robust_ratio = _ratio(attacked - lost, attacked) if attacked else math.nan

    examples: list[AdversarialExample] = []
    adversarial: list[pd.DataFrame] = []
    where = {int(p): i for i, p in enumerate(positions)}
    for name in attack_names:
        for o in outcomes[name]:
            if o.values is None:
                continue
            base = sample.iloc[[where[o.position]]]
            examples.append(
                AdversarialExample(
                    attack=name,
                    row=frame.index[o.position],
                    position=o.position,
                    label=labels[o.position],
                    adversarial_label=o.label,
                    l2=o.l2,
                    linf=o.linf,
                    within_epsilon=o.l2 <= epsilon,
                    original=dict(
                        zip(scale.features, base[chosen].to_numpy()[0].tolist(), strict=True)
                    ),
                    adversarial=dict(zip(scale.features, o.values.tolist(), strict=True)),
                )
            )
            adversarial.append(records(base, chosen, o.values[None]))
    adversarial_rows = pd.concat(adversarial, ignore_index=True) if adversarial else sample.iloc[[]]

    found: list[Check] = []
    if attack_names:
        found.append(
            judge(
                "robust_accuracy_ratio",
                robust_ratio,
                warn_at=thresholds.robust_accuracy_ratio_warn,
                fail_at=thresholds.robust_accuracy_ratio_fail,
                higher_is_better=True,
                method=f"{'+'.join(attack_names)} at epsilon {epsilon:g}",
            )
        )
    found.append(
        judge(
            "noise_flip_rate",
            stability.flip_rate,
            warn_at=thresholds.flip_rate_warn,
            fail_at=thresholds.flip_rate_fail,
            higher_is_better=False,
            method=f"noise {noise:g} std",
        )
    )

    whole = [str(c) for c in chosen if np.all(np.mod(frame[c].to_numpy(dtype=np.float64), 1) == 0)]
    notes.append(
        f"sizes are in standard deviations of each feature on X (L2 over the {len(chosen)} "
        "perturbed features), and perturbed values stay within each feature's observed "
        "range" + (f"; {fixed} are held at each row's values" if fixed else "")
    )
    if whole:
        notes.append(
            f"feature(s) {whole} hold whole numbers on X; the attacks and the noise treat "
            "them as continuous, so adversarial values may be fractional"
        )
    if not attack_names:
        notes.append("no attack was asked for: only the noise test ran")
    elif not correct.any():
        notes.append(
            f"none of the {len(positions)} sampled rows is classified correctly, so no row "
            "was attacked and the robust accuracy ratio is undefined (it warns)"
        )
    if stopped:
        notes.append(
            f"the time budget of {time_budget:g} s ran out after {attacked} of {planned} "
            f"correctly classified sampled rows were attacked; the attack figures cover "
            f"the first {evaluated} of {len(positions)} sampled rows"
        )
    for r in results:
        if r.no_start:
            notes.append(
                f"{r.name}: on {r.no_start} of {r.attacked} rows none of {INIT_DRAWS} random "
                "draws within the observed ranges changed the label, so there was no "
                "adversarial point to refine"
            )
        if r.query_capped:
            notes.append(
                f"{r.name} spent its query budget (max_evals={max_evals}) on "
                f"{r.query_capped} of {r.attacked} rows; sizes found are upper bounds, and "
                "a larger budget can only make them smaller"
            )

    return RobustnessResult(
        epsilon=epsilon,
        features=scale.features,
        fixed_columns=tuple(fixed),
        scale=scale.to_dict(),
        rows_sampled=len(positions),
        rows_evaluated=evaluated,
        rows_attacked=attacked,
        clean_accuracy=clean_accuracy,
        robust_accuracy=robust_accuracy,
        robust_accuracy_ratio=robust_ratio,
        attacks=results,
        stability=stability,
        examples=tuple(examples),
        checks=tuple(found),
        verdict=verdict_of(found),
        notes=tuple(notes),
        settings={
            "attacks": attack_names,
            "features": list(scale.features),
            "max_samples": max_samples,
            "max_evals": max_evals,
            "max_iter": max_iter,
            "epsilon": epsilon,
            "noise": noise,
            "noise_repeats": noise_repeats,
            "max_noise_rows": max_noise_rows,
            "time_budget": time_budget,
            "seed": seed,
            "scale": "standard deviations on X (ddof=0); sizes are L2 and L-infinity",
            "clip": "observed [min, max] of each feature on X",
            "initial_draws": INIT_DRAWS,
            "art": {name: art_parameters(name, budget) for name in attack_names},
            "art_version": _art_version(),
            "thresholds": dataclasses.asdict(thresholds),
        },
        budget={
            "time_budget": time_budget,
            "stopped_early": stopped,
            "rows_planned": planned,
            "rows_attacked": attacked,
            "queries": predictor.rows,
            "seconds": deadline.elapsed,
        },
        inputs=input_digests(
            inputs,
            data=lambda: data_digest(X, y),
            model=lambda: model_digest(model),
        ),
        adversarial_rows=adversarial_rows,
    )
