"""Membership inference: can an attacker tell the rows a model was trained on from rows it
never saw? If it can, the model leaks who is in its training data.

Both entry points end in the same core. :func:`assess_membership_inference` samples
training rows (members) and held-out rows (non-members), calls the model's
``predict_proba`` on the sampled rows and hands the probabilities on;
:func:`assess_membership_from_predictions` takes the probabilities as given, for users
who cannot upload their model. The core runs ART's attacks on the probabilities alone
(:mod:`.attacks`), reads every figure off the attacks' scores (:mod:`.metrics`) and
judges them against the thresholds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from bastion.assessment import inputs as checks_of
from bastion.assessment.budget import Progress
from bastion.assessment.digests import data_digest, input_digests, model_digest
from bastion.assessment.errors import LengthMismatchError, UnusableModelError
from bastion.assessment.model import native
from bastion.assessment.verdict import Check, Verdict, verdict_of
from bastion.privacy_attacks import attacks as attacks_of
from bastion.privacy_attacks import validation as check
from bastion.privacy_attacks.metrics import LOW_FPR_TARGETS, attack_figures
from bastion.privacy_attacks.result import (
    ATTACKS,
    RISK_OF_OUTCOME,
    RISK_ORDER,
    AttackResult,
    MembershipResult,
    PrivacyThresholds,
    RiskLevel,
    worst_risk,
)

__all__ = [
    "DEFAULT_MAX_SAMPLES",
    "assess_membership_from_predictions",
    "assess_membership_inference",
]

Array = npt.NDArray[np.float64]
Index = npt.NDArray[np.intp]

DEFAULT_MAX_SAMPLES = 5000


def _check(metric: str, value: float, warn_at: float, fail_at: float, method: str) -> Check:
    """Like :func:`bastion.assessment.verdict.judge` for a figure where higher is worse,
    except that the thresholds themselves warn and fail: the risk bands are half-open
    (AUC 0.7 is high risk), and the checks must agree with them."""
    outcome: Verdict
    if not np.isfinite(value):
        outcome = "warn"  # undefined: cannot be shown to pass
    else:
        outcome = "fail" if value >= fail_at else "warn" if value >= warn_at else "pass"
    return Check(metric, method, float(value), warn_at, fail_at, False, outcome)


def _accuracy(y: Index, p: Array) -> float:
    return float(np.mean(np.argmax(p, axis=1) == y))


def _notes(
    opts: check.Options, plan: attacks_of.Plan, mode: Literal["model", "predictions"]
) -> list[str]:
    n_eval = plan.n - plan.n_fit
    notes: list[str] = []
    if plan.n < max(plan.members_available, plan.nonmembers_available):
        notes.append(
            f"Sampled {plan.n} of {plan.members_available} members and {plan.n} of "
            f"{plan.nonmembers_available} non-members (seed {opts.seed}, max_samples "
            f"{opts.max_samples}), so that both sides weigh the same."
        )
    notes.append(
        f"Every attack was evaluated on the same {n_eval} members and {n_eval} non-members; "
        + (
            f"the other {plan.n_fit} of each trained the black-box attack."
            if "black_box" in opts.attacks
            else f"the other {plan.n_fit} of each were kept for the black-box attack (not run)."
        )
    )
    if "rule_based" in opts.attacks:
        notes.append(
            "The rule-based attack calls a row a member when the model classifies it "
            "correctly. It gives a decision, not a score: its AUC is that of one operating "
            "point (its balanced accuracy), and its TPR at a low FPR is 0 unless its own "
            "FPR is that low."
        )
    if "black_box" in opts.attacks:
        notes.append(
            f"The black-box attack ({opts.attack_model}) learned from the model's "
            "probabilities and the true labels of rows whose membership it was told: an "
            "auditor's attack, stronger than an outsider's."
        )
        if opts.attack_model == "nn":
            notes.append(
                "The 'nn' attack model is scikit-learn's MLPClassifier (ART's own network "
                "needs PyTorch)."
            )
    coarse = [f"{t:.1%}" for t in LOW_FPR_TARGETS.values() if 1 / n_eval > t]
    if coarse:
        notes.append(
            f"With {n_eval} non-members evaluated the smallest false positive rate above 0 "
            f"is {1 / n_eval:.2%}: the TPR at {' and '.join(coarse)} FPR is the TPR at zero "
            "false positives. More rows give a finer reading."
        )
    if mode == "predictions":
        notes.append("Predictions only: the model was not called, so no model digest is kept.")
    notes.append(
        "A low risk is no proof of privacy: these attacks read one model's outputs, and "
        "stronger ones (shadow-model attacks such as LiRA, Carlini et al. 2022) find more."
    )
    return notes


def _assess(
    *,
    mode: Literal["model", "predictions"],
    sides: attacks_of.Sides,
    plan: attacks_of.Plan,
    opts: check.Options,
    digests: dict[str, str],
    progress: Progress | None,
) -> MembershipResult:
    """The core both entry points share: attacks, figures, checks and the result."""
    t = opts.thresholds
    attacks: list[AttackResult] = []
    checks: list[Check] = []
    for run in attacks_of.run_attacks(sides, plan, opts, progress):
        name, member = run.name, run.member
        figures = attack_figures(member, run.scores, run.decisions)
        own = [
            _check("auc", figures["auc"], t.auc_warn, t.auc_fail, name),
            _check(
                "tpr_at_1pct_fpr",
                figures["tpr_at_1pct_fpr"],
                t.tpr_at_1pct_fpr_warn,
                t.tpr_at_1pct_fpr_fail,
                name,
            ),
        ]
        checks.extend(own)
        risk: RiskLevel = worst_risk(*(RISK_OF_OUTCOME[c.outcome] for c in own))
        attacks.append(
            AttackResult(
                name=name,
                attack_model=opts.attack_model if name == "black_box" else None,
                score_kind="probability" if name == "black_box" else "decision",
                n_train=2 * plan.n_fit if name == "black_box" else 0,
                n_eval=len(member),
                risk_level=risk,
                member=member,
                scores=run.scores,
                decisions=run.decisions,
                **figures,
            )
        )
    # The riskiest attack; between attacks of one level, the one with the higher AUC.
    worst = max(attacks, key=lambda a: (RISK_ORDER[a.risk_level], a.auc))
    return MembershipResult(
        mode=mode,
        attacks=tuple(attacks),
        risk_level=worst.risk_level,
        worst_attack=worst.name,
        n_classes=int(sides.p_members.shape[1]),
        members_available=plan.members_available,
        nonmembers_available=plan.nonmembers_available,
        n_sampled=plan.n,
        n_attack_train=plan.n_fit,
        n_eval=plan.n - plan.n_fit,
        member_accuracy=_accuracy(sides.y_members, sides.p_members),
        nonmember_accuracy=_accuracy(sides.y_nonmembers, sides.p_nonmembers),
        checks=tuple(checks),
        verdict=verdict_of(checks),
        notes=tuple(_notes(opts, plan, mode)),
        settings=opts.settings(),
        inputs=digests,
    )


def assess_membership_inference(
    model: Any,
    X_train: Any,
    y_train: Any,
    X_test: Any,
    y_test: Any,
    *,
    attacks: str | Sequence[str] = ATTACKS,
    attack_model: str = "rf",
    attack_train_fraction: float = 0.5,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    seed: int = 0,
    thresholds: PrivacyThresholds | None = None,
    inputs: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> MembershipResult:
    """Attack a model's training set membership with ART's black-box attacks.

    Members are rows of the training set, non-members held-out rows. The same number of
    each is sampled (``max_samples`` at most), the model's ``predict_proba`` is called on
    them, and the attacks run on those probabilities (see
    :func:`assess_membership_from_predictions`, which this calls in effect).

    Parameters
    ----------
    model : object
        Anything with ``predict_proba`` (a scikit-learn estimator or pipeline, a
        :class:`~bastion.assessment.model.LoadedModel`); its ``classes_``, if it has
        them, say which label each probability column is.
    X_train, y_train : table and labels
        Rows the model was trained on, and their labels. Tables may be pandas, polars,
        Arrow or numpy; the model gets pandas (or numpy if given numpy).
    X_test, y_test : table and labels
        Rows the model never saw.
    attacks : sequence of {"rule_based", "black_box"}
        ``rule_based``: member if and only if the model classifies the row correctly
        (ART's ``MembershipInferenceBlackBoxRuleBased``). ``black_box``: a classifier
        trained on the probabilities and labels of known members and non-members
        (ART's ``MembershipInferenceBlackBox``).
    attack_model : {"rf", "gb", "nn"}
        The black-box attack's classifier: random forest, gradient boosting or a
        multi-layer perceptron.
    attack_train_fraction : float
        Share of the sampled rows (of each side) the black-box attack trains on; every
        attack is evaluated on the rest.
    max_samples : int
        At most this many members and as many non-members are sampled.
    seed : int
        Seeds the sampling and the attack models: the same seed gives the same result.
    thresholds : PrivacyThresholds, optional
        When the verdict warns or fails and which risk level is reported.
    inputs : mapping, optional
        Digests of the inputs by role (``data``, ``model``), if known; the missing ones
        are computed.
    progress : callable, optional
        Called as ``progress(done, total)`` after each attack.

    Returns
    -------
    MembershipResult

    Raises
    ------
    UnusableModelError
        If the model has no ``predict_proba`` or its output does not fit its classes.
    LengthMismatchError
        If ``X_train`` and ``y_train`` (or ``X_test`` and ``y_test``) differ in length.
    AssessmentInputError
        Fewer than 20 rows on a side, labels the model has never seen, probabilities that
        are not probabilities, unknown attacks or options out of range.
    """
    opts = check.options(
        attacks, attack_model, attack_train_fraction, max_samples, seed, thresholds
    )
    if not callable(getattr(native(model), "predict_proba", None)):
        raise UnusableModelError(
            f"the model ({type(native(model)).__name__}) has no predict_proba(): membership "
            "inference attacks read the model's class probabilities; if only its outputs "
            "are at hand, use assess_membership_from_predictions",
            field="model",
        )
    sizes: dict[str, int] = {}
    labels: dict[str, npt.NDArray[Any]] = {}
    for side, X, y in (("train", X_train, y_train), ("test", X_test, y_test)):
        labels[side] = check.labels(y, f"y_{side}")
        sizes[side] = check.n_rows(X, f"X_{side}")
        if sizes[side] != len(labels[side]):
            raise LengthMismatchError(
                f"X_{side} has {sizes[side]} rows but y_{side} has {len(labels[side])} labels",
                field=f"y_{side}",
            )
    plan = attacks_of.plan(sizes["train"], sizes["test"], opts)
    p_members = _model_proba(model, check.rows_at(X_train, plan.members), plan.n)
    p_nonmembers = _model_proba(model, check.rows_at(X_test, plan.nonmembers), plan.n)
    k = p_members.shape[1]
    if p_nonmembers.shape[1] != k:
        raise UnusableModelError(
            f"the model's predict_proba gave {k} columns on training rows but "
            f"{p_nonmembers.shape[1]} on held-out rows",
            field="model",
        )
    classes = check.model_classes(model)
    if classes is not None and len(classes) != k:
        raise UnusableModelError(
            f"the model has {len(classes)} classes but predict_proba gave {k} columns",
            field="model",
        )
    if classes is None:
        classes = check.default_classes(
            np.concatenate([labels["train"], labels["test"]]), k, "y_train and y_test"
        )
    y_members = check.label_index(labels["train"], classes, "y_train", of_model=True)
    y_nonmembers = check.label_index(labels["test"], classes, "y_test", of_model=True)
    sides = attacks_of.Sides(
        y_members[plan.members], p_members, y_nonmembers[plan.nonmembers], p_nonmembers
    )
    digests = input_digests(
        inputs,
        data=lambda: data_digest(X_train, y_train, X_test, y_test),
        model=lambda: model_digest(model),
    )
    return _assess(
        mode="model", sides=sides, plan=plan, opts=opts, digests=digests, progress=progress
    )


def _model_proba(model: Any, rows: Any, n: int) -> Array:
    proba = np.asarray(model.predict_proba(rows))
    if len(proba) != n:
        raise UnusableModelError(
            f"the model's predict_proba returned {len(proba)} rows for {n}", field="model"
        )
    return check.probabilities(proba, "the model's predict_proba output")


def assess_membership_from_predictions(
    y_true: Any,
    proba: Any,
    member: Any,
    *,
    classes: Any = None,
    attacks: str | Sequence[str] = ATTACKS,
    attack_model: str = "rf",
    attack_train_fraction: float = 0.5,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    seed: int = 0,
    thresholds: PrivacyThresholds | None = None,
    inputs: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> MembershipResult:
    """Membership inference from a model's predictions alone, without the model.

    Give each row's label, the model's class probabilities for it and whether it was in
    the training set; the same attacks and figures as
    :func:`assess_membership_inference` follow, and on the same probabilities and seed
    the same result.

    Parameters
    ----------
    y_true : array-like
        Each row's true label.
    proba : array-like
        The model's class probabilities, shape ``(n, classes)`` with rows summing to 1;
        for a binary model also the positive class's probability alone, shape ``(n,)``.
    member : array-like of bool or 0/1
        True (1) for a row of the training set, False (0) for a held-out row.
    classes : array-like, optional
        The label of each probability column, in order (a model's ``classes_``). By
        default ``0 … k-1`` when the labels are such integers, else the sorted distinct
        labels — scikit-learn's order.
    attacks, attack_model, attack_train_fraction, max_samples, seed, thresholds, progress
        As for :func:`assess_membership_inference`.
    inputs : mapping, optional
        Digests of the inputs by role; ``data`` is computed from the three columns if
        not given. No model digest is recorded: there is no model.

    Returns
    -------
    MembershipResult

    Raises
    ------
    LengthMismatchError
        If ``y_true``, ``proba`` and ``member`` differ in length.
    NonFiniteValuesError
        If a label or probability is NaN or infinite.
    AssessmentInputError
        Probabilities outside [0, 1] or rows not summing to 1, ``member`` not boolean or
        all one value, fewer than 20 rows on a side, labels with no probability column,
        unknown attacks or options out of range.
    """
    opts = check.options(
        attacks, attack_model, attack_train_fraction, max_samples, seed, thresholds
    )
    y = check.labels(y_true, "y_true")
    p = check.probabilities(proba, "proba")
    is_member = checks_of.column(member, "member")
    for name, length in (("proba", len(p)), ("member", len(is_member))):
        if length != len(y):
            raise LengthMismatchError(
                f"y_true has {len(y)} values but {name} has {length}", field=name
            )
    is_member = check.membership(is_member)
    k = p.shape[1]
    column_labels = (
        check.default_classes(y, k, "y_true")
        if classes is None
        else check.column_classes(classes, k, "classes")
    )
    y_index = check.label_index(y, column_labels, "y_true", of_model=False)
    members, nonmembers = np.flatnonzero(is_member), np.flatnonzero(~is_member)
    plan = attacks_of.plan(len(members), len(nonmembers), opts)
    rows_m, rows_n = members[plan.members], nonmembers[plan.nonmembers]
    sides = attacks_of.Sides(y_index[rows_m], p[rows_m], y_index[rows_n], p[rows_n])
    digests = input_digests(
        inputs, data=lambda: data_digest(y, check.as_array(proba).astype(np.float64), is_member)
    )
    return _assess(
        mode="predictions", sides=sides, plan=plan, opts=opts, digests=digests, progress=progress
    )
