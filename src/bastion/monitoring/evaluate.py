"""One window's figures, computed from its rows: drift and data quality against the
reference profile, the share of anomalous inputs, and — over the predictions that have
labels — performance and fairness. Pure computation: no database, no store.

Each batch of the window is summarized on its own and the summaries merged (the same
code would run per partition on a cluster); anomalies, performance and fairness read the
window's rows. Every figure also goes into one flat ``metrics`` dict of floats (``None``
where undefined), which alert rules read by name.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import pyarrow as pa

from bastion.anomaly import AnomalyInputError, AnomalyModel, score
from bastion.assessment.errors import AssessmentInputError
from bastion.drift import DriftConfig, Profile, compare, summarize
from bastion.evidence.models import Verdict
from bastion.fairness import assess_fairness
from bastion.monitoring.batches import ID, TIMESTAMP
from bastion.performance import assess_performance

INSUFFICIENT = "insufficient_data"
_LABEL = "__bastion_label__"  # the joined label, under a name no logged column has


@dataclass(frozen=True)
class Settings:
    """What the evaluation needs of a monitor."""

    prediction_column: str
    protected_attributes: Sequence[str]
    task: str = "classification"
    pos_label: Any = None
    score_column: str | None = None
    min_labels: int = 50
    min_rows: int = 100

    @classmethod
    def of(
        cls,
        *,
        prediction_column: str,
        protected_attributes: Sequence[str],
        performance: Mapping[str, Any],
        min_rows: int,
    ) -> "Settings":
        return cls(
            prediction_column=prediction_column,
            protected_attributes=tuple(protected_attributes),
            task=performance.get("task", "classification"),
            pos_label=performance.get("pos_label"),
            score_column=performance.get("score_column"),
            min_labels=int(performance.get("min_labels", 50)),
            min_rows=min_rows,
        )


def finite_or_none(value: Any) -> float | None:
    """A metric as stored: a float, or None where it is undefined (NaN, ±inf, absent)."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class Labelled:
    """Performance and fairness over a window's labelled predictions."""

    labelled: int
    performance: dict[str, Any]
    fairness: dict[str, Any]
    metrics: dict[str, float | None] = field(default_factory=dict)


def judge_labels(frame: pl.DataFrame, labels: pa.Table, settings: Settings) -> Labelled:
    """Join the window's predictions with their labels (by prediction id) and assess
    performance and, across the protected attributes, fairness.

    Fewer than ``settings.min_labels`` labelled predictions: ``insufficient_data``, no
    figures; input the assessments refuse (one class only, one group only): the reason,
    no figures.
    """
    rows = frame.height
    if labels.num_rows == 0:
        joined = frame.head(0).with_columns(pl.lit(None).alias(_LABEL))
    else:
        known = pl.DataFrame(labels.rename_columns([ID, _LABEL]))
        joined = frame.join(known, on=ID, how="inner")
    labelled = joined.height
    metrics: dict[str, float | None] = {
        "labelled": float(labelled),
        "performance.label_coverage": labelled / rows if rows else None,
    }
    if labelled < settings.min_labels:
        status = {"status": INSUFFICIENT, "labelled": labelled, "min_labels": settings.min_labels}
        return Labelled(labelled, status, status, metrics)
    if settings.prediction_column not in joined.columns:
        missing = {
            "status": "error",
            "detail": f"the prediction column {settings.prediction_column!r} is not logged",
        }
        return Labelled(labelled, missing, missing, metrics)
    performance = _performance(joined, settings, metrics)
    fairness = _fairness(joined, settings, metrics)
    return Labelled(labelled, performance, fairness, metrics)


def _performance(
    joined: pl.DataFrame, settings: Settings, metrics: dict[str, float | None]
) -> dict[str, Any]:
    score = settings.score_column if settings.score_column in joined.columns else None
    try:
        result = assess_performance(
            joined.get_column(_LABEL).to_numpy(),
            joined.get_column(settings.prediction_column).to_numpy(),
            y_score=None if score is None else joined.get_column(score).to_numpy(),
            task=settings.task,  # type: ignore[arg-type]
            pos_label=settings.pos_label,
            allow_single_class=True,
        )
    except AssessmentInputError as exc:
        return {"status": "error", "detail": exc.detail}
    for name, value in result.overall.items():
        metrics[f"performance.{name}"] = finite_or_none(value)
    return {"status": "ok", **result.to_dict()}


def _fairness(
    joined: pl.DataFrame, settings: Settings, metrics: dict[str, float | None]
) -> dict[str, Any]:
    protected = [c for c in settings.protected_attributes if c in joined.columns]
    if not settings.protected_attributes:
        return {"status": "not_configured"}
    if len(protected) < len(settings.protected_attributes):
        missing = sorted(set(settings.protected_attributes) - set(protected))
        return {"status": "error", "detail": f"protected attribute(s) not logged: {missing}"}
    try:
        result = assess_fairness(
            joined.get_column(_LABEL).to_numpy(),
            joined.get_column(settings.prediction_column).to_numpy(),
            sensitive_features=joined.select(protected).to_pandas(),
            task=settings.task,  # type: ignore[arg-type]
            pos_label=settings.pos_label,
            allow_single_class=True,
        )
    except AssessmentInputError as exc:
        return {"status": "error", "detail": exc.detail}
    for name, values in result.aggregates.items():
        metrics[f"fairness.{name}"] = finite_or_none(values.get("between_groups"))
    return {"status": "ok", **result.to_dict()}


@dataclass(frozen=True)
class WindowResult:
    """Everything one window's evaluation found."""

    status: str
    rows: int
    verdict: Verdict
    summary: str
    metrics: dict[str, float | None]
    profile: Profile | None
    drift: dict[str, Any] | None
    anomaly: dict[str, Any]
    labels: Labelled


def evaluate(
    pieces: Sequence[pl.DataFrame],
    *,
    reference: Profile,
    config: DriftConfig,
    anomaly_model: AnomalyModel | None,
    labels: pa.Table,
    settings: Settings,
) -> WindowResult:
    """Evaluate a window from its rows, given batch by batch (``pieces``)."""
    rows = sum(piece.height for piece in pieces)
    frame = pl.concat(pieces, how="diagonal_relaxed") if len(pieces) > 1 else pieces[0]
    judged = judge_labels(frame, labels, settings)
    if rows < settings.min_rows:
        return WindowResult(
            status=INSUFFICIENT,
            rows=rows,
            verdict=Verdict.INFO,
            summary=f"insufficient data: {rows} rows, fewer than the {settings.min_rows} needed",
            metrics={"rows": float(rows), **judged.metrics},
            profile=None,
            drift=None,
            anomaly={"status": INSUFFICIENT},
            labels=judged,
        )
    summaries = [
        summarize(piece.drop([c for c in (ID, TIMESTAMP) if c in piece.columns]), reference)
        for piece in pieces
    ]
    current = summaries[0]
    for summary in summaries[1:]:
        current = current.merge(summary)
    report = compare(reference, current, config)
    metrics: dict[str, float | None] = {"rows": float(rows)}
    metrics |= {name: finite_or_none(value) for name, value in report.metrics().items()}
    anomaly = _anomaly(anomaly_model, frame, metrics)
    metrics |= judged.metrics
    verdict = Verdict.WARN if str(report.verdict) == Verdict.WARN else Verdict.PASS
    return WindowResult(
        status="ok",
        rows=rows,
        verdict=verdict,
        summary=f"{rows} rows: {report.summary}",
        metrics=metrics,
        profile=current,
        drift=report.to_dict(),
        anomaly=anomaly,
        labels=judged,
    )


def _anomaly(
    model: AnomalyModel | None, frame: pl.DataFrame, metrics: dict[str, float | None]
) -> dict[str, Any]:
    if model is None:
        return {"status": "not_fitted"}
    try:
        result = score(model, frame)
    except AnomalyInputError as exc:  # an input column the window lacks
        return {"status": "error", "detail": exc.detail}
    metrics["anomaly.share"] = finite_or_none(result.share)
    return {"status": "ok", **result.to_dict()}
