"""The typed results of the re-identification measures and of the generalization search.

A :class:`ReidentificationResult` is what a notebook shows (``_repr_html_``), what
``to_frame`` hands to pandas (one row per equivalence class), and what ``to_dict`` turns
into the JSON stored as the ``result`` of an ``assessment.reidentification`` evidence
record. That JSON holds figures, class sizes and the quasi-identifier values of the
smallest classes — never a sensitive value. Its verdict comes from the targets k, l and
t and from :class:`ReidentificationThresholds`, whose defaults are justified there.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from bastion.assessment.display import html_report
from bastion.assessment.verdict import Check, Verdict, plain
from bastion.reident.classes import ClassCounts

__all__ = [
    "SCHEMA_VERSION",
    "Distance",
    "EquivalenceClass",
    "GeneralizationResult",
    "GeneralizationStep",
    "LKind",
    "ReidentificationResult",
    "ReidentificationThresholds",
    "SensitiveAttributeResult",
]

SCHEMA_VERSION = 1

LKind = Literal["distinct", "entropy", "recursive"]
Distance = Literal["ordered", "equal"]


@dataclass(frozen=True)
class ReidentificationThresholds:
    """Where l-diversity and t-closeness turn from ``warn`` to ``fail``.

    The targets ``k``, ``l`` and ``t`` given to the assessment are the pass marks: k
    below its target fails outright (the records in small classes are the ones a
    prosecutor can single out), while l below its target and t above it warn, and fail
    only beyond these thresholds. No standard sets them; the defaults mark the cases
    where attribute disclosure is no longer a matter of degree:

    Attributes
    ----------
    l_fail : float
        l below this fails (default 2): a class whose members all share one sensitive
        value — or, for entropy l, whose values are so skewed that fewer than two are
        effectively represented — discloses that value for everyone in it (the
        homogeneity attack of Machanavajjhala et al.). Used as ``min(l_fail, l)``.
    t_fail : float
        t above this fails (default 0.5): some class's sensitive distribution differs
        from the whole table's by more than half of its mass, so being in that class
        moves an attacker's belief about the sensitive value by as much. Used as
        ``max(t_fail, t)``.
    """

    l_fail: float = 2.0
    t_fail: float = 0.5


@dataclass(frozen=True)
class SensitiveAttributeResult:
    """l-diversity and t-closeness of one sensitive attribute.

    Attributes
    ----------
    name : str
    values : int
        The number of distinct values (a missing value counts as one).
    distance : {"ordered", "equal"}
        The ground distance of the Earth Mover's Distance; ``distance_reason`` says why.
    l : float
        The table's l of the kind asked for (``l_kind``): the smallest over classes.
    distinct_l, entropy_l, recursive_l : float
        All three kinds, whichever was asked for (recursive l for the given c).
    recursive_c_required : float
        The table is recursive (c, l)-diverse for the target l with any c above this
        (infinite, written ``None``, when some class has fewer than l values).
    t : float
        The largest Earth Mover's Distance of a class from the table.
    mean_t : float
        The distance averaged over rows (each row weighs its class's distance).
    classes_below_l, rows_below_l : int
        Classes whose l is under the target, and the rows in them.
    classes_above_t, rows_above_t : int
        Classes farther than t from the table, and the rows in them.
    """

    name: str
    values: int
    distance: Distance
    distance_reason: str
    l_kind: LKind
    l: float  # noqa: E741 — the l of l-diversity
    distinct_l: int
    entropy_l: float
    recursive_l: int
    recursive_c_required: float
    t: float
    mean_t: float
    classes_below_l: int
    rows_below_l: int
    classes_above_t: int
    rows_above_t: int
    per_class: pd.DataFrame = field(repr=False, compare=False)
    """Per class, aligned with the result's classes: each kind of l and the distance."""

    def to_dict(self) -> dict[str, Any]:
        """The figures as plain JSON (no sensitive value appears in them)."""
        out = {k: v for k, v in self.__dict__.items() if k != "per_class"}
        return plain(out)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class EquivalenceClass:
    """One equivalence class: its quasi-identifier values and its size."""

    values: dict[str, Any]
    size: int

    @property
    def prosecutor_risk(self) -> float:
        """1 / size: the chance a prosecutor who knows the values picks the right row."""
        return 1.0 / self.size

    def to_dict(self) -> dict[str, Any]:
        """``{"values": {qi: value}, "size": n, "prosecutor_risk": 1/n}``."""
        return {
            "values": plain(self.values),
            "size": self.size,
            "prosecutor_risk": self.prosecutor_risk,
        }


def _size_label(low: int, high: int | None) -> str:
    if high is None:
        return f"{low}+"
    return str(low) if high == low else f"{low}-{high}"


# Class-size buckets of the histogram: exact sizes where risk changes fastest.
SIZE_BUCKETS: tuple[tuple[int, int | None], ...] = (
    (1, 1),
    (2, 2),
    (3, 3),
    (4, 4),
    (5, 9),
    (10, 19),
    (20, 49),
    (50, 99),
    (100, None),
)


def size_histogram(sizes: npt.NDArray[np.int64]) -> tuple[dict[str, Any], ...]:
    """Classes and rows by class size, in the buckets of :data:`SIZE_BUCKETS`."""
    out = []
    for low, high in SIZE_BUCKETS:
        inside = (sizes >= low) & (sizes <= (high if high is not None else np.iinfo(np.int64).max))
        out.append(
            {
                "sizes": _size_label(low, high),
                "classes": int(inside.sum()),
                "rows": int(sizes[inside].sum()),
            }
        )
    return tuple(out)


@dataclass(frozen=True)
class ReidentificationResult:
    """Everything a re-identification assessment found; see the attributes for each part.

    Attributes
    ----------
    quasi_identifiers, sensitive : tuple of str
    rows, classes : int
        Rows assessed and equivalence classes found.
    k : int
        The size of the smallest class: the table is k-anonymous for this k.
    k_target, l_target, t_target : float
        The targets asked for; ``l_kind`` says which l, ``c`` is recursive l's c.
    rows_at_risk : int
        Rows in classes smaller than ``k_target`` (prosecutor risk above 1 / k_target).
    share_at_risk : float
        Their share of the rows (ARX's "records at risk" for threshold 1 / k_target).
    unique_rows, unique_share : int, float
        Rows alone in their class (prosecutor risk 1), and their share.
    max_prosecutor_risk : float
        1 / k: the highest chance of re-identifying one row (ARX's "highest risk").
    mean_prosecutor_risk : float
        classes / rows: the chance averaged over rows (ARX's "average risk").
    class_sizes : tuple of dict
        Classes and rows by class size bucket.
    sensitive_results : tuple of SensitiveAttributeResult
    smallest_classes : tuple of EquivalenceClass
        The smallest classes with their quasi-identifier values — they point at small
        groups of people: share them no wider than the data itself.
    checks : tuple of Check
    verdict : {"pass", "warn", "fail", "info"}
    notes : tuple of str
    settings : dict
    inputs : dict
        SHA-256 digests of what it ran on, by role (``data``), for the evidence record.
    counts : ClassCounts
        The counts everything was read from (not serialized).
    """

    evidence_kind: ClassVar[str] = "assessment.reidentification"
    """The kind of evidence this result is recorded as (``Client.log_assessment``)."""

    quasi_identifiers: tuple[str, ...]
    sensitive: tuple[str, ...]
    rows: int
    classes: int
    k: int
    k_target: int
    l_target: float
    l_kind: LKind
    c: float
    t_target: float
    rows_at_risk: int
    share_at_risk: float
    unique_rows: int
    unique_share: float
    max_prosecutor_risk: float
    mean_prosecutor_risk: float
    class_sizes: tuple[dict[str, Any], ...]
    sensitive_results: tuple[SensitiveAttributeResult, ...]
    smallest_classes: tuple[EquivalenceClass, ...]
    checks: tuple[Check, ...]
    verdict: Verdict
    notes: tuple[str, ...]
    settings: dict[str, Any]
    inputs: dict[str, str]
    counts: ClassCounts = field(repr=False, compare=False)

    @property
    def summary(self) -> str:
        """One sentence for the evidence record's ``summary``."""
        where = (
            f"over {self.rows:,} rows in {self.classes:,} classes of "
            f"{', '.join(self.quasi_identifiers)}"
        )
        deciding = [c for c in self.checks if c.outcome == self.verdict] or list(self.checks)
        parts = ", ".join(c.describe() for c in deciding)
        risk = f"{self.unique_share:.1%} unique, {self.share_at_risk:.1%} in classes under k"
        return f"{self.verdict}: {parts} ({risk}) {where}"

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-able data (NaN and infinity written as ``None``).

        Holds figures, class sizes and the quasi-identifier values of the smallest
        classes; no sensitive value.
        """
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "quasi_identifiers": list(self.quasi_identifiers),
            "sensitive": list(self.sensitive),
            "settings": self.settings,
            "rows": self.rows,
            "classes": self.classes,
            "k": self.k,
            "k_target": self.k_target,
            "l_target": self.l_target,
            "l_kind": self.l_kind,
            "c": self.c,
            "t_target": self.t_target,
            "rows_at_risk": self.rows_at_risk,
            "share_at_risk": self.share_at_risk,
            "unique_rows": self.unique_rows,
            "unique_share": self.unique_share,
            "max_prosecutor_risk": self.max_prosecutor_risk,
            "mean_prosecutor_risk": self.mean_prosecutor_risk,
            "class_sizes": list(self.class_sizes),
            "sensitive_results": [s.to_dict() for s in self.sensitive_results],
            "smallest_classes": [c.to_dict() for c in self.smallest_classes],
            "checks": [c.to_dict() for c in self.checks],
            "verdict": self.verdict,
            "summary": self.summary,
            "notes": list(self.notes),
            "inputs": self.inputs,
        }
        return plain(out)  # type: ignore[no-any-return]

    def to_frame(self) -> pd.DataFrame:
        """One row per equivalence class, smallest first, indexed by its quasi-identifier
        values: ``size``, ``prosecutor_risk`` and, per sensitive attribute, its l (of the
        kind asked for) and its distance from the table (``<name> l``, ``<name> t``)."""
        sizes = self.counts.class_sizes
        order = np.argsort(sizes, kind="stable")
        frame = pd.DataFrame({"size": sizes, "prosecutor_risk": 1.0 / sizes})
        for s in self.sensitive_results:
            frame[f"{s.name} l"] = s.per_class[s.l_kind].to_numpy()
            frame[f"{s.name} t"] = s.per_class["t"].to_numpy()
        values = self.counts.class_values
        index: pd.Index[Any] = pd.MultiIndex.from_frame(values)
        if len(self.quasi_identifiers) == 1:
            index = pd.Index(values.iloc[:, 0], name=self.quasi_identifiers[0])
        frame.index = index
        return frame.iloc[order]

    def risk_frame(self) -> pd.DataFrame:
        """The headline figures as a one-column data frame."""
        return pd.DataFrame(
            {
                "value": {
                    "rows": self.rows,
                    "classes": self.classes,
                    "k": self.k,
                    "rows at risk (class < k target)": self.rows_at_risk,
                    "share at risk": self.share_at_risk,
                    "unique rows": self.unique_rows,
                    "unique share": self.unique_share,
                    "highest prosecutor risk": self.max_prosecutor_risk,
                    "average prosecutor risk": self.mean_prosecutor_risk,
                }
            }
        )

    def sensitive_frame(self) -> pd.DataFrame:
        """One row per sensitive attribute: its l of each kind, t and the violations."""
        rows = [s.to_dict() for s in self.sensitive_results]
        if not rows:
            return pd.DataFrame()
        return pd.DataFrame(rows).set_index("name").drop(columns=["distance_reason"])

    def _repr_html_(self) -> str:
        smallest = pd.DataFrame([{**c.values, "size": c.size} for c in self.smallest_classes])
        sections: list[tuple[str, pd.DataFrame | str]] = [("Risk", self.risk_frame())]
        if self.sensitive_results:
            sections.append(("Sensitive attributes", self.sensitive_frame()))
        sections.append(("Class sizes", pd.DataFrame(list(self.class_sizes))))
        if len(smallest):
            sections.append(("Smallest classes (these point at small groups)", smallest))
        return html_report(
            "Re-identification risk", self.verdict, self.summary, self.notes, sections
        )


@dataclass(frozen=True)
class GeneralizationStep:
    """One step of the search: a quasi-identifier raised to a level, and what followed."""

    quasi_identifier: str
    level: int
    k: int
    rows_at_risk: int

    def to_dict(self) -> dict[str, Any]:
        """The step as plain JSON."""
        return plain(self.__dict__)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class GeneralizationResult:
    """The outcome of :func:`~bastion.reident.generalize_until`.

    Attributes
    ----------
    quasi_identifiers : tuple of str
    k_target : int
    k : int
        The k of the returned frame (0 if every row was suppressed — which the search
        never does on its own).
    reached : bool
        Whether ``k >= k_target`` within the suppression and step limits.
    strategy : {"greedy", "datafly"}
    levels : dict of str to int
        The level chosen per quasi-identifier (0: as it was).
    heights : dict of str to int
        How many levels each quasi-identifier's hierarchy has above its values.
    level_labels : dict of str to str
        What each chosen level means ("bins of 20", "first 3 characters", "*", …).
    rows : int
        Rows given.
    rows_suppressed : int
        Rows removed because their class stayed under k (at most ``max_suppression``).
    max_suppression : float
    steps : tuple of GeneralizationStep
        The path the search took.
    information_loss : dict of str to float
        ``generalization_height``: the chosen levels as a share of each hierarchy's
        height, averaged over the quasi-identifiers (1 - Sweeney's precision);
        ``discernibility``: Bayardo & Agrawal's discernibility metric — Σ |class|²
        over the kept classes plus rows times the suppressed rows;
        ``average_class_size``: LeFevre et al.'s C_avg — (kept rows / classes) / k, 1 at
        best.
    notes : tuple of str
    inputs : dict
    frame : pandas.DataFrame
        The generalized table: every column of the input, the quasi-identifiers
        replaced by their generalized values, suppressed rows removed (the index is
        kept, so ``suppressed_index`` names them). Not serialized.
    suppressed_index : pandas.Index
        The index labels of the suppressed rows. Not serialized.
    """

    quasi_identifiers: tuple[str, ...]
    k_target: int
    k: int
    reached: bool
    strategy: Literal["greedy", "datafly"]
    levels: dict[str, int]
    heights: dict[str, int]
    level_labels: dict[str, str]
    rows: int
    rows_suppressed: int
    max_suppression: float
    steps: tuple[GeneralizationStep, ...]
    information_loss: dict[str, float]
    notes: tuple[str, ...]
    inputs: dict[str, str]
    frame: pd.DataFrame = field(repr=False, compare=False)
    suppressed_index: pd.Index[Any] = field(repr=False, compare=False)

    @property
    def suppressed_share(self) -> float:
        """The share of rows suppressed."""
        return self.rows_suppressed / self.rows if self.rows else 0.0

    @property
    def summary(self) -> str:
        """One sentence: whether k was reached, and at what cost."""
        chosen = ", ".join(f"{q} {self.level_labels[q]}" for q in self.quasi_identifiers)
        head = "reached" if self.reached else "did not reach"
        return (
            f"{head} k={self.k_target} (k {self.k}) with {chosen}; "
            f"{self.rows_suppressed:,} of {self.rows:,} rows suppressed"
        )

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON: levels, figures and the path; never the data."""
        out = {
            "schema_version": SCHEMA_VERSION,
            "quasi_identifiers": list(self.quasi_identifiers),
            "k_target": self.k_target,
            "k": self.k,
            "reached": self.reached,
            "strategy": self.strategy,
            "levels": self.levels,
            "heights": self.heights,
            "level_labels": self.level_labels,
            "rows": self.rows,
            "rows_suppressed": self.rows_suppressed,
            "suppressed_share": self.suppressed_share,
            "max_suppression": self.max_suppression,
            "steps": [s.to_dict() for s in self.steps],
            "information_loss": self.information_loss,
            "summary": self.summary,
            "notes": list(self.notes),
            "inputs": self.inputs,
        }
        return plain(out)  # type: ignore[no-any-return]

    def to_frame(self) -> pd.DataFrame:
        """One row per quasi-identifier: the level chosen, the height, what it means."""
        return pd.DataFrame(
            {
                "level": self.levels,
                "height": self.heights,
                "meaning": self.level_labels,
            }
        ).loc[list(self.quasi_identifiers)]

    def _repr_html_(self) -> str:
        verdict = "pass" if self.reached else "fail"
        steps = pd.DataFrame([s.to_dict() for s in self.steps])
        sections: list[tuple[str, pd.DataFrame | str]] = [
            ("Levels", self.to_frame()),
            ("Information loss", pd.DataFrame({"value": self.information_loss})),
        ]
        if len(steps):
            sections.append(("Search path", steps))
        return html_report("Generalization", verdict, self.summary, self.notes, sections)


def thresholds_dict(thresholds: ReidentificationThresholds) -> dict[str, Any]:
    """The thresholds as plain JSON, for ``settings``."""
    return plain(asdict(thresholds))  # type: ignore[no-any-return]
