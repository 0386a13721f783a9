"""On UCI Adult: the risk figures against a direct count, every kind of input giving
one result, and counts merged from batches equal to the whole table's."""

import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from bastion.reident import (
    ClassCounts,
    ReidentificationResult,
    assess_reidentification,
    class_counts,
    evaluate_counts,
)

from .conftest import ADULT_QIS

SENSITIVE = ["occupation", "hours_per_week"]


def comparable(result: ReidentificationResult) -> dict[str, Any]:
    """The result without what depends on how the data arrived (digest, batches)."""
    out = result.to_dict()
    out.pop("inputs")
    out["settings"].pop("batches")
    out["notes"] = [n for n in out["notes"] if not n.startswith("Counted in")]
    return out


@pytest.fixture(scope="module")
def adult_result(adult: pd.DataFrame) -> ReidentificationResult:
    return assess_reidentification(adult, quasi_identifiers=ADULT_QIS, sensitive=SENSITIVE)


def test_adult_has_unique_rows(adult: pd.DataFrame, adult_result: ReidentificationResult) -> None:
    sizes = adult.groupby(ADULT_QIS, dropna=False).size()
    r = adult_result
    assert r.k == 1
    assert r.classes == len(sizes)
    assert r.unique_rows == int((sizes == 1).sum()) > 0
    assert r.rows_at_risk == int(sizes[sizes < 5].sum())
    assert r.max_prosecutor_risk == 1.0
    assert r.mean_prosecutor_risk == pytest.approx(len(sizes) / len(adult))
    assert r.verdict == "fail"
    k_check = r.checks[0]
    assert (k_check.metric, k_check.outcome) == ("k_anonymity", "fail")
    assert sum(b["rows"] for b in r.class_sizes) == len(adult)
    assert r.summary.startswith("fail: k anonymity 1")


def test_smallest_classes_are_listed_smallest_first(adult_result: ReidentificationResult) -> None:
    listed = adult_result.smallest_classes
    assert len(listed) == 10
    assert all(c.size == 1 for c in listed)
    assert set(listed[0].values) == set(ADULT_QIS)
    frame = adult_result.to_frame()
    assert len(frame) == adult_result.classes
    assert frame["size"].is_monotonic_increasing
    assert list(frame.index.names) == ADULT_QIS


def test_no_sensitive_value_reaches_the_evidence(
    adult: pd.DataFrame, adult_result: ReidentificationResult
) -> None:
    text = json.dumps(adult_result.to_dict(), allow_nan=False)
    for value in adult["occupation"].dropna().unique():
        assert json.dumps(value) not in text


def test_polars_and_arrow_give_the_pandas_result(
    adult: pd.DataFrame, adult_result: ReidentificationResult
) -> None:
    columns = ADULT_QIS + SENSITIVE
    part = adult[columns]
    for table in (pl.from_pandas(part), pa.Table.from_pandas(part, preserve_index=False)):
        r = assess_reidentification(table, quasi_identifiers=ADULT_QIS, sensitive=SENSITIVE)
        assert comparable(r) == comparable(adult_result)


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_a_streamed_file_gives_the_frame_result(
    adult: pd.DataFrame, adult_result: ReidentificationResult, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"adult{suffix}"
    part = adult[ADULT_QIS + SENSITIVE]
    if suffix == ".csv":
        part.to_csv(path, index=False)
    elif suffix == ".parquet":
        part.to_parquet(path, index=False)
    else:
        part.to_json(path, orient="records", lines=True)
    r = assess_reidentification(
        path, quasi_identifiers=ADULT_QIS, sensitive=SENSITIVE, batch_rows=4000
    )
    assert r.counts.batches == 9
    assert comparable(r) == comparable(adult_result)
    assert len(r.inputs["data"]) == 64  # the file's SHA-256


def test_batch_counts_merge_to_the_whole_table(adult: pd.DataFrame) -> None:
    whole = class_counts(adult, quasi_identifiers=ADULT_QIS, sensitive=SENSITIVE)
    cuts = [0, 5000, 5001, 17000, len(adult)]
    parts = [
        class_counts(adult.iloc[a:b], quasi_identifiers=ADULT_QIS, sensitive=SENSITIVE)
        for a, b in itertools.pairwise(cuts)
    ]
    merged = parts[0]
    for part in parts[1:]:
        merged = merged.merge(part)
    assert merged.equals(whole)
    assert merged.batches == 4
    assert ClassCounts.merged(reversed(parts)).equals(whole)
    a, b = evaluate_counts(merged), evaluate_counts(whole)
    assert comparable(a) == comparable(b)


def test_counts_over_other_columns_do_not_merge(adult: pd.DataFrame) -> None:
    one = class_counts(adult.head(100), quasi_identifiers=["age"])
    other = class_counts(adult.head(100), quasi_identifiers=["sex"])
    with pytest.raises(ValueError, match="other columns"):
        one.merge(other)


def test_more_general_quasi_identifiers_lower_the_risk(adult: pd.DataFrame) -> None:
    fine = assess_reidentification(adult, quasi_identifiers=ADULT_QIS)
    coarse = assess_reidentification(adult, quasi_identifiers=["sex", "race"])
    assert coarse.k > fine.k
    assert coarse.mean_prosecutor_risk < fine.mean_prosecutor_risk
    assert coarse.verdict == "pass"
    assert coarse.smallest_classes[0].size == coarse.k


def test_thresholds_move_l_and_t_between_warn_and_fail(hospital: pd.DataFrame) -> None:
    from bastion.reident import ReidentificationThresholds

    def t_check(**kwargs: Any) -> str:
        r = assess_reidentification(
            hospital, quasi_identifiers=["zip", "age"], sensitive="salary", k=2, **kwargs
        )
        return next(c.outcome for c in r.checks if c.metric == "t_closeness")

    # t = 0.4375: above 0.2 and under the fail threshold of 0.5 it warns.
    assert t_check() == "warn"
    assert t_check(thresholds=ReidentificationThresholds(t_fail=0.4)) == "fail"
    assert t_check(t=0.5) == "pass"
    assert t_check(t=0.4375) == "pass"  # the threshold itself passes


def test_datetime_quasi_identifiers_list_as_text() -> None:
    frame = pd.DataFrame(
        {"born": pd.to_datetime(["1990-01-02", "1990-01-02", "1991-05-06"]), "sex": list("FFM")}
    )
    r = assess_reidentification(frame, quasi_identifiers=["born", "sex"], k=2)
    assert r.smallest_classes[0].values == {"born": "1991-05-06T00:00:00", "sex": "M"}
    json.dumps(r.to_dict(), allow_nan=False)


def test_numbers_only_in_a_csv_stay_text_when_one_is_not(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    pd.DataFrame({"code": ["1", "2", "x", "2"], "n": [1, 2, 3, 2]}).to_csv(path, index=False)
    r = assess_reidentification(path, quasi_identifiers=["code", "n"], k=2)
    values = r.counts.class_values
    assert values["code"].tolist() == ["1", "2", "x"]
    assert np.issubdtype(values["n"].dtype, np.integer)


def test_missing_dates_list_as_null() -> None:
    frame = pd.DataFrame({"born": pd.to_datetime(["1990-01-02", None, None]), "sex": list("FMM")})
    r = assess_reidentification(frame, quasi_identifiers=["born", "sex"], k=2)
    assert {"born": None, "sex": "M"} in [c.values for c in r.smallest_classes]
