"""Unfairness mitigation with the evidence of what it changed: a baseline model and a
mitigated one, each assessed on the same test rows.

Three methods, one per stage of training: reweighing (pre-processing: AIF360's Reweighing,
Kamiran & Calders 2012), fairlearn's ``ExponentiatedGradient`` (in-processing: Agarwal et
al. 2018) and fairlearn's ``ThresholdOptimizer`` (post-processing: Hardt et al. 2016).
:func:`mitigate` fits both models, predicts the test rows and measures each with
:func:`~bastion.fairness.assess_fairness`; the :class:`MitigationResult` is recorded as
``assessment.fairness_mitigation`` evidence. See ``docs/fairness_mitigation.md``.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, get_args

import numpy as np
import numpy.typing as npt
import pandas as pd

from bastion.assessment import inputs as validate
from bastion.assessment.digests import data_digest, input_digests, model_digest
from bastion.assessment.display import html_report
from bastion.assessment.errors import (
    AssessmentInputError,
    LengthMismatchError,
    NonBinaryLabelsError,
    SingleClassError,
    SingleGroupError,
    UnknownColumnError,
    UnusableModelError,
)
from bastion.assessment.groups import factorize_groups
from bastion.assessment.model import native, require
from bastion.assessment.verdict import Check, Verdict, plain
from bastion.fairness.assess import assess_fairness
from bastion.fairness.metrics import fairlearn_difference
from bastion.fairness.result import FairnessResult, FairnessThresholds

__all__ = [
    "CONSTRAINTS",
    "METHODS",
    "BeforeAfter",
    "Constraint",
    "Method",
    "MitigatedModel",
    "MitigationResult",
    "mitigate",
    "reweighing_weights",
]

SCHEMA_VERSION = 1

Method = Literal["threshold_optimizer", "exponentiated_gradient", "reweighing"]
Constraint = Literal[
    "demographic_parity",
    "equalized_odds",
    "true_positive_rate_parity",
    "false_positive_rate_parity",
]
METHODS: tuple[Method, ...] = get_args(Method)
CONSTRAINTS: tuple[Constraint, ...] = get_args(Constraint)

# What each method accepts as **options, passed on to fairlearn. For exponentiated
# gradient, the bounds go to the constraint (the fairlearn Moment), the rest to the solver.
_THRESHOLD_OPTIONS = frozenset({"objective", "grid_size", "flip", "tol", "predict_method"})
_MOMENT_OPTIONS = frozenset({"difference_bound", "ratio_bound", "ratio_bound_slack"})
_GRADIENT_OPTIONS = frozenset({"eps", "max_iter", "nu", "eta0", "run_linprog_step"})
_OPTIONS: dict[str, frozenset[str]] = {
    "threshold_optimizer": _THRESHOLD_OPTIONS,
    "exponentiated_gradient": _GRADIENT_OPTIONS | _MOMENT_OPTIONS,
    "reweighing": frozenset(),
}
# fairlearn's ThresholdOptimizer: the objectives it can optimize under each constraint.
_OBJECTIVES = (
    "accuracy_score",
    "balanced_accuracy_score",
    "selection_rate",
    "true_positive_rate",
    "true_negative_rate",
)
_EQUALIZED_ODDS_OBJECTIVES = ("accuracy_score", "balanced_accuracy_score")
# fairlearn.reductions' Moment for each constraint.
_MOMENTS = {
    "demographic_parity": "DemographicParity",
    "equalized_odds": "EqualizedOdds",
    "true_positive_rate_parity": "TruePositiveRateParity",
    "false_positive_rate_parity": "FalsePositiveRateParity",
}
# The figure each constraint equalizes, as the result reports it (the summary's headline).
HEADLINE: dict[Constraint, str] = {
    "demographic_parity": "demographic_parity_ratio",
    "equalized_odds": "equalized_odds_difference",
    "true_positive_rate_parity": "equal_opportunity_difference",
    "false_positive_rate_parity": "false_positive_rate_difference",
}
# The fairness figures compared before and after, besides accuracy and selection rate.
MAIN_AGGREGATES = (
    "demographic_parity_ratio",
    "demographic_parity_difference",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "false_positive_rate_difference",
)

_PROTECTED_AT_DECISION = (
    "The mitigated model applies a threshold per group: it needs the sensitive features "
    "of everyone it scores (predict(X, sensitive_features=...)). Using a protected "
    "attribute at decision time may itself be unlawful in some jurisdictions (disparate "
    "treatment); check with counsel before deploying it."
)


@contextmanager
def _fairlearn_pandas_noise() -> Iterator[None]:
    """Silence two pandas 3 deprecations raised inside fairlearn 0.15's own code.

    Its reductions grow Series with ``.at`` on a missing key and store booleans in a
    float Series; pandas 3 deprecates both (``Pandas4Warning``, a ``DeprecationWarning``).
    They change nothing in the results and are fairlearn's to fix, so only those two
    messages, raised from fairlearn's modules, are ignored.
    """
    with warnings.catch_warnings():
        for message in (
            r"Setting a value on a Series via \.at with a key that does not exist",
            r"Setting an item of incompatible dtype is deprecated",
        ):
            warnings.filterwarnings(
                "ignore", message=message, category=DeprecationWarning, module=r"fairlearn\."
            )
        yield


# ---------------------------------------------------------------------------- inputs


def _rows(X: Any, role: str) -> int:
    """The number of rows of a feature table or array."""
    shape = getattr(X, "shape", None)
    try:
        n = int(shape[0]) if shape is not None and len(shape) >= 1 else len(X)
    except TypeError:
        raise AssessmentInputError(
            f"{role} must be a table or an array of rows, got {type(X).__name__}", field=role
        ) from None
    if n == 0:
        raise AssessmentInputError(f"{role} has no rows", field=role)
    return n


def _column_names(X: Any) -> list[str]:
    """The column names of a pandas, polars or Arrow table; none for an array."""
    for attribute in ("column_names", "columns"):  # pyarrow has both; its columns are data
        cols = getattr(X, attribute, None)
        if cols is not None:
            return [str(c) for c in cols]
    return []


def _sensitive(
    values: Any, X: Any, n: int, role: str, rows_of: str
) -> tuple[list[str], list[npt.NDArray[Any]]]:
    """Sensitive columns of length ``n``: values, or names of columns of ``X``.

    A string, or a list of strings that all name columns of ``X``, is looked up there;
    anything else is read as values, as :func:`~bastion.fairness.assess_fairness` reads
    them (a column, a table, a mapping, a list of columns).
    """
    known = _column_names(X)
    if isinstance(values, str) and values not in known:
        raise UnknownColumnError(
            f"{role} names the column {values!r}, which {rows_of} does not have"
            + (f"; its columns are {known}" if known else " (it has no column names)"),
            field=role,
        )
    by_name = isinstance(values, str) or (
        isinstance(values, list | tuple)
        and len(values) > 0
        and all(isinstance(v, str) and v in known for v in values)
    )
    try:
        return validate.sensitive_columns(values, X if by_name else None, n)
    except LengthMismatchError as exc:
        # The shared check names y_true as the reference; here it is a table's rows.
        raise LengthMismatchError(
            f"{role} does not match {rows_of} ({n} rows): {exc.detail.split(' but ')[0]}",
            field=role,
        ) from None


def _labels(y: Any, n: int, role: str, rows_of: str) -> npt.NDArray[Any]:
    arr = validate.column(y, role)
    if len(arr) != n:
        raise LengthMismatchError(
            f"{role} has {len(arr)} values but {rows_of} has {n} rows", field=role
        )
    validate.finite(arr, role)
    return arr


def _distinct(arr: npt.NDArray[Any]) -> list[Any]:
    return [v.item() if isinstance(v, np.generic) else v for v in pd.unique(arr)]


def _binary(y_train: npt.NDArray[Any], y_test: npt.NDArray[Any], pos_label: Any) -> tuple[Any, Any]:
    """The (negative, positive) labels, refusing anything but two classes in training."""
    seen = _distinct(y_train)
    unseen = [v for v in _distinct(y_test) if v not in seen]
    for values, role in ((seen, "y_train"), (seen + unseen, "y_train and y_test")):
        if len(values) > 2:
            shown = ", ".join(repr(v) for v in values[:5]) + (", …" if len(values) > 5 else "")
            raise NonBinaryLabelsError(
                f"mitigation needs binary labels, but {role} hold {len(values)} values "
                f"({shown}); the constraints compare rates of one positive label",
                field=role.split()[-1],
            )
    if len(seen) < 2:
        raise SingleClassError(
            f"y_train holds one class only ({seen[0]!r}): no classifier can be trained",
            field="y_train",
        )
    pos = validate.binary_labels(y_train, y_train, pos_label).pos_label
    neg = next(v for v in seen if v != pos)
    return neg, pos


def _group_labels(columns: list[npt.NDArray[Any]]) -> npt.NDArray[np.object_]:
    """One label per row naming its intersectional group, the same at fit and predict.

    fairlearn groups rows by these labels. Making them here keeps a missing value a group
    of its own (as in :func:`assess_fairness`) and lets predict refuse a group it never saw.
    """
    parts: list[tuple[npt.NDArray[np.intp], list[Any]]] = []
    for col in columns:
        codes, uniques = pd.factorize(col, use_na_sentinel=False)
        values = [
            None if _missing(u) else (u.item() if isinstance(u, np.generic) else u)
            for u in np.asarray(uniques, dtype=object)
        ]
        parts.append((np.asarray(codes, dtype=np.intp), values))
    sizes = [len(values) for _, values in parts]
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for (codes, _), size in zip(parts, sizes, strict=True):
        combined = combined * size + codes
    present, inverse = np.unique(combined, return_inverse=True)
    idx = np.unravel_index(present, sizes)
    names = [
        repr(parts[0][1][int(idx[0][g])])
        if len(parts) == 1
        else repr(tuple(parts[j][1][int(idx[j][g])] for j in range(len(parts))))
        for g in range(len(present))
    ]
    return np.asarray(names, dtype=object)[inverse.reshape(-1)]


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a value pandas cannot test (a list, an array)
        return False


# ----------------------------------------------------------------------- reweighing


def reweighing_weights(
    y: Any, sensitive_features: Any, *, data: Any = None
) -> npt.NDArray[np.float64]:
    """Kamiran & Calders' reweighing: a weight per row that makes label and group independent.

    A row of group ``g`` with label ``c`` weighs ``P(g) · P(c) / P(g, c)``, the probabilities
    counted over all rows — AIF360's ``Reweighing`` (Kamiran & Calders, "Data
    preprocessing techniques for classification without discrimination", Knowledge and
    Information Systems, 2012), computed from one table of counts:
    ``n_g · n_c / (n · n_gc)``. Groups are the intersections of the sensitive features.

    Under these weights every group's label distribution equals the overall one
    (weighted ``P(y = c | g) = P(y = c)``), so a model trained with them sees no
    association between group and label to learn.

    A (group, label) cell with no rows needs no weight — no row carries it — so it is not
    an error; but such a group cannot be balanced: its weighted rate of that label stays
    0 whatever the weights.

    Parameters
    ----------
    y : array-like or str
        The training labels (any discrete values), or a column name in ``data``.
    sensitive_features : array-like, data frame, mapping, or str / list of str
        One or more sensitive columns, as :func:`~bastion.fairness.assess_fairness`
        takes them; with ``data``, their names. A missing value is a group of its own.
    data : data frame, optional
        A pandas, polars or pyarrow table to look column names up in.

    Returns
    -------
    numpy.ndarray of float64, shape (n,)
        The weight of each row, in row order.

    Raises
    ------
    LengthMismatchError
        If a sensitive column and ``y`` differ in length.
    SingleGroupError
        If a sensitive feature has a single value.
    NonFiniteValuesError
        If a label is missing.
    """
    yv = validate.column(validate.resolve(y, data, "y"), "y")
    n = len(yv)
    if n == 0:
        raise AssessmentInputError("y is empty", field="y")
    validate.finite(yv, "y")
    try:
        names, columns = validate.sensitive_columns(sensitive_features, data, n)
    except LengthMismatchError as exc:
        raise LengthMismatchError(
            f"sensitive_features does not match y ({n} values): {exc.detail.split(' but ')[0]}",
            field="sensitive_features",
        ) from None
    groups = factorize_groups(names, columns, at_least=2)
    label_codes, classes = pd.factorize(yv)
    g, c = len(groups.keys), len(classes)
    cells = np.bincount(groups.codes * c + label_codes, minlength=g * c).reshape(g, c)
    n_g = cells.sum(axis=1, dtype=np.float64)
    n_c = cells.sum(axis=0, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Empty cells divide by zero; no row reads them.
        factors = np.outer(n_g, n_c) / (n * cells.astype(np.float64))
    weights: npt.NDArray[np.float64] = factors[groups.codes, label_codes]
    return weights


def _weight_param(estimator: Any, method: str) -> str:
    """The fit parameter of ``estimator`` that takes sample weights; refuse one without."""
    param = _sample_weight_param(estimator)
    if param is None:
        raise UnusableModelError(
            f"{method} trains with sample weights, but {type(estimator).__name__}.fit takes "
            "no sample_weight (in a pipeline: its last step's fit); use a classifier that "
            "does, or method='threshold_optimizer'",
            field="model",
        )
    return param


def _sample_weight_param(estimator: Any) -> str | None:
    """The fit parameter that takes sample weights, routed to a pipeline's last step."""
    from sklearn.pipeline import Pipeline  # type: ignore[import-untyped]
    from sklearn.utils.validation import has_fit_parameter  # type: ignore[import-untyped]

    if isinstance(estimator, Pipeline):
        name, last = estimator.steps[-1]
        inner = _sample_weight_param(last)
        return None if inner is None else f"{name}__{inner}"
    if estimator is None or isinstance(estimator, str):  # "passthrough"
        return None
    return "sample_weight" if has_fit_parameter(estimator, "sample_weight") else None


# ------------------------------------------------------------------------- results


@dataclass(frozen=True)
class BeforeAfter:
    """One figure before and after mitigation."""

    before: float
    after: float

    @property
    def delta(self) -> float:
        """``after - before``."""
        return self.after - self.before

    def to_dict(self) -> dict[str, Any]:
        """The pair and its change as plain JSON (NaN as ``None``)."""
        out = {"before": self.before, "after": self.after, "delta": self.delta}
        return plain(out)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class MitigatedModel:
    """A fitted mitigated model that predicts the caller's labels.

    ``predict(X, sensitive_features=...)`` works for every method; only the threshold
    optimizer reads the sensitive features (``needs_sensitive_features``): it applies a
    threshold per group. Exponentiated gradient uses them in training only, reweighing
    in computing the weights only. Both fairlearn methods predict at random for some
    rows; ``seed`` fixes the draws, so the same rows in the same order always get the
    same predictions.

    Attributes
    ----------
    method : {"threshold_optimizer", "exponentiated_gradient", "reweighing"}
    native : object
        The fitted fairlearn ``ThresholdOptimizer`` or ``ExponentiatedGradient`` (trained
        on labels encoded as 0/1, 1 the positive label), or the estimator fitted with the
        reweighing weights (trained on the original labels).
    labels : tuple
        ``(negative, positive)``: what 0 and 1 of the fairlearn models stand for.
    sensitive_features : tuple of str
        The names of the sensitive features it was fitted with.
    groups : tuple of str
        The groups seen in training (the threshold optimizer has a threshold for each).
    seed : int
        The random state of the randomized predictions.
    """

    method: Method
    native: Any
    labels: tuple[Any, Any]
    sensitive_features: tuple[str, ...]
    groups: tuple[str, ...]
    seed: int

    @property
    def needs_sensitive_features(self) -> bool:
        """Whether ``predict`` needs the sensitive features (the threshold optimizer)."""
        return self.method == "threshold_optimizer"

    def predict(self, X: Any, *, sensitive_features: Any = None) -> npt.NDArray[Any]:
        """Predicted labels for the rows of ``X``.

        Parameters
        ----------
        X : table or array
            Rows with the features the estimator was trained on.
        sensitive_features : array-like, data frame, mapping, or str / list of str, optional
            The rows' sensitive features, in the same order and number as in training
            (names of columns of ``X`` work too). Required by the threshold optimizer,
            ignored by the other methods.

        Raises
        ------
        AssessmentInputError
            If the threshold optimizer gets no sensitive features, a different number of
            them, or a group it has no threshold for.
        """
        if self.method == "reweighing":
            return np.asarray(self.native.predict(X))
        if self.method == "exponentiated_gradient":
            with _fairlearn_pandas_noise():
                coded = self.native.predict(X, random_state=self.seed)
            return self._decode(coded)
        if sensitive_features is None:
            raise AssessmentInputError(
                "this model was post-processed with a threshold per group: predict needs "
                f"sensitive_features ({', '.join(self.sensitive_features)})",
                field="sensitive_features",
            )
        n = _rows(X, "X")
        names, columns = _sensitive(sensitive_features, X, n, "sensitive_features", "X")
        if len(columns) != len(self.sensitive_features):
            raise AssessmentInputError(
                f"the model was fitted with {len(self.sensitive_features)} sensitive "
                f"feature(s) ({', '.join(self.sensitive_features)}), got {len(columns)} "
                f"({', '.join(names)})",
                field="sensitive_features",
            )
        groups = _group_labels(columns)
        unknown = sorted(set(groups.tolist()) - set(self.groups))
        if unknown:
            raise AssessmentInputError(
                f"no threshold for group(s) {', '.join(unknown[:5])}"
                + (" …" if len(unknown) > 5 else "")
                + f": the model was fitted on the groups {', '.join(self.groups)}",
                field="sensitive_features",
            )
        with _fairlearn_pandas_noise():
            coded = self.native.predict(X, sensitive_features=groups, random_state=self.seed)
        return self._decode(coded)

    def _decode(self, coded: Any) -> npt.NDArray[Any]:
        return np.asarray(self.labels)[np.asarray(coded, dtype=np.intp)]


@dataclass(frozen=True)
class MitigationResult:
    """A mitigated model and the fairness and accuracy it traded, on the test rows.

    Attributes
    ----------
    method : {"threshold_optimizer", "exponentiated_gradient", "reweighing"}
    constraint : {"demographic_parity", "equalized_odds", "true_positive_rate_parity", \
"false_positive_rate_parity"}
    before, after : FairnessResult
        The baseline's and the mitigated model's fairness on the test rows.
    accuracy, balanced_accuracy, selection_rate : BeforeAfter
        The same rows' accuracy, balanced accuracy and share predicted positive.
    model : MitigatedModel
        The fitted mitigated model (not serialized).
    baseline_model : object
        The fitted baseline estimator (not serialized).
    settings : dict
        Method, constraint, options, seed and the sizes of the train and test sets.
    notes : tuple of str
        What a reader should know: sensitive features at decision time, randomized
        predictions, groups reweighing could not balance.
    inputs : dict
        SHA-256 digests by role: ``data`` (train and test rows together) and ``model``
        (the fitted baseline), for the evidence record.
    """

    evidence_kind: ClassVar[str] = "assessment.fairness_mitigation"
    """The kind of evidence this result is recorded as (``Client.log_assessment``)."""

    method: Method
    constraint: Constraint
    before: FairnessResult
    after: FairnessResult
    accuracy: BeforeAfter
    balanced_accuracy: BeforeAfter
    selection_rate: BeforeAfter
    settings: dict[str, Any]
    notes: tuple[str, ...]
    inputs: dict[str, str]
    model: MitigatedModel = field(repr=False, compare=False)
    baseline_model: Any = field(repr=False, compare=False)

    @property
    def verdict(self) -> Verdict:
        """The mitigated model's verdict (of ``after``)."""
        return self.after.verdict

    @property
    def checks(self) -> tuple[Check, ...]:
        """The threshold checks of ``after``."""
        return self.after.checks

    @property
    def needs_sensitive_features(self) -> bool:
        """Whether the mitigated model needs the sensitive features to predict."""
        return self.model.needs_sensitive_features

    @property
    def headline(self) -> str:
        """The figure the constraint equalizes (``demographic_parity_ratio``, …)."""
        return HEADLINE[self.constraint]

    def figures(self) -> dict[str, BeforeAfter]:
        """The main fairness aggregates, accuracy, balanced accuracy and selection rate."""
        method = self.settings["aggregate_method"]
        out = {
            name: BeforeAfter(
                _aggregate(self.before, name, method), _aggregate(self.after, name, method)
            )
            for name in MAIN_AGGREGATES
        }
        out["accuracy"] = self.accuracy
        out["balanced_accuracy"] = self.balanced_accuracy
        out["selection_rate"] = self.selection_rate
        return out

    @property
    def deltas(self) -> dict[str, float]:
        """``after - before`` of each figure of :meth:`figures`."""
        return {name: pair.delta for name, pair in self.figures().items()}

    @property
    def summary(self) -> str:
        """One sentence for the evidence record's ``summary``."""
        head = self.figures()[self.headline]
        text = (
            f"{self.verdict}: {self.headline.replace('_', ' ')} {head.before:.3g} → "
            f"{head.after:.3g}, accuracy {self.accuracy.before:.3g} → "
            f"{self.accuracy.after:.3g} ({self.method}, {self.constraint})"
        )
        # Other checks that keep the verdict from passing (the headline's own is above).
        others = [
            c for c in self.checks if c.outcome in ("warn", "fail") and c.metric != self.headline
        ]
        if others:
            text += "; " + ", ".join(f"{c.outcome}: {c.describe()}" for c in others)
        return text

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-able data (NaN written as ``None``).

        The method and settings, the verdict and checks of the mitigated model, each
        figure before and after with its change, and the full ``before`` and ``after``
        fairness results.
        """
        figures = self.figures()
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "method": self.method,
            "constraint": self.constraint,
            "settings": self.settings,
            "verdict": self.verdict,
            "summary": self.summary,
            "checks": [c.to_dict() for c in self.checks],
            "headline": self.headline,
            "figures": {name: pair.to_dict() for name, pair in figures.items()},
            "deltas": {name: pair.delta for name, pair in figures.items()},
            "needs_sensitive_features": self.needs_sensitive_features,
            "notes": list(self.notes),
            "inputs": self.inputs,
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
        }
        return plain(out)  # type: ignore[no-any-return]

    def to_frame(self) -> pd.DataFrame:
        """Each figure as a row, with ``before``, ``after`` and ``delta`` columns."""
        rows = {name: p.to_dict() for name, p in self.figures().items()}
        return pd.DataFrame.from_dict(rows, orient="index", dtype=np.float64)

    def _repr_html_(self) -> str:
        return html_report(
            f"Fairness mitigation ({self.method})", self.verdict, self.summary, self.notes,
            [("Before and after", self.to_frame()), ("After, by group", self.after.to_frame())],
        )  # fmt: skip


def _aggregate(result: FairnessResult, name: str, method: str) -> float:
    """An aggregate of a fairness result; the FPR difference is derived from its groups.

    ``false_positive_rate_difference`` is fairlearn's ``MetricFrame.difference`` of the
    false positive rate, with an undefined rate counted as 0 as fairlearn does.
    """
    if name != "false_positive_rate_difference":
        return result.aggregates[name][method]
    rates = np.array([g.metrics["false_positive_rate"] for g in result.groups])
    if result.settings.get("undefined_rates", "zero") == "zero":
        rates = np.nan_to_num(rates, nan=0.0)
    overall = np.float64(np.nan_to_num(result.overall["false_positive_rate"], nan=0.0))
    return float(fairlearn_difference(rates, overall, method))  # type: ignore[arg-type]


# ------------------------------------------------------------------------ mitigate


def _check_choice(value: Any, valid: tuple[str, ...], role: str) -> None:
    if value not in valid:
        raise AssessmentInputError(
            f"unknown {role} {value!r}; valid {role}s are: {', '.join(valid)}", field=role
        )


def _check_options(method: str, constraint: str, options: Mapping[str, Any]) -> None:
    allowed = _OPTIONS[method]
    unknown = sorted(set(options) - allowed)
    if unknown:
        valid = ", ".join(sorted(allowed)) if allowed else "none"
        raise AssessmentInputError(
            f"unknown option(s) {unknown} for method {method!r}; its options are: {valid}",
            field="options",
        )
    if method == "threshold_optimizer" and "objective" in options:
        valid_objectives = (
            _EQUALIZED_ODDS_OBJECTIVES if constraint == "equalized_odds" else _OBJECTIVES
        )
        if options["objective"] not in valid_objectives:
            raise AssessmentInputError(
                f"objective {options['objective']!r} is not available under {constraint}; "
                f"the threshold optimizer's objectives there are: "
                f"{', '.join(valid_objectives)}",
                field="objective",
            )
    if method == "reweighing" and constraint != "demographic_parity":
        raise AssessmentInputError(
            f"reweighing equalizes the rate of each label across groups in the training "
            f"data — demographic parity — and has no {constraint} form; use "
            "threshold_optimizer or exponentiated_gradient for that constraint",
            field="constraint",
        )


def _predict_method(estimator: Any) -> str:
    """The score ThresholdOptimizer thresholds: probabilities where the model gives them."""
    for name in ("predict_proba", "decision_function"):
        if hasattr(estimator, name):
            return name
    return "predict"


def _fit(estimator: Any, X: Any, y: Any, **params: Any) -> Any:
    from sklearn.base import clone  # type: ignore[import-untyped]

    model = clone(estimator) if hasattr(estimator, "get_params") else copy.deepcopy(estimator)
    model.fit(X, y, **params)
    return model


def mitigate(
    estimator: Any,
    X_train: Any,
    y_train: Any,
    *,
    sensitive_train: Any,
    X_test: Any,
    y_test: Any,
    sensitive_test: Any,
    method: Method = "threshold_optimizer",
    constraint: Constraint = "demographic_parity",
    pos_label: Any = None,
    seed: int = 0,
    thresholds: FairnessThresholds | None = None,
    inputs: Mapping[str, str] | None = None,
    **options: Any,
) -> MitigationResult:
    """Train a baseline and a mitigated model, and assess both on the test rows.

    The baseline is ``clone(estimator).fit(X_train, y_train)``. The mitigated model is

    - ``"reweighing"`` (pre-processing): the estimator fitted with
      :func:`reweighing_weights` as ``sample_weight`` (``<last step>__sample_weight`` in
      a pipeline). Targets demographic parity only.
    - ``"exponentiated_gradient"`` (in-processing): fairlearn's ``ExponentiatedGradient``
      under the constraint's ``Moment``; a randomized mixture of models, each fitted
      with weights. Needs sensitive features in training only.
    - ``"threshold_optimizer"`` (post-processing): fairlearn's ``ThresholdOptimizer``
      (``prefit=False``, ``predict_method="predict_proba"`` where the estimator has it),
      a threshold per group on the estimator's scores. **Needs the sensitive features
      at prediction time.**

    Both fairlearn methods train on the labels encoded as 0/1 (1 the positive label),
    as they require; their models map predictions back to the caller's labels.

    Parameters
    ----------
    estimator : scikit-learn classifier or pipeline
        An unfitted estimator (a fitted one is cloned, never changed).
    X_train, y_train : table or array, array-like
        Training rows and binary labels.
    sensitive_train : array-like, data frame, mapping, or str / list of str
        The training rows' sensitive features; names of columns of ``X_train`` work too.
        Several features make intersectional groups.
    X_test, y_test, sensitive_test
        The rows both models are assessed on, the same way.
    method : {"threshold_optimizer", "exponentiated_gradient", "reweighing"}
    constraint : {"demographic_parity", "equalized_odds", "true_positive_rate_parity", \
"false_positive_rate_parity"}
        The parity the method enforces.
    pos_label : object, optional
        The positive (favourable) label; inferred for {0, 1} and {-1, 1} labels.
    seed : int, default 0
        Random state of the fairlearn methods' randomized predictions.
    thresholds : FairnessThresholds, optional
        When ``before`` and ``after`` pass, warn or fail.
    inputs : mapping of str to str, optional
        Digests the caller knows (``{"data": ..., "model": ...}``); the rest are computed.
    **options
        Passed to fairlearn. Threshold optimizer: ``objective`` (default
        ``"accuracy_score"``), ``grid_size``, ``flip``, ``tol``, ``predict_method``.
        Exponentiated gradient: ``eps``, ``max_iter``, ``nu``, ``eta0``,
        ``run_linprog_step``, and the constraint's ``difference_bound``,
        ``ratio_bound``, ``ratio_bound_slack``. Reweighing takes none.

    Returns
    -------
    MitigationResult

    Raises
    ------
    AssessmentInputError
        An unknown method, constraint or option (the message lists the valid ones).
    UnusableModelError
        An estimator without ``fit``/``predict``, one fairlearn cannot clone, or one
        whose ``fit`` takes no ``sample_weight`` (reweighing, exponentiated gradient).
    LengthMismatchError
        Labels or sensitive features not matching the rows of their ``X``.
    SingleGroupError
        A sensitive feature with a single value in the training rows.
    NonBinaryLabelsError
        Labels with more than two values, or no positive label to infer.
    """
    # fairlearn and scikit-learn are imported here, not with the package: together they
    # take about a second, which every `import bastion.fairness` would otherwise pay.
    import fairlearn.reductions  # type: ignore[import-untyped]
    from fairlearn.postprocessing import ThresholdOptimizer  # type: ignore[import-untyped]
    from sklearn.metrics import accuracy_score, balanced_accuracy_score  # type: ignore[import-untyped]

    _check_choice(method, METHODS, "method")
    _check_choice(constraint, CONSTRAINTS, "constraint")
    _check_options(method, constraint, options)
    est = native(estimator)
    require(est, "fit", "predict")
    if method != "reweighing" and not hasattr(est, "get_params"):
        raise UnusableModelError(
            f"fairlearn clones the estimator, so it must follow the scikit-learn API "
            f"(get_params); {type(est).__name__} does not",
            field="model",
        )
    if method != "threshold_optimizer":
        _weight_param(est, method)  # refused before any data is read or model trained
    n_train, n_test = _rows(X_train, "X_train"), _rows(X_test, "X_test")
    y_tr = _labels(y_train, n_train, "y_train", "X_train")
    y_te = _labels(y_test, n_test, "y_test", "X_test")
    names, train_cols = _sensitive(sensitive_train, X_train, n_train, "sensitive_train", "X_train")
    test_names, test_cols = _sensitive(sensitive_test, X_test, n_test, "sensitive_test", "X_test")
    if len(test_cols) != len(train_cols):
        raise AssessmentInputError(
            f"sensitive_train has {len(train_cols)} feature(s) ({', '.join(names)}) but "
            f"sensitive_test has {len(test_cols)} ({', '.join(test_names)})",
            field="sensitive_test",
        )
    try:
        factorize_groups(names, train_cols, at_least=2)
    except SingleGroupError as exc:
        raise SingleGroupError(f"sensitive_train: {exc.detail}", field="sensitive_train") from None
    neg, pos = _binary(y_tr, y_te, pos_label)
    y01 = (y_tr == pos).astype(np.int64)
    groups_train = _group_labels(train_cols)

    baseline = _fit(est, X_train, y_tr)
    settings: dict[str, Any] = {
        "method": method,
        "constraint": constraint,
        "pos_label": pos,
        "seed": seed,
        "sensitive_features": list(names),
        "n_train": n_train,
        "n_test": n_test,
        "aggregate_method": (thresholds or FairnessThresholds()).method,
        "options": dict(options),
    }
    notes: list[str] = []
    if method == "threshold_optimizer":
        predict_method = options.get("predict_method") or _predict_method(est)
        mitigator = ThresholdOptimizer(
            estimator=est,
            constraints=constraint,
            objective=options.get("objective", "accuracy_score"),
            prefit=False,
            predict_method=predict_method,
            **{k: v for k, v in options.items() if k in {"grid_size", "flip", "tol"}},
        )
        with _fairlearn_pandas_noise():
            mitigator.fit(X_train, y01, sensitive_features=groups_train)
        settings["objective"] = mitigator.objective
        settings["predict_method"] = predict_method
        notes.append(_PROTECTED_AT_DECISION)
    elif method == "exponentiated_gradient":
        moment = getattr(fairlearn.reductions, _MOMENTS[constraint])(
            **{k: v for k, v in options.items() if k in _MOMENT_OPTIONS}
        )
        mitigator = fairlearn.reductions.ExponentiatedGradient(
            est,
            moment,
            sample_weight_name=_weight_param(est, method),
            **{k: v for k, v in options.items() if k in _GRADIENT_OPTIONS},
        )
        with _fairlearn_pandas_noise():
            mitigator.fit(X_train, y01, sensitive_features=groups_train)
        notes.append(
            "The sensitive features were used in training only: the mitigated model "
            "predicts from X alone."
        )
    else:
        weights = reweighing_weights(y_tr, dict(zip(names, train_cols, strict=True)))
        mitigator = _fit(est, X_train, y_tr, **{_weight_param(est, method): weights})
        settings["weights"] = {"min": float(weights.min()), "max": float(weights.max())}
        notes.extend(_unbalanced(groups_train, y_tr))
    if method != "reweighing":
        notes.append(
            f"fairlearn's {type(mitigator).__name__} predicts at random for some rows; "
            f"seed={seed} fixes the draws (the same rows in the same order get the same "
            "predictions)."
        )
    model = MitigatedModel(
        method=method,
        native=mitigator,
        labels=(neg, pos),
        sensitive_features=tuple(names),
        groups=tuple(sorted(set(groups_train.tolist()))),
        seed=seed,
    )

    sensitive = dict(zip(names, test_cols, strict=True))
    pred_before = np.asarray(baseline.predict(X_test))
    pred_after = model.predict(X_test, sensitive_features=sensitive)

    def assess(pred: npt.NDArray[Any]) -> FairnessResult:
        return assess_fairness(
            y_te, pred, sensitive_features=sensitive, pos_label=pos, thresholds=thresholds
        )

    before, after = assess(pred_before), assess(pred_after)

    def pair(metric: Any) -> BeforeAfter:
        return BeforeAfter(float(metric(y_te, pred_before)), float(metric(y_te, pred_after)))

    digests = input_digests(
        inputs,
        data=lambda: data_digest(
            [repr(names), repr(pos)],
            X_train,
            y_tr,
            pd.DataFrame(dict(zip(names, train_cols, strict=True))),
            X_test,
            y_te,
            pd.DataFrame(sensitive),
        ),
        model=lambda: model_digest(baseline),
    )
    return MitigationResult(
        method=method,
        constraint=constraint,
        before=before,
        after=after,
        accuracy=pair(accuracy_score),
        balanced_accuracy=pair(balanced_accuracy_score),
        selection_rate=BeforeAfter(
            before.overall["selection_rate"], after.overall["selection_rate"]
        ),
        settings=settings,
        notes=tuple(notes),
        inputs=digests,
        model=model,
        baseline_model=baseline,
    )


def _unbalanced(groups: npt.NDArray[np.object_], y: npt.NDArray[Any]) -> list[str]:
    """A note naming the training groups with no row of some label: reweighing cannot
    balance those (a weight multiplies rows; it cannot create them)."""
    table = pd.crosstab(pd.Series(groups, name="group"), pd.Series(y, name="label"))
    missing = [
        f"{group} (no {', '.join(repr(label) for label in row.index[row.to_numpy() == 0])})"
        for group, row in table.iterrows()
        if (row.to_numpy() == 0).any()
    ]
    if not missing:
        return []
    return [
        "Reweighing cannot balance group(s) with no row of a label: "
        + "; ".join(missing[:10])
        + (" …" if len(missing) > 10 else "")
    ]
