"""Turning what a user hands over (numpy, pandas, polars, Arrow, lists, or a data frame and
column names) into validated numpy columns, before any assessment computes anything.

Every check that can refuse the input lives here, so that the assessments only ever see
clean arrays and each refusal is one clear error naming the problem.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from bastion.assessment.errors import (
    AssessmentInputError,
    LengthMismatchError,
    NonBinaryLabelsError,
    NonFiniteValuesError,
    UnknownColumnError,
)

__all__ = ["BinaryLabels", "binary_labels", "column", "sensitive_columns", "weights"]


def _is_table(obj: Any) -> bool:
    """A pandas, polars or pyarrow data frame (duck-typed: no import of polars or pyarrow)."""
    return isinstance(obj, pd.DataFrame) or (
        type(obj).__module__.split(".")[0] in {"polars", "pyarrow"}
        and (hasattr(obj, "column_names") or hasattr(obj, "columns"))
        and not hasattr(obj, "dtype")
    )


def _table_columns(table: Any) -> list[str]:
    if hasattr(table, "column_names"):  # pyarrow.Table
        return [str(c) for c in table.column_names]
    return [str(c) for c in table.columns]


def _table_column(table: Any, name: str) -> Any:
    if hasattr(table, "column_names"):  # pyarrow.Table
        return table.column(name)
    return table[name]


def column(values: Any, name: str) -> npt.NDArray[Any]:
    """One column as a 1-D numpy array, from numpy, pandas, polars, pyarrow or a list.

    Parameters
    ----------
    values : array-like
        The column. A 2-D array of shape ``(n, 1)`` is accepted and flattened.
    name : str
        How the column is called in error messages.

    Returns
    -------
    numpy.ndarray
        A 1-D array; strings and mixed values come back as ``object`` arrays, and a
        pandas extension array's missing values as ``None``/``NaN``.
    """
    arr: npt.NDArray[Any]
    if (
        isinstance(values, pd.Series | pd.Index)
        or type(values).__module__.split(".")[0] == "polars"
    ):
        arr = values.to_numpy()
    elif type(values).__module__.split(".")[0] == "pyarrow":
        arr = values.to_numpy(zero_copy_only=False)
    else:
        arr = np.asarray(values)
        if arr.dtype.kind == "U":
            # numpy turns a float NaN among strings into the string "nan"; as objects a
            # missing value stays missing (and so becomes its own group).
            arr = np.asarray(values, dtype=object)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise AssessmentInputError(f"{name} must be one column; got an array of shape {arr.shape}")
    return arr


def _looked_up(data: Any, name: str, role: str) -> Any:
    available = _table_columns(data)
    if name not in available:
        raise UnknownColumnError(
            f"unknown column {name!r} given as {role}; the data has columns {available}",
            field=role,
        )
    return _table_column(data, name)


def resolve(value: Any, data: Any, role: str) -> Any:
    """``value`` itself, or the column of ``data`` that it names."""
    if isinstance(value, str) and data is not None:
        return _looked_up(data, value, role)
    if isinstance(value, str):
        raise AssessmentInputError(
            f"{role} is the name {value!r} but no data frame was given to look it up in"
        )
    return value


def sensitive_columns(
    sensitive_features: Any, data: Any, n: int, *, reserved: frozenset[str] = frozenset()
) -> tuple[list[str], list[npt.NDArray[Any]]]:
    """The sensitive features as names and 1-D arrays of length ``n``.

    ``reserved`` names the fields under which a result writes each group's figures: a
    sensitive feature of the same name would be overwritten there, so it is refused.

    Accepted: one array-like (named after a pandas/polars Series, else
    ``sensitive_feature_0`` as in fairlearn), a data frame, a mapping of names to columns,
    a 2-D numpy array, a list of arrays, or with ``data`` one column name or a list of them.
    """
    names: list[str]
    cols: list[Any]
    if isinstance(sensitive_features, str) or (
        isinstance(sensitive_features, Sequence)
        and not isinstance(sensitive_features, str)
        and len(sensitive_features) > 0
        and all(isinstance(s, str) for s in sensitive_features)
        and data is not None
    ):
        wanted = (
            [sensitive_features]
            if isinstance(sensitive_features, str)
            else list(sensitive_features)
        )
        if data is None:
            raise AssessmentInputError(
                f"sensitive_features names columns {wanted} but no data frame was given"
            )
        names = [str(w) for w in wanted]
        cols = [_looked_up(data, w, "sensitive_features") for w in wanted]
    elif isinstance(sensitive_features, Mapping):
        names = [str(k) for k in sensitive_features]
        cols = list(sensitive_features.values())
    elif _is_table(sensitive_features):
        names = _table_columns(sensitive_features)
        cols = [_table_column(sensitive_features, c) for c in names]
    elif isinstance(sensitive_features, np.ndarray) and sensitive_features.ndim == 2:
        names = [f"sensitive_feature_{i}" for i in range(sensitive_features.shape[1])]
        cols = [sensitive_features[:, i] for i in range(sensitive_features.shape[1])]
    elif isinstance(sensitive_features, list | tuple) and any(
        np.ndim(c) == 1 and not isinstance(c, str) for c in sensitive_features
    ):
        names = [
            str(getattr(c, "name", None) or f"sensitive_feature_{i}")
            for i, c in enumerate(sensitive_features)
        ]
        cols = list(sensitive_features)
    else:
        name = getattr(sensitive_features, "name", None)
        names = [str(name) if isinstance(name, str) and name else "sensitive_feature_0"]
        cols = [sensitive_features]
    if not cols:
        raise AssessmentInputError("no sensitive feature was given")
    if len(set(names)) != len(names):
        raise AssessmentInputError(f"sensitive feature names repeat: {names}")
    clash = sorted(reserved.intersection(names))
    if clash:
        raise AssessmentInputError(
            f"sensitive feature name(s) {clash} clash with result fields; rename the column(s)"
        )
    arrays = [column(c, f"sensitive feature {nm!r}") for nm, c in zip(names, cols, strict=True)]
    for nm, arr in zip(names, arrays, strict=True):
        if len(arr) != n:
            raise LengthMismatchError(
                f"sensitive feature {nm!r} has {len(arr)} values but y_true has {n}",
                field="sensitive_features",
            )
    return names, arrays


def check_lengths(y_true: npt.NDArray[Any], y_pred: npt.NDArray[Any]) -> int:
    """The common length of labels and predictions; refuses empty or unequal columns."""
    if len(y_true) != len(y_pred):
        raise LengthMismatchError(
            f"y_true has {len(y_true)} values but y_pred has {len(y_pred)}", field="y_pred"
        )
    if len(y_true) == 0:
        raise AssessmentInputError("y_true and y_pred are empty", field="y_true")
    return len(y_true)


def _missing_count(arr: npt.NDArray[Any]) -> int:
    if arr.dtype.kind in "fc":
        return int(np.count_nonzero(~np.isfinite(arr)))
    if arr.dtype.kind == "O":
        return int(pd.isna(arr).sum())
    return 0


def finite(arr: npt.NDArray[Any], name: str) -> None:
    """Refuse NaN, infinity and missing values, saying how many there are."""
    bad = _missing_count(arr)
    if bad:
        raise NonFiniteValuesError(
            f"{name} holds {bad} NaN, infinite or missing value(s); drop or fill those rows",
            field=name,
        )


def weights(sample_weight: Any, n: int) -> npt.NDArray[np.float64] | None:
    """Sample weights as float64: finite, non-negative, of length ``n``, not all zero."""
    if sample_weight is None:
        return None
    w = column(sample_weight, "sample_weight")
    if len(w) != n:
        raise LengthMismatchError(
            f"sample_weight has {len(w)} values but y_true has {n}", field="sample_weight"
        )
    if w.dtype.kind not in "biuf":
        raise AssessmentInputError(f"sample_weight must be numeric, got dtype {w.dtype}")
    w = w.astype(np.float64, copy=False)
    finite(w, "sample_weight")
    if (w < 0).any():
        raise AssessmentInputError("sample_weight holds negative values", field="sample_weight")
    if not w.sum() > 0:
        raise AssessmentInputError("sample_weight sums to zero", field="sample_weight")
    return w


@dataclass(frozen=True)
class BinaryLabels:
    """Labels and predictions reduced to "is the positive label" booleans."""

    y_true: npt.NDArray[np.bool_]
    y_pred: npt.NDArray[np.bool_]
    pos_label: Any
    labels: tuple[Any, ...]


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _distinct(arr: npt.NDArray[Any]) -> list[Any]:
    if arr.dtype == np.bool_:
        return [bool(v) for v in (False, True) if (arr == v).any()]
    # pandas.unique hashes instead of sorting: linear time on ten million labels.
    return [_plain(v) for v in pd.unique(arr)]


def binary_labels(
    y_true: npt.NDArray[Any], y_pred: npt.NDArray[Any], pos_label: Any
) -> BinaryLabels:
    """Check that labels and predictions are binary and find the positive label.

    Without ``pos_label`` the positive label is inferred as fairlearn does: values from
    {0, 1} or {-1, 1} (or booleans) take 1 (True); anything else, such as the strings
    ``"<=50K"`` and ``">50K"``, needs ``pos_label``.
    """
    finite(y_true, "y_true")
    finite(y_pred, "y_pred")
    seen_true, seen_pred = _distinct(y_true), _distinct(y_pred)
    union: list[Any] = list(dict.fromkeys([*seen_true, *seen_pred]))
    if len(union) > 2:
        many = max((seen_true, "y_true"), (seen_pred, "y_pred"), key=lambda t: len(t[0]))
        shown = ", ".join(repr(v) for v in union[:5]) + (", …" if len(union) > 5 else "")
        hint = (
            "; y_pred looks like scores: threshold them first (predictions_from_scores)"
            if many[1] == "y_pred" and y_pred.dtype.kind == "f" and len(seen_pred) > 2
            else "; for a continuous target pass task='regression'"
        )
        raise NonBinaryLabelsError(
            f"binary metrics need two label values, but y_true and y_pred together hold "
            f"{len(union)} ({shown}){hint}",
            field=many[1],
        )
    if pos_label is None:
        if set(union) <= {0, 1} or set(union) <= {-1, 1}:
            pos_label = True if y_true.dtype == np.bool_ and y_pred.dtype == np.bool_ else 1
        else:
            raise NonBinaryLabelsError(
                f"cannot infer the positive label from the values {union}: "
                "pass pos_label (labels other than {0, 1} or {-1, 1} need it)",
                field="pos_label",
            )
    elif len(union) == 2 and pos_label not in union:
        raise NonBinaryLabelsError(
            f"pos_label {pos_label!r} is not one of the label values {union}", field="pos_label"
        )
    t = np.asarray(y_true == pos_label, dtype=np.bool_)
    p = np.asarray(y_pred == pos_label, dtype=np.bool_)
    return BinaryLabels(t, p, _plain(pos_label), tuple(union))


def continuous(arr: npt.NDArray[Any], name: str) -> npt.NDArray[np.float64]:
    """A regression target or prediction as finite float64."""
    if arr.dtype.kind not in "biuf":
        raise AssessmentInputError(
            f"{name} must be numeric for task='regression', got dtype {arr.dtype}", field=name
        )
    out = arr.astype(np.float64, copy=False)
    finite(out, name)
    return out
