"""Real data for the fairness tests: UCI Adult and German Credit from ``shared/data``, with
predictions of small scikit-learn models trained here (see shared/data/README.md)."""

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from tests.datasets import adult_frame, german_frame


@dataclass(frozen=True)
class Case:
    """A data set with a model's predictions on it."""

    frame: pd.DataFrame
    y_true: np.ndarray
    y_pred: np.ndarray


@pytest.fixture(scope="session")
def adult() -> Case:
    """Adult (held-out rows) with a logistic regression's predictions; string labels."""
    frame = adult_frame()
    features = ["age", "education_num", "hours_per_week", "capital_gain", "capital_loss"]
    # Train on most rows, assess on 6,000 held out (fairlearn is slow on all 32,561).
    order = np.random.default_rng(1994).permutation(len(frame))
    train, test = frame.iloc[order[6000:]], frame.iloc[order[:6000]].reset_index(drop=True)
    scaler = StandardScaler().fit(train[features].to_numpy(dtype=float))
    model = LogisticRegression(max_iter=500).fit(
        scaler.transform(train[features].to_numpy(dtype=float)), train["income"].to_numpy()
    )
    y_pred = model.predict(scaler.transform(test[features].to_numpy(dtype=float)))
    return Case(test, test["income"].to_numpy(), y_pred)


@pytest.fixture(scope="session")
def german() -> Case:
    """German Credit with a decision tree's predictions; 1 = good credit, 2 = bad."""
    frame = german_frame()
    features = ["duration", "credit_amount", "installment_rate", "age"]
    y = frame["credit"].to_numpy()
    model = DecisionTreeClassifier(max_depth=4, random_state=0).fit(frame[features], y)
    return Case(frame, y, model.predict(frame[features]))
