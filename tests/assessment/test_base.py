"""The shared assessment base: digests, verdicts, budgets and table reading."""

import hashlib
import math
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from bastion.assessment.budget import Deadline
from bastion.assessment.digests import data_digest, file_digest, input_digests, model_digest
from bastion.assessment.errors import AssessmentInputError, UnusableModelError
from bastion.assessment.model import LoadedModel, require
from bastion.assessment.tables import read_table
from bastion.assessment.verdict import judge, verdict_of


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"age": [31, 45, 27], "sex": ["f", "m", None], "score": [0.1, 0.9, 0.5]})


def test_content_digest_is_the_same_for_every_table_library() -> None:
    frame = _frame()
    digest = data_digest(frame)
    assert data_digest(pl.from_pandas(frame)) == digest
    assert data_digest(pa.Table.from_pandas(frame, preserve_index=False)) == digest
    changed = frame.copy()
    changed.loc[2, "score"] = 0.5000001
    assert data_digest(changed) != digest
    renamed = frame.rename(columns={"age": "years"})
    assert data_digest(renamed) != digest


def test_numeric_arrays_hash_their_bytes_and_their_shape() -> None:
    a = np.arange(6, dtype=np.int64)
    assert data_digest(a) == data_digest(a.copy())
    assert data_digest(a) != data_digest(a.reshape(2, 3))
    assert data_digest(a) != data_digest(a.astype(np.int32))
    assert data_digest(a, None) == data_digest(a)


def test_file_digest_is_sha256_of_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * 3_000_000)
    assert file_digest(path) == hashlib.sha256(b"x" * 3_000_000).hexdigest()


def test_model_digest_prefers_the_file_digest() -> None:
    loaded = LoadedModel(native=object(), sha256="ab" * 32, format="skops", source="m.skops")
    assert model_digest(loaded) == "ab" * 32
    with pytest.raises(UnusableModelError, match="inputs"):
        model_digest(lambda x: x)


def test_input_digests_compute_only_what_is_missing() -> None:
    def boom() -> str:
        raise AssertionError("computed although given")

    assert input_digests({"data": "cd" * 32}, data=boom) == {"data": "cd" * 32}
    assert input_digests(None, data=lambda: "ef" * 32) == {"data": "ef" * 32}


@pytest.mark.parametrize(
    ("value", "higher_is_better", "outcome"),
    [
        (0.9, True, "pass"),  # a threshold itself passes: 0.8 meets the four-fifths rule
        (0.8, True, "warn"),
        (0.79, True, "fail"),
        (0.85, True, "warn"),
        (0.1, False, "pass"),
        (0.15, False, "warn"),
        (0.21, False, "fail"),
        (math.nan, True, "warn"),  # undefined cannot be shown to pass
    ],
)
def test_judge(value: float, higher_is_better: bool, outcome: str) -> None:
    warn, fail = (0.9, 0.8) if higher_is_better else (0.1, 0.2)
    check = judge("m", value, warn_at=warn, fail_at=fail, higher_is_better=higher_is_better)
    assert check.outcome == outcome


def test_verdict_is_the_worst_outcome() -> None:
    passing = judge("a", 1, warn_at=0.9, fail_at=0.8, higher_is_better=True)
    failing = judge("b", 1, warn_at=0.1, fail_at=0.2, higher_is_better=False)
    assert verdict_of([passing]) == "pass"
    assert verdict_of([passing, failing]) == "fail"
    assert verdict_of([], "warn") == "warn"
    assert verdict_of([]) == "info"


def test_deadline() -> None:
    assert not Deadline(None).expired()
    assert Deadline(None).remaining() is None
    assert Deadline(1e-9).expired()
    with pytest.raises(AssessmentInputError, match="positive"):
        Deadline(0)


def test_require_names_the_missing_method() -> None:
    with pytest.raises(UnusableModelError, match="predict_proba"):
        require(object(), "predict_proba")


def test_read_table_formats_and_refusals(tmp_path: Path) -> None:
    frame = _frame()
    frame.to_csv(tmp_path / "t.csv", index=False)
    frame.to_parquet(tmp_path / "t.parquet")
    frame.to_json(tmp_path / "t.jsonl", orient="records", lines=True)
    for name in ("t.csv", "t.parquet", "t.jsonl"):
        assert list(read_table(tmp_path / name).columns) == ["age", "sex", "score"]
    (tmp_path / "t.xlsx").write_bytes(b"PK")
    with pytest.raises(AssessmentInputError, match=r"t\.xlsx: unknown table format"):
        read_table(tmp_path / "t.xlsx")
    with pytest.raises(AssessmentInputError, match="no such file"):
        read_table(tmp_path / "missing.csv")
    (tmp_path / "empty.csv").write_text("a,b\n")
    with pytest.raises(AssessmentInputError, match="no rows"):
        read_table(tmp_path / "empty.csv")
    (tmp_path / "bad.parquet").write_bytes(b"not parquet")
    with pytest.raises(AssessmentInputError, match=r"bad\.parquet: cannot be read"):
        read_table(tmp_path / "bad.parquet")


def test_a_nan_among_strings_in_a_list_stays_missing() -> None:
    from bastion.assessment.inputs import column

    values = column(["a", math.nan, "b"], "sex")
    assert values.dtype == object
    assert pd.isna(values[1])
