"""Data for the drift tests: seeded random frames shaped like a model's inputs, and UCI
Adult (train and test splits from shared/data) for a realistic reference."""

import numpy as np
import pandas as pd
import polars as pl
import pytest

from tests.datasets import DATA, need

ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status",
    "occupation", "relationship", "race", "sex", "capital_gain", "capital_loss",
    "hours_per_week", "native_country", "income",
]  # fmt: skip


def frame(n: int, seed: int, *, shift: float = 0.0, scale: float = 1.0) -> pl.DataFrame:
    """Numeric columns (normal, skewed, integer, few-valued) and categorical ones; ``shift``
    moves ``x`` and ``skewed`` and tilts ``colour`` towards blue."""
    rng = np.random.default_rng(seed)
    blue = min(0.2 + shift / 4, 0.9)
    return pl.DataFrame(
        {
            "x": rng.normal(shift, scale, n),
            "skewed": rng.lognormal(shift, 1.0, n),
            "count": rng.poisson(20, n).astype(np.int64),
            "flag": rng.integers(0, 3, n),
            "colour": rng.choice(
                ["red", "green", "blue"], n, p=[(1 - blue) / 2, (1 - blue) / 2, blue]
            ),
            "city": rng.choice(["Lyon", "Graz", "Oslo", "Kyiv", "Pune"], n),
        }
    )


def _adult(path: str, *, skip: int = 0) -> pd.DataFrame:
    return pd.read_csv(
        need(DATA / "adult" / path),
        header=None,
        names=ADULT_COLUMNS,
        skipinitialspace=True,
        na_values="?",
        skiprows=skip,
    )


@pytest.fixture(scope="session")
def adult_train() -> pd.DataFrame:
    return _adult("adult.data")


@pytest.fixture(scope="session")
def adult_test() -> pd.DataFrame:
    test = _adult("adult.test", skip=1)  # it opens with a "|1x3 Cross validator" line
    test["income"] = test["income"].str.rstrip(".")  # "<=50K." in the test split
    return test
