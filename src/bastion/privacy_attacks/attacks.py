"""Running ART's membership-inference attacks on a model's probabilities.

The sampled rows are split into the trained attack's training part and an evaluation part
shared by every attack. ART is handed probabilities only — through its ``pred=`` arguments,
or an ART ``BlackBoxClassifier`` that answers row numbers with the rows' probabilities —
so it never sees the feature rows.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.ensemble import (  # type: ignore[import-untyped]
    GradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.exceptions import ConvergenceWarning  # type: ignore[import-untyped]
from sklearn.neural_network import MLPClassifier  # type: ignore[import-untyped]
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from bastion.assessment.art import art_imports
from bastion.assessment.budget import Progress, report
from bastion.assessment.errors import AssessmentInputError
from bastion.privacy_attacks.result import AttackModel, AttackName
from bastion.privacy_attacks.validation import MIN_ROWS, Options

__all__ = ["MIN_SPLIT", "AttackRun", "Plan", "Sides", "plan", "run_attacks"]

Array = npt.NDArray[np.float64]
Index = npt.NDArray[np.intp]

# Rows a side in each of the trained attack's two parts (training and evaluation).
MIN_SPLIT = 10


def art() -> tuple[Any, Any, Any]:
    """ART's two attacks and its black-box classifier, imported on first use (ART is slow
    to import and only this assessment needs it)."""
    with art_imports():
        from art.attacks.inference.membership_inference import (  # type: ignore[import-untyped]
            MembershipInferenceBlackBox,
            MembershipInferenceBlackBoxRuleBased,
        )
        from art.estimators.classification import (  # type: ignore[import-untyped]
            BlackBoxClassifier,
        )
    return MembershipInferenceBlackBoxRuleBased, MembershipInferenceBlackBox, BlackBoxClassifier


@dataclass(frozen=True)
class Plan:
    """Which rows each side contributes, in order: the attack's training rows first."""

    members: Index  # positions among the members
    nonmembers: Index  # positions among the non-members
    n_fit: int  # per side, the first rows: what the trained attack learns from
    members_available: int
    nonmembers_available: int

    @property
    def n(self) -> int:
        return len(self.members)


def plan(n_members: int, n_nonmembers: int, opts: Options) -> Plan:
    """Sample the same number of members and non-members (at most ``max_samples`` each).

    The draw order is fixed — members, then non-members, from one generator seeded with
    ``seed`` — so the model and predictions entry points pick the same rows.
    """
    if n_members < MIN_ROWS or n_nonmembers < MIN_ROWS:
        raise AssessmentInputError(
            f"membership inference needs at least {MIN_ROWS} members (training rows) and "
            f"{MIN_ROWS} non-members (held-out rows); got {n_members} members and "
            f"{n_nonmembers} non-members"
        )
    n = min(n_members, n_nonmembers, opts.max_samples)
    n_fit = round(opts.attack_train_fraction * n)
    if n_fit < MIN_SPLIT or n - n_fit < MIN_SPLIT:
        raise AssessmentInputError(
            f"attack_train_fraction {opts.attack_train_fraction} of {n} rows a side leaves "
            f"{n_fit} to train the attack and {n - n_fit} to evaluate it; each needs at least "
            f"{MIN_SPLIT}: choose a fraction nearer 0.5 or give more rows",
            field="attack_train_fraction",
        )
    rng = np.random.default_rng(opts.seed)
    # A random sample comes in random order, so its first n_fit rows are a random part.
    members = rng.choice(n_members, size=n, replace=False)
    nonmembers = rng.choice(n_nonmembers, size=n, replace=False)
    return Plan(members, nonmembers, n_fit, n_members, n_nonmembers)


def attack_estimator(kind: AttackModel, seed: int) -> Any:
    """The trained attack's classifier, seeded so that a result can be reproduced.

    ``rf`` and ``gb`` are what ART builds for those types, with a ``random_state``. ART's
    ``nn`` is a PyTorch network (Bastion does not install PyTorch); scikit-learn's
    multi-layer perceptron stands in for it, smaller than ART's 512-100-64 layers since
    its inputs are only a few probabilities and a label.
    """
    if kind == "rf":
        return RandomForestClassifier(random_state=seed)
    if kind == "gb":
        return GradientBoostingClassifier(random_state=seed)
    return MLPClassifier(
        hidden_layer_sizes=(128, 64),
        learning_rate_init=1e-3,
        max_iter=100,
        early_stopping=True,
        random_state=seed,
    )


def row_classifier(black_box_classifier: Any, proba: Array) -> Any:
    """An ART classifier whose "inputs" are row numbers into ``proba``.

    The rule-based attack has no way to take predictions: it calls ``predict`` on its
    input. Handing it row numbers and answering with the rows' probabilities keeps the
    feature rows (data frames, string columns) out of ART altogether.
    """

    def predict(rows: npt.NDArray[Any]) -> Array:
        out: Array = proba[np.rint(rows[:, 0]).astype(np.intp)]
        return out

    return black_box_classifier(predict, input_shape=(1,), nb_classes=proba.shape[1])


@dataclass(frozen=True)
class AttackRun:
    """How one attack called the evaluation rows (members first, then non-members)."""

    name: AttackName
    member: npt.NDArray[np.bool_]  # the truth
    scores: Array  # membership score: probability, or the 0/1 decision
    decisions: npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Sides:
    """The sampled rows, in plan order: class indices and probabilities of each side."""

    y_members: Index
    p_members: Array
    y_nonmembers: Index
    p_nonmembers: Array


def run_attacks(
    sides: Sides, plan: Plan, opts: Options, progress: Progress | None
) -> list[AttackRun]:
    """Run each attack asked for, in order, and say how it called the evaluation rows."""
    rule_based, black_box, black_box_classifier = art()
    f = plan.n_fit
    k = sides.p_members.shape[1]
    one_hot = np.eye(k)
    # Every attack is evaluated on the same balanced rows: members first, then non-members.
    eval_y = np.concatenate([sides.y_members[f:], sides.y_nonmembers[f:]])
    eval_p = np.vstack([sides.p_members[f:], sides.p_nonmembers[f:]])
    member = np.concatenate([np.ones(plan.n - f, np.bool_), np.zeros(plan.n - f, np.bool_)])
    # One-hot labels: ART counts classes from the labels it is given, and an evaluation
    # set lacking a class would otherwise shift every label's column.
    eval_labels = one_hot[eval_y]
    classifier = row_classifier(black_box_classifier, eval_p)

    runs: list[AttackRun] = []
    for done, name in enumerate(opts.attacks, start=1):
        if name == "rule_based":
            rows = np.arange(len(eval_y), dtype=np.float64).reshape(-1, 1)
            decisions = np.asarray(rule_based(classifier).infer(rows, eval_labels), np.bool_)
            scores = decisions.astype(np.float64)
        else:
            # ART builds its scikit-learn attack models without a random_state, so the one
            # it built is replaced by a seeded one; for "nn" a scikit-learn type is named
            # so that ART takes its scikit-learn code path (fit, then predict_proba) rather
            # than its PyTorch one.
            art_type = "rf" if opts.attack_model == "nn" else opts.attack_model
            attack = black_box(classifier, input_type="prediction", attack_model_type=art_type)
            attack.attack_model = attack_estimator(opts.attack_model, opts.seed)
            # One BLAS thread: the attack's matrices are tiny, and on a busy machine
            # threads contending for them made the perceptron ten times slower.
            with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
                # The perceptron may stop at max_iter before its loss settles: it is then
                # a slightly weaker attack, and its figures show how well it did.
                warnings.filterwarnings("ignore", category=ConvergenceWarning)
                attack.fit(
                    y=one_hot[sides.y_members[:f]],
                    test_y=one_hot[sides.y_nonmembers[:f]],
                    pred=sides.p_members[:f],
                    test_pred=sides.p_nonmembers[:f],
                )
            scores = np.asarray(
                attack.infer(None, eval_labels, pred=eval_p, probabilities=True), np.float64
            ).ravel()
            decisions = np.asarray(attack.infer(None, eval_labels, pred=eval_p)).ravel() == 1
        runs.append(AttackRun(name, member, scores, decisions))
        report(progress, done, len(opts.attacks))
    return runs
