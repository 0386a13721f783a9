"""Tables in, pandas out: what the assessments accept as data, and reading it from files.

Models in scikit-learn pipelines take pandas frames (column names select columns), so
the assessments hand models a pandas frame whatever the caller passed — pandas, polars,
Arrow or numpy. Files are read here too, for the CLI and the server: CSV, Parquet and
JSON Lines, with errors that name the file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bastion.assessment.errors import AssessmentInputError, UnknownColumnError
from bastion.tabular import FORMATS

__all__ = ["as_frame", "columns_of", "read_table"]


def as_frame(data: Any) -> pd.DataFrame:
    """A pandas DataFrame from pandas, polars, Arrow, numpy (1-D or 2-D) or a list."""
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return data.to_frame()
    root = type(data).__module__.split(".")[0]
    if root == "polars":
        table = data if hasattr(data, "columns") else data.to_frame()
        return pd.DataFrame(table.to_pandas())
    if root == "pyarrow":
        if hasattr(data, "column_names"):
            return pd.DataFrame(data.to_pandas())
        return pd.Series(data.to_numpy(zero_copy_only=False)).to_frame()
    arr = np.asarray(data)
    if arr.ndim == 1:
        return pd.DataFrame({"0": arr})
    if arr.ndim == 2:
        return pd.DataFrame(arr, columns=[str(i) for i in range(arr.shape[1])])
    raise AssessmentInputError(f"expected a table or a column, got an array of shape {arr.shape}")


def columns_of(frame: pd.DataFrame, names: list[str], role: str) -> pd.DataFrame:
    """The named columns of ``frame``, refusing names it does not have."""
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise UnknownColumnError(
            f"unknown column(s) {missing} given as {role}; the data has columns "
            f"{[str(c) for c in frame.columns]}",
            field=role,
        )
    return frame[names]


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a CSV, Parquet or JSON Lines file, by its suffix.

    Raises
    ------
    AssessmentInputError
        If the file is missing, of an unknown kind, empty, or cannot be parsed; the
        message names the file.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in FORMATS:
        raise AssessmentInputError(
            f"{p.name}: unknown table format {suffix or '(no suffix)'!r}; "
            f"use one of {', '.join(FORMATS)}",
            field="data",
        )
    if not p.is_file():
        raise AssessmentInputError(f"{p}: no such file", field="data")
    try:
        if suffix == ".csv":
            frame = pd.read_csv(p, skipinitialspace=True)
        elif suffix == ".parquet":
            frame = pd.read_parquet(p)
        else:
            frame = pd.read_json(p, lines=True)
    except ImportError as exc:  # Parquet needs pyarrow
        raise AssessmentInputError(f"{p.name}: cannot read {suffix} files here: {exc}") from exc
    except (ValueError, OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise AssessmentInputError(f"{p.name}: cannot be read as {suffix[1:]}: {exc}") from exc
    if frame.empty:
        raise AssessmentInputError(f"{p.name}: holds no rows", field="data")
    return frame
