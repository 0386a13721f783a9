"""Real data for the performance tests: UCI Adult and German Credit test rows scored by
the small models of ``tests.datasets`` (trained once per session), with the real weights
each data set comes with."""

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from tests.datasets import Split, adult_split, german_split, tabular_model


@dataclass(frozen=True)
class Scored:
    """Test rows with a model's scores: ``rows`` holds label, score and prediction too."""

    rows: pd.DataFrame
    y_true: np.ndarray
    y_score: np.ndarray
    y_pred: np.ndarray
    weights: np.ndarray
    sensitive: list[str]


def _scored(split: Split, weights: np.ndarray, sensitive: list[str]) -> Scored:
    score = tabular_model(split).predict_proba(split.X_test)[:, 1]
    pred = (score >= 0.5).astype(np.int64)
    rows = split.test_rows.assign(label=split.y_test, score=score, prediction=pred, w=weights)
    return Scored(rows, split.y_test, score, pred, weights, sensitive)


@pytest.fixture(scope="session")
def adult() -> Scored:
    """6,000 Adult test rows, a logistic regression's scores; weights are ``fnlwgt``, the
    census sampling weight of each row. Sex x workclass makes groups of every size, some of
    one class only, and groups of a missing workclass."""
    split = adult_split()
    weights = split.test_rows["fnlwgt"].to_numpy(dtype=float)
    return _scored(split, weights, ["sex", "workclass"])


@pytest.fixture(scope="session")
def german() -> Scored:
    """300 German Credit test rows; weights follow the data set's documented cost matrix:
    a bad credit rated good costs 5, a good one rated bad costs 1."""
    split = german_split()
    return _scored(split, np.where(split.y_test == 0, 5.0, 1.0), ["sex", "age_group"])


@dataclass(frozen=True)
class Regressed:
    """German Credit test rows with a ridge regression's prediction of ``credit_amount``."""

    rows: pd.DataFrame
    y_true: np.ndarray
    y_pred: np.ndarray


@pytest.fixture(scope="session")
def credit_amount() -> Regressed:
    split = german_split()
    numeric = ["duration", "installment_rate", "age"]
    categorical = ["purpose", "savings", "housing", "status", "credit_history"]
    model = make_pipeline(
        make_column_transformer(
            (StandardScaler(), numeric), (OneHotEncoder(handle_unknown="ignore"), categorical)
        ),
        Ridge(),
    ).fit(split.X_train, split.X_train["credit_amount"].to_numpy(dtype=float))
    y = split.X_test["credit_amount"].to_numpy(dtype=float)
    return Regressed(split.test_rows, y, model.predict(split.X_test))
