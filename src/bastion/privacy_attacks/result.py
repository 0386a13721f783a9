"""The typed result of a membership-inference assessment, and the ways to read it.

A :class:`MembershipResult` is what a notebook shows (``_repr_html_``), what ``to_frame``
hands to pandas, and what ``to_dict`` turns into the JSON stored as the ``result`` of an
``assessment.privacy_attack`` evidence record. Its verdict and its leakage risk level both
come from :class:`PrivacyThresholds`, whose defaults are justified there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from bastion.assessment.display import html_report
from bastion.assessment.errors import AssessmentInputError
from bastion.assessment.verdict import Check, Verdict, plain

__all__ = [
    "ATTACKS",
    "ATTACK_MODELS",
    "SCHEMA_VERSION",
    "AttackModel",
    "AttackName",
    "AttackResult",
    "MembershipResult",
    "PrivacyThresholds",
    "RiskLevel",
]

SCHEMA_VERSION = 1

AttackName = Literal["rule_based", "black_box"]
AttackModel = Literal["rf", "gb", "nn"]
RiskLevel = Literal["low", "medium", "high"]

ATTACKS: tuple[AttackName, ...] = ("rule_based", "black_box")
ATTACK_MODELS: tuple[AttackModel, ...] = ("rf", "gb", "nn")

# A check's outcome read as a leakage risk level: the levels and the verdict are one scale.
RISK_OF_OUTCOME: dict[Verdict, RiskLevel] = {
    "pass": "low",
    "info": "low",
    "warn": "medium",
    "fail": "high",
}
RISK_ORDER: dict[RiskLevel, int] = {"low": 0, "medium": 1, "high": 2}


def worst_risk(*levels: RiskLevel) -> RiskLevel:
    """The highest of the risk levels (high > medium > low)."""
    return max(levels, key=lambda level: RISK_ORDER[level])


@dataclass(frozen=True)
class PrivacyThresholds:
    """When membership leakage passes, warns or fails — and so which risk level it is.

    Two figures of each attack are checked, and unlike most Bastion checks the thresholds
    themselves already warn or fail (``AUC >= 0.6`` warns), so that the risk levels read
    as the usual half-open bands:

    ======  ====================================================
    low     AUC < 0.6 and TPR at 1 % FPR < 0.05 (every check passes)
    medium  anything in between (some check warns, none fails)
    high    AUC >= 0.7 or TPR at 1 % FPR >= 0.10 (some check fails)
    ======  ====================================================

    Why these defaults:

    - **TPR at 1 % FPR** is the figure Carlini et al. ("Membership Inference Attacks From
      First Principles", IEEE S&P 2022) argue matters: whether an attacker can pick out
      *some* training records with confidence, not whether it beats a coin on average.
      A guessing attacker has TPR = FPR, i.e. 0.01 here; 0.05 is five times chance (a
      few records in every hundred are exposed with few false alarms), 0.10 is ten times.
    - **AUC** measures average-case distinguishability. Hosmer, Lemeshow and Sturdivant
      (*Applied Logistic Regression*, 3rd ed., 2013, ch. 5) call an AUC from 0.5 to 0.7
      poor discrimination and 0.7 or more acceptable: an attack that tells members from
      non-members acceptably well is high risk, and one halfway up the poor band (0.6),
      reliably better than a coin on a few thousand rows, is worth a warning.

    Attributes
    ----------
    auc_warn, auc_fail : float
        Warn / fail when an attack's AUC is at least these.
    tpr_at_1pct_fpr_warn, tpr_at_1pct_fpr_fail : float
        Warn / fail when an attack's TPR at a 1 % false positive rate is at least these.
    """

    auc_warn: float = 0.6
    auc_fail: float = 0.7
    tpr_at_1pct_fpr_warn: float = 0.05
    tpr_at_1pct_fpr_fail: float = 0.10

    def __post_init__(self) -> None:
        for name, warn, fail in (
            ("auc", self.auc_warn, self.auc_fail),
            ("tpr_at_1pct_fpr", self.tpr_at_1pct_fpr_warn, self.tpr_at_1pct_fpr_fail),
        ):
            if not 0 <= warn <= fail <= 1:
                raise AssessmentInputError(
                    f"thresholds: need 0 <= {name}_warn <= {name}_fail <= 1, "
                    f"got warn {warn} and fail {fail}",
                    field="thresholds",
                )


@dataclass(frozen=True)
class AttackResult:
    """One attack, evaluated on a balanced set of members and non-members.

    Every rate treats "member" as the positive class. ``member``, ``scores`` and
    ``decisions`` are the rows it was evaluated on (not serialized): the true membership,
    the attack's membership score and its yes/no decision, so that any figure can be
    recomputed (``sklearn.metrics.roc_auc_score(r.member, r.scores) == r.auc``).

    Attributes
    ----------
    name : {"rule_based", "black_box"}
    attack_model : {"rf", "gb", "nn"} or None
        The trained attack's classifier; ``None`` for the rule-based attack.
    score_kind : {"probability", "decision"}
        ``probability`` when the attack gives a membership probability; ``decision``
        when it only says yes or no (the rule-based attack), so that its AUC is the AUC
        of a single operating point, which equals its balanced accuracy, and its TPR at a
        low FPR is 0 unless its own FPR is that low.
    n_train : int
        Rows the attack was trained on (members and non-members together; 0 if none).
    n_eval : int
        Rows it was evaluated on, half members and half non-members.
    accuracy, precision, recall : float
        Of the attack's decisions; precision is NaN when it calls no row a member.
    auc : float
        Area under the ROC curve of the membership scores.
    tpr_at_0_1pct_fpr, tpr_at_1pct_fpr, tpr_at_10pct_fpr : float
        The highest true positive rate whose false positive rate is at most 0.1 %, 1 %
        and 10 %, read off the ROC curve (Carlini et al. 2022).
    tpr, fpr : float
        The true and false positive rates of the attack's decisions.
    advantage : float
        Membership advantage ``tpr - fpr`` of the decisions (Yeom et al., "Privacy Risk
        in Machine Learning", CSF 2018): 0 for guessing, 1 for a perfect attack.
    risk_level : {"low", "medium", "high"}
        This attack's level under the thresholds.
    """

    name: AttackName
    attack_model: AttackModel | None
    score_kind: Literal["probability", "decision"]
    n_train: int
    n_eval: int
    accuracy: float
    precision: float
    recall: float
    auc: float
    tpr_at_0_1pct_fpr: float
    tpr_at_1pct_fpr: float
    tpr_at_10pct_fpr: float
    tpr: float
    fpr: float
    advantage: float
    risk_level: RiskLevel
    member: npt.NDArray[np.bool_] = field(repr=False, compare=False)
    scores: npt.NDArray[np.float64] = field(repr=False, compare=False)
    decisions: npt.NDArray[np.bool_] = field(repr=False, compare=False)

    @property
    def tpr_at_fpr(self) -> dict[float, float]:
        """The low-FPR figures keyed by the false positive rate (0.001, 0.01, 0.1)."""
        return {
            0.001: self.tpr_at_0_1pct_fpr,
            0.01: self.tpr_at_1pct_fpr,
            0.1: self.tpr_at_10pct_fpr,
        }

    def figures(self) -> dict[str, Any]:
        """The attack's settings and figures, without the per-row arrays."""
        return {
            k: v for k, v in self.__dict__.items() if k not in ("member", "scores", "decisions")
        }

    def to_dict(self) -> dict[str, Any]:
        """The attack as plain JSON (NaN written as ``None``)."""
        return plain(self.figures())  # type: ignore[no-any-return]


@dataclass(frozen=True)
class MembershipResult:
    """Everything a membership-inference assessment found; see the attributes for each part.

    Attributes
    ----------
    mode : {"model", "predictions"}
        Whether the model was called, or only its predictions were given.
    attacks : tuple of AttackResult
        Each attack run, in the order asked for.
    risk_level : {"low", "medium", "high"}
        The leakage risk of the worst attack (see :class:`PrivacyThresholds`).
    worst_attack : str
        The attack that set the risk level (the higher AUC breaks a tie).
    n_classes : int
        The number of classes of the target model.
    members_available, nonmembers_available : int
        Training rows (members) and held-out rows (non-members) given.
    n_sampled : int
        Rows sampled from each side (the same number, so the sets are balanced).
    n_attack_train, n_eval : int
        Of those, per side: the rows the trained attack learned from, and the rows every
        attack was evaluated on.
    member_accuracy, nonmember_accuracy : float
        The target model's accuracy on the sampled members and non-members; their gap is
        the overfitting that membership inference exploits.
    checks : tuple of Check
        AUC and TPR at 1 % FPR of each attack against the thresholds.
    verdict : {"pass", "warn", "fail"}
    notes : tuple of str
        Sentences a reader should see: conventions, sampling, the limits of the figures.
    settings : dict
        The options the result was computed with.
    inputs : dict
        SHA-256 digests of what it ran on, by role (``data``, ``model``).
    """

    evidence_kind: ClassVar[str] = "assessment.privacy_attack"
    """The kind of evidence this result is recorded as (``Client.log_assessment``)."""

    mode: Literal["model", "predictions"]
    attacks: tuple[AttackResult, ...]
    risk_level: RiskLevel
    worst_attack: str
    n_classes: int
    members_available: int
    nonmembers_available: int
    n_sampled: int
    n_attack_train: int
    n_eval: int
    member_accuracy: float
    nonmember_accuracy: float
    checks: tuple[Check, ...]
    verdict: Verdict
    notes: tuple[str, ...]
    settings: dict[str, Any]
    inputs: dict[str, str]

    def attack(self, name: str) -> AttackResult:
        """The result of the attack called ``name``."""
        for a in self.attacks:
            if a.name == name:
                return a
        raise KeyError(f"no attack {name!r} was run; ran {[a.name for a in self.attacks]}")

    @property
    def summary(self) -> str:
        """One sentence for the evidence record's ``summary``."""
        worst = self.attack(self.worst_attack)
        return (
            f"{self.verdict}: membership inference risk {self.risk_level} — "
            f"{worst.name.replace('_', '-')} attack AUC {worst.auc:.3f}, "
            f"TPR {worst.tpr_at_1pct_fpr:.3f} at 1% FPR "
            f"({self.n_eval} members vs {self.n_eval} non-members)"
        )

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-able data (NaN written as ``None``)."""
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "mode": self.mode,
            "settings": self.settings,
            "n_classes": self.n_classes,
            "members_available": self.members_available,
            "nonmembers_available": self.nonmembers_available,
            "n_sampled": self.n_sampled,
            "n_attack_train": self.n_attack_train,
            "n_eval": self.n_eval,
            "member_accuracy": self.member_accuracy,
            "nonmember_accuracy": self.nonmember_accuracy,
            "attacks": [a.to_dict() for a in self.attacks],
            "risk_level": self.risk_level,
            "worst_attack": self.worst_attack,
            "checks": [c.to_dict() for c in self.checks],
            "verdict": self.verdict,
            "summary": self.summary,
            "notes": list(self.notes),
            "inputs": self.inputs,
        }
        return plain(out)  # type: ignore[no-any-return]

    def to_frame(self) -> pd.DataFrame:
        """One row per attack with its figures, indexed by the attack's name."""
        rows = [a.figures() for a in self.attacks]
        return pd.DataFrame(rows).set_index("name")

    def _repr_html_(self) -> str:
        return html_report(
            "Membership inference", self.verdict, self.summary, self.notes,
            [("Attacks", self.to_frame())], detail=f"Leakage risk: {self.risk_level}.",
        )  # fmt: skip
