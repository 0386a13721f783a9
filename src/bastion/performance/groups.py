"""Rows split into intersectional groups of the sensitive features, for per-group metrics.

Unlike fairness, which compares groups and so refuses a sensitive column with a single
value, performance reports whatever groups there are: one group is a valid answer (the
metrics of that group are the overall ones). A missing value (None, NaN, NA) is a group
of its own; groups come out in sorted order of their values, missing last.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["Groups", "split_groups"]


@dataclass(frozen=True)
class Groups:
    """Each group's values (one per feature) and the indices of its rows."""

    features: tuple[str, ...]
    keys: tuple[tuple[Any, ...], ...]
    rows: tuple[npt.NDArray[np.intp], ...]
    codes: npt.NDArray[np.intp]


def _key_value(value: Any) -> Any:
    """A group value as plain JSON-able Python; every kind of missing value is ``None``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _factorize(values: npt.NDArray[Any]) -> tuple[npt.NDArray[np.intp], list[Any]]:
    """Codes of one column, numbered in sorted order of its values (missing last)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    keys = [_key_value(u) for u in np.asarray(uniques, dtype=object)]
    try:
        order = sorted(
            range(len(keys)), key=lambda i: (keys[i] is None, 0 if keys[i] is None else keys[i])
        )
    except TypeError:  # values of kinds that do not compare (e.g. str and int): keep order
        order = list(range(len(keys)))
    remap = np.empty(len(keys), dtype=np.intp)
    remap[order] = np.arange(len(keys), dtype=np.intp)
    return remap[codes], [keys[i] for i in order]


def split_groups(names: list[str], columns: list[npt.NDArray[Any]]) -> Groups:
    """The intersectional groups present in the data, with the rows of each.

    Columns are combined one at a time and the combined codes renumbered after each, so
    the codes stay below the row count however many columns and values there are.
    """
    n = len(columns[0])
    combined = np.zeros(n, dtype=np.intp)
    keys: list[tuple[Any, ...]] = [()]
    for col in columns:
        codes, values = _factorize(col)
        present, combined = np.unique(combined * len(values) + codes, return_inverse=True)
        keys = [keys[int(u) // len(values)] + (values[int(u) % len(values)],) for u in present]
    combined = combined.astype(np.intp, copy=False).reshape(-1)
    # One stable sort gives every group's rows, in their original order.
    order = np.argsort(combined, kind="stable")
    bounds = np.cumsum(np.bincount(combined, minlength=len(keys)))[:-1]
    rows = tuple(np.split(order, bounds))
    return Groups(tuple(names), tuple(keys), rows, combined)
