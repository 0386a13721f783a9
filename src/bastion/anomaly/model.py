"""Input anomaly detection: fit on reference inputs, score logged inputs row by row.

Two methods, both on the numeric columns (categories new to the reference are a data
quality finding of :mod:`bastion.drift`):

- ``robust_z`` — per column, ``z = (x - median) / (1.4826 · MAD)``, the modified z-score
  of Iglewicz and Hoaglin (1.4826 makes the MAD a standard deviation for normal data). A
  row is anomalous when any ``|z| > k`` (default 3.5, their recommendation). Where more
  than half the reference values are equal the MAD is 0; the mean absolute deviation x
  1.2533 takes its place, and where that is 0 too (a constant column) any other value is
  anomalous. The fitted state is a few numbers per column: :meth:`AnomalyModel.to_dict`.
- ``isolation_forest`` — scikit-learn's ``IsolationForest`` (``random_state`` fixed, so
  the same reference gives the same forest), missing and infinite inputs replaced by the
  column median for the forest. A forest does not serialize to plain data: ``to_dict``
  keeps the parameters only, and :meth:`AnomalyModel.from_dict` refits it from the stored
  reference (``reference=``), which gives the same forest again.

With either method a value that is infinite makes its row anomalous, and missing values
never do (they are counted by drift's data quality instead). A row's culprits are its
columns with ``|z| > k``; :attr:`AnomalyResult.top_columns` counts them over the rows
found anomalous.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from sklearn.ensemble import IsolationForest  # type: ignore[import-untyped]

from bastion.drift.errors import DriftInputError
from bastion.drift.frames import as_polars, numeric_values

__all__ = [
    "DEFAULT_K",
    "MAD_TO_STD",
    "AnomalyInputError",
    "AnomalyModel",
    "AnomalyResult",
    "Method",
    "fit_anomaly",
    "score",
]

Method = Literal["robust_z", "isolation_forest"]
DEFAULT_K = 3.5
MAD_TO_STD = 1.4826
MEAN_AD_TO_STD = 1.2533  # sqrt(pi / 2): mean absolute deviation to std for normal data
SCHEMA_VERSION = 1

Matrix = npt.NDArray[np.float64]


class AnomalyInputError(DriftInputError):
    """An argument or input anomaly detection cannot work with."""


@dataclass(frozen=True)
class AnomalyModel:
    """A fitted anomaly detector (see the module docstring for the methods)."""

    method: Method
    columns: tuple[str, ...]
    medians: tuple[float, ...]
    scales: tuple[float, ...]
    k: float
    seed: int = 0
    contamination: float | Literal["auto"] = "auto"
    forest: Any = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON; an isolation forest's trees are left out (refit them with
        :meth:`from_dict` and the reference)."""
        return {
            "schema": SCHEMA_VERSION,
            "method": self.method,
            "columns": list(self.columns),
            "medians": list(self.medians),
            "scales": [v if math.isfinite(v) else None for v in self.scales],
            "k": self.k,
            "seed": self.seed,
            "contamination": self.contamination,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, reference: Any = None) -> AnomalyModel:
        """A model from :meth:`to_dict`; an isolation forest is refit on ``reference``
        (the data it was fitted on), which gives the same trees with the same seed."""
        if not isinstance(d, Mapping) or d.get("schema") != SCHEMA_VERSION:
            raise AnomalyInputError("not an anomaly model", field="model")
        if d["method"] == "isolation_forest":
            if reference is None:
                raise AnomalyInputError(
                    "an isolation forest is refit from its reference data: pass reference=",
                    field="reference",
                )
            return fit_anomaly(
                reference,
                method="isolation_forest",
                columns=list(d["columns"]),
                k=float(d["k"]),
                seed=int(d["seed"]),
                contamination=d["contamination"],
            )
        return cls(
            method="robust_z",
            columns=tuple(str(c) for c in d["columns"]),
            medians=tuple(float(v) for v in d["medians"]),
            scales=tuple(math.inf if v is None else float(v) for v in d["scales"]),
            k=float(d["k"]),
            seed=int(d["seed"]),
        )


@dataclass(frozen=True)
class AnomalyResult:
    """The anomalies found among scored rows.

    ``top_columns`` pairs each column with the number of anomalous rows where it is a
    culprit (``|z| > k``), most first; ``anomalous`` and ``scores`` hold one value per
    row (for the robust z the largest ``|z|``, for the forest the negated
    ``score_samples``: higher is more anomalous) and are not serialized.
    """

    method: Method
    rows: int
    count: int
    share: float
    top_columns: tuple[tuple[str, int], ...]
    anomalous: npt.NDArray[np.bool_] = field(repr=False, compare=False)
    scores: Matrix = field(repr=False, compare=False)

    @property
    def summary(self) -> str:
        head = f"{self.count} of {self.rows} rows anomalous ({self.share:.2%}, {self.method})"
        if self.top_columns:
            head += ": mostly " + ", ".join(f"{c} ({n})" for c, n in self.top_columns[:3])
        return head

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "rows": self.rows,
            "count": self.count,
            "share": self.share,
            "top_columns": [{"column": c, "rows": n} for c, n in self.top_columns],
            "summary": self.summary,
        }


def _matrix(data: Any, columns: list[str] | None, *, role: str) -> tuple[list[str], Matrix]:
    frame = as_polars(data, role=role)
    if columns is None:
        names = [n for n, t in frame.schema.items() if t.is_numeric()]
    else:
        unknown = [n for n in columns if n not in frame.columns]
        if unknown:
            raise AnomalyInputError(
                f"unknown column(s) {unknown} in the {role}; it has {frame.columns}",
                field="columns",
            )
        names = list(columns)
    if not names:
        raise AnomalyInputError(f"the {role} has no numeric columns", field="columns")
    matrix = np.empty((frame.height, len(names)))
    for j, name in enumerate(names):
        matrix[:, j], _ = numeric_values(frame.get_column(name))
    return names, matrix


def _robust(names: list[str], matrix: Matrix) -> tuple[Matrix, Matrix]:
    medians = np.empty(matrix.shape[1])
    scales = np.empty(matrix.shape[1])
    for j, name in enumerate(names):
        column = matrix[:, j]
        finite = column[np.isfinite(column)]
        if finite.size == 0:
            raise AnomalyInputError(f"column {name!r} has no numbers in the reference", field=name)
        median = float(np.median(finite))
        deviation = np.abs(finite - median)
        scale = MAD_TO_STD * float(np.median(deviation))
        if scale == 0.0:
            scale = MEAN_AD_TO_STD * float(deviation.mean())
        medians[j], scales[j] = median, scale if scale > 0 else math.inf
    return medians, scales


def _z(matrix: Matrix, medians: Matrix, scales: Matrix) -> Matrix:
    """|z| per value: NaN for missing, inf for infinite values and for any departure from
    a constant column's value (marked by an infinite scale)."""
    with np.errstate(invalid="ignore"):
        deviation = np.abs(matrix - medians)
    constant = np.isinf(scales)
    z = deviation / np.where(constant, 1.0, scales)
    z = np.where(constant & (deviation > 0), np.inf, np.where(constant, 0.0, z))
    return np.asarray(np.where(np.isinf(matrix), np.inf, z), dtype=np.float64)


def fit_anomaly(
    reference: Any,
    method: Method = "robust_z",
    *,
    columns: list[str] | None = None,
    k: float = DEFAULT_K,
    seed: int = 0,
    contamination: float | Literal["auto"] = "auto",
) -> AnomalyModel:
    """Fit an anomaly detector on reference inputs (numeric columns, or ``columns``).

    Raises
    ------
    AnomalyInputError
        For an unknown method, column or argument, or a reference without numbers.
    """
    if method not in ("robust_z", "isolation_forest"):
        raise AnomalyInputError(
            f"unknown method {method!r}; use robust_z or isolation_forest", field="method"
        )
    if not (k > 0 and math.isfinite(k)):
        raise AnomalyInputError("k must be a number above 0", field="k")
    names, matrix = _matrix(reference, columns, role="reference")
    medians, scales = _robust(names, matrix)
    model = AnomalyModel(
        method=method,
        columns=tuple(names),
        medians=tuple(medians.tolist()),
        scales=tuple(scales.tolist()),
        k=float(k),
        seed=seed,
        contamination=contamination,
    )
    if method == "robust_z":
        return model
    if contamination != "auto" and not 0.0 < float(contamination) <= 0.5:
        raise AnomalyInputError(
            "contamination must be 'auto' or in (0, 0.5]", field="contamination"
        )
    forest = IsolationForest(random_state=seed, contamination=contamination)
    forest.fit(_imputed(matrix, medians))
    return replace(model, forest=forest)


def _imputed(matrix: Matrix, medians: Matrix) -> Matrix:
    return np.asarray(np.where(np.isfinite(matrix), matrix, medians), dtype=np.float64)


def score(model: AnomalyModel, data: Any) -> AnomalyResult:
    """Score logged inputs against a fitted model.

    Raises
    ------
    AnomalyInputError
        If ``data`` lacks one of the model's columns.
    """
    _, matrix = _matrix(data, list(model.columns), role="data")
    medians, scales = np.asarray(model.medians), np.asarray(model.scales)
    z = _z(matrix, medians, scales)
    culprits = np.nan_to_num(z, nan=0.0) > model.k
    if model.method == "isolation_forest":
        if model.forest is None:
            raise AnomalyInputError(
                "this isolation forest was not refit: use AnomalyModel.from_dict(d, reference=…)",
                field="model",
            )
        imputed = _imputed(matrix, medians)
        anomalous = (model.forest.predict(imputed) == -1) | np.isinf(matrix).any(axis=1)
        scores = -np.asarray(model.forest.score_samples(imputed), dtype=np.float64)
    else:
        anomalous = culprits.any(axis=1)
        scores = np.nan_to_num(z, nan=0.0).max(axis=1) if z.size else np.zeros(len(z))
    per_column = culprits[anomalous].sum(axis=0)
    top = sorted(
        ((name, int(n)) for name, n in zip(model.columns, per_column, strict=True) if n),
        key=lambda item: (-item[1], item[0]),
    )
    rows = int(matrix.shape[0])
    count = int(anomalous.sum())
    return AnomalyResult(
        method=model.method,
        rows=rows,
        count=count,
        share=count / rows if rows else 0.0,
        top_columns=tuple(top),
        anomalous=np.asarray(anomalous, dtype=bool),
        scores=np.asarray(scores, dtype=np.float64),
    )
