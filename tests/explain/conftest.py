"""Models for the explainability tests, trained once per session on UCI Adult and German
Credit (tests/datasets.py). Small samples keep the model-agnostic explainers fast."""

import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from tests.datasets import Split, adult_split, german_split, tabular_model

# One antithetic permutation pass over German Credit's or Adult's 9 features costs
# 2 x 9 + 1 = 19 evaluations; two passes keep the model-agnostic tests quick.
FEW_EVALS = 38


@pytest.fixture(scope="session")
def german() -> Split:
    return german_split()


@pytest.fixture(scope="session")
def adult() -> Split:
    return adult_split()


@pytest.fixture(scope="session")
def german_forest(german: Split) -> Pipeline:
    """A random forest behind one-hot categoricals and scaled numbers."""
    return tabular_model(german, "forest")


@pytest.fixture(scope="session")
def german_logistic(german: Split) -> Pipeline:
    return tabular_model(german, "logistic")


@pytest.fixture(scope="session")
def adult_logistic(adult: Split) -> Pipeline:
    return tabular_model(adult, "logistic")


def _pipeline(split: Split, classifier: object) -> Pipeline:
    prepare = ColumnTransformer(
        [
            ("numbers", StandardScaler(), split.numeric),
            ("categories", OneHotEncoder(handle_unknown="ignore"), split.categorical),
        ],
        sparse_threshold=0,
    )
    return Pipeline([("prepare", prepare), ("classify", classifier)]).fit(
        split.X_train, split.y_train
    )


@pytest.fixture(scope="session")
def adult_forest(adult: Split) -> Pipeline:
    """A shallow forest on Adult: TreeSHAP's cost grows with depth squared, and the
    deep forest of tests.datasets takes seconds per batch of rows."""
    return _pipeline(adult, RandomForestClassifier(n_estimators=30, max_depth=8, random_state=0))


@pytest.fixture(scope="session")
def german_boosted(german: Split) -> Pipeline:
    """Gradient boosting: its trees add up in log-odds."""
    return _pipeline(german, GradientBoostingClassifier(n_estimators=50, random_state=0))
