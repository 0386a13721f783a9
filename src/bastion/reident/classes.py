"""Equivalence classes: the groups of rows that share every quasi-identifier value.

Counting is the only pass over the rows. For each class it keeps the number of rows and,
per sensitive attribute, the number of rows holding each sensitive value; k-anonymity,
the prosecutor risk, l-diversity and t-closeness are all read from these counts
(:mod:`bastion.reident.metrics`). Counts add up, so a file is counted batch by batch and
the batches merged (:meth:`ClassCounts.merge`): memory grows with the number of distinct
value combinations, never with the number of rows. A missing value is a value of its
own, as in ARX: rows missing their postcode form classes together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from bastion.reident.errors import AssessmentInputError
from bastion.reident.inputs import column_names, infer_numeric, open_batches
from bastion.tabular import DEFAULT_BATCH_ROWS

__all__ = ["ClassCounts", "class_counts", "column_codes", "group_ids"]

Counts = npt.NDArray[np.int64]

Codes = tuple[npt.NDArray[np.int64], int]

# Above this, a combined key of mixed-radix codes could overflow int64: compress it.
_KEY_LIMIT = 2**62


def column_codes(column: pd.Series) -> Codes:
    """Integer codes of a column in the order of its values, missing values last (as
    one value), and how many values there are.

    Numbers, dates and strings sort naturally; a column mixing types sorts by type name
    and text, which is arbitrary but the same whatever order the rows came in.
    """
    try:
        codes, uniques = pd.factorize(column, sort=True)
    except TypeError:
        text = column.map(lambda v: None if pd.isna(v) else f"{type(v).__name__}\x00{v}")
        codes, uniques = pd.factorize(text, sort=True)
    codes = np.asarray(codes, dtype=np.int64)
    n = len(uniques)
    if (codes < 0).any():
        codes = np.where(codes < 0, n, codes)
        n += 1
    return codes, n


def group_ids(columns: list[Codes], rows: int) -> Codes:
    """The group of each row over several columns, groups numbered in the sorted order
    of their values (first column first), and the number of groups.

    The codes of each column are combined into one integer key (mixed radix), which is
    compressed — keeping its order — whenever it could overflow.
    """
    key = np.zeros(rows, dtype=np.int64)
    radix = 1
    for codes, cardinality in columns:
        if radix * max(cardinality, 1) >= _KEY_LIMIT:
            key, radix = _compressed(key)
        key = key * cardinality + codes
        radix *= max(cardinality, 1)
    return _compressed(key)


def _compressed(key: npt.NDArray[np.int64]) -> Codes:
    ids, uniques = pd.factorize(key, sort=True)
    return np.asarray(ids, dtype=np.int64), len(uniques)


def _reduced(
    values: pd.DataFrame, columns: list[Codes], counts: Counts
) -> tuple[pd.DataFrame, Counts]:
    """Rows with equal values summed into one, sorted by value: one row per group, its
    values those of the group's first row."""
    ids, groups = group_ids(columns, len(values))
    total = np.bincount(ids, weights=counts, minlength=groups).round().astype(np.int64)
    # The first row of each group, by hashing (drop_duplicates) rather than sorting.
    seen = pd.Series(ids).drop_duplicates()
    first = np.empty(groups, dtype=np.int64)
    first[seen.to_numpy()] = seen.index.to_numpy()
    return values.iloc[first].reset_index(drop=True), total


def _grouped(values: pd.DataFrame, counts: Counts) -> tuple[pd.DataFrame, Counts]:
    """:func:`_reduced` over every column of ``values``."""
    columns = [column_codes(values[c]) for c in values.columns]
    return _reduced(values, columns, counts)


@dataclass(frozen=True, eq=False)
class ClassCounts:
    """The equivalence classes of a table and, per sensitive attribute, the counts of its
    values in each class.

    Attributes
    ----------
    quasi_identifiers, sensitive : tuple of str
    class_values : pandas.DataFrame
        One row per class: its quasi-identifier values (missing values included), in a
        canonical order sorted by value.
    class_sizes : numpy.ndarray
        The number of rows in each class, aligned with ``class_values``.
    value_counts : dict of str to (pandas.DataFrame, numpy.ndarray)
        For each sensitive attribute, one row per (class, sensitive value) present: the
        quasi-identifier values and the sensitive value, with the number of rows.
    rows : int
        The number of rows counted.
    batches : int
        How many batches were counted and merged.
    """

    quasi_identifiers: tuple[str, ...]
    sensitive: tuple[str, ...]
    class_values: pd.DataFrame = field(repr=False)
    class_sizes: Counts = field(repr=False)
    value_counts: Mapping[str, tuple[pd.DataFrame, Counts]] = field(repr=False)
    rows: int
    batches: int = 1

    @classmethod
    def of_frame(
        cls, frame: pd.DataFrame, quasi_identifiers: Sequence[str], sensitive: Sequence[str] = ()
    ) -> ClassCounts:
        """Count one pandas frame (the columns must exist; see :func:`class_counts`)."""
        qis = list(quasi_identifiers)
        ones = np.ones(len(frame), dtype=np.int64)
        qi_codes = [column_codes(frame[q]) for q in qis]  # once, for every table below
        values, sizes = _reduced(frame[qis], qi_codes, ones)
        by_value = {
            s: _reduced(frame[[*qis, s]], [*qi_codes, column_codes(frame[s])], ones)
            for s in sensitive
        }
        return cls(tuple(qis), tuple(sensitive), values, sizes, by_value, len(frame), 1)

    def merge(self, other: ClassCounts) -> ClassCounts:
        """The counts of both tables together, as if their rows had been counted at once.

        Raises
        ------
        AssessmentInputError
            If the two were counted over other quasi-identifiers or sensitive attributes.
        """
        return ClassCounts.merged([self, other])

    @staticmethod
    def merged(parts: Iterable[ClassCounts]) -> ClassCounts:
        """The counts of many parts merged in one grouping.

        Raises
        ------
        AssessmentInputError
            If there are no parts, or they were counted over other columns.
        """
        items = list(parts)
        if not items:
            raise AssessmentInputError("no counts to merge", field="counts")
        head = items[0]
        for part in items[1:]:
            if (part.quasi_identifiers, part.sensitive) != (head.quasi_identifiers, head.sensitive):
                raise AssessmentInputError(
                    "cannot merge counts over other columns: quasi-identifiers "
                    f"{list(head.quasi_identifiers)} and {list(part.quasi_identifiers)}, "
                    f"sensitive {list(head.sensitive)} and {list(part.sensitive)}",
                    field="counts",
                )
        if len(items) == 1:
            return head
        values, sizes = _grouped(
            pd.concat([p.class_values for p in items], ignore_index=True),
            np.concatenate([p.class_sizes for p in items]),
        )
        by_value = {
            s: _grouped(
                pd.concat([p.value_counts[s][0] for p in items], ignore_index=True),
                np.concatenate([p.value_counts[s][1] for p in items]),
            )
            for s in head.sensitive
        }
        return ClassCounts(
            head.quasi_identifiers,
            head.sensitive,
            values,
            sizes,
            by_value,
            sum(p.rows for p in items),
            sum(p.batches for p in items),
        )

    def with_numbers(self) -> ClassCounts:
        """The counts with columns whose values all read as numbers converted to numbers
        (for a CSV file, streamed as strings), merged again where that joins values."""
        values = infer_numeric(self.class_values, self.quasi_identifiers)
        by_value = {
            s: (infer_numeric(v, [*self.quasi_identifiers, s]), c)
            for s, (v, c) in self.value_counts.items()
        }
        # "7" and "7.0" are one number: group again so each class appears once.
        grouped_values, sizes = _grouped(values, self.class_sizes)
        regrouped = {s: _grouped(v, c) for s, (v, c) in by_value.items()}
        return ClassCounts(
            self.quasi_identifiers,
            self.sensitive,
            grouped_values,
            sizes,
            regrouped,
            self.rows,
            self.batches,
        )

    @property
    def classes(self) -> int:
        """The number of equivalence classes."""
        return len(self.class_sizes)

    def equals(self, other: ClassCounts) -> bool:
        """Whether both hold the same classes and value counts (batches aside)."""
        if (self.quasi_identifiers, self.sensitive, self.rows) != (
            other.quasi_identifiers,
            other.sensitive,
            other.rows,
        ):
            return False
        if not (
            self.class_values.equals(other.class_values)
            and np.array_equal(self.class_sizes, other.class_sizes)
        ):
            return False
        return all(
            self.value_counts[s][0].equals(other.value_counts[s][0])
            and np.array_equal(self.value_counts[s][1], other.value_counts[s][1])
            for s in self.sensitive
        )


def counted(
    data: Any,
    quasi_identifiers: str | Sequence[str],
    sensitive: str | Sequence[str],
    *,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    encoding: str = "utf-8",
) -> tuple[ClassCounts, Callable[[], str]]:
    """The counts of ``data`` and the digest of the input on demand (see
    :func:`class_counts`, which this is without the digest)."""
    qis = column_names(quasi_identifiers, "quasi_identifiers", required=True)
    sens = column_names(sensitive, "sensitive", required=False)
    both = [s for s in sens if s in qis]
    if both:
        raise AssessmentInputError(
            f"{both} given both as quasi-identifier and as sensitive; a column is one or the other",
            field="sensitive",
        )
    source = open_batches(
        data,
        [*qis, *sens],
        [(qis, "quasi_identifiers"), (sens, "sensitive")],
        batch_rows=batch_rows,
        encoding=encoding,
    )
    total: ClassCounts | None = None
    pending: list[ClassCounts] = []
    for frame in source.frames:
        if len(frame) == 0:
            continue
        pending.append(ClassCounts.of_frame(frame, qis, sens))
        # Merge every few batches: one grouping of many parts is cheaper than many of
        # two, and memory stays bounded by the distinct combinations.
        if len(pending) >= 8:
            total = ClassCounts.merged([total, *pending] if total is not None else pending)
            pending = []
    if pending:
        total = ClassCounts.merged([total, *pending] if total is not None else pending)
    if total is None or total.rows == 0:
        raise AssessmentInputError("the table is empty: there are no rows to assess", field="data")
    return (total.with_numbers() if source.csv else total), source.digest


def class_counts(
    data: Any,
    *,
    quasi_identifiers: str | Sequence[str],
    sensitive: str | Sequence[str] = (),
    batch_rows: int = DEFAULT_BATCH_ROWS,
    encoding: str = "utf-8",
) -> ClassCounts:
    """Count the equivalence classes of a table or a file, batch by batch.

    Parameters
    ----------
    data : pandas, polars or Arrow table, or path
        A table, or the path of a CSV, Parquet or JSON Lines file (streamed, only the
        named columns read; a CSV file's columns of numbers are read as numbers once
        all their values have been seen).
    quasi_identifiers : str or sequence of str
        The columns an attacker could know from elsewhere (age, sex, postcode, …).
    sensitive : str or sequence of str, optional
        The attributes to protect; their values are counted per class.
    batch_rows : int
        Rows per batch when streaming a file.
    encoding : str
        The text encoding of a CSV or JSON Lines file.

    Returns
    -------
    ClassCounts
        Counts that :meth:`ClassCounts.merge` with the counts of other parts of the
        same table, and that :func:`~bastion.reident.evaluate_counts` reads.

    Raises
    ------
    AssessmentInputError
        If no quasi-identifier is given, a column is named twice or given both as a
        quasi-identifier and as sensitive, or the table has no rows.
    UnknownColumnError
        If a named column is not in the data (the message names it).
    """
    counts, _ = counted(
        data, quasi_identifiers, sensitive, batch_rows=batch_rows, encoding=encoding
    )
    return counts
