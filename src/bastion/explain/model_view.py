"""What the explainers need from a model, checked once before any explaining starts.

A :class:`ModelView` holds the estimator (unwrapped from a ``LoadedModel``), the features
it is explained in terms of (the columns of ``X``), whether it takes a data frame or a
bare array, and which ``predict_proba`` column is the positive class. :func:`view`
refuses, with one clear error each, a model without ``predict_proba``, data with columns
the model does not know or lacks, missing values the model cannot take, and empty data.
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
    UnusableModelError,
)
from bastion.assessment.model import native
from bastion.assessment.tables import as_frame

__all__ = [
    "ModelView",
    "at_least_one",
    "known_features",
    "label",
    "probe",
    "same_columns",
    "table",
    "view",
]

# Model errors on bad input are these in scikit-learn (and most libraries that copy it).
_MODEL_ERRORS = (ValueError, KeyError, TypeError, IndexError)


@dataclass(frozen=True)
class ModelView:
    """A binary classifier, seen as a function from feature rows to P(positive class)."""

    model: Any
    features: tuple[str, ...]
    takes_frames: bool
    positive_index: int
    positive_class: Any

    def for_model(self, frame: pd.DataFrame) -> Any:
        """The rows as the model was trained on them: a frame, or a bare array."""
        return frame if self.takes_frames else frame.to_numpy()

    def scores(self, frame: pd.DataFrame) -> npt.NDArray[np.float64]:
        """The probability of the positive class, one per row."""
        proba = np.asarray(self.model.predict_proba(self.for_model(frame)), dtype=np.float64)
        return proba[:, self.positive_index]


def at_least_one(value: Any, name: str) -> None:
    """Refuse a count below 1, naming the argument."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise AssessmentInputError(
            f"{name} must be a whole number of at least 1, got {value!r}", field=name
        )


def known_features(
    names: str | Sequence[str], features: tuple[str, ...], role: str
) -> tuple[str, ...]:
    """``names`` as a tuple, each one a feature; an unknown name is refused."""
    wanted = (names,) if isinstance(names, str) else tuple(str(n) for n in names)
    unknown = [n for n in wanted if n not in features]
    if unknown:
        raise UnknownColumnError(
            f"unknown column(s) {unknown} given as {role}; the data has columns {list(features)}",
            field=role,
        )
    return wanted


def label(value: Any) -> Any:
    """A row's index label as plain JSON (a date or tuple label becomes its text)."""
    if isinstance(value, np.generic):
        value = value.item()
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


def _short(exc: BaseException) -> str:
    """The first line of a model's error message (scikit-learn adds paragraphs of advice)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def table(data: Any, role: str) -> pd.DataFrame:
    """``data`` as a pandas frame with unique column names and at least one row."""
    frame = as_frame(data)
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise AssessmentInputError(
            f"{role} is empty ({frame.shape[0]} rows, {frame.shape[1]} columns): "
            "there is nothing to explain",
            field=role,
        )
    names = [str(c) for c in frame.columns]
    if len(set(names)) != len(names):
        repeated = sorted({n for n in names if names.count(n) > 1})
        raise AssessmentInputError(f"{role} has repeated column names {repeated}", field=role)
    return frame


def same_columns(frame: pd.DataFrame, features: tuple[str, ...], role: str) -> pd.DataFrame:
    """``frame``'s columns put in the order of ``features``; refuses a missing feature."""
    by_name = {str(c): c for c in frame.columns}
    missing = [f for f in features if f not in by_name]
    if missing:
        raise UnknownColumnError(
            f"{role} lacks the feature column(s) {missing}; the explained data has "
            f"columns {list(features)}",
            field=role,
        )
    out = frame[[by_name[f] for f in features]]
    out.columns = list(features)
    return out


def _check_columns(model: Any, frame: pd.DataFrame, role: str) -> None:
    """Refuse columns the model was not trained on, or lacks, naming them."""
    known = getattr(model, "feature_names_in_", None)
    if known is None:
        width = getattr(model, "n_features_in_", None)
        if isinstance(width, int) and width != frame.shape[1]:
            raise AssessmentInputError(
                f"the model was trained on {width} features but {role} has "
                f"{frame.shape[1]} columns",
                field=role,
            )
        return
    trained = [str(c) for c in known]
    given = [str(c) for c in frame.columns]
    missing = [c for c in trained if c not in given]
    unknown = [c for c in given if c not in trained]
    if not missing and not unknown:
        return
    said = ""
    try:
        model.predict_proba(frame.head(1))
    except _MODEL_ERRORS as exc:
        said = f"; the model says: {_short(exc)}"
        cause: BaseException | None = exc
    else:
        cause = None
    parts = []
    if missing:
        parts.append(f"lacks column(s) the model was trained on: {missing}")
    if unknown:
        parts.append(f"has column(s) the model was not trained on: {unknown}")
    raise AssessmentInputError(
        f"{role} {' and '.join(parts)}{said}", field=role, missing=missing, unknown=unknown
    ) from cause


def probe(view_: ModelView, frame: pd.DataFrame, role: str) -> None:
    """Predict every row once, and turn the model's refusal into an error naming the cause.

    One prediction over the data costs little next to explaining it, and it finds a bad
    row (an unseen category, a missing value) before hours of work rather than during.
    When the model refuses data with missing values but takes the complete rows, the
    missing values are to blame, and the error names their columns.
    """
    try:
        view_.scores(frame)
    except _MODEL_ERRORS as exc:
        missing = frame.isna().sum()
        missing = missing[missing > 0]
        if len(missing):
            complete = frame.dropna()
            blame = "nan" in str(exc).lower() or "missing" in str(exc).lower()
            if len(complete):
                try:
                    view_.scores(complete)
                except _MODEL_ERRORS:
                    blame = False
                else:
                    blame = True
            if blame:
                counts = ", ".join(f"{c!s}: {int(n)}" for c, n in missing.items())
                raise NonFiniteValuesError(
                    f"{role} holds missing values ({counts}) and the model cannot take them "
                    f"({_short(exc)}); drop or impute those rows first",
                    field=role,
                ) from exc
        raise AssessmentInputError(
            f"the model cannot predict on {role}: {_short(exc)}", field=role
        ) from exc


def view(model: Any, data: Any, *, role: str = "X") -> tuple[ModelView, pd.DataFrame]:
    """Check a model and its data, and describe how to call the model.

    Returns
    -------
    (ModelView, pandas.DataFrame)
        The view and the data as a frame whose column names are strings.

    Raises
    ------
    UnusableModelError
        The model has no ``predict_proba``, or gives other than two class columns.
    AssessmentInputError
        The data is empty, has columns the model was not trained on, or lacks some.
    NonFiniteValuesError
        The data holds missing values and the model refuses them.
    """
    est = native(model)
    if not callable(getattr(est, "predict_proba", None)):
        raise UnusableModelError(
            f"the model ({type(est).__name__}) has no predict_proba(): explanations are of "
            "the probability of the positive class, so a classifier that gives "
            "probabilities is needed",
            field="model",
        )
    frame = table(data, role)
    _check_columns(est, frame, role)
    frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    takes_frames = getattr(est, "feature_names_in_", None) is not None or not hasattr(
        est, "n_features_in_"
    )
    first = ModelView(est, tuple(frame.columns), takes_frames, -1, None)
    try:
        proba = np.asarray(est.predict_proba(first.for_model(frame.head(1))))
    except _MODEL_ERRORS:
        proba = None  # probe() below says why, naming missing values if they are the cause
    if proba is not None and (proba.ndim != 2 or proba.shape[1] != 2):
        raise UnusableModelError(
            f"explanations need a binary classifier; predict_proba gives {proba.shape[-1]} columns",
            field="model",
        )
    classes = getattr(est, "classes_", None)
    positive = _plain(classes[1]) if classes is not None and len(classes) == 2 else 1
    view_ = ModelView(est, tuple(frame.columns), takes_frames, 1, positive)
    probe(view_, frame, role)
    return view_, frame
