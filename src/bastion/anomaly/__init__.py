"""Input anomaly detection: robust z-scores or an isolation forest fitted on reference
inputs, scoring logged inputs row by row — pure computation for notebooks and the
platform's monitors. See ``docs/drift.md`` ("Input anomalies").

>>> from bastion.anomaly import fit_anomaly, score
>>> model = fit_anomaly(train_frame, method="robust_z")   # model.to_dict() stores it
>>> result = score(model, logged_inputs)
>>> result.share, result.top_columns
"""

from bastion.anomaly.model import (
    DEFAULT_K,
    AnomalyInputError,
    AnomalyModel,
    AnomalyResult,
    Method,
    fit_anomaly,
    score,
)

__all__ = [
    "DEFAULT_K",
    "AnomalyInputError",
    "AnomalyModel",
    "AnomalyResult",
    "Method",
    "fit_anomaly",
    "score",
]
