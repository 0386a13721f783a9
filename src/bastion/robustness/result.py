"""The typed result of a robustness assessment, and the ways to read it.

A :class:`RobustnessResult` is what a notebook shows (``_repr_html_``), what ``to_frame``
hands to pandas, and what ``to_dict`` turns into the JSON stored as the ``result`` of an
``assessment.robustness`` evidence record. Its verdict comes from
:class:`RobustnessThresholds`, whose defaults are documented there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import pandas as pd

from bastion.assessment.display import html_report
from bastion.assessment.verdict import Check, Verdict, plain, summarize

__all__ = [
    "SCHEMA_VERSION",
    "AdversarialExample",
    "AttackResult",
    "RobustnessResult",
    "RobustnessThresholds",
    "StabilityResult",
]

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class RobustnessThresholds:
    """When a robustness result passes, warns or fails.

    The defaults, and why (no standard fixes them for tabular models; these are the
    house's, stated so that a reviewer can argue with them):

    - ``robust_accuracy_ratio`` — the share of the model's correct decisions on the
      attacked sample that no attack could overturn within ``epsilon`` (accuracy under
      attack over clean accuracy). It warns below 0.8 and fails below 0.5: at the default
      ``epsilon`` of half a standard deviation (in L2 over all perturbed features) a
      decision that flips is one an applicant could plausibly change by nudging a few
      figures; losing one correct decision in five is worth a look, losing half of them
      means the model's decisions mostly sit on its boundary.
    - ``noise_flip_rate`` — the share of (row, repeat) pairs whose prediction changes
      under Gaussian noise of ``noise`` standard deviations (5 % by default, about the
      size of rounding or measurement error). It warns above 0.02 and fails above 0.10:
      a decision that one noisy re-measurement in fifty overturns is fragile, one in ten
      is arbitrary.

    Attributes
    ----------
    robust_accuracy_ratio_warn, robust_accuracy_ratio_fail : float
        Warn / fail when the ratio is below these.
    flip_rate_warn, flip_rate_fail : float
        Warn / fail when the noise flip rate is above these.
    """

    robust_accuracy_ratio_warn: float = 0.8
    robust_accuracy_ratio_fail: float = 0.5
    flip_rate_warn: float = 0.02
    flip_rate_fail: float = 0.10


@dataclass(frozen=True)
class AttackResult:
    """What one attack achieved on the sample.

    Sizes are in standardized units (one unit is one standard deviation of a feature on
    ``X``): ``l2`` over all perturbed features, ``linf`` the largest single move. Size
    statistics are over the rows the attack flipped (NaN when it flipped none).

    Attributes
    ----------
    name : str
    evaluated : int
        Sample rows taken in (correct or not) before the time budget stopped, if it did.
    attacked : int
        The correctly classified rows among them, each attacked.
    succeeded, succeeded_within_epsilon : int
        Attacked rows whose label the attack changed at all / within ``epsilon`` (L2).
    success_rate, success_rate_within_epsilon : float
        The same over ``attacked``.
    median_l2, mean_l2, median_linf, mean_linf : float
        Perturbation sizes of the successful examples.
    clean_accuracy : float
        ``attacked / evaluated``.
    accuracy_under_attack : float
        Evaluated rows still correct: a correct row counts unless this attack flipped it
        within ``epsilon``.
    accuracy_ratio : float
        ``accuracy_under_attack / clean_accuracy`` (NaN when nothing was attacked).
    queries : int
        Records the model predicted for this attack, the starting searches included.
    query_capped : int
        Rows where the ``max_evals`` budget stopped the attack before its ``max_iter``.
    no_start : int
        Rows where no random draw changed the label, so there was nothing to refine.
    seconds : float
    parameters : dict
        The keyword arguments ART's attack was built with.
    """

    name: str
    evaluated: int
    attacked: int
    succeeded: int
    succeeded_within_epsilon: int
    success_rate: float
    success_rate_within_epsilon: float
    median_l2: float
    mean_l2: float
    median_linf: float
    mean_linf: float
    clean_accuracy: float
    accuracy_under_attack: float
    accuracy_ratio: float
    queries: int
    query_capped: int
    no_start: int
    seconds: float
    parameters: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The attack's figures as plain JSON."""
        return plain(self.__dict__)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class StabilityResult:
    """How often predictions change under small Gaussian noise on the numeric features.

    Attributes
    ----------
    noise : float
        The noise's standard deviation, in standard deviations of each feature.
    repeats : int
        Noisy copies of each row.
    rows : int
        Rows tested (all of ``X``, or a seeded sample of ``max_noise_rows``).
    sampled : bool
        Whether ``rows`` is a sample of ``X``.
    flip_rate : float
        Share of (row, repeat) pairs whose prediction differs from the row's own.
    rows_flipped : float
        Share of rows whose prediction changed in at least one repeat.
    seconds : float
    """

    noise: float
    repeats: int
    rows: int
    sampled: bool
    flip_rate: float
    rows_flipped: float
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        """The figures as plain JSON."""
        return plain(self.__dict__)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class AdversarialExample:
    """One row whose label an attack changed: where it started and where it ended.

    Attributes
    ----------
    attack : str
    row : object
        The row's index label in ``X`` (its position for a numpy array).
    position : int
        The row's position in ``X``.
    label : object
        The row's true label, which the model predicted before the attack.
    adversarial_label : object
        What the model predicts for the adversarial record.
    l2, linf : float
        The perturbation in standardized units.
    within_epsilon : bool
        Whether ``l2 <= epsilon``.
    original, adversarial : dict
        The perturbed features' values before and after, in their own units.
    """

    attack: str
    row: Any
    position: int
    label: Any
    adversarial_label: Any
    l2: float
    linf: float
    within_epsilon: bool
    original: dict[str, float]
    adversarial: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """The example as plain JSON."""
        return plain(self.__dict__)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class RobustnessResult:
    """Everything a robustness assessment found; see the attributes for each part.

    Attributes
    ----------
    epsilon : float
        The perturbation size (standardized L2) within which a flip counts against
        accuracy.
    features : tuple of str
        The numeric features perturbed.
    fixed_columns : tuple of str
        The columns held at each row's value (categorical, boolean, or left out).
    scale : dict
        Each perturbed feature's ``mean``, ``std``, ``min`` and ``max`` on ``X``: the unit
        of the sizes and the clip range.
    rows_sampled, rows_evaluated, rows_attacked : int
        The seeded sample's size, the rows taken in before any time limit, and the
        correctly classified rows among those (each attacked by every attack).
    clean_accuracy : float
        Accuracy on the evaluated rows.
    robust_accuracy : float
        Evaluated rows still correct when a row counts as lost if *any* attack flipped it
        within ``epsilon`` (the worst case over the attacks).
    robust_accuracy_ratio : float
        ``robust_accuracy / clean_accuracy``: the share of correct decisions that survive.
    attacks : tuple of AttackResult
        Each attack's figures, in the order asked.
    stability : StabilityResult
        The noise test.
    examples : tuple of AdversarialExample
        Every successful adversarial example, by attack then row.
    checks : tuple of Check
        The threshold checks behind the verdict.
    verdict : {"pass", "warn", "fail", "info"}
    notes : tuple of str
        Sentences a reader should see: an early stop, no row to attack, left-out features.
    settings : dict
        The options and budgets the result was computed with, and ART's parameters.
    budget : dict
        What the budgets allowed: rows planned and attacked, whether the time budget
        stopped the attacks, seconds spent.
    inputs : dict
        SHA-256 digests of what it ran on (``data``, ``model``), for the evidence record.
    adversarial_rows : pandas.DataFrame
        The full records of ``examples``, in the same order and with the columns of ``X``:
        feed them to the model to see each label change (not serialized).
    """

    evidence_kind: ClassVar[str] = "assessment.robustness"
    """The kind of evidence this result is recorded as (``Client.log_assessment``)."""

    epsilon: float
    features: tuple[str, ...]
    fixed_columns: tuple[str, ...]
    scale: dict[str, dict[str, float]]
    rows_sampled: int
    rows_evaluated: int
    rows_attacked: int
    clean_accuracy: float
    robust_accuracy: float
    robust_accuracy_ratio: float
    attacks: tuple[AttackResult, ...]
    stability: StabilityResult
    examples: tuple[AdversarialExample, ...]
    checks: tuple[Check, ...]
    verdict: Verdict
    notes: tuple[str, ...]
    settings: dict[str, Any]
    budget: dict[str, Any]
    inputs: dict[str, str]
    adversarial_rows: pd.DataFrame = field(repr=False, compare=False)

    def attack(self, name: str) -> AttackResult:
        """The result of the attack called ``name``."""
        for a in self.attacks:
            if a.name == name:
                return a
        raise KeyError(
            f"no attack {name!r} in this result; it has {[a.name for a in self.attacks]}"
        )

    @property
    def summary(self) -> str:
        """One sentence for the evidence record's ``summary``."""
        title = (
            f"{self.rows_attacked} rows attacked at epsilon {self.epsilon:g} std, "
            f"noise {self.stability.noise:g} std"
        )
        return summarize(title, self.verdict, self.checks)

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-able data (NaN written as ``None``).

        The settings and scale; the sample; each attack's figures; the worst case over
        the attacks; the noise test; every adversarial example (features before and
        after); the checks, verdict, notes, budget and input digests.
        """
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "settings": self.settings,
            "epsilon": self.epsilon,
            "features": list(self.features),
            "fixed_columns": list(self.fixed_columns),
            "scale": self.scale,
            "rows_sampled": self.rows_sampled,
            "rows_evaluated": self.rows_evaluated,
            "rows_attacked": self.rows_attacked,
            "clean_accuracy": self.clean_accuracy,
            "robust_accuracy": self.robust_accuracy,
            "robust_accuracy_ratio": self.robust_accuracy_ratio,
            "attacks": [a.to_dict() for a in self.attacks],
            "stability": self.stability.to_dict(),
            "examples": [e.to_dict() for e in self.examples],
            "checks": [c.to_dict() for c in self.checks],
            "verdict": self.verdict,
            "summary": self.summary,
            "notes": list(self.notes),
            "budget": self.budget,
            "inputs": self.inputs,
        }
        return plain(out)  # type: ignore[no-any-return]

    def to_frame(self) -> pd.DataFrame:
        """Each attack's figures, one row per attack (parameters left out)."""
        rows = [{k: v for k, v in a.__dict__.items() if k != "parameters"} for a in self.attacks]
        return pd.DataFrame(rows).set_index("name") if rows else pd.DataFrame()

    def _repr_html_(self) -> str:
        s = self.stability
        noise = (
            f"<p>Gaussian noise of {s.noise:g} std, {s.repeats} repeats on {s.rows} rows: "
            f"flip rate {s.flip_rate:.4f}, rows flipped at least once {s.rows_flipped:.4f}</p>"
        )
        return html_report(
            "Robustness", self.verdict, self.summary, self.notes,
            [("Attacks", self.to_frame()), ("Noise", noise)],
        )  # fmt: skip
