"""TreeSHAP behind a preprocessing pipeline: the values are shap's own, summed per
original feature, and they add up to the model's output."""

import numpy as np
import pandas as pd
import pytest
import shap
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import Pipeline, make_pipeline

from bastion.explain import explain_model, shapley
from tests.datasets import Split


def _by_original_feature(
    names: np.ndarray, values: np.ndarray, features: list[str]
) -> pd.DataFrame:
    """Sum shap's per-column values per feature, reading the ColumnTransformer's names
    (``numbers__age``, ``categories__status_A11``) independently of bastion's mapping."""
    out = pd.DataFrame(0.0, index=range(len(values)), columns=features)
    for j, name in enumerate(names):
        column = name.split("__", 1)[1]
        owner = [f for f in features if column == f or column.startswith(f"{f}_")]
        assert len(owner) == 1, name
        out[owner[0]] += values[:, j]
    return out


def test_values_are_shaps_own_summed_per_original_feature(
    german: Split, german_forest: Pipeline
) -> None:
    result = explain_model(german_forest, german.X_test, max_rows=30, seed=4)
    assert result.explainer == "tree"
    assert result.output == "probability"
    rows = german.X_test.loc[[r.index for r in result.rows]]
    prepare, forest = german_forest[:-1], german_forest[-1]
    transformed = prepare.transform(rows)
    expected = shap.TreeExplainer(forest).shap_values(transformed)[..., 1]
    summed = _by_original_feature(
        prepare.get_feature_names_out(), expected, list(german.X_test.columns)
    )
    got = result.contributions()
    np.testing.assert_allclose(got.to_numpy(), summed.to_numpy(), rtol=0, atol=1e-9)
    assert result.base_value == shap.TreeExplainer(forest).expected_value[1]


def test_contributions_add_up_to_the_predicted_probability(
    german: Split, german_forest: Pipeline
) -> None:
    result = explain_model(german_forest, german.X_test, max_rows=40)
    rows = german.X_test.loc[[r.index for r in result.rows]]
    proba = german_forest.predict_proba(rows)[:, 1]
    total = result.contributions().sum(axis=1).to_numpy() + result.base_value
    np.testing.assert_allclose(total, proba, rtol=0, atol=1e-9)
    assert result.additivity_error < 1e-9
    assert {c.metric: c.outcome for c in result.checks}["additivity_error"] == "pass"


def test_boosted_trees_are_explained_in_probability_over_the_background(
    german: Split, german_boosted: Pipeline
) -> None:
    background = german.X_train.head(60)
    result = explain_model(german_boosted, german.X_test, max_rows=25, background=background)
    assert result.explainer == "tree"
    assert result.output == "probability"
    assert result.feature_perturbation == "interventional"
    assert result.background_rows == 60
    rows = german.X_test.loc[[r.index for r in result.rows]]
    prepare, boosted = german_boosted[:-1], german_boosted[-1]
    expected = shap.TreeExplainer(
        boosted,
        data=prepare.transform(background),
        feature_perturbation="interventional",
        model_output="probability",
    ).shap_values(prepare.transform(rows))
    summed = _by_original_feature(
        prepare.get_feature_names_out(), expected, list(german.X_test.columns)
    )
    np.testing.assert_allclose(result.values, summed.to_numpy(), rtol=0, atol=1e-9)
    total = result.values.sum(axis=1) + result.base_value
    np.testing.assert_allclose(total, german_boosted.predict_proba(rows)[:, 1], atol=1e-6)


def test_boosted_trees_fall_back_to_exact_log_odds_when_probability_does_not_add_up(
    german: Split, german_boosted: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shapley, "_EXACT", -1.0)  # no probability explanation is exact enough
    result = explain_model(german_boosted, german.X_test, max_rows=25)
    assert result.output == "log_odds"
    assert result.feature_perturbation == "tree_path_dependent"
    assert any("explained exactly in log-odds" in n for n in result.notes)
    rows = german.X_test.loc[[r.index for r in result.rows]]
    total = result.values.sum(axis=1) + result.base_value
    np.testing.assert_allclose(total, german_boosted.decision_function(rows), rtol=0, atol=1e-9)


def test_adult_importance_ranks_known_drivers_first(adult: Split, adult_forest: Pipeline) -> None:
    # Marital status and relationship reach the forest as a dozen one-hot columns each:
    # they can only rank first if those columns' values were summed back per feature.
    result = explain_model(adult_forest, adult.X_test, max_rows=50)
    top3 = set(result.top_features[:3])
    assert len(top3 & {"capital_gain", "relationship", "marital_status", "education_num"}) >= 2
    assert top3 & {"relationship", "marital_status"}
    shares = result.to_frame()["share"]
    assert abs(shares.sum() - 1) < 1e-12
    assert result.importance[0].rank == 1
    assert list(result.to_frame()["mean_abs_shap"]) == sorted(
        result.to_frame()["mean_abs_shap"], reverse=True
    )


def test_progress_is_reported_per_batch_up_to_all_rows(
    german: Split, german_forest: Pipeline
) -> None:
    seen: list[tuple[int, int]] = []
    explain_model(
        german_forest, german.X_test, max_rows=45, progress=lambda d, t: seen.append((d, t))
    )
    assert seen[-1] == (45, 45)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_bare_tree_model_on_numeric_columns(german: Split) -> None:
    X = german.X_train[german.numeric]
    forest = RandomForestClassifier(n_estimators=20, random_state=0).fit(X, german.y_train)
    result = explain_model(forest, german.X_test[german.numeric], max_rows=20)
    assert result.explainer == "tree"
    assert result.features == tuple(german.numeric)
    assert result.additivity_error < 1e-9


def test_a_mixing_preprocessing_falls_back_to_the_permutation_explainer(german: Split) -> None:
    # A PCA mixes every input into every component: no per-feature sum exists.
    X = german.X_train[german.numeric]
    model = make_pipeline(
        PCA(n_components=3), RandomForestClassifier(n_estimators=10, random_state=0)
    )
    model.fit(X, german.y_train)
    result = explain_model(
        model, german.X_test[german.numeric], max_rows=5, background=20, max_evals=27
    )
    assert result.explainer == "permutation"
    assert any("tree SHAP was not used" in n for n in result.notes)
    assert result.additivity_error < 1e-9
