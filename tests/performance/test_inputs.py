"""The same data given as pandas, polars, Arrow, numpy or lists gives the same result,
and the normal mode — a file of labels, predictions and scores, no model — works."""

from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from bastion.assessment.digests import file_digest
from bastion.assessment.tables import read_table
from bastion.performance import assess_performance
from tests.performance.conftest import Scored

COLUMNS = ["label", "prediction", "score", "w", "sex", "workclass"]


@pytest.fixture(scope="module")
def frame(adult: Scored) -> pd.DataFrame:
    """2,000 Adult rows; workclass has missing values (a group of its own)."""
    return adult.rows[COLUMNS].iloc[:2000].reset_index(drop=True)


def by_name(data: object) -> dict:
    return assess_performance(
        "label",
        "prediction",
        y_score="score",
        data=data,
        sample_weight="w",
        sensitive_features=["sex", "workclass"],
    ).to_dict()


def test_pandas_polars_and_arrow_tables_give_equal_results(frame: pd.DataFrame) -> None:
    want = by_name(frame)
    assert any(g["workclass"] is None for g in want["groups"])
    assert by_name(pl.from_pandas(frame)) == want
    assert by_name(pa.Table.from_pandas(frame, preserve_index=False)) == want


def test_columns_of_every_kind_give_equal_results(frame: pd.DataFrame) -> None:
    want = by_name(frame)
    polars = pl.from_pandas(frame)
    arrow = pa.Table.from_pandas(frame, preserve_index=False)
    as_columns = [
        {k: frame[k] for k in COLUMNS},  # pandas Series
        {k: polars[k] for k in COLUMNS},  # polars Series
        {k: arrow.column(k) for k in COLUMNS},  # pyarrow ChunkedArray
        {k: frame[k].to_numpy() for k in COLUMNS},  # numpy
        # lists, with None for a missing value (numpy.asarray would turn a NaN in a list
        # of strings into the string "nan")
        {k: [None if pd.isna(v) else v for v in frame[k]] for k in COLUMNS},
    ]
    for cols in as_columns:
        got = assess_performance(
            cols["label"],
            cols["prediction"],
            y_score=cols["score"],
            sample_weight=cols["w"],
            sensitive_features={"sex": cols["sex"], "workclass": cols["workclass"]},
        ).to_dict()
        assert got == want, type(cols["label"])


def test_the_digest_follows_the_values_not_the_container(frame: pd.DataFrame) -> None:
    one = by_name(frame)["inputs"]["data"]
    assert len(one) == 64
    changed = frame.assign(score=frame["score"].where(frame.index != 0, 0.999))
    assert by_name(changed)["inputs"]["data"] != one


def test_predictions_only_from_a_file(tmp_path: Path, frame: pd.DataFrame) -> None:
    """A CSV of label, prediction, score and sensitive columns: no model anywhere."""
    path = tmp_path / "predictions.csv"
    frame.to_csv(path, index=False)
    data = read_table(path)
    result = assess_performance(
        "label",
        "prediction",
        y_score="score",
        data=data,
        sensitive_features="sex",
        inputs={"data": file_digest(path)},
    )
    assert result.inputs == {"data": file_digest(path)}  # links to the registered file
    assert result.overall["roc_auc"] is not None
    assert [g.values["sex"] for g in result.groups] == ["Female", "Male"]
    assert result.settings["y_pred_from"] == "y_pred"

    labels_only = assess_performance("label", "prediction", data=data, sensitive_features="sex")
    assert labels_only.overall["accuracy"] == result.overall["accuracy"]
    assert labels_only.overall["roc_auc"] is None
    assert labels_only.overall["expected_calibration_error"] is None
    assert any(n.startswith("no y_score") for n in labels_only.notes)
    assert {c.metric for c in labels_only.checks} == {
        "accuracy_over_baseline",
        "balanced_accuracy_gap",
    }


def test_scores_alone_are_cut_at_the_threshold(frame: pd.DataFrame) -> None:
    score = frame["score"].to_numpy()
    result = assess_performance(frame["label"], y_score=score, threshold=0.3)
    cut = (score >= 0.3).astype(int)
    assert result.overall == assess_performance(frame["label"], cut, y_score=score).overall
    assert result.settings["y_pred_from"] == "y_score"
    assert "y_pred derived from y_score as y_score >= 0.3" in result.notes


def test_boolean_labels_and_one_column_arrays(frame: pd.DataFrame) -> None:
    y = frame["label"].to_numpy() == 1
    result = assess_performance(y[:, None], y_score=frame[["score"]].to_numpy())
    assert result.pos_label is True
    assert result.overall == assess_performance(frame["label"], y_score=frame["score"]).overall
