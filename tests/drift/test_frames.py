"""Reading files: CSV, Parquet and JSON Lines, with errors naming the file and line."""

from pathlib import Path

import polars as pl
import pytest

from bastion.drift import DriftInputError, compare, fit_profile, read_frame, summarize
from tests.drift.conftest import frame


def test_reads_csv_parquet_and_jsonl(tmp_path: Path) -> None:
    data = pl.DataFrame({"x": [1.5, 2.5, None], "c": ["a", "b", "c"]})
    data.write_parquet(tmp_path / "d.parquet")
    data.write_csv(tmp_path / "d.csv")
    data.write_ndjson(tmp_path / "d.jsonl")
    for name in ("d.parquet", "d.csv", "d.jsonl"):
        assert read_frame(tmp_path / name).to_dict(as_series=False) == data.to_dict(as_series=False)


def test_a_stray_word_in_a_late_row_makes_the_column_text_not_an_error(tmp_path: Path) -> None:
    rows = "\n".join(str(i) for i in range(5000))
    (tmp_path / "late.csv").write_text(f"x\n{rows}\noops\n")
    assert read_frame(tmp_path / "late.csv").schema["x"] == pl.String


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"a,b,c\n1,2,3\n4,5,6\n7,8,9,10\n", "line 4: expected 3 fields, saw 4"),
        (b"a,b\n1,x\n2,y\n3,\xff\xfe\n", "line 4: not UTF-8"),
    ],
)
def test_malformed_csv_names_the_line(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(DriftInputError, match=expected) as caught:
        read_frame(path)
    assert "bad.csv" in str(caught.value)
    assert caught.value.field == "file"


def test_missing_empty_unknown_files_and_columns(tmp_path: Path) -> None:
    with pytest.raises(DriftInputError, match="no such file"):
        read_frame(tmp_path / "none.csv")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(DriftInputError, match="empty"):
        read_frame(tmp_path / "empty.csv")
    with pytest.raises(DriftInputError, match=r"unknown table format '\.xlsx'"):
        read_frame(tmp_path / "sheet.xlsx")
    (tmp_path / "ok.csv").write_text("a,b\n1,2\n")
    with pytest.raises(DriftInputError, match=r"unknown column\(s\) \['z'\]"):
        read_frame(tmp_path / "ok.csv", columns=["a", "z"])
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(DriftInputError, match=r"bad\.parquet: cannot be read as parquet"):
        read_frame(tmp_path / "bad.parquet")


def test_files_are_profiled_and_summarized_like_the_tables_they_hold(tmp_path: Path) -> None:
    reference, window = frame(6000, 1), frame(5000, 2, shift=0.3)
    reference.write_parquet(tmp_path / "reference.parquet", row_group_size=1000)
    window.write_parquet(tmp_path / "window.parquet", row_group_size=700)
    window.write_csv(tmp_path / "window.csv")
    window.write_ndjson(tmp_path / "window.jsonl")
    in_memory = fit_profile(reference)
    from_file = fit_profile(tmp_path / "reference.parquet")  # one column at a time
    assert from_file.to_dict() == in_memory.to_dict()
    expected = summarize(window, in_memory)
    for name in ("window.parquet", "window.csv", "window.jsonl"):
        streamed = summarize(tmp_path / name, in_memory, batch_rows=999)  # batches, merged
        assert streamed.rows == 5000
        got = compare(in_memory, streamed).columns
        want = compare(in_memory, expected).columns
        for g, w in zip(got, want, strict=True):  # sums added in another order: approx
            assert g.statistic == pytest.approx(w.statistic, rel=1e-9), name
            assert g.__dict__ | {"statistic": 0} == w.__dict__ | {"statistic": 0}, name


def test_file_edge_cases_header_only_no_shared_columns_and_stray_words(tmp_path: Path) -> None:
    profile = fit_profile(pl.DataFrame({"x": [float(i) for i in range(100)]}))
    (tmp_path / "header.csv").write_text("x\n")
    assert {
        c.status for c in compare(profile, summarize(tmp_path / "header.csv", profile)).columns
    } == {"insufficient_data"}
    (tmp_path / "other.csv").write_text("y\n1\n2\n3\n")
    other = summarize(tmp_path / "other.csv", profile)
    assert other.rows == 3
    assert other.extra == {"y": "String"}
    # A late stray word: the batch holding it reads the column as text, the rest as numbers.
    rows = "\n".join(str(i % 100) for i in range(3000))
    (tmp_path / "late.csv").write_text(f"x\n{rows}\noops\n")
    late = compare(profile, summarize(tmp_path / "late.csv", profile, batch_rows=500))
    assert late.quality[0].type_violations == 1
    assert late.column("x").status == "ok"
    (tmp_path / "ragged.csv").write_text("x\n1\n2,3\n")
    with pytest.raises(DriftInputError, match=r"ragged\.csv: cannot be read as csv: line 3"):
        summarize(tmp_path / "ragged.csv", profile)
