"""What the attacks and the noise test stand on: the features to perturb, the scale they
are measured in, and the model called on whole records.

Perturbation sizes are measured in units of each feature's standard deviation on ``X``
(dollars and years are not comparable), and every perturbed value is clipped to the
range observed on ``X``. Only numeric features move; every other column of a record keeps
its value, and the model is called on records with the columns it was given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from bastion.assessment.errors import (
    AssessmentInputError,
    NonFiniteValuesError,
    UnknownColumnError,
)
from bastion.assessment.model import LoadedModel, native
from bastion.robustness.errors import ModelPredictError

__all__ = ["Predictor", "Scale", "choose_features", "records", "rows_of"]

Floats = npt.NDArray[np.float64]


def _is_perturbable(dtype: Any) -> bool:
    # Booleans are numeric to pandas, but half a standard deviation of True means nothing.
    return bool(pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype))


def choose_features(
    frame: pd.DataFrame, features: Sequence[Any] | str | None
) -> tuple[list[Any], list[str]]:
    """The columns to perturb, and notes on any left out.

    ``None`` means every numeric column; named columns must exist and be numeric. Every
    chosen column must hold finite values, and a column constant on ``X`` is left out
    (it has no spread to measure a perturbation in, and no range to move within).

    Raises
    ------
    UnknownColumnError
        If a named column is not in ``X``.
    AssessmentInputError
        If a named column is not numeric, or no column is left to perturb.
    NonFiniteValuesError
        If a chosen column holds NaN, infinity or missing values.
    """
    columns = list(frame.columns)
    if features is None:
        chosen = [c for c in columns if _is_perturbable(frame[c].dtype)]
        if not chosen:
            raise AssessmentInputError(
                f"X has no numeric column to perturb: its columns {[str(c) for c in columns]} "
                "are all categorical, text or boolean; the attacks move numeric features only",
                field="features",
            )
    else:
        chosen = [features] if isinstance(features, str) else list(features)
        if not chosen:
            raise AssessmentInputError("features is empty: name at least one numeric column")
        missing = [c for c in chosen if c not in frame.columns]
        if missing:
            raise UnknownColumnError(
                f"unknown column(s) {missing} given as features; X has columns "
                f"{[str(c) for c in columns]}",
                field="features",
            )
        if len(set(chosen)) != len(chosen):
            raise AssessmentInputError(f"features repeat: {chosen}", field="features")
        wrong = [f"{c!r} ({frame[c].dtype})" for c in chosen if not _is_perturbable(frame[c].dtype)]
        if wrong:
            raise AssessmentInputError(
                f"features must be numeric columns; not numeric: {', '.join(wrong)}",
                field="features",
            )
    for c in chosen:
        values = frame[c].to_numpy(dtype=np.float64, na_value=np.nan)
        bad = int(np.count_nonzero(~np.isfinite(values)))
        if bad:
            raise NonFiniteValuesError(
                f"feature {c!r} holds {bad} NaN, infinite or missing value(s); the attacks "
                "need finite values to measure perturbations: drop or fill those rows",
                field="X",
            )
    constant = [c for c in chosen if frame[c].nunique() < 2]
    kept = [c for c in chosen if c not in constant]
    if not kept:
        raise AssessmentInputError(
            f"every feature to perturb is constant on X ({[str(c) for c in constant]}): "
            "there is no spread to measure a perturbation in",
            field="features",
        )
    notes = (
        [f"feature(s) {[str(c) for c in constant]} are constant on X and were not perturbed"]
        if constant
        else []
    )
    return kept, notes


@dataclass(frozen=True)
class Scale:
    """Each perturbed feature's mean, standard deviation and observed range on ``X``.

    The attacks run in standardized space, ``z = (x - mean) / std``, so that one unit is
    one standard deviation of every feature (``std`` is the population one, ``ddof=0``,
    as scikit-learn's ``StandardScaler`` computes it).
    """

    features: tuple[str, ...]
    mean: Floats
    std: Floats
    low: Floats
    high: Floats

    @classmethod
    def of(cls, frame: pd.DataFrame, features: list[Any]) -> Scale:
        """The scale of ``features`` measured on all rows of ``frame``."""
        values = frame[features].to_numpy(dtype=np.float64)
        return cls(
            features=tuple(str(f) for f in features),
            mean=values.mean(axis=0),
            std=values.std(axis=0),
            low=values.min(axis=0),
            high=values.max(axis=0),
        )

    @property
    def z_low(self) -> Floats:
        """The lower clip bound of each feature in standardized units."""
        return (self.low - self.mean) / self.std

    @property
    def z_high(self) -> Floats:
        """The upper clip bound of each feature in standardized units."""
        return (self.high - self.mean) / self.std

    def standardize(self, raw: Floats) -> Floats:
        """Raw values (rows of features) in units of standard deviation from the mean."""
        return (raw - self.mean) / self.std

    def raw(self, z: Floats) -> Floats:
        """Standardized values back in the features' units, clipped to the observed range."""
        return np.clip(z * self.std + self.mean, self.low, self.high)

    def to_dict(self) -> dict[str, dict[str, float]]:
        """``{feature: {"mean", "std", "min", "max"}}`` as plain floats."""
        return {
            f: {
                "mean": float(self.mean[i]),
                "std": float(self.std[i]),
                "min": float(self.low[i]),
                "max": float(self.high[i]),
            }
            for i, f in enumerate(self.features)
        }


def rows_of(frame: pd.DataFrame, positions: Any, features: list[Any]) -> pd.DataFrame:
    """A copy of the rows at ``positions`` with the perturbed features as float64.

    The cast is what lets perturbed (fractional) values be written into an integer
    column such as age without pandas refusing or warning about a changed dtype.
    """
    rows: pd.DataFrame = frame.iloc[positions].copy()
    rows[features] = rows[features].astype(np.float64)
    return rows


def records(base: pd.DataFrame, features: list[Any], values: Floats) -> pd.DataFrame:
    """One record per row of ``values``: ``base``'s one row with the features replaced.

    Every column not perturbed (a categorical one, a numeric one left out) keeps the
    row's own value.
    """
    out: pd.DataFrame = base.iloc[np.zeros(len(values), dtype=np.intp)].reset_index(drop=True)
    out[features] = values
    return out


def _model_name(model: Any) -> str:
    inner = type(native(model)).__name__
    if isinstance(model, LoadedModel):
        return f"{inner} from {model.source}"
    return inner


class Predictor:
    """The model called on records, with the input it was given and errors that name it.

    A model given ``X`` as a numpy array is called with numpy arrays (an estimator fitted
    on arrays warns when given column names); any other ``X`` is handed over as a pandas
    frame with ``X``'s own columns, which is what pipelines that select columns by name
    need. ``rows`` counts every record predicted: the queries an attack spends.
    """

    def __init__(self, model: Any, *, as_array: bool) -> None:
        self._estimator = native(model)
        self._as_array = as_array
        self.name = _model_name(model)
        self.rows = 0

    def __call__(self, frame: pd.DataFrame) -> npt.NDArray[Any]:
        """The model's labels for each record of ``frame``."""
        data: Any = frame.to_numpy() if self._as_array else frame
        self.rows += len(frame)
        try:
            labels = np.asarray(self._estimator.predict(data))
        # The model is the caller's code: whatever it raises, the assessment cannot go on,
        # and the caller needs to know it was the model's predict() that failed.
        except Exception as exc:
            raise ModelPredictError(
                f"the model ({self.name}) raised {type(exc).__name__} in predict() on "
                f"{len(frame)} row(s): {exc}",
                field="model",
            ) from exc
        if labels.ndim == 2 and labels.shape[1] == 1:
            labels = labels[:, 0]
        if labels.shape != (len(frame),):
            raise ModelPredictError(
                f"the model ({self.name}) answered {len(frame)} row(s) with an array of shape "
                f"{labels.shape}; predict() must return one label per row",
                field="model",
            )
        return labels
