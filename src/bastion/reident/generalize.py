"""Generalizing quasi-identifiers until a table is k-anonymous: a greedy full-domain
search over the levels of each quasi-identifier's hierarchy (:mod:`.hierarchies`), with
optional suppression of the rows still in small classes.

Full-domain: every value of a column is generalized to the same level (all ages in bins
of 20, not some in 5 and some in 20), as in Samarati's and Sweeney's algorithms and in
ARX. At each step one quasi-identifier goes up one level:

- ``"greedy"`` (default) tries each quasi-identifier's next level and keeps the one that
  leaves the fewest rows in classes under k — the rows that would have to be suppressed.
  Then, on a tie, the one giving the larger k, then the one losing the smaller share of
  its hierarchy, then the first named. k itself is a poor guide on its own: one unique
  row keeps it at 1 whatever else improves.
- ``"datafly"`` is Sweeney's Datafly heuristic: raise the quasi-identifier with the most
  distinct values at its current level.

The search stops as soon as the rows in classes under k are no more than
``max_suppression`` of the table; those rows are then suppressed (removed). It is
deterministic — the same table and settings give the same levels — but greedy: it
returns *a* k-anonymous generalization, not the one of least information loss (that
needs a lattice search such as ARX's Flash or Incognito).

Each candidate is evaluated on integer codes (one ``factorize`` per level, computed
once), so a step costs a few passes over integer arrays, not a ``groupby`` of the data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from bastion.assessment.digests import input_digests
from bastion.reident.assess import check_k
from bastion.reident.errors import AssessmentInputError, HierarchyError
from bastion.reident.hierarchies import Hierarchy, build_hierarchy, level_codes
from bastion.reident.inputs import check_present, column_names, read_whole
from bastion.reident.result import GeneralizationResult, GeneralizationStep

__all__ = ["apply_levels", "generalize_until", "hierarchies_of"]

Ints = npt.NDArray[np.int64]
Strategy = Literal["greedy", "datafly"]

# Above this, a combined key of mixed-radix codes could overflow int64: re-factorize.
_KEY_LIMIT = 2**62


@dataclass(frozen=True)
class _Partition:
    """The classes of one combination of levels: each row's class and the class sizes."""

    row_class: Ints
    sizes: Ints

    def at_risk(self, k: int) -> int:
        return int(self.sizes[self.sizes < k].sum())

    def k(self) -> int:
        return int(self.sizes.min()) if len(self.sizes) else 0


class _Codes:
    """Integer codes of every level of every quasi-identifier, computed on first use."""

    def __init__(self, hierarchies: Sequence[Hierarchy]) -> None:
        self.hierarchies = hierarchies
        self._cache: dict[tuple[int, int], tuple[Ints, int]] = {}

    def get(self, qi: int, level: int) -> tuple[Ints, int]:
        key = (qi, level)
        if key not in self._cache:
            self._cache[key] = level_codes(self.hierarchies[qi].levels[level])
        return self._cache[key]

    def partition(self, levels: Sequence[int]) -> _Partition:
        n = len(self.hierarchies[0].levels[0])
        key = np.zeros(n, dtype=np.int64)
        radix = 1
        for qi, level in enumerate(levels):
            codes, cardinality = self.get(qi, level)
            if radix * cardinality >= _KEY_LIMIT:
                compact, uniques = pd.factorize(key)
                key, radix = np.asarray(compact, dtype=np.int64), len(uniques)
            key = key * cardinality + codes
            radix *= cardinality
        row_class, uniques = pd.factorize(key)
        row_class = np.asarray(row_class, dtype=np.int64)
        return _Partition(row_class, np.bincount(row_class, minlength=len(uniques)))


def _check_hierarchies(
    hierarchies: Mapping[str, Any] | None, quasi_identifiers: Sequence[str]
) -> Mapping[str, Any]:
    if hierarchies is None:
        return {}
    if not isinstance(hierarchies, Mapping):
        raise HierarchyError(
            "hierarchies must map quasi-identifier names to hierarchies", field="hierarchies"
        )
    unknown = [h for h in hierarchies if h not in quasi_identifiers]
    if unknown:
        raise HierarchyError(
            f"hierarchies given for {unknown}, which are not quasi-identifiers "
            f"{list(quasi_identifiers)}",
            field="hierarchies",
        )
    return hierarchies


def hierarchies_of(
    frame: pd.DataFrame,
    quasi_identifiers: Sequence[str],
    hierarchies: Mapping[str, Any] | None = None,
) -> tuple[Hierarchy, ...]:
    """The hierarchy of each quasi-identifier of ``frame`` (see :mod:`.hierarchies`)."""
    given = _check_hierarchies(hierarchies, quasi_identifiers)
    return tuple(build_hierarchy(q, frame[q], given.get(q)) for q in quasi_identifiers)


def _generalized(
    frame: pd.DataFrame, hierarchies: Sequence[Hierarchy], levels: Sequence[int]
) -> pd.DataFrame:
    out = frame.copy()
    for h, level in zip(hierarchies, levels, strict=True):
        if level:
            out[h.column] = h.levels[level].to_numpy(dtype=object)
    return out


def apply_levels(
    data: Any,
    *,
    levels: Mapping[str, int],
    hierarchies: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """The table with each named quasi-identifier generalized to the given level.

    Parameters
    ----------
    data : pandas, polars or Arrow table, or path
    levels : mapping of str to int
        The level per quasi-identifier: 0 leaves it as it is, its hierarchy's height
        turns it into ``"*"``.
    hierarchies : mapping, optional
        As for :func:`generalize_until`.

    Raises
    ------
    HierarchyError
        If a level is outside its hierarchy, or a hierarchy cannot be built.
    UnknownColumnError
        If a named column is not in the data.
    """
    if not isinstance(levels, Mapping) or not levels:
        raise AssessmentInputError("levels must map quasi-identifiers to levels", field="levels")
    frame, _ = read_whole(data)
    qis = column_names(list(levels), "quasi_identifiers", required=True)
    check_present([str(c) for c in frame.columns], qis, "quasi_identifiers")
    built = hierarchies_of(frame, qis, hierarchies)
    chosen = []
    for h in built:
        level = levels[h.column]
        if not isinstance(level, int | np.integer) or not 0 <= level <= h.height:
            raise HierarchyError(
                f"level {level!r} for {h.column!r} is outside its hierarchy (0 to {h.height})",
                field="levels",
            )
        chosen.append(int(level))
    return _generalized(frame, built, chosen)


def _information_loss(
    hierarchies: Sequence[Hierarchy], levels: Sequence[int], kept: Ints, n: int, k: int
) -> dict[str, float]:
    """Generalization height, Bayardo & Agrawal's DM* and LeFevre et al.'s C_avg."""
    heights = [h.height for h in hierarchies]
    share = float(np.mean([lv / ht if ht else 0.0 for lv, ht in zip(levels, heights, strict=True)]))
    suppressed = n - int(kept.sum())
    discernibility = float((kept.astype(np.float64) ** 2).sum() + float(suppressed) * n)
    average = float(kept.sum() / len(kept) / k) if len(kept) else float("nan")
    return {
        "generalization_height": share,
        "discernibility": discernibility,
        "average_class_size": average,
    }


def generalize_until(
    data: Any,
    *,
    quasi_identifiers: str | Sequence[str],
    k: int,
    hierarchies: Mapping[str, Any] | None = None,
    max_suppression: float = 0.0,
    max_steps: int | None = None,
    strategy: Strategy = "greedy",
    inputs: Mapping[str, str] | None = None,
    encoding: str = "utf-8",
) -> GeneralizationResult:
    """Generalize quasi-identifiers, one level at a time, until the table is k-anonymous.

    Parameters
    ----------
    data : pandas, polars or Arrow table, or path
        The table (a file is read whole: the generalized table is returned in memory).
    quasi_identifiers : str or sequence of str
    k : int
        The k to reach (at least 2).
    hierarchies : mapping of str to hierarchy, optional
        Per quasi-identifier: ``"truncate"`` (mask trailing characters), ``"*"`` (keep
        or suppress the column whole), a list of bin widths for a numeric column (each
        a multiple of the one before: ``[5, 10, 20]``), or a list of mappings, one per
        level, each from the values of the level below. Other columns get a hierarchy
        from their type (numbers: doubling bins; dates: month, year, decade; codes
        such as postcodes: truncation; other text: ``"*"``). ``"*"`` is always the top.
    max_suppression : float, default 0
        The largest share of rows, in [0, 1], that may be removed instead of
        generalizing further: the search stops once the rows in classes under k are
        no more than this share.
    max_steps : int, optional
        At most this many steps (one level of one quasi-identifier each); by default
        as many as the hierarchies allow.
    strategy : {"greedy", "datafly"}
        Which quasi-identifier to raise at each step (see the module).
    inputs : mapping of str to str, optional
        Digests of the inputs by role; by default the data's is computed.
    encoding : str
        The text encoding of a CSV or JSON Lines file.

    Returns
    -------
    GeneralizationResult
        The generalized frame (``frame``), the level per quasi-identifier, the rows
        suppressed, the k reached, the information loss and the path taken. When k
        cannot be reached within the limits, ``reached`` is false and ``frame`` is the
        table at the last levels tried, with nothing suppressed.

    Raises
    ------
    AssessmentInputError
        If k < 2, ``max_suppression`` is outside [0, 1], ``max_steps`` is negative, the
        strategy is unknown, no quasi-identifier is given or the table is empty.
    UnknownColumnError
        If a quasi-identifier is not in the data (named).
    HierarchyError
        If a hierarchy misses a value (named), or cannot be used.
    """
    k = check_k(k)
    qis = column_names(quasi_identifiers, "quasi_identifiers", required=True)
    if (
        isinstance(max_suppression, bool)
        or not isinstance(max_suppression, int | float)
        or not 0.0 <= float(max_suppression) <= 1.0
    ):
        raise AssessmentInputError(
            f"max_suppression must be a share of rows in [0, 1]; got {max_suppression!r}",
            field="max_suppression",
        )
    if max_steps is not None and (
        isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 0
    ):
        raise AssessmentInputError(
            f"max_steps must be a whole number of at least 0; got {max_steps!r}",
            field="max_steps",
        )
    if strategy not in ("greedy", "datafly"):
        raise AssessmentInputError(
            f"strategy must be 'greedy' or 'datafly'; got {strategy!r}", field="strategy"
        )
    frame, digest = read_whole(data, encoding=encoding)
    check_present([str(c) for c in frame.columns], qis, "quasi_identifiers")
    if len(frame) == 0:
        raise AssessmentInputError(
            "the table is empty: there is nothing to generalize", field="data"
        )
    built = hierarchies_of(frame, qis, hierarchies)
    codes = _Codes(built)
    n = len(frame)
    budget = int(np.floor(float(max_suppression) * n + 1e-9))
    heights = [h.height for h in built]
    levels = [0] * len(built)
    steps: list[GeneralizationStep] = []
    current = codes.partition(levels)
    notes: list[str] = []

    def done(p: _Partition) -> bool:
        risk = p.at_risk(k)
        return risk <= budget and risk < n  # never suppress every row

    while not done(current):
        if max_steps is not None and len(steps) >= max_steps:
            notes.append(f"Stopped after max_steps={max_steps} steps without reaching k={k}.")
            break
        open_ = [i for i in range(len(built)) if levels[i] < heights[i]]
        if not open_:
            # At "*" everywhere all rows form one class: k fails only for a tiny table.
            notes.append(
                f"Every quasi-identifier is at '*' and k={k} is still not reached: "
                f"the table has only {n:,} rows."
            )
            break
        if strategy == "datafly":
            chosen = max(open_, key=lambda i: (codes.get(i, levels[i])[1], -i))
            trial = list(levels)
            trial[chosen] += 1
            current = codes.partition(trial)
        else:
            trials = []
            for i in open_:
                trial = list(levels)
                trial[i] += 1
                p = codes.partition(trial)
                score = (p.at_risk(k), -p.k(), 1.0 / heights[i], i)
                trials.append((score, i, p))
            _, chosen, current = min(trials, key=lambda item: item[0])
        levels[chosen] += 1
        steps.append(
            GeneralizationStep(
                built[chosen].column, levels[chosen], current.k(), current.at_risk(k)
            )
        )

    reached = done(current)
    sizes = current.sizes
    if reached:
        small = sizes < k
        drop = small[current.row_class]
        kept_sizes = sizes[~small]
    else:
        drop = np.zeros(n, dtype=bool)
        kept_sizes = sizes
    out = _generalized(frame, built, levels)
    suppressed_index = out.index[drop]
    out = out.loc[~drop] if drop.any() else out
    k_reached = int(kept_sizes.min()) if len(kept_sizes) else 0
    if drop.any():
        notes.append(
            f"{int(drop.sum()):,} rows ({drop.mean():.1%}) in classes under k={k} were "
            "suppressed (removed); their index labels are in suppressed_index."
        )
    return GeneralizationResult(
        quasi_identifiers=qis,
        k_target=k,
        k=k_reached,
        reached=reached,
        strategy=strategy,
        levels={h.column: lv for h, lv in zip(built, levels, strict=True)},
        heights={h.column: h.height for h in built},
        level_labels={h.column: h.labels[lv] for h, lv in zip(built, levels, strict=True)},
        rows=n,
        rows_suppressed=int(drop.sum()),
        max_suppression=float(max_suppression),
        steps=tuple(steps),
        information_loss=_information_loss(built, levels, kept_sizes, n, k),
        notes=tuple(notes),
        inputs=input_digests(inputs, data=digest),
        frame=out,
        suppressed_index=suppressed_index,
    )
