"""Checking one batch before it is stored: refused whole with the column and rows at
fault, or kept whole with its data quality findings."""

import json
from datetime import UTC, datetime

import pyarrow as pa
import pytest

from bastion.errors import InvalidInput
from bastion.monitoring import batches
from bastion.monitoring.batches import decode, prepare_labels, prepare_predictions
from tests.monitoring.conftest import adult, arrow, parquet

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def prepare(table: pa.Table, **kw):
    return prepare_predictions(table, received_at=NOW, **kw)


def test_parquet_arrow_and_json_rows_decode_to_the_same_table() -> None:
    frame = adult().current.head(50)
    from_parquet = decode(parquet(frame), "application/vnd.apache.parquet")
    from_arrow = decode(arrow(frame), "application/vnd.apache.arrow.stream")
    rows = json.dumps(frame.to_dict(orient="records")).encode()
    from_json = decode(rows, "application/json")
    assert from_parquet.equals(from_arrow)
    assert from_json.column("age").to_pylist() == frame["age"].tolist()
    assert from_json.column_names == list(frame.columns)


@pytest.mark.parametrize(
    ("body", "media_type", "message"),
    [
        (b"", "application/json", "empty"),
        (b"[]", "application/json", "no rows"),
        (b"{not json", "application/json", "not valid JSON"),
        (b'{"a": 1}', "application/json", "list of objects"),
        (b'[{"a": 1}, {"a": "x"}]', "application/json", "mixes types"),
        (b"PAR1 not really", "application/vnd.apache.parquet", "not a readable"),
    ],
)
def test_unreadable_bodies_are_refused_naming_the_body(
    body: bytes, media_type: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        decode(body, media_type)
    assert caught.value.field == "body"


def test_other_media_types_are_refused_with_415() -> None:
    with pytest.raises(batches.UnsupportedMediaType) as caught:
        decode(b"a,b\n1,2\n", "text/csv")
    assert caught.value.status == 415
    assert "application/vnd.apache.parquet" in caught.value.detail


def test_an_empty_batch_is_refused() -> None:
    with pytest.raises(InvalidInput, match="empty"):
        prepare(pa.table({"prediction_id": pa.array([], pa.string())}))


def test_the_id_column_must_exist_and_is_named() -> None:
    table = pa.table({"id": ["a"], "x": [1.0]})
    with pytest.raises(InvalidInput, match="no such column") as caught:
        prepare(table)
    assert caught.value.field == "prediction_id"
    assert prepare(table, id_column="id").table.column_names == ["prediction_id", "x"]


def test_duplicate_ids_in_a_batch_are_refused_naming_the_rows() -> None:
    table = pa.table({"prediction_id": ["a", "b", "a", "c", "b"], "x": [1, 2, 3, 4, 5]})
    with pytest.raises(InvalidInput, match="rows 0, 1, 2, 4") as caught:
        prepare(table)
    assert caught.value.extra["rows"] == [0, 1, 2, 4]


def test_missing_and_fractional_ids_are_refused() -> None:
    with pytest.raises(InvalidInput, match="missing prediction id at rows 1"):
        prepare(pa.table({"prediction_id": ["a", None], "x": [1, 2]}))
    with pytest.raises(InvalidInput, match="not double"):
        prepare(pa.table({"prediction_id": [1.5, 2.5]}))


def test_numeric_ids_become_text() -> None:
    prepared = prepare(pa.table({"prediction_id": [7, 8], "x": [1, 2]}))
    assert prepared.ids.to_pylist() == ["7", "8"]


def test_timestamps_from_iso_text_and_naive_values_are_utc() -> None:
    text = prepare(
        pa.table({"prediction_id": ["a", "b"], "ts": ["2026-01-01T10:00:00+02:00", "2026-01-02"]}),
        timestamp_column="ts",
    )
    assert text.started_at == datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
    assert text.ended_at == datetime(2026, 1, 2, tzinfo=UTC)
    assert "ts" not in text.table.column_names
    naive = prepare(pa.table({"prediction_id": ["a"], "timestamp": [datetime(2026, 3, 1, 5)]}))
    assert naive.started_at == datetime(2026, 3, 1, 5, tzinfo=UTC)


def test_a_batch_without_timestamps_takes_the_time_of_receipt() -> None:
    prepared = prepare(pa.table({"prediction_id": ["a"], "x": [1]}))
    assert prepared.started_at == prepared.ended_at == NOW


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([1, 2], "not int64"),
        (["soon", "2026-01-01"], "not ISO 8601"),
        ([None, "2026-01-01"], "missing timestamp at rows 0"),
    ],
)
def test_unreadable_timestamps_are_refused(values: list, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        prepare(pa.table({"prediction_id": ["a", "b"], "timestamp": values}))
    assert caught.value.field == "timestamp"


def test_nested_values_are_refused_naming_the_column() -> None:
    with pytest.raises(InvalidInput) as caught:
        prepare(pa.table({"prediction_id": ["a"], "tags": [[1, 2]]}))
    assert caught.value.field == "tags"


def test_quality_problems_are_findings_and_the_batch_is_kept() -> None:
    table = pa.table(
        {
            "prediction_id": ["a", "b", "c"],
            "age": ["30", "40", "50"],  # was int64
            "income": [1.0, float("inf"), float("-inf")],
            "note": pa.array([None, None, None], pa.null()),
            "fresh": [1, 2, 3],
        }
    )
    previous = {"prediction_id": "string", "age": "int64", "income": "double",
                "note": "string", "gone": "double"}  # fmt: skip
    prepared = prepare(table, previous_columns=previous)
    findings = {(f["column"], f["finding"]): f for f in prepared.findings}
    assert findings[("age", "type_change")]["detail"] == "int64 in the previous batch, string here"
    assert findings[("income", "infinite")]["rows"] == 2
    assert findings[("note", "all_null")]["rows"] == 3
    assert ("note", "type_change") not in findings  # all-null: that is the finding
    assert ("gone", "missing_column") in findings
    assert ("fresh", "new_column") in findings
    assert prepared.rows == 3


def test_labels_keep_the_last_of_duplicates_and_count_them() -> None:
    prepared = prepare_labels(
        pa.table({"prediction_id": ["a", "b", "a", "a"], "label": [0, 1, 1, 0], "x": [1, 2, 3, 4]})
    )
    rows = dict(
        zip(
            *(prepared.table.column(c).to_pylist() for c in ("prediction_id", "label")), strict=True
        )
    )
    assert rows == {"a": 0, "b": 1}
    assert prepared.duplicates == 2
    assert prepared.table.column_names == ["prediction_id", "label"]


@pytest.mark.parametrize(
    ("table", "kw", "field", "message"),
    [
        (pa.table({"prediction_id": ["a"]}), {}, "label", "no such column"),
        (
            pa.table({"prediction_id": ["a", "b"], "label": [1, None]}),
            {},
            "label",
            "missing label at rows 1",
        ),
        (pa.table({"prediction_id": ["a"], "label": [float("inf")]}), {}, "label", "finite"),
        (
            pa.table({"prediction_id": ["a"], "label": ["yes"]}),
            {"previous_type": "int64"},
            "label",
            "int64",
        ),
    ],
)
def test_bad_labels_are_refused_naming_the_column(table, kw, field, message) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        prepare_labels(table, **kw)
    assert caught.value.field == field


def test_batches_from_pandas_and_polars_have_the_same_column_types() -> None:
    import polars as pl

    frame = adult().current.head(20).astype({"workclass": "category"})
    from_pandas = prepare(pa.Table.from_pandas(frame, preserve_index=False))
    from_polars = prepare(pl.from_pandas(frame).to_arrow(), previous_columns=from_pandas.columns)
    assert from_polars.findings == []
    assert from_polars.columns["workclass"] == "string"


def test_across_label_batches_the_newest_label_wins(tmp_path) -> None:
    from bastion.monitoring import log
    from bastion.monitoring.models import LabelBatch
    from bastion.storage.artifacts import LocalArtifactStore

    store = LocalArtifactStore(tmp_path)
    logged = [
        {"prediction_id": ["a", "b", "c"], "label": [0, 0, 0]},
        {"prediction_id": ["b", "d"], "label": [1, 1]},
        {"prediction_id": ["c", "b"], "label": [2, 2]},
    ]
    stored = [
        LabelBatch(
            digest=log.store_bytes(store, batches.to_parquet(prepare_labels(pa.table(rows)).table))
        )
        for rows in logged
    ]
    table = log.labels(store, stored)
    got = dict(
        zip(
            table.column("prediction_id").to_pylist(),
            table.column("label").to_pylist(),
            strict=True,
        )
    )
    assert got == {"a": 0, "b": 2, "c": 2, "d": 1}
