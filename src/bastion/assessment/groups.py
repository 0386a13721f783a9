"""Rows mapped to intersectional groups of one or more sensitive columns, shared by the
assessments that report by group (fairness, performance).

Each column is factorized (a missing value — None, NaN, NA, NaT — is a group of its own,
``None``), the codes are combined into one intersectional code, and only combinations
present in the data become groups, in sorted order of their values (missing last).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from bastion.assessment.errors import SingleGroupError

__all__ = ["Factorized", "factorize_groups"]

# Above this many possible combinations of sensitive values, present combinations are
# found by sorting (np.unique) instead of counting over the full product space.
_DENSE_LIMIT = 1 << 22


def _key_value(value: Any) -> Any:
    """A group value as plain JSON-able Python; every kind of missing value is ``None``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


@dataclass(frozen=True)
class Factorized:
    """Rows mapped to intersectional groups: ``codes[i]`` indexes ``keys``."""

    features: tuple[str, ...]
    keys: tuple[tuple[Any, ...], ...]
    codes: npt.NDArray[np.intp]

    @cached_property
    def rows(self) -> tuple[npt.NDArray[np.intp], ...]:
        """Each group's row indices, in their original order (one stable sort)."""
        order = np.argsort(self.codes, kind="stable")
        bounds = np.cumsum(np.bincount(self.codes, minlength=len(self.keys)))[:-1]
        return tuple(np.split(order, bounds))


def _factorize(
    values: npt.NDArray[Any], name: str, at_least: int
) -> tuple[npt.NDArray[np.intp], list[Any]]:
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    keys = [_key_value(u) for u in np.asarray(uniques, dtype=object)]
    # Groups come out in sorted order of their values, missing last, whatever the row
    # order. Sorting the few distinct values and remapping the codes is much cheaper than
    # pandas' sort=True on millions of rows.
    try:
        order = sorted(
            range(len(keys)), key=lambda i: (keys[i] is None, 0 if keys[i] is None else keys[i])
        )
    except TypeError:  # values of kinds that do not compare (e.g. str and int): keep order
        order = list(range(len(keys)))
    if order != list(range(len(keys))):
        remap = np.empty(len(keys), dtype=np.intp)
        remap[order] = np.arange(len(keys), dtype=np.intp)
        codes = remap[codes]
        keys = [keys[i] for i in order]
    if len(keys) < at_least:
        only = keys[0] if keys else None
        raise SingleGroupError(
            f"sensitive feature {name!r} has a single group ({only!r}): fairness compares "
            "groups, so it needs at least two",
            field="sensitive_features",
        )
    return codes.astype(np.intp, copy=False), keys


def factorize_groups(
    names: list[str], columns: list[npt.NDArray[Any]], *, at_least: int = 1
) -> Factorized:
    """Intersectional group codes over one or more sensitive columns.

    Groups are every combination of values present in the data, in sorted order of the
    values (missing last); a missing value (None, NaN, NA) is its own group, ``None``.

    Raises
    ------
    SingleGroupError
        If a sensitive column holds fewer than ``at_least`` values (fairness compares
        groups, so it asks for two; performance reports whatever groups there are).
    """
    per_column = [_factorize(col, nm, at_least) for nm, col in zip(names, columns, strict=True)]
    sizes = [len(keys) for _, keys in per_column]
    combined = per_column[0][0]
    for (codes, _), size in zip(per_column[1:], sizes[1:], strict=True):
        combined = combined * size + codes
    space = math.prod(sizes)
    if len(per_column) == 1:
        present = np.arange(space)  # factorize only yields values that occur
    elif space <= _DENSE_LIMIT:
        present = np.flatnonzero(np.bincount(combined, minlength=space))
        if len(present) < space:
            remap = np.full(space, -1, dtype=np.intp)
            remap[present] = np.arange(len(present), dtype=np.intp)
            combined = remap[combined]
    else:
        present, combined = np.unique(combined, return_inverse=True)
    # Unravel each present combined code back to one value per column.
    idx = np.unravel_index(present, sizes)
    keys = tuple(
        tuple(per_column[j][1][int(idx[j][g])] for j in range(len(names)))
        for g in range(len(present))
    )
    return Factorized(tuple(names), keys, combined.astype(np.intp, copy=False))
