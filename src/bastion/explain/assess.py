"""The entry point: from a model and data to an
:class:`~bastion.explain.result.ExplanationResult`.

``explain_model`` checks the model and data (:mod:`.model_view`), picks the rows to
explain and the background, computes SHAP values per original feature (:mod:`.shapley`),
reads global importance from them, adds permutation importance when labels are given
(:mod:`.permutation`) and judges the result against :class:`ExplainThresholds`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from bastion.assessment import inputs as assessment_inputs
from bastion.assessment.budget import Deadline, Progress
from bastion.assessment.digests import data_digest, input_digests, model_digest
from bastion.assessment.errors import LengthMismatchError
from bastion.assessment.verdict import Check, judge, verdict_of
from bastion.explain.model_view import (
    at_least_one,
    known_features,
    label,
    probe,
    same_columns,
    table,
    view,
)
from bastion.explain.permutation import permutation_scores
from bastion.explain.result import (
    ExplainThresholds,
    ExplanationResult,
    FeatureImportance,
    PermutationImportance,
    RowExplanation,
)
from bastion.explain.shapley import Attribution, Method, attribute

__all__ = ["explain_model"]


def _importance(
    values: np.ndarray[Any, Any], features: tuple[str, ...]
) -> tuple[FeatureImportance, ...]:
    mean_abs = np.abs(values).mean(axis=0) if len(values) else np.full(len(features), np.nan)
    total = float(np.sum(mean_abs))
    shares = mean_abs / total if total > 0 else np.zeros(len(features))
    # Stable sort: ties keep the features' order in X, so the ranking is reproducible.
    order = np.argsort(-mean_abs, kind="stable")
    return tuple(
        FeatureImportance(features[j], float(mean_abs[j]), float(shares[j]), rank + 1)
        for rank, j in enumerate(order)
    )


def _checks(
    importance: tuple[FeatureImportance, ...],
    protected: tuple[str, ...],
    top_k: int,
    attribution: Attribution,
    thresholds: ExplainThresholds,
) -> tuple[Check, ...]:
    checks = []
    by_feature = {i.feature: i for i in importance}
    for name in protected:
        found = by_feature[name]
        check = judge(
            "protected_feature_share",
            found.share,
            warn_at=thresholds.protected_share_warn,
            fail_at=thresholds.protected_share_fail,
            higher_is_better=False,
            method=name,
        )
        if found.rank > top_k:
            # Outside the top-k the feature is not among the model's main drivers,
            # whatever its share: the check is about what the model leans on most.
            check = dataclasses.replace(check, outcome="pass")
        checks.append(check)
    checks.append(
        judge(
            "additivity_error",
            attribution.additivity_error,
            warn_at=thresholds.additivity_tolerance,
            # Unfaithful explanations are a reason to distrust the explanation, not the
            # model: this check warns and never fails.
            fail_at=float("inf"),
            higher_is_better=False,
            method=attribution.explainer,
        )
    )
    return tuple(checks)


def explain_model(
    model: Any,
    X: Any,
    *,
    y: Any = None,
    protected: str | Sequence[str] = (),
    method: Method = "auto",
    background: int | Any = 100,
    max_rows: int = 200,
    max_evals: int | None = None,
    permutation_repeats: int = 5,
    scoring: Any = None,
    top_k: int = 10,
    seed: int = 0,
    time_budget: float | None = None,
    progress: Progress | None = None,
    thresholds: ExplainThresholds | None = None,
    inputs: Mapping[str, str] | None = None,
) -> ExplanationResult:
    """Explain a binary classifier's predictions with SHAP, per original feature.

    Parameters
    ----------
    model : estimator or LoadedModel
        Anything with ``predict_proba`` giving two columns; a scikit-learn pipeline is
        explained in terms of its input columns, not the columns its preprocessing makes.
    X : table
        The rows to explain from (pandas, polars, Arrow or numpy), with the columns the
        model was trained on.
    y : array-like, optional
        True labels of ``X``; with them, permutation importance is computed too.
    protected : str or sequence of str
        Columns of ``X`` that are protected attributes (or stand-ins for them): each is
        checked against the top-k most important features.
    method : {"auto", "tree", "permutation", "kernel"}
        ``auto`` runs TreeSHAP for tree models whose inputs trace back to the original
        features, else the permutation explainer (see ``docs/explain.md``).
    background : int or table
        The rows a hidden feature takes its values from (every explainer but the
        path-dependent TreeSHAP used for forests): a seeded sample of this many rows of
        ``X`` (all of them if ``X`` has fewer, with a note), or a table of reference rows
        with the same columns.
    max_rows : int
        Explain at most this many rows (a seeded sample of ``X``).
    max_evals : int, optional
        Model evaluations per explained row for the model-agnostic explainers: by default
        ten antithetic permutations (``10 * (2 * features + 1)``) for ``permutation``,
        shap's ``2 * features + 2048`` for ``kernel``.
    permutation_repeats : int
        Shuffles per feature for permutation importance.
    scoring : str or callable, optional
        Permutation importance's score (scikit-learn's; default the model's ``score``).
    top_k : int
        How many of the most important features the protected-attribute check reads.
    seed : int
        Seeds the row and background samples, the explainers and permutation importance.
    time_budget : float, optional
        Seconds; explaining stops between rows once spent (at least one row is
        explained) and the result says how many were.
    progress : callable, optional
        Called as ``progress(rows done, rows to explain)``.
    thresholds : ExplainThresholds, optional
        When the checks warn and fail (defaults documented on the class).
    inputs : mapping, optional
        Digests of the inputs by role (``data``, ``model``), when already known.

    Returns
    -------
    ExplanationResult

    Raises
    ------
    UnusableModelError
        The model has no ``predict_proba`` or is not a binary classifier.
    AssessmentInputError
        ``X`` is empty, has columns the model was not trained on or lacks some, or an
        argument is out of range.
    UnknownColumnError
        A ``protected`` name is not a column of ``X``.
    NonFiniteValuesError
        ``X`` holds missing values the model cannot take, or ``y`` does.

    Examples
    --------
    >>> result = explain_model(pipeline, X_test, y=y_test, protected=["age"])
    >>> result.verdict, result.to_frame().head()
    """
    started = time.monotonic()
    deadline = Deadline(time_budget)
    thresholds = thresholds or ExplainThresholds()
    for value, name in ((max_rows, "max_rows"), (top_k, "top_k")):
        at_least_one(value, name)
    at_least_one(permutation_repeats, "permutation_repeats")
    if max_evals is not None:
        at_least_one(max_evals, "max_evals")
    mv, frame = view(model, X)
    features = mv.features
    protected_names = known_features(protected, features, "protected")
    labels = None
    if y is not None:
        labels = assessment_inputs.column(y, "y")
        if len(labels) != len(frame):
            raise LengthMismatchError(
                f"y has {len(labels)} values but X has {len(frame)} rows", field="y"
            )
        assessment_inputs.finite(labels, "y")

    notes: list[str] = []
    clipped: str | None = None
    rng = np.random.default_rng(seed)
    n = len(frame)
    sampled = isinstance(background, int | np.integer) and not isinstance(background, bool)
    if sampled:
        at_least_one(background, "background")
        size = min(int(background), n)
        if size < background:
            clipped = (
                f"background of {background} rows asked for but X has {n} rows: all {n} were used"
            )
        back = frame.iloc[np.sort(rng.choice(n, size=size, replace=False))]
    else:
        back = same_columns(table(background, "background"), features, "background")
        probe(mv, back, "background")
    chosen = np.sort(rng.choice(n, size=min(max_rows, n), replace=False))
    rows = frame.iloc[chosen]

    attribution = attribute(
        mv,
        rows,
        back,
        method=method,
        max_evals=max_evals,
        seed=seed,
        deadline=deadline,
        progress=progress,
    )
    notes.extend(attribution.notes)
    if clipped and attribution.background_rows:
        notes.append(clipped)
    stopped = attribution.rows_explained < attribution.rows_requested
    if stopped:
        notes.append(
            f"the time budget of {time_budget} s was spent after {attribution.rows_explained} "
            f"of {attribution.rows_requested} rows; global importance is over the rows "
            "explained"
        )
    if attribution.feature_perturbation == "tree_path_dependent":
        notes.append(
            "tree SHAP (path-dependent) measures contributions against the training data "
            "held in the trees; the background rows were not used"
        )
    if attribution.output == "log_odds":
        notes.append(
            f"contributions are in log-odds of class {mv.positive_class!r} (the units the "
            "boosted trees add up in), not probability"
        )

    permutation: tuple[PermutationImportance, ...] | None = None
    if labels is not None:
        if deadline.expired():
            notes.append("the time budget was spent before permutation importance could run")
        else:
            permutation = permutation_scores(
                mv, frame, labels, n_repeats=permutation_repeats, scoring=scoring, seed=seed
            )

    importance = _importance(attribution.values, features)
    if protected_names:
        notes.append(
            "the protected-feature check is a heuristic: it sees a protected attribute the "
            "model uses directly, not proxies for it; assess fairness as well"
        )
    else:
        notes.append(
            "no protected features were named: the check for a protected attribute among "
            "the most important features did not run"
        )
    checks = _checks(importance, protected_names, top_k, attribution, thresholds)

    row_labels = [label(v) for v in rows.index[: attribution.rows_explained]]
    explained = tuple(
        RowExplanation(
            index=row_labels[i],
            output=float(attribution.outputs[i]),
            base_value=float(attribution.base_values[i]),
            contributions={
                f: float(v) for f, v in zip(features, attribution.values[i], strict=True)
            },
        )
        for i in range(attribution.rows_explained)
    )
    settings: dict[str, Any] = {
        "method": method,
        "background": int(background) if sampled else "table",
        "max_rows": max_rows,
        "max_evals": max_evals,
        "permutation_repeats": permutation_repeats,
        "scoring": scoring if scoring is None or isinstance(scoring, str) else repr(scoring),
        "top_k": top_k,
        "seed": seed,
        "time_budget": time_budget,
        "thresholds": thresholds.to_dict(),
    }
    return ExplanationResult(
        explainer=attribution.explainer,
        output=attribution.output,
        positive_class=mv.positive_class,
        feature_perturbation=attribution.feature_perturbation,
        features=features,
        importance=importance,
        permutation_importance=permutation,
        base_value=float(np.mean(attribution.base_values)),
        rows=explained,
        rows_requested=attribution.rows_requested,
        rows_explained=attribution.rows_explained,
        stopped_early=stopped,
        background_rows=attribution.background_rows,
        max_evals=attribution.max_evals,
        model_rows_evaluated=attribution.model_rows_evaluated,
        elapsed_seconds=time.monotonic() - started,
        additivity_error=attribution.additivity_error,
        protected=protected_names,
        top_k=top_k,
        checks=checks,
        verdict=verdict_of(checks),
        notes=tuple(notes),
        settings=settings,
        inputs=input_digests(
            inputs, data=lambda: data_digest(X), model=lambda: model_digest(model)
        ),
        values=attribution.values,
    )
