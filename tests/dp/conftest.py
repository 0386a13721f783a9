"""Real data for the differential-privacy tests: UCI Adult from ``shared/data`` as a frame
and as CSV, Parquet and JSON Lines files (see shared/data/README.md)."""

from pathlib import Path

import pandas as pd
import pytest

from tests.datasets import adult_frame

# The columns the tests query; a few keep the files small.
COLUMNS = ["age", "hours_per_week", "capital_gain", "sex", "workclass", "education"]


@pytest.fixture(scope="session")
def adult() -> pd.DataFrame:
    """All 32,561 rows of Adult (workclass has missing values)."""
    return adult_frame()[COLUMNS].copy()


@pytest.fixture(scope="session")
def adult_files(tmp_path_factory: pytest.TempPathFactory, adult: pd.DataFrame) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("adult")
    files = {"csv": root / "adult.csv", "parquet": root / "adult.parquet"}
    adult.to_csv(files["csv"], index=False)
    adult.to_parquet(files["parquet"], index=False)
    files["jsonl"] = root / "adult.jsonl"
    adult.to_json(files["jsonl"], orient="records", lines=True)
    return files
