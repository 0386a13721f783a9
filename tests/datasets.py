"""Real data for the assessment tests: UCI Adult and German Credit from ``shared/data``
(see shared/data/README.md), split into train and test rows, and small scikit-learn
models trained on them here.

Loaders are cached per process: each data set is parsed once however many tests read it.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

# The repository checkout sits beside shared/.
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

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

ADULT_NUMERIC = ["age", "education_num", "hours_per_week", "capital_gain", "capital_loss"]
ADULT_CATEGORICAL = ["workclass", "marital_status", "occupation", "relationship"]
GERMAN_NUMERIC = ["duration", "credit_amount", "installment_rate", "age"]
GERMAN_CATEGORICAL = ["status", "credit_history", "purpose", "savings", "housing"]


def need(path: Path) -> Path:
    """The path, or a failed test saying which shared data file is missing."""
    if not path.is_file():
        pytest.fail(
            f"test data set missing: {path} — the assessment tests read UCI Adult and German "
            "Credit from shared/data beside the repository checkout (see its README)"
        )
    return path


@cache
def adult_frame() -> pd.DataFrame:
    """All 32,561 rows of adult.data; missing values (``?``) as NaN. Shared: do not mutate."""
    return pd.read_csv(
        need(DATA / "adult" / "adult.data"),
        header=None,
        names=ADULT_COLUMNS,
        skipinitialspace=True,
        na_values="?",
    )


@cache
def german_frame() -> pd.DataFrame:
    """German Credit with ``sex`` and ``age_group`` derived and ``good`` = 1 for good credit."""
    frame = pd.read_csv(
        need(DATA / "german" / "german.data"), sep=" ", header=None, names=GERMAN_COLUMNS
    )
    frame["sex"] = frame["status_sex"].map(
        {"A91": "male", "A92": "female", "A93": "male", "A94": "male", "A95": "female"}
    )
    frame["age_group"] = np.where(frame["age"] < 25, "<25", ">=25")
    frame["good"] = (frame["credit"] == 1).astype(np.int64)
    return frame


@dataclass(frozen=True)
class Split:
    """Train and test rows of one data set: features, 0/1 labels, and the whole rows."""

    X_train: pd.DataFrame
    y_train: np.ndarray
    X_test: pd.DataFrame
    y_test: np.ndarray
    test_rows: pd.DataFrame  # every column of the test rows, sensitive ones included
    numeric: list[str]
    categorical: list[str]


def _split(
    frame: pd.DataFrame, y: np.ndarray, numeric: list[str], categorical: list[str], n_test: int
) -> Split:
    order = np.random.default_rng(1994).permutation(len(frame))
    test, train = order[:n_test], order[n_test:]
    features = numeric + categorical
    return Split(
        X_train=frame.iloc[train][features].reset_index(drop=True),
        y_train=y[train],
        X_test=frame.iloc[test][features].reset_index(drop=True),
        y_test=y[test],
        test_rows=frame.iloc[test].reset_index(drop=True),
        numeric=numeric,
        categorical=categorical,
    )


@cache
def adult_split(n_test: int = 6000) -> Split:
    """Adult with ``>50K`` as 1; numeric and categorical features (not sex or race)."""
    frame = adult_frame()
    y = (frame["income"] == ">50K").to_numpy(dtype=np.int64)
    return _split(frame, y, ADULT_NUMERIC, ADULT_CATEGORICAL, n_test)


@cache
def german_split(n_test: int = 300) -> Split:
    """German Credit with good credit as 1."""
    frame = german_frame()
    return _split(frame, frame["good"].to_numpy(), GERMAN_NUMERIC, GERMAN_CATEGORICAL, n_test)


def tabular_model(split: Split, kind: str = "logistic") -> Pipeline:
    """A pipeline trained on the split: one-hot categoricals, scaled numbers, a classifier.

    ``kind`` is ``logistic`` (a linear model) or ``forest`` (a random forest, for tree
    explainers and membership inference, which overfits a little on purpose).
    """
    classifier = (
        LogisticRegression(max_iter=1000)
        if kind == "logistic"
        else RandomForestClassifier(n_estimators=50, min_samples_leaf=1, random_state=0)
    )
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


def numeric_model(split: Split, kind: str = "logistic") -> Pipeline:
    """A pipeline on the numeric features only (what black-box evasion attacks perturb)."""
    classifier = (
        LogisticRegression(max_iter=1000)
        if kind == "logistic"
        else RandomForestClassifier(n_estimators=50, random_state=0)
    )
    return make_pipeline(StandardScaler(), classifier).fit(
        split.X_train[split.numeric], split.y_train
    )
