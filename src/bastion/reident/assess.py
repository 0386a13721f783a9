"""The entry points: from a table (or a file) and the quasi-identifiers to a
:class:`~bastion.reident.result.ReidentificationResult`.

``assess_reidentification`` checks the targets, counts the equivalence classes once
(:mod:`.classes`, streaming a file batch by batch) and reads every figure from the
counts (:mod:`.metrics`). ``evaluate_counts`` does the reading alone, for counts merged
from the parts of a table counted elsewhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from numbers import Integral, Real
from typing import Any, get_args

import numpy as np
import numpy.typing as npt
import pandas as pd

from bastion.assessment.digests import input_digests
from bastion.assessment.verdict import Check, judge, verdict_of
from bastion.reident.classes import ClassCounts, column_codes, counted, group_ids
from bastion.reident.errors import AssessmentInputError
from bastion.reident.metrics import (
    distinct_l,
    entropy_l,
    equal_emd,
    ordered_emd,
    recursive_c_required,
    recursive_l,
)
from bastion.reident.result import (
    Distance,
    EquivalenceClass,
    LKind,
    ReidentificationResult,
    ReidentificationThresholds,
    SensitiveAttributeResult,
    size_histogram,
    thresholds_dict,
)
from bastion.tabular import DEFAULT_BATCH_ROWS

__all__ = [
    "DEFAULT_C",
    "DEFAULT_K",
    "DEFAULT_L",
    "DEFAULT_SMALLEST",
    "DEFAULT_T",
    "assess_reidentification",
    "evaluate_counts",
]

Ints = npt.NDArray[np.int64]

# k = 5: the "cell size of five" rule data custodians have long applied, a highest
# re-identification probability of 0.2 (El Emam, Guide to the De-Identification of
# Personal Health Information, 2013, "Cell size precedents"); 10 or 11 is common for
# public releases. l = 2: the least l that rules out a homogeneous class. t = 0.2: a
# class may move at most a fifth of the probability mass of the table's distribution.
DEFAULT_K = 5
DEFAULT_L = 2.0
DEFAULT_T = 0.2
# c = 3 for recursive (c, l): the most frequent value must be rarer than three times the
# rest below the l-1 most frequent — an illustrative default, not a standard.
DEFAULT_C = 3.0
DEFAULT_SMALLEST = 10

# EMD is a sum of floats: rounded here so that a distance of exactly t is not read as
# t plus a rounding error (and the threshold passes, as the definition says).
_EMD_DECIMALS = 12


def _is_int(value: Any) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def _is_real(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(float(value))


def check_k(k: Any) -> int:
    """k as an int of at least 2, or an error naming ``k``."""
    if not _is_int(k) or int(k) < 2:
        raise AssessmentInputError(
            f"k must be an integer of at least 2 (every table is 1-anonymous); got {k!r}",
            field="k",
        )
    return int(k)


def _check_targets(
    l: Any,  # noqa: E741 — the l of l-diversity
    t: Any,
    l_kind: Any,
    c: Any,
    smallest: Any,
    thresholds: Any,
) -> ReidentificationThresholds:
    kinds = get_args(LKind)
    if l_kind not in kinds:
        raise AssessmentInputError(
            f"l_kind must be one of {list(kinds)}; got {l_kind!r}", field="l_kind"
        )
    if not _is_real(l) or float(l) < 1:
        raise AssessmentInputError(f"l must be a number of at least 1; got {l!r}", field="l")
    if l_kind != "entropy" and float(l) != int(float(l)):
        raise AssessmentInputError(
            f"{l_kind} l counts values, so l must be a whole number; got {l!r}", field="l"
        )
    if not _is_real(t) or not 0 < float(t) <= 1:
        raise AssessmentInputError(
            f"t must be in (0, 1] (the Earth Mover's Distance lies in [0, 1]); got {t!r}",
            field="t",
        )
    if not _is_real(c) or float(c) <= 0:
        raise AssessmentInputError(f"c must be a positive number; got {c!r}", field="c")
    if not _is_int(smallest) or int(smallest) < 0:
        raise AssessmentInputError(
            f"smallest must be a whole number of at least 0; got {smallest!r}", field="smallest"
        )
    if thresholds is None:
        return ReidentificationThresholds()
    if not isinstance(thresholds, ReidentificationThresholds):
        raise AssessmentInputError(
            "thresholds must be a ReidentificationThresholds", field="thresholds"
        )
    return thresholds


def _check_ordinal(
    ordinal: Mapping[str, Sequence[Any]] | None, sensitive: Sequence[str]
) -> dict[str, list[Any]]:
    if ordinal is None:
        return {}
    if not isinstance(ordinal, Mapping):
        raise AssessmentInputError(
            "ordinal must map sensitive column names to their values in order", field="ordinal"
        )
    out: dict[str, list[Any]] = {}
    for name, order in ordinal.items():
        if name not in sensitive:
            raise AssessmentInputError(
                f"ordinal names {name!r}, which is not a sensitive attribute {list(sensitive)}",
                field="ordinal",
            )
        if isinstance(order, str) or not isinstance(order, Sequence | pd.Index | np.ndarray):
            raise AssessmentInputError(
                f"ordinal[{name!r}] must be a list of values in order", field="ordinal"
            )
        values = list(order)
        if len(set(values)) != len(values):
            raise AssessmentInputError(f"ordinal[{name!r}] repeats a value", field="ordinal")
        out[name] = values
    return out


def _pair_classes(counts: ClassCounts, pair_values: pd.DataFrame) -> Ints:
    """The class index (row of ``counts.class_values``) of each (class, value) pair.

    The pairs hold the same quasi-identifier combinations as the classes, and both are
    numbered in the sorted order of those values: a pair's group is its class's index.
    """
    columns = [column_codes(pair_values[q]) for q in counts.quasi_identifiers]
    ids, groups = group_ids(columns, len(pair_values))
    if groups != counts.classes:  # pragma: no cover - counts are built consistent
        raise AssessmentInputError("the counts are inconsistent: recount the table", field="counts")
    return ids


def _compact(codes: Ints) -> tuple[Ints, int]:
    """Codes renumbered 0 … m-1 in the same order, over the values present."""
    present, inverse = np.unique(codes, return_inverse=True)
    return inverse.astype(np.int64), len(present)


def _encode(
    values: pd.Series, name: str, order: list[Any] | None
) -> tuple[Ints, int, Distance, str]:
    """Each pair's sensitive value as a code, the number of values, and which ground
    distance t-closeness uses for the column, with the reason."""
    missing = values.isna().to_numpy()
    gap = " (a missing value ranks after every other)" if missing.any() else ""
    reason: str
    if order is not None:
        rank = {v: i for i, v in enumerate(order)}
        seen, uniques = pd.factorize(values)  # each distinct value looked up once
        unknown = sorted({str(u) for u in uniques if u not in rank})
        if unknown:
            shown = ", ".join(repr(u) for u in unknown[:5]) + (", …" if len(unknown) > 5 else "")
            raise AssessmentInputError(
                f"ordinal[{name!r}] does not list the value(s) {shown}", field="ordinal"
            )
        unique_rank = np.array([rank[u] for u in uniques] + [len(order)], dtype=np.int64)
        # A missing value (code -1) picks the last entry: ranked after every listed value.
        codes, m = _compact(unique_rank[np.asarray(seen, dtype=np.int64)])
        return codes, m, "ordered", f"ordered distance: values ranked in the order given{gap}"
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype) and dtype.ordered:
        cat_codes = values.cat.codes.to_numpy(dtype=np.int64)
        raw = np.where(cat_codes < 0, len(dtype.categories), cat_codes).astype(np.int64)
        reason = f"ordered distance: an ordered categorical, ranked by its categories{gap}"
    elif (
        (pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype))
        or pd.api.types.is_datetime64_any_dtype(dtype)
        or pd.api.types.is_timedelta64_dtype(dtype)
    ):
        sorted_codes = np.asarray(pd.factorize(values, sort=True)[0], dtype=np.int64)
        last = sorted_codes.max(initial=-1) + 1
        raw = np.where(sorted_codes < 0, last, sorted_codes).astype(np.int64)
        reason = (
            "ordered distance: numbers (or dates) ranked, so a class of neighbouring values "
            f"is far from a table of spread ones{gap}"
        )
    else:
        seen = np.asarray(pd.factorize(values, use_na_sentinel=False)[0], dtype=np.int64)
        codes, m = _compact(seen)
        return (
            codes,
            m,
            "equal",
            "equal distance: categories have no order, so any two values are equally far "
            "apart" + (" (a missing value is one more category)" if missing.any() else ""),
        )
    codes, m = _compact(raw)
    return codes, m, "ordered", reason


def _json_value(value: Any) -> Any:
    """A quasi-identifier value as plain JSON: missing as ``None``, dates as ISO text."""
    try:
        if value is None or bool(pd.isna(value)):
            return None
    except (TypeError, ValueError):  # an array-like value: not missing
        pass
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str | bool | int | float):
        return value
    return str(value)


def _sensitive_result(
    counts: ClassCounts,
    name: str,
    *,
    l: float,  # noqa: E741
    l_kind: LKind,
    c: float,
    t: float,
    order: list[Any] | None,
) -> SensitiveAttributeResult:
    sizes = counts.class_sizes
    values, pair_count = counts.value_counts[name]
    pair_class = _pair_classes(counts, values)
    codes, m, distance, reason = _encode(values[name], name, order)
    q = np.bincount(codes, weights=pair_count, minlength=m) / counts.rows
    if distance == "ordered":
        emd = ordered_emd(pair_class, codes, pair_count, sizes, q)
    else:
        emd = equal_emd(pair_class, codes, pair_count, sizes, q)
    emd = np.round(emd, _EMD_DECIMALS)
    per_class = pd.DataFrame(
        {
            "distinct": distinct_l(pair_class, len(sizes)),
            "entropy": entropy_l(pair_class, pair_count, sizes),
            "recursive": recursive_l(pair_class, pair_count, sizes, c),
            "t": emd,
        }
    )
    chosen = per_class[l_kind].to_numpy(dtype=np.float64)
    below = chosen < l
    above = emd > t
    c_required = recursive_c_required(pair_class, pair_count, sizes, math.ceil(l))
    return SensitiveAttributeResult(
        name=name,
        values=m,
        distance=distance,
        distance_reason=reason,
        l_kind=l_kind,
        l=float(chosen.min()),
        distinct_l=int(per_class["distinct"].min()),
        entropy_l=float(per_class["entropy"].min()),
        recursive_l=int(per_class["recursive"].min()),
        recursive_c_required=float(c_required.max()),
        t=float(emd.max()),
        mean_t=float(np.round((emd * sizes).sum() / counts.rows, _EMD_DECIMALS)),
        classes_below_l=int(below.sum()),
        rows_below_l=int(sizes[below].sum()),
        classes_above_t=int(above.sum()),
        rows_above_t=int(sizes[above].sum()),
        per_class=per_class,
    )


def evaluate_counts(
    counts: ClassCounts,
    *,
    k: int = DEFAULT_K,
    l: float = DEFAULT_L,  # noqa: E741 — the l of l-diversity
    t: float = DEFAULT_T,
    l_kind: LKind = "distinct",
    c: float = DEFAULT_C,
    smallest: int = DEFAULT_SMALLEST,
    ordinal: Mapping[str, Sequence[Any]] | None = None,
    thresholds: ReidentificationThresholds | None = None,
    inputs: Mapping[str, str] | None = None,
) -> ReidentificationResult:
    """Every figure of :func:`assess_reidentification`, read from counts already made.

    For counts merged from the parts of a table (:meth:`ClassCounts.merge`); the
    parameters are those of :func:`assess_reidentification`, and ``inputs`` are the
    digests of what the counts came from, by role.
    """
    k = check_k(k)
    th = _check_targets(l, t, l_kind, c, smallest, thresholds)
    l, t, c = float(l), float(t), float(c)  # noqa: E741
    orders = _check_ordinal(ordinal, counts.sensitive)
    sizes = counts.class_sizes
    n, n_classes = counts.rows, counts.classes
    k_found = int(sizes.min())
    at_risk = int(sizes[sizes < k].sum())
    unique = int((sizes == 1).sum())

    results = tuple(
        _sensitive_result(counts, s, l=l, l_kind=l_kind, c=c, t=t, order=orders.get(s))
        for s in counts.sensitive
    )
    checks: list[Check] = [
        judge("k_anonymity", k_found, warn_at=k, fail_at=k, higher_is_better=True)
    ]
    for s in results:
        checks.append(
            judge(
                "l_diversity",
                s.l,
                warn_at=l,
                fail_at=min(th.l_fail, l),
                higher_is_better=True,
                method=f"{l_kind}: {s.name}",
            )
        )
        checks.append(
            judge(
                "t_closeness",
                s.t,
                warn_at=t,
                fail_at=max(th.t_fail, t),
                higher_is_better=False,
                method=f"{s.distance} distance: {s.name}",
            )
        )

    order = np.argsort(sizes, kind="stable")[:smallest]
    listed = tuple(
        EquivalenceClass(
            {q: _json_value(v) for q, v in counts.class_values.iloc[i].items()}, int(sizes[i])
        )
        for i in order
    )

    notes: list[str] = []
    if at_risk:
        notes.append(
            f"{at_risk:,} rows ({at_risk / n:.1%}) are in classes smaller than k={k}: "
            "generalize the quasi-identifiers (generalize_until) or suppress those rows."
        )
    if unique:
        notes.append(
            f"{unique:,} rows are unique on the quasi-identifiers: anyone who knows their "
            "values can single them out."
        )
    if counts.class_values.isna().any().any():
        notes.append(
            "A missing value counts as a value of its own: rows missing a quasi-identifier "
            "form classes together."
        )
    for s in results:
        notes.append(f"t-closeness of {s.name!r} uses the {s.distance_reason}.")
    if listed:
        notes.append(
            "The smallest classes are listed with their quasi-identifier values: the list "
            "points at small groups of people; share it no wider than the data."
        )
    if counts.batches > 1:
        notes.append(f"Counted in {counts.batches} batches and merged.")
    notes.append(
        "k-anonymity, l-diversity and t-closeness hold for these quasi-identifiers only, "
        "against an attacker who knows no more; they give no guarantee of the kind "
        "differential privacy gives."
    )

    return ReidentificationResult(
        quasi_identifiers=counts.quasi_identifiers,
        sensitive=counts.sensitive,
        rows=n,
        classes=n_classes,
        k=k_found,
        k_target=k,
        l_target=l,
        l_kind=l_kind,
        c=c,
        t_target=t,
        rows_at_risk=at_risk,
        share_at_risk=at_risk / n,
        unique_rows=unique,
        unique_share=unique / n,
        max_prosecutor_risk=1.0 / k_found,
        mean_prosecutor_risk=n_classes / n,
        class_sizes=size_histogram(sizes),
        sensitive_results=results,
        smallest_classes=listed,
        checks=tuple(checks),
        verdict=verdict_of(checks),
        notes=tuple(notes),
        settings={
            "k": k,
            "l": l,
            "t": t,
            "l_kind": l_kind,
            "c": c,
            "smallest": smallest,
            "ordinal": sorted(orders),
            "thresholds": thresholds_dict(th),
            "batches": counts.batches,
        },
        inputs=dict(inputs or {}),
        counts=counts,
    )


def assess_reidentification(
    data: Any,
    *,
    quasi_identifiers: str | Sequence[str],
    sensitive: str | Sequence[str] = (),
    k: int = DEFAULT_K,
    l: float = DEFAULT_L,  # noqa: E741 — the l of l-diversity
    t: float = DEFAULT_T,
    l_kind: LKind = "distinct",
    c: float = DEFAULT_C,
    smallest: int = DEFAULT_SMALLEST,
    ordinal: Mapping[str, Sequence[Any]] | None = None,
    thresholds: ReidentificationThresholds | None = None,
    inputs: Mapping[str, str] | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    encoding: str = "utf-8",
) -> ReidentificationResult:
    """Measure how easily the rows of a table can be re-identified from quasi-identifiers.

    Rows that share every quasi-identifier value form an equivalence class. The table
    is k-anonymous for k = the size of the smallest class (Sweeney, 2002); each row's
    prosecutor risk is 1 / its class size. For each sensitive attribute, l-diversity
    (Machanavajjhala et al., 2007) says how many well-represented sensitive values each
    class holds, and t-closeness (Li, Li & Venkatasubramanian, 2007) how far each
    class's distribution of them lies from the whole table's (Earth Mover's Distance).

    Parameters
    ----------
    data : pandas, polars or Arrow table, or path
        The table, or the path of a CSV, Parquet or JSON Lines file, streamed
        ``batch_rows`` at a time (class counts add up across batches, so memory grows
        with the number of distinct combinations, not of rows).
    quasi_identifiers : str or sequence of str
        The columns an attacker could know from elsewhere (age, sex, postcode, …).
    sensitive : str or sequence of str, optional
        Attributes to protect (a diagnosis, an income); l and t are measured for each.
    k : int, default 5
        Target k: a smallest class under it fails the assessment.
    l : float, default 2
        Target l: under it warns; under ``min(thresholds.l_fail, l)`` fails.
    t : float, default 0.2
        Target t in (0, 1]: above it warns; above ``max(thresholds.t_fail, t)`` fails.
    l_kind : {"distinct", "entropy", "recursive"}, default "distinct"
        Which l is checked (all three are reported): distinct values per class, exp of
        the entropy of the values per class, or the largest l for which the class is
        recursive (c, l)-diverse.
    c : float, default 3
        The c of recursive (c, l)-diversity.
    smallest : int, default 10
        How many of the smallest classes to list with their quasi-identifier values.
    ordinal : mapping of str to sequence, optional
        The order of the values of a sensitive column of ordered text (education
        levels, …), so t-closeness uses the ordered distance for it.
    thresholds : ReidentificationThresholds, optional
        Where l and t turn from ``warn`` to ``fail``.
    inputs : mapping of str to str, optional
        Digests of the inputs by role; by default the data's is computed (a file's
        SHA-256, or the content digest of a table).
    batch_rows : int
        Rows per batch when streaming a file.
    encoding : str
        The text encoding of a CSV or JSON Lines file.

    Returns
    -------
    ReidentificationResult

    Raises
    ------
    AssessmentInputError
        If no quasi-identifier is given, k < 2, l < 1, t is outside (0, 1], the table
        is empty, or another parameter is out of range (the message names it).
    UnknownColumnError
        If a quasi-identifier or sensitive column is not in the data (named).
    bastion.tabular.TableError
        If a file cannot be read.

    Examples
    --------
    >>> result = assess_reidentification(
    ...     df, quasi_identifiers=["age", "sex", "zip"], sensitive="diagnosis", k=5
    ... )
    >>> result.k, result.share_at_risk, result.verdict
    """
    check_k(k)
    _check_targets(l, t, l_kind, c, smallest, thresholds)
    counts, digest = counted(
        data, quasi_identifiers, sensitive, batch_rows=batch_rows, encoding=encoding
    )
    return evaluate_counts(
        counts,
        k=k,
        l=l,
        t=t,
        l_kind=l_kind,
        c=c,
        smallest=smallest,
        ordinal=ordinal,
        thresholds=thresholds,
        inputs=input_digests(inputs, data=digest),
    )
