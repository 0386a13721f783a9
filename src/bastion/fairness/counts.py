"""One pass of per-group confusion counts: the summary every fairness metric is read from.

Each sensitive column is factorized (a missing value is a group of its own), the codes are
combined into one intersectional group code, and a single ``numpy.bincount`` over
``(group, y_true, y_pred)`` cells gives every group's confusion matrix. Every rate,
aggregate, disparity and bootstrap resample then works on this small table rather than on
the rows. The counts are additive, so partial results over partitions of a large
prediction log merge (:meth:`GroupCounts.merge`) into the counts of the whole — the
mergeable-summary rule of DESIGN.md ("Defaults and scale").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from bastion.assessment.errors import AssessmentInputError
from bastion.assessment.groups import Factorized

__all__ = ["GroupCounts"]


@dataclass(frozen=True)
class GroupCounts:
    """Per-group counts from which every fairness figure is computed.

    Attributes
    ----------
    features : tuple of str
        Names of the sensitive features.
    keys : tuple of tuple
        One tuple of feature values per group (``None`` for a missing value).
    sizes : numpy.ndarray of int64, shape (G,)
        Rows per group, unweighted (what the minimum group size is checked against).
    confusion : numpy.ndarray of float64, shape (G, 2, 2), or None
        Classification: the (weighted) confusion matrix of each group, indexed
        ``[group, y_true is positive, y_pred is positive]``.
    errors : numpy.ndarray of float64, shape (G, 4), or None
        Regression: per group the sums of ``w``, ``w*e``, ``w*|e|`` and ``w*e**2`` where
        ``e = y_pred - y_true``.
    pos_label : object
        The positive label (classification).
    weighted : bool
        Whether sample weights were applied.
    """

    features: tuple[str, ...]
    keys: tuple[tuple[Any, ...], ...]
    sizes: npt.NDArray[np.int64]
    confusion: npt.NDArray[np.float64] | None = None
    errors: npt.NDArray[np.float64] | None = None
    pos_label: Any = None
    weighted: bool = False

    @property
    def task(self) -> str:
        """``"classification"`` or ``"regression"``."""
        return "classification" if self.confusion is not None else "regression"

    @classmethod
    def classification(
        cls,
        groups: Factorized,
        y_true: npt.NDArray[np.bool_],
        y_pred: npt.NDArray[np.bool_],
        sample_weight: npt.NDArray[np.float64] | None,
        pos_label: Any,
    ) -> GroupCounts:
        """Count ``(group, y_true, y_pred)`` cells with one ``bincount``."""
        g = len(groups.keys)
        cells = cell_codes(groups.codes, y_true, y_pred)
        rows = np.bincount(cells, minlength=4 * g)
        sizes = rows.reshape(g, 4).sum(axis=1)
        confusion: npt.NDArray[np.float64]
        if sample_weight is None:
            confusion = rows.astype(np.float64)
        else:
            confusion = np.bincount(cells, weights=sample_weight, minlength=4 * g).astype(
                np.float64, copy=False
            )
        return cls(
            groups.features,
            groups.keys,
            sizes.astype(np.int64),
            confusion=confusion.reshape(g, 2, 2),
            pos_label=pos_label,
            weighted=sample_weight is not None,
        )

    @classmethod
    def regression(
        cls,
        groups: Factorized,
        y_true: npt.NDArray[np.float64],
        y_pred: npt.NDArray[np.float64],
        sample_weight: npt.NDArray[np.float64] | None,
    ) -> GroupCounts:
        """Per-group sums of the error, its absolute value and its square."""
        g = len(groups.keys)
        sizes = np.bincount(groups.codes, minlength=g)
        err = y_pred - y_true
        w = np.ones_like(err) if sample_weight is None else sample_weight
        sums: npt.NDArray[np.float64] = np.stack(
            [
                np.bincount(groups.codes, weights=w, minlength=g),
                np.bincount(groups.codes, weights=w * err, minlength=g),
                np.bincount(groups.codes, weights=w * np.abs(err), minlength=g),
                np.bincount(groups.codes, weights=w * err * err, minlength=g),
            ],
            axis=1,
        )
        return cls(
            groups.features,
            groups.keys,
            sizes.astype(np.int64),
            errors=sums,
            weighted=sample_weight is not None,
        )

    def merge(self, other: GroupCounts) -> GroupCounts:
        """The counts of the union of two partitions of rows (groups matched by value).

        Raises
        ------
        AssessmentInputError
            If the two counts differ in features, task, positive label or weighting.
        """
        same = (
            self.features == other.features
            and self.task == other.task
            and self.pos_label == other.pos_label
            and self.weighted == other.weighted
        )
        if not same:
            raise AssessmentInputError(
                "cannot merge group counts of different features, task, positive label or weighting"
            )
        keys = list(dict.fromkeys([*self.keys, *other.keys]))
        index = {k: i for i, k in enumerate(keys)}

        def spread(arr: npt.NDArray[Any], own: tuple[tuple[Any, ...], ...]) -> npt.NDArray[Any]:
            out = np.zeros((len(keys), *arr.shape[1:]), dtype=arr.dtype)
            out[[index[k] for k in own]] = arr
            return out

        def both(a: npt.NDArray[Any] | None, b: npt.NDArray[Any] | None) -> Any:
            if a is None or b is None:
                return None
            return spread(a, self.keys) + spread(b, other.keys)

        return GroupCounts(
            self.features,
            tuple(keys),
            spread(self.sizes, self.keys) + spread(other.sizes, other.keys),
            confusion=both(self.confusion, other.confusion),
            errors=both(self.errors, other.errors),
            pos_label=self.pos_label,
            weighted=self.weighted,
        )


def cell_codes(
    groups: npt.NDArray[np.intp], y_true: npt.NDArray[np.bool_], y_pred: npt.NDArray[np.bool_]
) -> npt.NDArray[np.intp]:
    """The cell of each row: ``4 * group + 2 * y_true + y_pred``."""
    cells = groups * 4
    cells += y_true.view(np.uint8) * np.intp(2)
    cells += y_pred.view(np.uint8)
    return cells
