"""SHAP values per original feature: TreeSHAP for tree models, a model-agnostic
explainer otherwise.

Which explainer runs (``method="auto"``):

* **tree** — the model (or a scikit-learn pipeline's last step) is a tree ensemble that
  ``shap.TreeExplainer`` supports, and every column the pipeline's preprocessing outputs
  traces back to one original feature (:func:`~bastion.explain.columns.output_sources`).
  The final estimator is explained on the transformed rows with TreeSHAP (Lundberg et
  al. 2020, "From local explanations to global understanding with explainable AI for
  trees") and the values of each feature's output columns are summed — exact, since
  SHAP values add up. Forests and single trees hold class frequencies in their leaves:
  path-dependent TreeSHAP explains their probability exactly. Boosted trees add up in
  log-odds: interventional TreeSHAP over the background explains their probability, and
  should that not add up, path-dependent TreeSHAP explains their log-odds exactly.
* **permutation** — anything else with ``predict_proba``: ``shap.PermutationExplainer``
  (antithetic permutation sampling, additive by construction) on the probability of the
  positive class, hiding whole original columns by putting in values from background
  rows. ``kernel`` (``shap.KernelExplainer``, Lundberg & Lee 2017) can be asked for.

Rows are explained one at a time (tree: a batch at a time) so that a time budget can stop
the work between rows; at least one row is always explained.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from bastion.assessment.budget import Deadline, Progress, report
from bastion.assessment.errors import AssessmentInputError, UnusableModelError
from bastion.assessment.randomness import seeded_global_rng
from bastion.explain.columns import Codec, output_sources
from bastion.explain.model_view import ModelView

__all__ = ["Attribution", "Explainer", "Method", "Output", "attribute"]

Method = Literal["auto", "tree", "permutation", "kernel"]
Explainer = Literal["tree", "permutation", "kernel"]
Output = Literal["probability", "log_odds"]
METHODS: tuple[str, ...] = ("auto", "tree", "permutation", "kernel")

# Rows per TreeSHAP call: small enough for the budget and progress to move, large enough
# that the per-call overhead does not show.
_TREE_BATCH = 20
# Default budget of the permutation explainer: this many forward-and-backward passes
# through a random ordering of the features (shap's "auto" setting is about the same).
_DEFAULT_PERMUTATIONS = 10
# Interventional TreeSHAP in probability must add up to this (float32 tree thresholds
# leave about 1e-8); beyond it the exact log-odds explanation is given instead.
_EXACT = 1e-6
_TREE_ERRORS = (ValueError, TypeError, NotImplementedError, AttributeError, AssertionError)

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Attribution:
    """SHAP values of the explained rows, per original feature.

    ``values[i, j]`` is feature ``j``'s contribution to row ``i``'s output;
    ``base_values[i] + values[i].sum()`` equals ``outputs[i]`` up to ``additivity_error``.
    ``outputs`` come from the model itself, not from the explainer, so the check is real.
    """

    values: Array
    base_values: Array
    outputs: Array
    explainer: Explainer
    output: Output
    feature_perturbation: Literal["tree_path_dependent", "interventional"]
    rows_requested: int
    background_rows: int
    max_evals: int | None
    model_rows_evaluated: int | None
    notes: tuple[str, ...]

    @property
    def rows_explained(self) -> int:
        """How many rows were explained before the budget ran out (all, without one)."""
        return int(self.values.shape[0])

    @property
    def additivity_error(self) -> float:
        """``max |base + sum(contributions) - model output|`` over the explained rows."""
        gap = self.base_values + self.values.sum(axis=1) - self.outputs
        return float(np.max(np.abs(gap))) if gap.size else math.nan


class _Tree:
    """A tree model found inside the model, and how to reach its inputs."""

    def __init__(self, explainer: Any, steps: list[Any], sources: list[int], final: Any):
        self.explainer = explainer
        self.steps = steps
        self.sources = sources
        self.final = final

    def transform(self, frame: pd.DataFrame, view: ModelView) -> Array:
        data: Any = view.for_model(frame)
        for step in self.steps:
            if step is not None and step != "passthrough":
                data = step.transform(data)
        if hasattr(data, "toarray"):  # a sparse one-hot output: a few rows, dense is fine
            data = data.toarray()
        return np.asarray(data, dtype=np.float64)


def _tree(view: ModelView) -> tuple[_Tree | None, str | None, bool]:
    """TreeSHAP for the model, or ``None`` and why not; and whether it is a tree model."""
    from sklearn.pipeline import Pipeline  # type: ignore[import-untyped]

    model = view.model
    steps: list[Any] = []
    final = model
    if isinstance(model, Pipeline):
        steps = [s for _, s in model.steps[:-1]]
        final = model.steps[-1][1]
    name = type(final).__name__
    import shap  # type: ignore[import-untyped]

    try:
        explainer = shap.TreeExplainer(final)
    except _TREE_ERRORS as exc:
        return None, f"shap's TreeExplainer does not support {name} ({exc})", False
    if explainer.model.tree_output not in ("probability", "log_odds"):
        return (
            None,
            f"{name}'s trees give {explainer.model.tree_output!r}, neither probabilities "
            "nor log-odds",
            True,
        )
    sources = output_sources(steps, view.features)
    if sources is None:
        return (
            None,
            "the pipeline's preprocessing makes columns that do not each come from one "
            "original feature, so tree SHAP values cannot be summed per feature",
            True,
        )
    return _Tree(explainer, steps, sources, final), None, True


def _log_odds(view: ModelView, rows: pd.DataFrame) -> Array:
    """The margin a boosted model's trees add up to: its decision function, else logit(p)."""
    decision = getattr(view.model, "decision_function", None)
    if callable(decision):
        return np.asarray(decision(view.for_model(rows)), dtype=np.float64).reshape(-1)
    p = view.scores(rows)
    with np.errstate(divide="ignore"):  # p of exactly 0 or 1 has an infinite logit: a gap
        return np.asarray(np.log(p) - np.log1p(-p), dtype=np.float64)


def _run_tree(
    tree: _Tree,
    explainer: Any,
    output: Output,
    view: ModelView,
    rows: pd.DataFrame,
    deadline: Deadline,
    progress: Progress | None,
) -> tuple[Array, Array, Array]:
    """Values per original feature, base values and model outputs, a batch at a time."""
    n, f = len(rows), len(view.features)
    # One row per transformed column, one column per original feature: summing a row's
    # SHAP values per feature is a product with this 0/1 matrix.
    groups = np.zeros((len(tree.sources), f))
    groups[np.arange(len(tree.sources)), tree.sources] = 1.0
    parts: list[Array] = []
    bases: list[Array] = []
    outs: list[Array] = []
    done = 0
    while done < n and (done == 0 or not deadline.expired()):
        batch = rows.iloc[done : done + _TREE_BATCH]
        transformed = tree.transform(batch, view)
        # Additivity is checked by the caller, against the whole model's own output.
        raw = np.asarray(explainer.shap_values(transformed, check_additivity=False))
        expected = np.asarray(explainer.expected_value, dtype=np.float64).reshape(-1)
        if raw.ndim == 3:  # one slice per class: take the positive one
            raw, base = raw[..., view.positive_index], expected[view.positive_index]
        else:
            base = expected[0]
        if raw.shape[1] != len(tree.sources):
            raise UnusableModelError(
                f"the tree model takes {raw.shape[1]} columns but its preprocessing outputs "
                f"{len(tree.sources)}",
                field="model",
            )
        parts.append(raw @ groups)
        bases.append(np.full(len(batch), base))
        outs.append(view.scores(batch) if output == "probability" else _log_odds(view, batch))
        done += len(batch)
        report(progress, done, n)
    return np.concatenate(parts), np.concatenate(bases), np.concatenate(outs)


def _explain_tree(
    tree: _Tree,
    view: ModelView,
    rows: pd.DataFrame,
    background: pd.DataFrame,
    deadline: Deadline,
    progress: Progress | None,
    notes: list[str],
) -> Attribution:
    """TreeSHAP in probability: path-dependent for trees whose leaves hold probabilities,
    interventional over the background for boosted trees (whose leaves add up in
    log-odds); boosted trees fall back to exact log-odds if that does not add up."""
    import shap

    def attribution(
        found: tuple[Array, Array, Array],
        output: Output,
        perturbation: Literal["tree_path_dependent", "interventional"],
        background_rows: int,
    ) -> Attribution:
        return Attribution(
            values=found[0],
            base_values=found[1],
            outputs=found[2],
            explainer="tree",
            output=output,
            feature_perturbation=perturbation,
            rows_requested=len(rows),
            background_rows=background_rows,
            max_evals=None,
            model_rows_evaluated=None,
            notes=tuple(notes),
        )

    if tree.explainer.model.tree_output == "probability":
        found = _run_tree(tree, tree.explainer, "probability", view, rows, deadline, progress)
        return attribution(found, "probability", "tree_path_dependent", 0)
    reference = tree.transform(background, view)
    explainer = shap.TreeExplainer(
        tree.final,
        data=reference,
        feature_perturbation="interventional",
        model_output="probability",
    )
    found = _run_tree(tree, explainer, "probability", view, rows, deadline, progress)
    exact = attribution(found, "probability", "interventional", len(reference))
    if exact.additivity_error <= _EXACT:
        return exact
    # shap's interventional TreeSHAP does not always add up (seen on deep scikit-learn
    # trees); the path-dependent values in log-odds are exact, so those are given instead.
    notes.append(
        f"tree SHAP in probability did not add up (error {exact.additivity_error:.2g}); "
        "the trees were explained exactly in log-odds instead"
    )
    same_rows = rows.iloc[: exact.rows_explained]
    found = _run_tree(tree, tree.explainer, "log_odds", view, same_rows, Deadline(None), None)
    return attribution(found, "log_odds", "tree_path_dependent", 0)


def _explain_agnostic(
    kind: Literal["permutation", "kernel"],
    view: ModelView,
    rows: pd.DataFrame,
    background: pd.DataFrame,
    max_evals: int | None,
    seed: int,
    deadline: Deadline,
    progress: Progress | None,
    notes: list[str],
) -> Attribution:
    import shap

    codec = Codec(rows, background)
    x, bg = codec.encode(rows), codec.encode(background)
    n, f = x.shape
    evaluated = 0

    def positive_probability(matrix: Array) -> Array:
        nonlocal evaluated
        evaluated += len(matrix)
        return view.scores(codec.decode(matrix))

    minimum = 2 * f + 1  # one forward and one backward pass through the features
    if kind == "permutation":
        evals = _DEFAULT_PERMUTATIONS * minimum if max_evals is None else max_evals
        if evals < minimum:
            raise AssessmentInputError(
                f"max_evals={evals} is too small for the permutation explainer on {f} "
                f"features: it needs at least 2 x features + 1 = {minimum}",
                field="max_evals",
            )
    else:
        evals = 2 * f + 2048 if max_evals is None else max_evals  # shap's "auto"
    values = np.empty((n, f))
    bases = np.empty(n)
    done = 0
    with seeded_global_rng(seed):
        if kind == "permutation":
            masker = shap.maskers.Independent(bg, max_samples=len(bg))
            explainer = shap.PermutationExplainer(positive_probability, masker, seed=seed)
        else:
            explainer = shap.KernelExplainer(positive_probability, bg, link="identity")
        while done < n and (done == 0 or not deadline.expired()):
            row = x[done : done + 1]
            if kind == "permutation":
                explained = explainer(row, max_evals=evals, silent=True)
                values[done] = explained.values[0]
                bases[done] = float(np.asarray(explained.base_values).reshape(-1)[0])
            else:
                # l1_reg=False: every feature gets its value; shap's default lasso would
                # silently zero all but ten of them.
                phi = explainer.shap_values(row, nsamples=evals, l1_reg=False, silent=True)
                values[done] = np.asarray(phi).reshape(-1)[:f]
                bases[done] = float(np.asarray(explainer.expected_value).reshape(-1)[0])
            done += 1
            report(progress, done, n)
    return Attribution(
        values=values[:done],
        base_values=bases[:done],
        outputs=view.scores(rows.iloc[:done]),
        explainer=kind,
        output="probability",
        feature_perturbation="interventional",
        rows_requested=n,
        background_rows=len(bg),
        max_evals=evals,
        model_rows_evaluated=evaluated,
        notes=tuple(notes),
    )


def attribute(
    view: ModelView,
    rows: pd.DataFrame,
    background: pd.DataFrame,
    *,
    method: Method = "auto",
    max_evals: int | None = None,
    seed: int = 0,
    deadline: Deadline | None = None,
    progress: Progress | None = None,
) -> Attribution:
    """Explain ``rows`` with the explainer ``method`` asks for (or ``auto`` chooses).

    Parameters
    ----------
    view : ModelView
        The model, checked (:func:`bastion.explain.model_view.view`).
    rows, background : pandas.DataFrame
        The rows to explain, and the rows hidden features take values from (path-dependent
        TreeSHAP, used for forests, integrates over the training data held in the trees
        instead).
    method : {"auto", "tree", "permutation", "kernel"}
    max_evals : int, optional
        Model evaluations per explained row (each over every background row).
    seed : int
        Seeds the model-agnostic explainers.
    deadline : Deadline, optional
        Stops explaining between rows once spent.
    progress : callable, optional
        Called as ``progress(rows done, rows in all)``.

    Raises
    ------
    UnusableModelError
        ``method="tree"`` for a model TreeSHAP cannot explain per original feature.
    """
    if method not in METHODS:
        raise AssessmentInputError(
            f"method must be one of {', '.join(METHODS)}; got {method!r}", field="method"
        )
    if max_evals is not None and max_evals < 1:
        raise AssessmentInputError(
            f"max_evals must be at least 1, got {max_evals}", field="max_evals"
        )
    deadline = deadline or Deadline(None)
    notes: list[str] = []
    if method in ("auto", "tree"):
        tree, why_not, tree_model = _tree(view)
        if tree is not None:
            return _explain_tree(tree, view, rows, background, deadline, progress, notes)
        if method == "tree":
            raise UnusableModelError(f"method='tree' cannot be used: {why_not}", field="method")
        if tree_model:  # a reader would expect TreeSHAP here: say why it did not run
            notes.append(f"tree SHAP was not used: {why_not}; the permutation explainer ran")
    kind: Literal["permutation", "kernel"] = "kernel" if method == "kernel" else "permutation"
    return _explain_agnostic(
        kind, view, rows, background, max_evals, seed, deadline, progress, notes
    )
