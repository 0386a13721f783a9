"""German Credit (shared/data) with small models trained here, and attack results computed
once per session with tiny budgets: the machine is shared, and the attacks query the model
thousands of times."""

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline

from bastion.robustness import RobustnessResult, assess_robustness
from tests.datasets import Split, german_split, numeric_model, tabular_model

# Budgets small enough for the whole file to run in seconds, large enough that the
# attacks flip some rows.
TINY = {"max_samples": 6, "max_iter": 5, "max_evals": 300}


@dataclass(frozen=True)
class Assessed:
    """A model, the rows it was assessed on, and the result."""

    model: Any
    X: pd.DataFrame
    y: np.ndarray
    result: RobustnessResult


@pytest.fixture(scope="session")
def german() -> Split:
    return german_split()


@pytest.fixture(scope="session")
def tabular(german: Split) -> Pipeline:
    """Logistic regression on one-hot categoricals and scaled numbers."""
    return tabular_model(german)


@pytest.fixture(scope="session")
def numeric(german: Split) -> Pipeline:
    """Logistic regression on the four numeric features only."""
    return numeric_model(german)


@pytest.fixture(scope="session")
def tabular_assessed(german: Split, tabular: Pipeline) -> Assessed:
    # epsilon 1.5: the German Credit model needs about one to four standard deviations to
    # flip, so some examples fall within epsilon and some do not.
    result = assess_robustness(tabular, german.X_test, german.y_test, epsilon=1.5, **TINY)
    return Assessed(tabular, german.X_test, german.y_test, result)


@pytest.fixture(scope="session")
def numeric_assessed(german: Split, numeric: Pipeline) -> Assessed:
    X = german.X_test[german.numeric]
    result = assess_robustness(numeric, X, german.y_test, epsilon=0.7, **TINY)
    return Assessed(numeric, X, german.y_test, result)


class ConstantModel:
    """Predicts the same label for every row."""

    def __init__(self, label: Any) -> None:
        self.label = label

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.full(len(X), self.label)


class ThresholdModel:
    """Good credit when the amount is under a threshold: a boundary many rows sit near."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return (X["credit_amount"].to_numpy() < self.threshold).astype(np.int64)
