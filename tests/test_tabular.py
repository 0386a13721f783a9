"""Streaming table reads: batches of every format, and one clear error per bad file."""

from pathlib import Path

import pandas as pd
import pytest

from bastion.tabular import TableError, iter_frames


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"id": ["007", "008", "009"], "email": ["a@x.org", None, "c@y.org"]})


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_batches_of_every_format(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"t{suffix}"
    frame = _frame()
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_json(path, orient="records", lines=True)
    batches = list(iter_frames(path, batch_rows=2))
    assert [len(b) for b in batches] == [2, 1]
    whole = pd.concat(batches, ignore_index=True)
    assert whole["email"].isna().tolist() == [False, True, False]
    if suffix != ".jsonl":  # JSON has numbers of its own; CSV keeps what was written
        assert whole["id"].tolist() == ["007", "008", "009"]
    assert next(iter(iter_frames(path, columns=["email"]))).columns.tolist() == ["email"]


@pytest.mark.parametrize(
    ("name", "content", "message", "field"),
    [
        ("ragged.csv", b"a,b,c\n1,2,3\n4,5,6,7\n", "Expected 3 fields in line 3", "file"),
        ("quote.csv", b'a,b\n"x,1\n2,3\n', "EOF inside string", "file"),
        ("latin.csv", b"name\nJos\xe9\n", "not utf-8", "encoding"),
        ("empty.csv", b"", "empty", "file"),
        ("blank.csv", b"\n\n", "no columns", "file"),
        ("data.xlsx", b"PK", "unknown table format", "file"),
        ("bad.parquet", b"not parquet at all", "cannot be read as parquet", "file"),
    ],
)
def test_bad_files_are_named(
    tmp_path: Path, name: str, content: bytes, message: str, field: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TableError, match=message) as caught:
        list(iter_frames(path))
    assert name in str(caught.value)
    assert caught.value.field == field


def test_other_encodings_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(b"name\nJos\xe9\n")
    assert next(iter(iter_frames(path, encoding="latin-1")))["name"].tolist() == ["José"]
    with pytest.raises(TableError, match="unknown encoding"):
        list(iter_frames(path, encoding="klingon"))


def test_missing_files_and_columns(tmp_path: Path) -> None:
    with pytest.raises(TableError, match="no such file"):
        list(iter_frames(tmp_path / "nowhere.csv"))
    path = tmp_path / "t.csv"
    _frame().to_csv(path, index=False)
    with pytest.raises(TableError, match="phone") as caught:
        list(iter_frames(path, columns=["phone"]))
    assert caught.value.field == "columns"


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_write_table_round_trips_and_is_private(tmp_path: Path, suffix: str) -> None:
    from bastion.tabular import write_table

    path = write_table(_frame(), tmp_path / f"out{suffix}")
    assert path.stat().st_mode & 0o077 == 0
    assert pd.concat(iter_frames(path))["email"].notna().sum() == 2
    assert [p.name for p in tmp_path.iterdir()] == [f"out{suffix}"]
