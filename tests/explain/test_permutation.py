"""Permutation importance is scikit-learn's, on the original columns, with the same seed."""

import numpy as np
from sklearn.inspection import permutation_importance
from sklearn.pipeline import Pipeline

from bastion.explain import explain_model
from tests.datasets import Split


def test_permutation_importance_equals_sklearns(german: Split, german_forest: Pipeline) -> None:
    result = explain_model(
        german_forest, german.X_test, y=german.y_test, max_rows=20, permutation_repeats=4, seed=11
    )
    expected = permutation_importance(
        german_forest, german.X_test, german.y_test, n_repeats=4, random_state=11
    )
    assert result.permutation_importance is not None
    assert [p.feature for p in result.permutation_importance] == list(german.X_test.columns)
    np.testing.assert_array_equal(
        [p.mean for p in result.permutation_importance], expected["importances_mean"]
    )
    np.testing.assert_array_equal(
        [p.std for p in result.permutation_importance], expected["importances_std"]
    )
    frame = result.to_frame()
    assert (
        frame.loc["status", "permutation_mean"]
        == expected["importances_mean"][list(german.X_test.columns).index("status")]
    )


def test_a_scoring_name_is_passed_to_sklearn(german: Split, german_forest: Pipeline) -> None:
    result = explain_model(
        german_forest, german.X_test, y=german.y_test, max_rows=5, scoring="roc_auc", seed=2
    )
    expected = permutation_importance(
        german_forest, german.X_test, german.y_test, scoring="roc_auc", n_repeats=5, random_state=2
    )
    assert result.permutation_importance is not None
    np.testing.assert_array_equal(
        [p.mean for p in result.permutation_importance], expected["importances_mean"]
    )
    assert result.settings["scoring"] == "roc_auc"


def test_without_labels_there_is_no_permutation_importance(
    german: Split, german_forest: Pipeline
) -> None:
    result = explain_model(german_forest, german.X_test, max_rows=5)
    assert result.permutation_importance is None
    assert "permutation_mean" not in result.to_frame().columns
    assert result.to_dict()["permutation_importance"] is None
