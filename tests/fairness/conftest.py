"""Real data for the fairness tests: UCI Adult and German Credit from ``shared/data``, with
predictions of small scikit-learn models trained here (see shared/data/README.md)."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

# The repository checkout sits beside shared/.
DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status",
    "occupation", "relationship", "race", "sex", "capital_gain", "capital_loss",
    "hours_per_week", "native_country", "income",
]  # fmt: skip
GERMAN_COLUMNS = [
    "status", "duration", "credit_history", "purpose", "credit_amount", "savings",
    "present_employment", "installment_rate", "status_sex", "other_debtors",
    "present_residence_since", "property", "age", "installment_plans", "housing",
    "number_of_existing_credits", "job", "number_of_people_liable_for", "telephone",
    "foreign_worker", "credit",
]  # fmt: skip


def _need(path: Path) -> Path:
    if not path.is_file():
        pytest.fail(
            f"test data set missing: {path} — the fairness tests read UCI Adult and German "
            "Credit from shared/data beside the repository checkout (see its README)"
        )
    return path


@dataclass(frozen=True)
class Case:
    """A data set with a model's predictions on it."""

    frame: pd.DataFrame
    y_true: np.ndarray
    y_pred: np.ndarray


@pytest.fixture(scope="session")
def adult() -> Case:
    """Adult (held-out rows) with a logistic regression's predictions; string labels."""
    frame = pd.read_csv(
        _need(DATA / "adult" / "adult.data"),
        header=None,
        names=ADULT_COLUMNS,
        skipinitialspace=True,
        na_values="?",
    )
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
    frame = pd.read_csv(
        _need(DATA / "german" / "german.data"), sep=" ", header=None, names=GERMAN_COLUMNS
    )
    frame["sex"] = frame["status_sex"].map(
        {"A91": "male", "A92": "female", "A93": "male", "A94": "male", "A95": "female"}
    )
    frame["age_group"] = np.where(frame["age"] < 25, "<25", ">=25")
    features = ["duration", "credit_amount", "installment_rate", "age"]
    y = frame["credit"].to_numpy()
    model = DecisionTreeClassifier(max_depth=4, random_state=0).fit(frame[features], y)
    return Case(frame, y, model.predict(frame[features]))
