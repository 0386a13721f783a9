"""The measures, read from per-class counts: pure numpy, one vectorized pass each.

Everything works on *pairs*: one entry per (equivalence class, sensitive value) present,
with the number of rows — never on rows — so a table of ten million rows costs what its
distinct combinations cost.

Definitions matched:

- **k-anonymity** (Sweeney, "k-anonymity: a model for protecting privacy", 2002): the
  size of the smallest class. The **prosecutor risk** of a row is 1 / its class size;
  the highest is 1 / k and the average over rows is classes / rows, as in ARX's sample
  risk model (``RiskModelSampleRisks``; El Emam, *Guide to the De-Identification of
  Personal Health Information*, 2013).
- **l-diversity** (Machanavajjhala, Kifer, Gehrke & Venkitasubramaniam, "l-Diversity:
  Privacy beyond k-anonymity", TKDD 2007): *distinct* l counts the sensitive values of a
  class; *entropy* l is exp(-Σ p log p) (a class is entropy l-diverse when its entropy
  is at least log l); *recursive (c, l)* holds when r1 < c (r_l + … + r_m) for the
  value counts r1 ≥ r2 ≥ … ≥ rm of a class — ARX's ``RecursiveCLDiversity``.
- **t-closeness** (Li, Li & Venkatasubramanian, "t-Closeness: Privacy beyond k-anonymity
  and l-diversity", ICDE 2007) with the Earth Mover's Distance between a class's
  distribution P and the table's Q: the *ordered* distance
  (1 / (m - 1)) Σ_i |Σ_{j ≤ i} (p_j - q_j)| over the m values in order, and the *equal*
  distance ½ Σ_i |p_i - q_i| — ARX's ``OrderedDistanceTCloseness`` and
  ``EqualDistanceTCloseness``, and pycanon's ``t_closeness``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = [
    "distinct_l",
    "entropy_l",
    "equal_emd",
    "ordered_emd",
    "recursive_c_required",
    "recursive_l",
]

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

# exp(log 2) is not exactly 2 in floating point: entropy l is rounded to this many
# decimals so that a class with two equally frequent values is entropy 2-diverse.
ENTROPY_DECIMALS = 10


def distinct_l(pair_class: Ints, n_classes: int) -> Ints:
    """The number of distinct sensitive values in each class."""
    return np.bincount(pair_class, minlength=n_classes).astype(np.int64)


def entropy_l(pair_class: Ints, pair_count: Ints, sizes: Ints) -> Floats:
    """exp of the entropy (natural log) of each class's sensitive values: the "effective
    number" of values; a class is entropy l-diverse when this is at least l."""
    p: Floats = pair_count / sizes[pair_class]
    h = -np.asarray(
        np.bincount(pair_class, weights=p * np.log(p), minlength=len(sizes)), dtype=np.float64
    )
    return np.round(np.exp(h), ENTROPY_DECIMALS).astype(np.float64)


def _runs(cls: Ints) -> tuple[npt.NDArray[np.bool_], Ints]:
    """For pairs sorted by class: which pair starts its class, and each pair's class
    length repeated, for broadcasting per-class figures back onto pairs."""
    first = np.r_[True, cls[1:] != cls[:-1]]
    lengths = np.diff(np.r_[np.flatnonzero(first), len(cls)])
    return first, lengths.astype(np.int64)


def _before_in_class(cnt: Ints, first: npt.NDArray[np.bool_], lengths: Ints) -> Ints:
    """For pairs sorted by class, the rows of the earlier pairs of the same class."""
    before = np.cumsum(cnt) - cnt
    return (before - np.repeat(before[first], lengths)).astype(np.int64)


def _descending(pair_class: Ints, pair_count: Ints, sizes: Ints) -> tuple[Ints, Ints, Ints, Ints]:
    """Pairs sorted by class, then count descending: their classes, the rank of each
    pair in its class (0 for the most frequent value), r1 of its class, and the tail
    r_i + … + r_m from its rank i down."""
    order = np.lexsort((-pair_count, pair_class))
    cls, cnt = pair_class[order], pair_count[order]
    first, lengths = _runs(cls)
    rank = np.arange(len(cls)) - np.repeat(np.flatnonzero(first), lengths)
    r1 = np.repeat(cnt[first], lengths)
    tail = sizes[cls] - _before_in_class(cnt, first, lengths)
    return cls, rank.astype(np.int64), r1, tail


def recursive_l(pair_class: Ints, pair_count: Ints, sizes: Ints, c: float) -> Ints:
    """For each class, the largest l for which it is recursive (c, l)-diverse.

    A class with value counts r1 ≥ … ≥ rm is recursive (c, l)-diverse when
    r1 < c (r_l + … + r_m). The right side shrinks as l grows, so the l that satisfy it
    are 1 … L for one L (0 when none does, possible for c ≤ 1): this returns L.
    """
    cls, _, r1, tail = _descending(pair_class, pair_count, sizes)
    ok = r1 < c * tail
    return np.bincount(cls, weights=ok, minlength=len(sizes)).astype(np.int64)


def recursive_c_required(
    pair_class: Ints,
    pair_count: Ints,
    sizes: Ints,
    l: int,  # noqa: E741 — the l of the definition
) -> Floats:
    """For each class, r1 / (r_l + … + r_m): the class is recursive (c, l)-diverse for
    every c above this (infinite when it has fewer than l values)."""
    cls, rank, r1, tail = _descending(pair_class, pair_count, sizes)
    out = np.full(len(sizes), np.inf)
    at_l = rank == l - 1
    out[cls[at_l]] = r1[at_l] / tail[at_l]
    return out


def equal_emd(
    pair_class: Ints, pair_value: Ints, pair_count: Ints, sizes: Ints, q: Floats
) -> Floats:
    """The Earth Mover's Distance with equal ground distance from each class to the table.

    ½ Σ_i |p_i - q_i| over every value i of the table, computed over the values present
    in the class only, as ARX does: the values absent from it add Σ q_i = 1 - Σ_present
    q_i, so the distance is ½ (1 + Σ_present (|p_i - q_i| - q_i)).
    """
    p = pair_count / sizes[pair_class]
    qv = q[pair_value]
    s = np.bincount(pair_class, weights=np.abs(p - qv) - qv, minlength=len(sizes))
    return np.clip(0.5 * (1.0 + s), 0.0, 1.0)


def ordered_emd(
    pair_class: Ints, pair_rank: Ints, pair_count: Ints, sizes: Ints, q: Floats
) -> Floats:
    """The Earth Mover's Distance with ordered distance from each class to the table.

    The values are ranked 0 … m - 1 and one step between neighbours costs 1 / (m - 1),
    so the distance is (1 / (m - 1)) Σ_{i < m-1} |F(i) - G(i)| with F and G the
    cumulative distributions of the class and the table. Between two values present in
    a class F is a constant c while G rises; the sum of |c - G| over such a run is read
    from prefix sums of G split where G crosses c — so each class costs the number of
    its values (times a binary search), not m.
    """
    m = len(q)
    if m <= 1:
        return np.zeros(len(sizes))
    g = np.cumsum(q)[:-1]  # G(0) … G(m - 2)
    s = np.r_[0.0, np.cumsum(g)]  # s[i] = G(0) + … + G(i - 1)
    order = np.lexsort((pair_rank, pair_class))
    cls, rank, cnt = pair_class[order], pair_rank[order], pair_count[order]
    first, lengths = _runs(cls)
    last = np.r_[first[1:], True]
    # F from this value up to the class's next one: the rows up to and with this value.
    level = (_before_in_class(cnt, first, lengths) + cnt) / sizes[cls]
    a = rank
    b = np.where(last, m - 1, np.r_[rank[1:], m - 1])
    cross = np.clip(np.searchsorted(g, level, side="left"), a, b)
    run = level * (cross - a) - (s[cross] - s[a]) + (s[b] - s[cross]) - level * (b - cross)
    # Below the class's first value F is 0, so |F - G| = G: the prefix sum up to it.
    lead = s[rank[first]]
    total = np.bincount(cls, weights=run, minlength=len(sizes))
    total += np.bincount(cls[first], weights=lead, minlength=len(sizes))
    return np.clip(total / (m - 1), 0.0, 1.0)
