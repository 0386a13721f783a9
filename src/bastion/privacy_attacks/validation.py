"""Checking what a membership-inference assessment is given, before anything runs.

Options, probabilities, labels, membership flags and tables are each checked here and
turned into clean numpy arrays; every refusal is one error that names the problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from bastion.assessment import inputs as checks_of
from bastion.assessment.errors import (
    AssessmentInputError,
    NonFiniteValuesError,
    UnusableModelError,
)
from bastion.assessment.model import LoadedModel, native
from bastion.assessment.tables import as_frame
from bastion.privacy_attacks.metrics import LOW_FPR_TARGETS
from bastion.privacy_attacks.result import (
    ATTACK_MODELS,
    ATTACKS,
    AttackModel,
    AttackName,
    PrivacyThresholds,
)

__all__ = [
    "MIN_ROWS",
    "Options",
    "label_index",
    "membership",
    "options",
    "probabilities",
]

Array = npt.NDArray[np.float64]
Index = npt.NDArray[np.intp]

# Members and non-members each: below 20 the evaluation set holds ten rows a side, where
# one row moves every rate by ten points.
MIN_ROWS = 20
# Probabilities summing to 1 within float32 rounding (ONNX models) are accepted.
SUM_TOLERANCE = 1e-4


@dataclass(frozen=True)
class Options:
    """The checked options of one assessment; ``settings()`` is how the result records them."""

    attacks: tuple[AttackName, ...]
    attack_model: AttackModel
    attack_train_fraction: float
    max_samples: int
    seed: int
    thresholds: PrivacyThresholds

    def settings(self) -> dict[str, Any]:
        return {
            "attacks": list(self.attacks),
            "attack_model": self.attack_model,
            "attack_train_fraction": self.attack_train_fraction,
            "max_samples": self.max_samples,
            "seed": self.seed,
            "thresholds": asdict(self.thresholds),
            "low_fpr_targets": list(LOW_FPR_TARGETS.values()),
        }


def options(
    attacks: str | Sequence[str],
    attack_model: str,
    attack_train_fraction: float,
    max_samples: int,
    seed: int,
    thresholds: PrivacyThresholds | None,
) -> Options:
    names = [attacks] if isinstance(attacks, str) else list(attacks)
    unknown = [a for a in names if a not in ATTACKS]
    if unknown or not names:
        what = f"unknown attack(s) {unknown}" if unknown else "no attack was asked for"
        raise AssessmentInputError(f"{what}; choose from {list(ATTACKS)}", field="attacks")
    if attack_model not in ATTACK_MODELS:
        raise AssessmentInputError(
            f"unknown attack_model {attack_model!r}; choose from {list(ATTACK_MODELS)}",
            field="attack_model",
        )
    if (
        isinstance(attack_train_fraction, bool)
        or not isinstance(attack_train_fraction, int | float | np.number)
        or not 0 < attack_train_fraction < 1
    ):
        raise AssessmentInputError(
            f"attack_train_fraction must be a number between 0 and 1 (exclusive), "
            f"got {attack_train_fraction!r}",
            field="attack_train_fraction",
        )
    if isinstance(max_samples, bool) or not isinstance(max_samples, int | np.integer):
        raise AssessmentInputError(
            f"max_samples must be an integer, got {max_samples!r}", field="max_samples"
        )
    if max_samples < MIN_ROWS:
        raise AssessmentInputError(
            f"max_samples must be at least {MIN_ROWS}, got {max_samples}", field="max_samples"
        )
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise AssessmentInputError(
            f"seed must be a non-negative integer, got {seed!r}", field="seed"
        )
    if thresholds is not None and not isinstance(thresholds, PrivacyThresholds):
        raise AssessmentInputError(
            f"thresholds must be a PrivacyThresholds, got {type(thresholds).__name__}",
            field="thresholds",
        )
    chosen = cast(tuple[AttackName, ...], tuple(dict.fromkeys(names)))
    return Options(
        attacks=chosen,
        attack_model=attack_model,
        attack_train_fraction=float(attack_train_fraction),
        max_samples=int(max_samples),
        seed=int(seed),
        thresholds=thresholds if thresholds is not None else PrivacyThresholds(),
    )


def as_array(values: Any) -> npt.NDArray[Any]:
    """Numbers from numpy as they are, from anything else (pandas, polars, Arrow, lists)
    through a pandas frame."""
    return values if isinstance(values, np.ndarray) else as_frame(values).to_numpy()


def probabilities(proba: Any, name: str) -> Array:
    """Class probabilities as an ``(n, k)`` float array, ``k >= 2``.

    A single column is the positive-class score of a binary model. For two classes the
    matrix is rebuilt as ``(1 - p, p)`` from the second column, so that a score column
    and a two-column matrix give the attacks bit-identical inputs.
    """
    raw = as_array(proba)
    if raw.ndim == 2 and raw.shape[1] == 1:
        raw = raw[:, 0]
    if raw.ndim not in (1, 2) or raw.size == 0:
        raise AssessmentInputError(
            f"{name} must be one score per row or an (n, classes) matrix; "
            f"got an array of shape {raw.shape}",
            field="proba",
        )
    if raw.dtype.kind not in "biuf":
        raise AssessmentInputError(f"{name} must be numeric, got dtype {raw.dtype}", field="proba")
    p = raw.astype(np.float64)
    bad = int(np.count_nonzero(~np.isfinite(p)))
    if bad:
        raise NonFiniteValuesError(
            f"{name} holds {bad} NaN or infinite value(s); drop or fill those rows", field="proba"
        )
    if (p < 0).any() or (p > 1).any():
        raise AssessmentInputError(
            f"{name} holds values outside [0, 1] (from {p.min():.4g} to {p.max():.4g}): "
            "membership inference needs probabilities, not logits or decision scores",
            field="proba",
        )
    if p.ndim == 2:
        sums = p.sum(axis=1)
        off = np.flatnonzero(np.abs(sums - 1) > SUM_TOLERANCE)
        if len(off):
            raise AssessmentInputError(
                f"{name}: {len(off)} row(s) do not sum to 1 (row {int(off[0])} sums to "
                f"{sums[off[0]]:.6g}); give every class's probability, or for a binary "
                "model the positive class's score alone",
                field="proba",
            )
        p = p[:, 1] if p.shape[1] == 2 else p
    if p.ndim == 1:
        p = np.column_stack([1 - p, p])
    return p


def _shown(values: Sequence[Any] | npt.NDArray[Any], limit: int = 5) -> str:
    items = [v.item() if isinstance(v, np.generic) else v for v in list(values)[:limit]]
    return repr(items)[:-1] + (", …]" if len(values) > limit else "]")


def labels(y: Any, name: str) -> npt.NDArray[Any]:
    arr = checks_of.column(y, name)
    checks_of.finite(arr, name)
    return arr


def default_classes(y: npt.NDArray[Any], k: int, name: str) -> npt.NDArray[Any]:
    """The labels of the ``k`` probability columns when nobody said: ``0 … k-1`` if the
    labels are such integers, else the sorted distinct labels (scikit-learn's order of
    ``classes_``) if there are exactly ``k`` of them."""
    if y.dtype.kind in "biuf":
        values = y.astype(np.float64)
        if np.all(values == np.round(values)) and values.min() >= 0 and values.max() < k:
            return np.arange(k)
    try:
        distinct = sorted(pd.unique(y))
    except TypeError:  # mixed types cannot be ordered
        distinct = list(pd.unique(y))
    if len(distinct) == k:
        return np.asarray(distinct)
    raise AssessmentInputError(
        f"cannot tell which of the {k} probability columns belongs to which of the "
        f"{len(distinct)} labels in {name} ({_shown(distinct)}): pass classes=[…] with the "
        "label of each column, in order",
        field="classes",
    )


def label_index(
    y: npt.NDArray[Any], classes: npt.NDArray[Any], name: str, *, of_model: bool
) -> Index:
    """Each label's column in the probability matrix; refuses labels with no column."""
    # pandas does not match True with 1: booleans are looked up as the integers they are.
    keys = classes.astype(np.int64) if classes.dtype == np.bool_ else classes
    wanted = y.astype(np.int64) if y.dtype == np.bool_ else y
    idx: Index = pd.Index(keys).get_indexer(wanted).astype(np.intp)
    unseen = idx < 0
    if unseen.any():
        unseen_labels = _shown(pd.unique(y[unseen]))
        raise AssessmentInputError(
            f"{name} holds label(s) {unseen_labels} that the model has never seen: its classes are "
            f"{_shown(classes, 10)}"
            if of_model
            else f"{name} holds label(s) {unseen_labels} with no probability column: the columns' "
            f"classes are {_shown(classes, 10)} (pass classes=[…] if that is wrong)",
            field=name,
        )
    return idx


def column_classes(given: Any, k: int, name: str) -> npt.NDArray[Any]:
    classes = checks_of.column(given, name)
    if len(classes) != k or len(pd.unique(classes)) != k:
        raise AssessmentInputError(
            f"{name} must name each of the {k} probability columns once; got {_shown(classes)}",
            field="classes",
        )
    return classes


def membership(member: Any) -> npt.NDArray[np.bool_]:
    arr = checks_of.column(member, "member")
    if arr.dtype == np.bool_:
        out = arr
    elif arr.dtype.kind in "iuf" and np.isin(arr, (0, 1)).all():
        out = arr.astype(np.bool_)
    else:
        raise AssessmentInputError(
            f"member must be boolean or 0/1 (1 for a training row); got dtype {arr.dtype} "
            f"with values {_shown(pd.unique(arr))}",
            field="member",
        )
    if out.all() or not out.any():
        every = "a training row (member)" if out.all() else "a held-out row (non-member)"
        raise AssessmentInputError(
            f"every row of member is {every}: membership inference compares training rows "
            "with held-out rows, and needs both",
            field="member",
        )
    return out


def n_rows(X: Any, name: str) -> int:
    if isinstance(X, np.ndarray):
        if X.ndim != 2:
            raise AssessmentInputError(
                f"{name} must be a table (2-D), got an array of shape {X.shape}", field=name
            )
        return int(X.shape[0])
    return len(as_frame(X))


def rows_at(X: Any, positions: Index) -> Any:
    """The rows at ``positions``, as numpy if ``X`` was numpy (a model fitted on a plain
    array warns when given column names), else as a pandas frame."""
    if isinstance(X, np.ndarray):
        return X[positions]
    return as_frame(X).iloc[positions]


def model_classes(model: Any) -> npt.NDArray[Any] | None:
    try:
        classes = model.classes_ if isinstance(model, LoadedModel) else None
    except UnusableModelError:
        return None
    if classes is None:
        classes = getattr(native(model), "classes_", None)
    return None if classes is None else np.asarray(classes)
