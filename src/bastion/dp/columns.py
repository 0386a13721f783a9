"""One column of a table, as the records an OpenDP measurement reads.

Tables come as pandas, polars or Arrow frames, or as files streamed in batches through
:func:`bastion.tabular.iter_frames` (only the queried column is read, and each batch is
converted before the next is read, so memory holds one column in its final form).

Each row is turned into a record on its own — a missing value dropped, a number parsed —
so that adding or removing one person's rows changes at most that many records: the
conversions keep OpenDP's stability proof about the symmetric distance true.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from bastion.dp.errors import ColumnError, DpInputError, NonNumericColumnError
from bastion.tabular import TableError, iter_frames

__all__ = ["Data", "labels", "numbers", "presence"]

Data: TypeAlias = Any
"""A pandas, polars or pyarrow table, or a path to a CSV, Parquet or JSON Lines file."""


def _from_table(data: Any, column: str) -> pd.Series:
    root = type(data).__module__.split(".")[0]
    if isinstance(data, pd.DataFrame):
        names = [str(c) for c in data.columns]
        if column in data.columns:
            return data[column]
    elif root == "polars" and hasattr(data, "get_column"):
        names = list(data.columns)
        if column in names:
            return pd.Series(data.get_column(column).to_pandas())
    elif root == "pyarrow" and hasattr(data, "column_names"):
        names = list(data.column_names)
        if column in names:
            return pd.Series(data.column(column).to_pandas())
    else:
        raise DpInputError(
            f"data must be a pandas, polars or Arrow table, or a path to a table file; "
            f"got {type(data).__name__}",
            field="data",
        )
    raise ColumnError(f"column: no column {column!r}; the table has {names}", field="column")


def _batches(data: Data, column: str) -> Iterator[pd.Series]:
    """The column, in one piece for a frame, in batches for a file."""
    if not isinstance(data, str | os.PathLike):
        yield _from_table(data, column)
        return
    name = os.path.basename(os.fspath(data))
    missing = ColumnError(f"column: {name} has no column {column!r}", field="column")
    try:
        for frame in iter_frames(data, columns=[column]):
            # Parquet readers skip an unknown column instead of failing.
            if column not in frame.columns:
                raise missing
            yield frame[column]
    except TableError as exc:
        if exc.field == "columns":
            raise missing from None
        raise


def _parse_numbers(series: pd.Series, column: str, statistic: str) -> npt.NDArray[np.float64]:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        if isinstance(dtype, pd.CategoricalDtype):  # numeric categories are still labels
            raise NonNumericColumnError(
                f"column: {column!r} is categorical; a {statistic} needs numbers", field="column"
            )
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        # CSV files are read as text (a scan must see values as written): numbers come as
        # strings here. The message names no value: that would leak a record.
        parsed = pd.to_numeric(series, errors="coerce")
        if bool((parsed.isna() & series.notna()).any()):
            raise NonNumericColumnError(
                f"column: {column!r} holds values that are not numbers; a {statistic} needs "
                "a numeric column",
                field="column",
            )
        return parsed.to_numpy(dtype=np.float64, na_value=np.nan)
    raise NonNumericColumnError(
        f"column: {column!r} has type {dtype}; a {statistic} needs a numeric column",
        field="column",
    )


def numbers(data: Data, column: str, statistic: str) -> npt.NDArray[np.float64]:
    """The column's values as floats, missing values dropped.

    Raises
    ------
    NonNumericColumnError
        If the column is not numeric (for text, if a value does not parse as a number).
    """
    parts = []
    for batch in _batches(data, column):
        values = _parse_numbers(batch, column, statistic)
        parts.append(values[~np.isnan(values)])
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.float64)


def _label(value: Any) -> str:
    # 3.0 and 3 are the same category "3", as a CSV read as text would show it.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def labels(data: Data, column: str) -> list[str]:
    """The column's values as category labels (text), missing values dropped.

    Whole numbers read as ``"3"`` whether the column holds integers or floats, so the
    categories of a histogram are written the same way for every file format.
    """
    out: list[str] = []
    for batch in _batches(data, column):
        present = batch.dropna()
        if pd.api.types.is_integer_dtype(present.dtype) or pd.api.types.is_bool_dtype(
            present.dtype
        ):
            out.extend(present.astype(str).tolist())
        else:
            out.extend(_label(v) for v in present.tolist())
    return out


def presence(data: Data, column: str) -> npt.NDArray[np.bool_]:
    """One record per row where the column has a value: what a count counts."""
    parts = [batch.notna().to_numpy(dtype=bool) for batch in _batches(data, column)]
    present = np.concatenate(parts) if parts else np.empty(0, dtype=bool)
    records: npt.NDArray[np.bool_] = present[present]
    return records
