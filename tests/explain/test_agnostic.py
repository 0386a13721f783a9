"""The model-agnostic path: original columns are hidden whole, the contributions add up
to the predicted probability, the seed decides the result, the budget stops the work."""

import numpy as np
import pytest
from sklearn.pipeline import Pipeline

from bastion.explain import ExplanationResult, explain_model
from tests.datasets import Split

from .conftest import FEW_EVALS


@pytest.fixture(scope="module")
def adult_result(adult: Split, adult_logistic: Pipeline) -> ExplanationResult:
    return explain_model(
        adult_logistic,
        adult.X_test,
        max_rows=20,
        background=30,
        max_evals=FEW_EVALS,
        protected=["age"],
    )


def test_logistic_pipeline_is_explained_by_permutation(adult_result: ExplanationResult) -> None:
    r = adult_result
    assert (r.explainer, r.output, r.feature_perturbation) == (
        "permutation",
        "probability",
        "interventional",
    )
    assert r.rows_explained == r.rows_requested == 20
    assert r.background_rows == 30
    assert r.max_evals == FEW_EVALS
    # Every explained row costs at most max_evals evaluations over every background row.
    assert 0 < r.model_rows_evaluated <= 20 * FEW_EVALS * 30 + 30


def test_contributions_add_up_to_the_predicted_probability(
    adult: Split, adult_logistic: Pipeline, adult_result: ExplanationResult
) -> None:
    rows = adult.X_test.loc[[row.index for row in adult_result.rows]]
    proba = adult_logistic.predict_proba(rows)[:, 1]
    total = adult_result.contributions().sum(axis=1).to_numpy() + adult_result.base_value
    np.testing.assert_allclose(total, proba, rtol=0, atol=1e-9)
    assert adult_result.additivity_error < 1e-9


def test_adult_importance_ranks_known_drivers_first(adult_result: ExplanationResult) -> None:
    top3 = set(adult_result.top_features[:3])
    assert len(top3 & {"capital_gain", "relationship", "marital_status", "education_num"}) >= 2
    assert not top3 & {"capital_loss", "workclass"}


def test_the_base_value_is_the_mean_prediction_over_the_background(
    adult: Split, adult_logistic: Pipeline
) -> None:
    X = adult.X_test.iloc[:12]
    result = explain_model(adult_logistic, X, max_rows=2, background=12, max_evals=FEW_EVALS)
    assert result.base_value == pytest.approx(
        adult_logistic.predict_proba(X)[:, 1].mean(), abs=1e-12
    )


def test_kernel_explainer_on_request_also_adds_up(german: Split, german_logistic: Pipeline) -> None:
    result = explain_model(
        german_logistic, german.X_test, method="kernel", max_rows=4, background=15, max_evals=60
    )
    assert result.explainer == "kernel"
    rows = german.X_test.loc[[r.index for r in result.rows]]
    total = result.contributions().sum(axis=1).to_numpy() + result.base_value
    np.testing.assert_allclose(total, german_logistic.predict_proba(rows)[:, 1], atol=1e-9)


def test_same_seed_same_values_and_the_callers_random_state_is_left_alone(
    german: Split, german_logistic: Pipeline
) -> None:
    def run(seed: int) -> np.ndarray:
        return explain_model(
            german_logistic,
            german.X_test,
            max_rows=4,
            background=15,
            max_evals=FEW_EVALS,
            seed=seed,
        ).values

    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    first = run(7)
    assert np.array_equal(np.random.get_state()[1], before)  # shap reseeds numpy; undone
    np.testing.assert_array_equal(first, run(7))
    assert not np.array_equal(first, run(8))


def test_the_time_budget_stops_between_rows_and_says_so(
    german: Split, german_logistic: Pipeline
) -> None:
    seen: list[tuple[int, int]] = []
    result = explain_model(
        german_logistic,
        german.X_test,
        max_rows=30,
        background=15,
        max_evals=FEW_EVALS,
        time_budget=1e-6,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert result.stopped_early
    assert result.rows_explained == 1 < result.rows_requested == 30
    assert len(result.rows) == 1
    assert result.values.shape == (1, 9)
    assert seen == [(1, 30)]
    assert any("time budget" in n and "1 of 30 rows" in n for n in result.notes)
    assert result.to_dict()["rows_explained"] == 1


def test_categorical_values_reach_the_model_unchanged(
    german: Split, german_logistic: Pipeline
) -> None:
    # Hidden categorical columns are encoded as codes for shap's masker and decoded back:
    # a row explained with nothing hidden must predict exactly as the model does.
    rows = german.X_test.iloc[:3]
    result = explain_model(german_logistic, rows, max_rows=3, background=3, max_evals=FEW_EVALS)
    outputs = [r.output for r in result.rows]
    np.testing.assert_allclose(outputs, german_logistic.predict_proba(rows)[:, 1], atol=0)
