"""Shared data for the re-identification tests: UCI Adult (the classic k-anonymity
benchmark) and small tables whose figures are computed by hand in the tests."""

import pandas as pd
import pytest

from tests.datasets import adult_frame

# The quasi-identifiers of the issue: what a voter roll or a social profile reveals.
ADULT_QIS = ["age", "sex", "race", "native_country"]


@pytest.fixture(scope="session")
def adult() -> pd.DataFrame:
    """All 32,561 rows of Adult (shared: do not mutate)."""
    return adult_frame()


@pytest.fixture
def hospital() -> pd.DataFrame:
    """Nine patients in three classes of (zip, age): sizes 4, 3 and 2.

    Class ("130", 20): diseases flu, flu, cold, cold; salaries 3, 4, 5, 6.
    Class ("148", 30): flu, flu, flu;                  salaries 7, 8, 9.
    Class ("130", 40): cancer, flu;                    salaries 10, 11.
    """
    return pd.DataFrame(
        {
            "zip": ["130", "130", "130", "130", "148", "148", "148", "130", "130"],
            "age": [20, 20, 20, 20, 30, 30, 30, 40, 40],
            "disease": ["flu", "flu", "cold", "cold", "flu", "flu", "flu", "cancer", "flu"],
            "salary": [3, 4, 5, 6, 7, 8, 9, 10, 11],
        }
    )
