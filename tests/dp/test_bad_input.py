"""Every query that cannot run as asked is refused with an error naming the field — an
InvalidInput (422 on the platform) and a ValueError (for notebooks) — before any data is
read, and without quoting a value of the data."""

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bastion.dp import (
    BoundsError,
    ColumnError,
    DpInputError,
    DpQuery,
    NonNumericColumnError,
    PrivacyLossError,
    Statistic,
    dp_count,
    dp_histogram,
    dp_mean,
    dp_quantile,
    dp_sum,
)
from bastion.errors import InvalidInput


def _refused(error: type[Exception], field: str, call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(error) as caught:
        call(*args, **kwargs)
    assert isinstance(caught.value, InvalidInput)
    assert isinstance(caught.value, ValueError)
    assert caught.value.field == field, caught.value.detail
    assert field in caught.value.detail
    return caught.value.detail


@pytest.mark.parametrize("query", [dp_sum, dp_mean])
@pytest.mark.parametrize(("bounds", "field"), [({}, "lower"), ({"lower": 0}, "upper"),
                                               ({"upper": 9}, "lower")])  # fmt: skip
def test_no_bounds(adult: pd.DataFrame, query: Any, bounds: dict[str, float], field: str) -> None:
    detail = _refused(BoundsError, field, query, adult, "age", epsilon=1.0, **bounds)
    assert "explicit bounds" in detail


def test_no_categories_or_candidates(adult: pd.DataFrame) -> None:
    _refused(BoundsError, "categories", dp_histogram, adult, "sex", epsilon=1.0)
    _refused(BoundsError, "categories", dp_histogram, adult, "sex", categories=[], epsilon=1.0)
    _refused(BoundsError, "candidates", dp_quantile, adult, "age", alpha=0.5, epsilon=1.0)


@pytest.mark.parametrize(("lower", "upper"), [(10, 10), (90, 17)])
def test_lower_not_below_upper(adult: pd.DataFrame, lower: float, upper: float) -> None:
    for query in (dp_sum, dp_mean):
        detail = _refused(
            BoundsError, "upper", query, adult, "age", lower=lower, upper=upper, epsilon=1.0
        )
        assert "must be below upper" in detail
    _refused(
        BoundsError, "upper", dp_quantile, adult, "age", alpha=0.5, lower=lower, upper=upper,
        epsilon=1.0,
    )  # fmt: skip


@pytest.mark.parametrize("bad", [float("inf"), float("nan")])
def test_bounds_must_be_finite(adult: pd.DataFrame, bad: float) -> None:
    _refused(BoundsError, "upper", dp_sum, adult, "age", lower=0, upper=bad, epsilon=1.0)


@pytest.mark.parametrize("epsilon", [0, -1.0, float("nan"), float("inf")])
def test_epsilon_must_be_above_zero_and_finite(adult: pd.DataFrame, epsilon: float) -> None:
    _refused(PrivacyLossError, "epsilon", dp_count, adult, "age", epsilon=epsilon)
    _refused(PrivacyLossError, "epsilon", dp_sum, adult, "age", lower=0, upper=1, epsilon=epsilon)


def test_delta_must_suit_the_mechanism(adult: pd.DataFrame) -> None:
    detail = _refused(PrivacyLossError, "delta", dp_count, adult, "age", epsilon=1, delta=1e-6)
    assert "pure ε-DP" in detail
    _refused(PrivacyLossError, "delta", dp_count, adult, "age", epsilon=1, noise="gaussian")
    _refused(
        PrivacyLossError, "delta", dp_count, adult, "age", epsilon=1, delta=1.0, noise="gaussian"
    )
    _refused(
        PrivacyLossError, "noise", DpQuery, Statistic.QUANTILE, "age", 1.0, 1e-6, alpha=0.5,
        lower=0, upper=1, noise="gaussian",
    )  # fmt: skip


def test_parameters_a_statistic_does_not_use(adult: pd.DataFrame) -> None:
    _refused(BoundsError, "lower", DpQuery, Statistic.COUNT, "age", 1.0, lower=0)
    _refused(BoundsError, "categories", DpQuery, Statistic.SUM, "age", 1.0, lower=0, upper=1,
             categories=("a",))  # fmt: skip
    _refused(BoundsError, "candidates", dp_quantile, adult, "age", alpha=0.5, lower=0,
             upper=1, candidates=[0, 1], epsilon=1.0)  # fmt: skip


def test_quantile_needs_alpha_and_increasing_candidates(adult: pd.DataFrame) -> None:
    _refused(DpInputError, "alpha", dp_quantile, adult, "age", candidates=[1, 2], epsilon=1.0)
    _refused(DpInputError, "alpha", dp_quantile, adult, "age", alpha=1.5, candidates=[1, 2],
             epsilon=1.0)  # fmt: skip
    _refused(BoundsError, "candidates", dp_quantile, adult, "age", alpha=0.5,
             candidates=[3, 2, 1], epsilon=1.0)  # fmt: skip


def test_histogram_categories_are_distinct_text(adult: pd.DataFrame) -> None:
    _refused(BoundsError, "categories", dp_histogram, adult, "sex", categories=["a", "a"],
             epsilon=1.0)  # fmt: skip
    _refused(BoundsError, "categories", dp_histogram, adult, "sex", categories=[1, 2],
             epsilon=1.0)  # fmt: skip


def test_mean_size_and_contributions_are_whole_numbers(adult: pd.DataFrame) -> None:
    _refused(DpInputError, "size", dp_mean, adult, "age", lower=0, upper=1, size=0, epsilon=1.0)
    _refused(DpInputError, "contributions", dp_count, adult, "age", epsilon=1.0, contributions=0)


def test_unknown_statistic_or_noise() -> None:
    _refused(DpInputError, "statistic", DpQuery, "median", "age", 1.0)  # type: ignore[arg-type]
    _refused(DpInputError, "noise", DpQuery, Statistic.COUNT, "age", 1.0, noise="uniform")  # type: ignore[arg-type]


def test_column_missing_in_a_frame(adult: pd.DataFrame) -> None:
    detail = _refused(ColumnError, "column", dp_count, adult, "salary", epsilon=1.0)
    assert "'salary'" in detail


@pytest.mark.parametrize("kind", ["csv", "parquet", "jsonl"])
def test_column_missing_in_a_file(adult_files: dict[str, Path], kind: str) -> None:
    detail = _refused(ColumnError, "column", dp_count, adult_files[kind], "salary", epsilon=1.0)
    assert adult_files[kind].name in detail


@pytest.mark.parametrize("query", [dp_sum, dp_mean, dp_quantile])
def test_non_numeric_column(adult: pd.DataFrame, query: Any) -> None:
    kwargs: dict[str, Any] = {"lower": 0, "upper": 1, "epsilon": 1.0}
    if query is dp_quantile:
        kwargs["alpha"] = 0.5
    detail = _refused(NonNumericColumnError, "column", query, adult, "workclass", **kwargs)
    assert "Private" not in detail  # no value of the data in the message


def test_text_column_with_one_non_number_in_a_csv(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text("income\n1200\n3400\nJohn Smith\n")
    detail = _refused(
        NonNumericColumnError, "column", dp_sum, path, "income", lower=0, upper=1e4, epsilon=1.0
    )
    assert "John" not in detail
    # Numbers written as text are numbers: a CSV is read as text.
    path.write_text("income\n1200\n3400\n\n")
    assert dp_sum(path, "income", lower=0, upper=1e4, epsilon=1e6).value == pytest.approx(
        4600, abs=1
    )


def test_counts_and_histograms_take_any_column(adult: pd.DataFrame) -> None:
    assert dp_count(adult, "workclass", epsilon=1.0).query == "count"
    assert dp_histogram(adult, "age", categories=["30"], epsilon=1.0).query == "histogram"


def test_data_of_an_unknown_kind() -> None:
    _refused(DpInputError, "data", dp_count, [1, 2, 3], "x", epsilon=1.0)
