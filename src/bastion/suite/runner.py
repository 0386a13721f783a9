"""Running one assessment of the suite from a spec, a table and optionally a model."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from bastion.assessment.budget import Progress
from bastion.assessment.errors import AssessmentInputError, UnusableModelError
from bastion.assessment.model import native, require
from bastion.assessment.tables import as_frame, columns_of
from bastion.explain import ExplainThresholds, explain_model
from bastion.fairness import FairnessThresholds, assess_fairness
from bastion.performance import PerformanceThresholds, assess_performance
from bastion.privacy_attacks import (
    PrivacyThresholds,
    assess_membership_from_predictions,
    assess_membership_inference,
)
from bastion.robustness import RobustnessThresholds, assess_robustness
from bastion.suite.spec import AssessmentKind, AssessmentSpec

__all__ = ["run"]


def _need(value: str | None, name: str, kind: AssessmentKind) -> str:
    if value is None:
        raise AssessmentInputError(f"a {kind.value} assessment needs the {name} column", field=name)
    return value


def _column(frame: pd.DataFrame, name: str, role: str) -> Any:
    return columns_of(frame, [name], role)[name]


def _thresholds(cls: type[Any], given: Mapping[str, Any]) -> Any:
    """The assessment's thresholds with the spec's overrides, refusing unknown names."""
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(given) - known)
    if unknown:
        raise AssessmentInputError(
            f"thresholds {unknown} are unknown; {cls.__name__} has {sorted(known)}",
            field="thresholds",
        )
    return cls(**given)


def _call(fn: Callable[..., Any], fixed: dict[str, Any], options: Mapping[str, Any]) -> Any:
    """``fn(**fixed, **options)``, refusing options the spec sets itself or ``fn`` lacks."""
    params = inspect.signature(fn).parameters
    allowed = sorted(n for n, p in params.items() if p.kind == p.KEYWORD_ONLY and n not in fixed)
    unknown = sorted(n for n in options if n not in allowed)
    if unknown:
        raise AssessmentInputError(
            f"options {unknown} are unknown or set by the spec itself; "
            f"{fn.__name__} takes {allowed}",
            field="options",
        )
    return fn(**fixed, **options)


def _features(spec: AssessmentSpec, frame: pd.DataFrame, model: Any) -> pd.DataFrame:
    """The model's input columns: as given, else as the model was fitted, else the rest."""
    if spec.features is not None:
        return columns_of(frame, spec.features, "features")
    fitted = getattr(native(model), "feature_names_in_", None) if model is not None else None
    if fitted is not None:
        return columns_of(frame, [str(c) for c in fitted], "features")
    reserved = {spec.label, spec.prediction, spec.score, spec.member}
    return frame[[c for c in frame.columns if c not in reserved]]


def _positive_column(model: Any, pos_label: Any) -> int:
    classes = list(getattr(native(model), "classes_", []))
    if len(classes) != 2:
        raise UnusableModelError(
            f"scores need a binary classifier with classes_; the model has {classes or 'none'}",
            field="model",
        )
    if pos_label is None:
        return 1  # fairlearn's and scikit-learn's convention: the greater label
    matches = [i for i, c in enumerate(classes) if c == pos_label or str(c) == str(pos_label)]
    if not matches:
        raise AssessmentInputError(
            f"pos_label {pos_label!r} is not one of the model's classes {classes}",
            field="pos_label",
        )
    return matches[0]


def _predictions(
    spec: AssessmentSpec, frame: pd.DataFrame, model: Any, *, scores: bool
) -> tuple[Any, Any]:
    """Predictions and positive-class scores: from the spec's columns, else from the model."""
    y_pred: Any = _column(frame, spec.prediction, "prediction") if spec.prediction else None
    y_score: Any = _column(frame, spec.score, "score") if spec.score else None
    if y_pred is not None or y_score is not None:
        return y_pred, y_score
    if model is None:
        raise AssessmentInputError(
            "give a prediction or score column, or a model to make predictions with",
            field="prediction",
        )
    require(model, "predict")
    X = _features(spec, frame, model)
    y_pred = np.asarray(model.predict(X))
    if scores and callable(getattr(native(model), "predict_proba", None)):
        y_score = np.asarray(model.predict_proba(X))[:, _positive_column(model, spec.pos_label)]
    return y_pred, y_score


def run(
    spec: AssessmentSpec,
    data: Any,
    *,
    model: Any = None,
    train: Any = None,
    inputs: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    time_budget: float | None = None,
) -> Any:
    """Run the assessment ``spec`` describes.

    Parameters
    ----------
    spec : AssessmentSpec
        The kind of assessment, the columns it reads and its options.
    data : table
        The evaluation rows (pandas, polars or Arrow).
    model : object, optional
        A model with ``predict`` (and ``predict_proba``), e.g. from
        :func:`bastion.model_files.load_model`; needed unless the table holds the
        predictions, and always for explainability and robustness.
    train : table, optional
        privacy_attack with a model: the training rows (the members).
    inputs : mapping, optional
        Digests of the data and model files, by role, recorded in the result.
    progress, time_budget
        For the long assessments: a ``progress(done, total)`` callback and a limit in
        seconds.

    Returns
    -------
    The assessment's result (``FairnessResult``, ``PerformanceResult``, …).
    """
    frame = as_frame(data)
    kind = spec.kind
    if kind is AssessmentKind.FAIRNESS:
        label = _need(spec.label, "label", kind)
        if not spec.sensitive:
            raise AssessmentInputError(
                "a fairness assessment needs sensitive columns", field="sensitive"
            )
        y_pred, y_score = _predictions(spec, frame, model, scores=False)
        if y_pred is None:
            y_pred = (np.asarray(y_score, dtype=float) >= spec.threshold).astype(np.int64)
        return _call(
            assess_fairness,
            {
                "y_true": _column(frame, label, "label"),
                "y_pred": y_pred,
                "sensitive_features": columns_of(frame, spec.sensitive, "sensitive"),
                "pos_label": spec.pos_label,
                "thresholds": _thresholds(FairnessThresholds, spec.thresholds),
                "inputs": inputs,
            },
            spec.options,
        )
    if kind is AssessmentKind.PERFORMANCE:
        label = _need(spec.label, "label", kind)
        y_pred, y_score = _predictions(spec, frame, model, scores=True)
        return _call(
            assess_performance,
            {
                "y_true": _column(frame, label, "label"),
                "y_pred": y_pred,
                "y_score": y_score,
                "sensitive_features": (
                    columns_of(frame, spec.sensitive, "sensitive") if spec.sensitive else None
                ),
                "pos_label": spec.pos_label,
                "threshold": spec.threshold,
                "thresholds": _thresholds(PerformanceThresholds, spec.thresholds),
                "inputs": inputs,
            },
            spec.options,
        )
    if kind is AssessmentKind.EXPLAINABILITY:
        if model is None:
            raise AssessmentInputError(
                "an explainability assessment needs the model", field="model"
            )
        X = _features(spec, frame, model)
        return _call(
            explain_model,
            {
                "model": model,
                "X": X,
                "y": _column(frame, spec.label, "label") if spec.label else None,
                # A sensitive column the model does not read has no importance to check.
                "protected": [c for c in spec.sensitive if c in X.columns],
                "thresholds": _thresholds(ExplainThresholds, spec.thresholds),
                "inputs": inputs,
                "progress": progress,
                "time_budget": time_budget,
            },
            spec.options,
        )
    if kind is AssessmentKind.ROBUSTNESS:
        label = _need(spec.label, "label", kind)
        if model is None:
            raise AssessmentInputError("a robustness assessment needs the model", field="model")
        return _call(
            assess_robustness,
            {
                "model": model,
                "X": _features(spec, frame, model),
                "y": _column(frame, label, "label"),
                "thresholds": _thresholds(RobustnessThresholds, spec.thresholds),
                "inputs": inputs,
                "progress": progress,
                "time_budget": time_budget,
            },
            spec.options,
        )
    if kind is AssessmentKind.PRIVACY_ATTACK:
        return _privacy(spec, frame, model, train, inputs, progress)
    raise AssessmentInputError(f"the {kind.value} assessment is not available", field="kind")


def _privacy(
    spec: AssessmentSpec,
    frame: pd.DataFrame,
    model: Any,
    train: Any,
    inputs: Mapping[str, str] | None,
    progress: Progress | None,
) -> Any:
    """Membership inference: the held-out rows against the training rows, or, without a
    model, the rows of one table marked as members or not."""
    kind = spec.kind
    label = _need(spec.label, "label", kind)
    thresholds = _thresholds(PrivacyThresholds, spec.thresholds)
    if spec.member is not None:
        score = _need(spec.score, "score", kind)
        return _call(
            assess_membership_from_predictions,
            {
                "y_true": _column(frame, label, "label"),
                "proba": _column(frame, score, "score"),
                "member": _column(frame, spec.member, "member"),
                "thresholds": thresholds,
                "inputs": inputs,
                "progress": progress,
            },
            spec.options,
        )
    if model is None or train is None:
        raise AssessmentInputError(
            "a privacy attack needs the model and the training rows (members), or a table "
            "with score and member columns",
            field="model" if model is None else "train",
        )
    members = as_frame(train)
    return _call(
        assess_membership_inference,
        {
            "model": model,
            "X_train": _features(spec, members, model),
            "y_train": _column(members, label, "label"),
            "X_test": _features(spec, frame, model),
            "y_test": _column(frame, label, "label"),
            "thresholds": thresholds,
            "inputs": inputs,
            "progress": progress,
        },
        spec.options,
    )
