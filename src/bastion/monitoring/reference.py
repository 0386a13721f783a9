"""A monitor's reference: the data it compares windows with, kept as a Parquet blob, and
what is fitted on it once — the drift profile and the input anomaly model — kept as JSON
blobs, so that no window ever reads the reference data again.
"""

import json
from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from bastion.drift import DriftConfig, Profile, fit_profile, learn_thresholds, summarize
from bastion.errors import InvalidInput
from bastion.monitoring.batches import ID, TIMESTAMP, to_parquet
from bastion.monitoring.log import read_blob, store_bytes
from bastion.storage.artifacts import ArtifactStore

LEARNING_WINDOWS = 20


@dataclass(frozen=True)
class Learning:
    """What learning drift bands from the reference needs: the monitor's drift settings
    (columns with a rule of their own keep it) and its window size in rows (None for
    time windows)."""

    config: DriftConfig
    window_rows: int | None


@dataclass(frozen=True)
class Fitted:
    reference_digest: str
    rows: int
    profile_digest: str
    anomaly_digest: str | None
    columns: list[str]
    categorical: list[str]
    learned: dict[str, dict[str, Any]]  # column → rule with a learned band (drift_config)


def watched_columns(
    frame: pl.DataFrame, columns: list[str] | None, label_column: str | None
) -> list[str]:
    """The columns to watch: those asked for (each must be in the reference), or every
    column of the reference but the prediction id, the label and the timestamp."""
    if columns is not None:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise InvalidInput(
                f"columns: {', '.join(map(repr, missing))} not in the reference data, which "
                f"has {', '.join(frame.columns)}",
                field="columns",
            )
        return list(dict.fromkeys(columns))
    left_out = {ID, TIMESTAMP, label_column}
    watched = [c for c in frame.columns if c not in left_out]
    if not watched:
        raise InvalidInput(
            "columns: the reference data has no column to watch besides ids, labels and timestamps",
            field="columns",
        )
    return watched


def drift_config(overrides: dict[str, Any], prediction: str | None = None) -> DriftConfig:
    """The monitor's DriftConfig (its prediction column's drift reported apart); a bad
    override is refused naming it."""
    try:
        config = DriftConfig.from_dict(overrides)
    except (TypeError, ValueError) as exc:
        field = getattr(exc, "field", None)
        path = "drift_config" if field in (None, "config") else f"drift_config.{field}"
        raise InvalidInput(f"{path}: {exc}", field=path) from None
    if prediction is not None and config.prediction is None:
        config = replace(config, prediction=prediction)
    return config


def fit(
    store: ArtifactStore,
    frame: pl.DataFrame,
    *,
    columns: list[str] | None,
    categorical: list[str] | None,
    label_column: str | None,
    prediction_column: str | None,
    reference_digest: str | None = None,
    learn: Learning | None = None,
) -> Fitted:
    """Fit the profile and anomaly model of ``frame`` and store them (and the reference
    itself, unless it is in the store already as ``reference_digest``), and with
    ``learn``, the drift bands of the watched columns (see :func:`learned_rules`).

    The anomaly model reads the numeric inputs (the watched columns but the
    prediction); without any, the monitor has none.
    """
    from bastion.anomaly import AnomalyInputError, fit_anomaly

    if frame.height == 0:
        raise InvalidInput("reference: the reference data holds no rows", field="reference")
    watched = watched_columns(frame, columns, label_column)
    if categorical is not None:
        unknown = [c for c in categorical if c not in watched]
        if unknown:
            raise InvalidInput(
                f"categorical: {', '.join(map(repr, unknown))} not among the watched columns",
                field="categorical",
            )
    profile = fit_profile(frame, columns=watched, categorical=categorical)
    inputs = [
        name
        for name, summary in profile.columns.items()
        if summary.kind == "numeric" and name != prediction_column
    ]
    anomaly_digest = None
    if inputs:
        try:
            anomaly = fit_anomaly(frame, columns=inputs)
        except AnomalyInputError:
            anomaly = None  # e.g. a column without a single number in the reference
        if anomaly is not None:
            anomaly_digest = _store_json(store, anomaly.to_dict())
    if reference_digest is None:
        reference_digest = store_bytes(store, to_parquet(frame.to_arrow()))
    return Fitted(
        reference_digest=reference_digest,
        rows=frame.height,
        profile_digest=_store_json(store, profile.to_dict()),
        anomaly_digest=anomaly_digest,
        columns=watched,
        categorical=[c for c in watched if profile.columns[c].kind == "categorical"],
        learned={} if learn is None else learned_rules(frame, profile, learn),
    )


def learned_rules(frame: pl.DataFrame, profile: Profile, learn: Learning) -> dict[str, Any]:
    """Drift bands (mean ± 3 sigma, :func:`bastion.drift.learn_thresholds`) of the watched
    columns without a rule of their own, learned from windows of the reference itself.

    Its rows are shuffled (seeded: the same reference learns the same bands) — a training
    file is often sorted, and its first rows are no ordinary window — and cut into
    windows of the monitor's size, at most ``LEARNING_WINDOWS``; a time-window monitor
    cuts the reference into ``LEARNING_WINDOWS`` parts.
    """
    size = learn.window_rows or frame.height // LEARNING_WINDOWS
    count = min(frame.height // size, LEARNING_WINDOWS) if size else 0
    if count < 2:
        raise InvalidInput(
            f"learn_thresholds: the reference's {frame.height} rows make fewer than two "
            f"windows of {size} rows to learn from",
            field="learn_thresholds",
        )
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=0)
    windows = [summarize(shuffled.slice(i * size, size), profile) for i in range(count)]
    learned = learn_thresholds(profile, windows, learn.config)
    return {
        name: rule.to_dict()
        for name, rule in learned.columns.items()
        if rule.band is not None and name not in learn.config.columns
    }


def _store_json(store: ArtifactStore, document: dict[str, Any]) -> str:
    return store_bytes(store, json.dumps(document, separators=(",", ":")).encode())


def load_json(store: ArtifactStore, digest: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(read_blob(store, digest))
    return document


def load_profile(store: ArtifactStore, digest: str) -> Profile:
    return Profile.from_dict(load_json(store, digest))


def load_frame(store: ArtifactStore, digest: str) -> pl.DataFrame:
    return pl.read_parquet(read_blob(store, digest))
