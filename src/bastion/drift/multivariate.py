"""Multivariate drift by PCA reconstruction error, as NannyML's
``DataReconstructionDriftCalculator`` computes it.

Fitted on the reference: missing values imputed (numeric columns by the mean,
categorical ones by the most frequent category), categories replaced by their frequency
in the reference (``CountEncoder(normalize=True)``; a category the reference never saw
becomes 0), every column standardized (``StandardScaler``), then PCA keeping the fewest
components that explain 65% of the variance. A row's reconstruction error is the
Euclidean distance between its standardized values and their projection back from the
components. Univariate tests miss a change in how columns move together (the correlation
of two columns flipping sign leaves each column's distribution as it was); the error
grows when rows stop lying near the reference's principal subspace.

As in NannyML, the reference is cut into :data:`REFERENCE_CHUNKS` consecutive chunks;
the alert band is the mean of their mean errors ± 3 standard deviations. A window drifts
when its mean error leaves the band. The fitted state (imputation values, category
frequencies, scaler, components, band) is plain data inside the profile, and a window's
summary is the count, sum and sum of squares of its errors, so windows merge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from bastion.drift.errors import DriftInputError
from bastion.drift.frames import category_values, numeric_values

__all__ = [
    "REFERENCE_CHUNKS",
    "VARIANCE_KEPT",
    "MultivariateModel",
    "MultivariateSummary",
    "fit_multivariate",
]

VARIANCE_KEPT = 0.65
REFERENCE_CHUNKS = 10
_BATCH_ROWS = 100_000  # rows encoded at a time: bounds the dense matrix's memory

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class MultivariateModel:
    """The fitted encoder, scaler and PCA, and the reference's alert band.

    ``encodings`` maps each categorical column to its category frequencies; ``fill`` is
    each column's imputation value (already encoded); ``components`` has one row per
    kept principal component.
    """

    columns: tuple[str, ...]
    encodings: dict[str, dict[str, float]]
    fill: tuple[float, ...]
    scale_mean: tuple[float, ...]
    scale_std: tuple[float, ...]
    pca_mean: tuple[float, ...]
    components: tuple[tuple[float, ...], ...]
    lower: float
    upper: float

    @cached_property
    def _arrays(self) -> tuple[Matrix, Matrix, Matrix, Matrix]:
        return (
            np.asarray(self.scale_mean),
            np.asarray(self.scale_std),
            np.asarray(self.pca_mean),
            np.asarray(self.components, dtype=np.float64).reshape(-1, len(self.columns)),
        )

    def errors(self, frame: pl.DataFrame) -> Matrix:
        """Each row's reconstruction error."""
        out = [self._errors(self._encode(chunk)) for chunk in frame.iter_slices(_BATCH_ROWS)]
        return np.concatenate(out) if out else np.empty(0)

    def _encode(self, frame: pl.DataFrame) -> Matrix:
        matrix = np.empty((frame.height, len(self.columns)))
        for j, name in enumerate(self.columns):
            series = frame.get_column(name)
            if name in self.encodings:
                freq = self.encodings[name]
                text = category_values(series)
                coded = text.replace_strict(
                    list(freq), list(freq.values()), default=0.0, return_dtype=pl.Float64
                )
                column = coded.fill_null(self.fill[j]).to_numpy()
            else:
                values, _ = numeric_values(series)
                column = np.where(np.isfinite(values), values, self.fill[j])
            matrix[:, j] = column
        return matrix

    def _errors(self, matrix: Matrix) -> Matrix:
        mean, std, pca_mean, components = self._arrays
        scaled = (matrix - mean) / std
        centred = scaled - pca_mean
        rebuilt = centred @ components.T @ components
        return np.asarray(np.linalg.norm(centred - rebuilt, axis=1), dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": list(self.columns),
            "encodings": {k: dict(v) for k, v in self.encodings.items()},
            "fill": list(self.fill),
            "scale_mean": list(self.scale_mean),
            "scale_std": list(self.scale_std),
            "pca_mean": list(self.pca_mean),
            "components": [list(c) for c in self.components],
            "lower": self.lower,
            "upper": self.upper,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> MultivariateModel:
        return cls(
            columns=tuple(str(c) for c in d["columns"]),
            encodings={
                str(k): {str(c): float(f) for c, f in v.items()} for k, v in d["encodings"].items()
            },
            fill=tuple(float(v) for v in d["fill"]),
            scale_mean=tuple(float(v) for v in d["scale_mean"]),
            scale_std=tuple(float(v) for v in d["scale_std"]),
            pca_mean=tuple(float(v) for v in d["pca_mean"]),
            components=tuple(tuple(float(v) for v in c) for c in d["components"]),
            lower=float(d["lower"]),
            upper=float(d["upper"]),
        )


@dataclass(frozen=True, eq=False)
class MultivariateSummary:
    """The model and the reconstruction errors of the rows summarized with it."""

    model: MultivariateModel
    count: int
    sum: float
    sumsq: float

    @property
    def mean_error(self) -> float | None:
        return self.sum / self.count if self.count else None

    def summarize(self, frame: pl.DataFrame) -> MultivariateSummary | None:
        """The errors of ``frame``'s rows; ``None`` when it lacks one of the columns."""
        if any(name not in frame.columns for name in self.model.columns):
            return None
        errors = self.model.errors(frame)
        return replace(
            self,
            count=int(errors.size),
            sum=float(errors.sum()),
            sumsq=float(np.dot(errors, errors)),
        )

    def merge(self, other: MultivariateSummary) -> MultivariateSummary:
        if other.model != self.model:
            raise DriftInputError("cannot merge multivariate summaries of different references")
        return replace(
            self,
            count=self.count + other.count,
            sum=self.sum + other.sum,
            sumsq=self.sumsq + other.sumsq,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model.to_dict(),
            "count": self.count,
            "sum": self.sum,
            "sumsq": self.sumsq,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> MultivariateSummary:
        return cls(
            model=MultivariateModel.from_dict(d["model"]),
            count=int(d["count"]),
            sum=float(d["sum"]),
            sumsq=float(d["sumsq"]),
        )


def fit_multivariate(frame: pl.DataFrame, summaries: Mapping[str, Any]) -> MultivariateSummary:
    """Fit the model on the reference ``frame``, from its column ``summaries`` (their
    means and category counts give the imputation values and encodings).

    Raises
    ------
    DriftInputError
        With fewer than two columns, or fewer rows than :data:`REFERENCE_CHUNKS` x 2.
    """
    if len(summaries) < 2:
        raise DriftInputError("multivariate drift needs at least two columns", field="multivariate")
    if frame.height < 2 * REFERENCE_CHUNKS:
        raise DriftInputError(
            f"multivariate drift needs at least {2 * REFERENCE_CHUNKS} reference rows",
            field="multivariate",
        )
    columns = tuple(summaries)
    encodings: dict[str, dict[str, float]] = {}
    fill: list[float] = []
    for name, summary in summaries.items():
        if summary.kind == "categorical":
            freq, mode = _frequencies(summary)
            encodings[name] = freq
            fill.append(freq.get(mode, 0.0) if mode is not None else 0.0)
        else:
            fill.append(summary.mean if summary.mean is not None else 0.0)
    partial = MultivariateModel(
        columns=columns,
        encodings=encodings,
        fill=tuple(fill),
        scale_mean=(0.0,) * len(columns),
        scale_std=(1.0,) * len(columns),
        pca_mean=(0.0,) * len(columns),
        components=(),
        lower=0.0,
        upper=0.0,
    )
    encoded = np.vstack([partial._encode(c) for c in frame.iter_slices(_BATCH_ROWS)])
    mean = encoded.mean(axis=0)
    std = encoded.std(axis=0)
    std[std == 0.0] = 1.0  # StandardScaler leaves a constant column unscaled
    scaled = (encoded - mean) / std
    pca_mean = scaled.mean(axis=0)
    centred = scaled - pca_mean
    # PCA by the eigenvectors of the covariance matrix (d x d, cheap for any row count);
    # the kept count is scikit-learn's: the fewest components whose cumulative explained
    # variance ratio exceeds VARIANCE_KEPT.
    variances, vectors = np.linalg.eigh(centred.T @ centred / max(frame.height - 1, 1))
    order = np.argsort(variances)[::-1]
    variances, vectors = np.clip(variances[order], 0.0, None), vectors[:, order]
    total = variances.sum()
    ratio = np.cumsum(variances) / total if total > 0 else np.ones_like(variances)
    kept = min(int(np.searchsorted(ratio, VARIANCE_KEPT, side="right")) + 1, len(columns))
    model = replace(
        partial,
        scale_mean=tuple(mean.tolist()),
        scale_std=tuple(std.tolist()),
        pca_mean=tuple(pca_mean.tolist()),
        components=tuple(tuple(v) for v in vectors[:, :kept].T.tolist()),
    )
    errors = model._errors(encoded)
    chunk_means = np.array([c.mean() for c in np.array_split(errors, REFERENCE_CHUNKS)])
    centre, spread = float(chunk_means.mean()), float(chunk_means.std(ddof=1))
    model = replace(model, lower=centre - 3 * spread, upper=centre + 3 * spread)
    return MultivariateSummary(
        model=model,
        count=int(errors.size),
        sum=float(errors.sum()),
        sumsq=float(np.dot(errors, errors)),
    )


def _frequencies(summary: Any) -> tuple[dict[str, float], str | None]:
    """Each reference category's share of the rows once missing values are imputed with
    the most frequent one (what CountEncoder sees after NannyML's imputer)."""
    categories = list(summary.bins.categories)
    counts = [int(c) for c in summary.counts]
    if not categories or summary.rows == 0:
        return {}, None
    mode = categories[int(np.argmax(counts))]
    counts[categories.index(mode)] += summary.missing
    return {c: n / summary.rows for c, n in zip(categories, counts, strict=True)}, mode
