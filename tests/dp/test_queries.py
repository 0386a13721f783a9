"""Each query on each kind of input: the released value is the true statistic of the
clamped data plus noise, read the same from pandas, polars, Arrow and files."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from bastion.dp import (
    DpQuery,
    DpResult,
    Statistic,
    dp_count,
    dp_histogram,
    dp_mean,
    dp_quantile,
    dp_sum,
    run_query,
)

# A loss so large that the noise is far below the tolerances: these tests check what is
# computed, test_accuracy checks the noise.
HUGE = 1e6


def test_count_counts_rows_with_a_value(adult: pd.DataFrame) -> None:
    result = dp_count(adult, "workclass", epsilon=HUGE)
    assert result.value == adult["workclass"].notna().sum()
    assert isinstance(result.value, int)
    assert result.mechanism == "laplace"
    assert result.bounds == {}


def test_sum_clamps_each_value_to_the_bounds(adult: pd.DataFrame) -> None:
    result = dp_sum(adult, "hours_per_week", lower=20, upper=60, epsilon=HUGE)
    clamped = adult["hours_per_week"].clip(20, 60).sum()
    assert result.value == pytest.approx(clamped, abs=1e-3)
    assert result.value != pytest.approx(adult["hours_per_week"].sum(), abs=1.0)
    assert result.bounds == {"lower": 20.0, "upper": 60.0}
    assert any("clamped to [20, 60]" in note for note in result.notes)


def test_sum_has_no_row_limit() -> None:
    """OpenDP's float sum of unknown size stops at 2**20 rows; the integer sum does not."""
    frame = pd.DataFrame({"x": np.full(1_500_000, 0.5)})
    result = dp_sum(frame, "x", lower=0, upper=1, epsilon=HUGE)
    assert result.value == pytest.approx(750_000, abs=1e-3)


@pytest.mark.parametrize("size", [None, 32_561])
def test_mean_of_private_or_public_size(adult: pd.DataFrame, size: int | None) -> None:
    result = dp_mean(adult, "age", lower=17, upper=90, epsilon=HUGE, size=size)
    assert result.value == pytest.approx(adult["age"].mean(), abs=1e-3)
    assert result.size_handling == ("private count" if size is None else "public")
    assert result.public_size == size


def test_mean_with_a_wrong_public_size_stays_in_the_bounds(adult: pd.DataFrame) -> None:
    # Half the rows assumed: the other half is dropped; still a mean of ages.
    result = dp_mean(adult, "age", lower=17, upper=90, epsilon=1.0, size=10)
    assert 17 <= result.value <= 90


def test_histogram_counts_the_categories_and_the_rest(adult: pd.DataFrame) -> None:
    result = dp_histogram(adult, "workclass", categories=["Private", "State-gov"], epsilon=HUGE)
    counts = adult["workclass"].value_counts()
    assert result.value == {"Private": counts["Private"], "State-gov": counts["State-gov"]}
    assert result.other == adult["workclass"].notna().sum() - sum(result.value.values())


def test_histogram_of_whole_numbers_matches_them_as_written(adult: pd.DataFrame) -> None:
    as_float = adult.assign(age=adult["age"].astype(float))
    result = dp_histogram(as_float, "age", categories=["30", "31"], epsilon=HUGE)
    assert result.value == {"30": (adult["age"] == 30).sum(), "31": (adult["age"] == 31).sum()}


def test_quantile_chooses_among_candidates(adult: pd.DataFrame) -> None:
    median = dp_quantile(adult, "age", alpha=0.5, lower=0, upper=100, epsilon=HUGE)
    assert median.value == adult["age"].median()
    assert len(median.bounds["candidates"]) == 101
    given = dp_quantile(adult, "age", alpha=0.9, candidates=[20, 40, 60, 80], epsilon=HUGE)
    assert given.value == 60.0
    assert given.mechanism == "exponential"


@pytest.mark.parametrize("kind", ["csv", "parquet", "jsonl"])
def test_files_read_as_the_frame(
    adult: pd.DataFrame, adult_files: dict[str, Path], kind: str
) -> None:
    path = adult_files[kind]
    assert dp_count(path, "workclass", epsilon=HUGE).value == adult["workclass"].notna().sum()
    total = dp_sum(str(path), "capital_gain", lower=0, upper=10_000, epsilon=HUGE).value
    assert total == pytest.approx(adult["capital_gain"].clip(0, 10_000).sum(), abs=1.0)
    males = dp_histogram(path, "sex", categories=["Male"], epsilon=HUGE).value
    assert males == {"Male": (adult["sex"] == "Male").sum()}


@pytest.mark.parametrize("convert", [pl.from_pandas, pa.Table.from_pandas])
def test_polars_and_arrow_read_as_pandas(adult: pd.DataFrame, convert: object) -> None:
    table = convert(adult)  # type: ignore[operator]
    result = dp_mean(table, "age", lower=17, upper=90, epsilon=HUGE)
    assert result.value == pytest.approx(adult["age"].mean(), abs=1e-3)


def test_gaussian_noise_charges_delta(adult: pd.DataFrame) -> None:
    result = dp_count(adult, "age", epsilon=1.0, delta=1e-6, noise="gaussian")
    assert (result.epsilon, result.delta, result.mechanism) == (1.0, 1e-6, "gaussian")
    assert result.privacy_map["delta"] == 1e-6


def test_result_serializes_without_the_true_value(adult: pd.DataFrame) -> None:
    result = dp_mean(adult, "age", lower=17, upper=90, epsilon=0.5)
    data = result.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["schema_version"] == 1
    assert data["summary"].startswith("DP mean of age: ")
    assert "ε=0.5" in data["summary"]
    text = json.dumps(data)
    assert str(len(adult)) not in text  # the true number of rows is private
    html = result._repr_html_()
    assert "Differentially private mean of age" in html


def test_query_settings_round_trip_and_run(adult: pd.DataFrame) -> None:
    query = DpQuery(Statistic.QUANTILE, "age", 1.0, alpha=0.5, candidates=(20, 40, 60))
    assert DpQuery.from_dict(query.to_dict()) == query
    result = run_query(query, adult)
    assert isinstance(result, DpResult)
    assert result.value in (20.0, 40.0, 60.0)
