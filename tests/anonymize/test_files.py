"""Anonymizing files: CSV, Parquet and JSON Lines in several batches, the input never
touched, the output written whole or not at all, and bad input named."""

import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from bastion.anonymize import (
    AnonymizationError,
    Keys,
    SpecError,
    anonymize_file,
    anonymize_frame,
    detokenize,
)
from bastion.assessment.digests import file_digest
from bastion.tabular import TableError
from tests.anonymize.conftest import people, read_table, write_table

SPEC = {
    "columns": {
        "name": "redact",
        "email": {"operator": "pseudonymize", "prefix": "e_"},
        "ssn": "tokenize",
        "credit_card": {"operator": "mask", "keep_last": 4},
        "phone": "drop",
        "postcode": {"operator": "generalize", "truncate": 3},
        "date_of_birth": {"operator": "generalize", "date": "year"},
        "age": {"operator": "generalize", "edges": [18, 30, 45, 65]},
        "capital_gain": {"operator": "generalize", "top": 10000},
        "native_country": {"operator": "suppress", "when": {"one_of": ["Cuba", "Iran"]}},
        "education": {"operator": "replace", "label": "[education]"},
    }
}
SUFFIXES = [".csv", ".parquet", ".jsonl"]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_round_trip_in_several_batches(tmp_path: Path, keys: Keys, suffix: str) -> None:
    frame = people(700)
    src = write_table(frame, tmp_path / f"people{suffix}")
    dest = tmp_path / f"out{suffix}"
    before = file_digest(src)
    seen: list[tuple[int, int | None]] = []
    report = anonymize_file(
        src, dest, SPEC, keys=keys, batch_rows=128, progress=lambda d, t: seen.append((d, t))
    )
    assert file_digest(src) == before  # the input is only read
    assert [d for d, _ in seen] == [128, 256, 384, 512, 640, 700]
    assert {t for _, t in seen} == ({700} if suffix == ".parquet" else {None})
    out = read_table(dest)
    # Whole-frame anonymization gives the same values as the batches did.
    expected, _ = anonymize_frame(frame, SPEC, keys=keys)
    assert len(out) == len(expected) == report.rows_out
    assert out["email"].tolist() == expected["email"].tolist()
    assert out["ssn"].tolist() == expected["ssn"].tolist()
    assert out["age"].tolist() == expected["age"].tolist()
    assert out["postcode"].astype(str).tolist() == expected["postcode"].tolist()
    assert detokenize(out["ssn"], keys=keys).tolist() == frame.loc[expected.index, "ssn"].tolist()
    assert out["name"].isna().all()
    assert "phone" not in out.columns
    assert out.columns.tolist() == expected.columns.tolist()
    assert report.rows_in == 700
    assert report.rows_dropped == frame["native_country"].isin(["Cuba", "Iran"]).sum()
    assert report.input_digest == before
    assert report.output_digest == file_digest(dest)
    assert report.settings["batch_rows"] == 128
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600


def test_csv_values_pass_through_as_written(tmp_path: Path) -> None:
    src = tmp_path / "ids.csv"
    src.write_text('id,note,zip\n007,"a, quoted ""note""",02139\n1e5,NA,\n')
    dest = tmp_path / "out.csv"
    anonymize_file(
        src, dest, {"columns": {"zip": {"operator": "mask", "keep_first": 1}}}, keys=None
    )
    assert dest.read_text() == 'id,note,zip\n007,"a, quoted ""note""",0****\n1e5,NA,\n'


def test_formats_convert_by_suffix(tmp_path: Path, keys: Keys) -> None:
    src = write_table(people(300), tmp_path / "people.csv")
    report = anonymize_file(src, tmp_path / "out.parquet", SPEC, keys=keys, batch_rows=64)
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert len(out) == report.rows_out
    # Every batch's columns were cast to one schema: text stays text, empties included.
    assert out["name"].isna().all()
    assert out["email"].str.startswith("e_").all()
    parquet_in = write_table(people(300), tmp_path / "people.parquet")
    anonymize_file(parquet_in, tmp_path / "out.jsonl", SPEC, keys=keys, batch_rows=64)
    assert read_table(tmp_path / "out.jsonl")["email"].tolist() == out["email"].tolist()


def test_parquet_keeps_input_types_through_gaps(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"n": pd.array([None, None, 3, 4, None], dtype="Int64"), "s": list("abcde")}
    )
    src = write_table(frame, tmp_path / "in.parquet")
    anonymize_file(
        src, tmp_path / "out.parquet", {"columns": {"s": "redact"}}, keys=None, batch_rows=2
    )
    import pyarrow.parquet as pq

    table = pq.read_table(tmp_path / "out.parquet")
    assert str(table.schema.field("n").type) == "int64"
    assert table.column("n").to_pylist() == [None, None, 3, 4, None]
    assert table.column("s").null_count == 5


def test_pseudonyms_join_across_files_and_batches(
    tmp_path: Path, keys: Keys, other_keys: Keys
) -> None:
    frame = people(600)
    customers = frame[["email", "name", "age"]]
    orders = frame[["email", "credit_card"]].sample(frac=1.0, random_state=7).iloc[:400]
    a = write_table(customers, tmp_path / "customers.csv")
    b = write_table(orders, tmp_path / "orders.parquet")
    spec = {
        "default": "keep",
        "columns": {"email": "pseudonymize", "name": "drop"},
    }
    anonymize_file(a, tmp_path / "c.csv", spec, keys=keys, batch_rows=97)
    anonymize_file(
        b, tmp_path / "o.csv", {"columns": {"email": "pseudonymize"}}, keys=keys, batch_rows=50
    )
    joined = read_table(tmp_path / "c.csv").merge(read_table(tmp_path / "o.csv"), on="email")
    original = customers.merge(orders, on="email")
    assert len(joined) == len(original) == 400
    assert sorted(joined["credit_card"]) == sorted(original["credit_card"])
    # With another key the pseudonyms do not meet.
    anonymize_file(b, tmp_path / "o2.csv", {"columns": {"email": "pseudonymize"}}, keys=other_keys)
    assert read_table(tmp_path / "c.csv").merge(read_table(tmp_path / "o2.csv"), on="email").empty


def test_a_failure_in_a_late_batch_leaves_no_output(tmp_path: Path) -> None:
    frame = people(500)[["name", "date_of_birth", "age"]].copy()
    frame.loc[431, "date_of_birth"] = "31/12/1990"  # not ISO 8601: fails in the 5th batch
    src = write_table(frame, tmp_path / "people.csv")
    dest = tmp_path / "out.csv"
    spec = {"columns": {"date_of_birth": {"operator": "generalize", "date": "year"}}}
    with pytest.raises(AnonymizationError, match="row 432") as caught:
        anonymize_file(src, dest, spec, keys=None, batch_rows=100)
    assert "31/12/1990" not in str(caught.value)
    assert not dest.exists()
    assert os.listdir(tmp_path) == ["people.csv"]  # no temporary file either


def test_a_malformed_line_late_in_the_csv_leaves_no_output_and_keeps_the_old_one(
    tmp_path: Path, keys: Keys
) -> None:
    src = write_table(people(400), tmp_path / "people.csv")
    lines = src.read_text().splitlines()
    lines[350] += ",surplus"
    src.write_text("\n".join(lines) + "\n")
    dest = tmp_path / "out.csv"
    dest.write_text("the previous output\n")
    with pytest.raises(TableError, match="line 351") as caught:
        anonymize_file(src, dest, SPEC, keys=keys, batch_rows=50)
    assert "people.csv" in str(caught.value)
    assert dest.read_text() == "the previous output\n"
    assert sorted(os.listdir(tmp_path)) == ["out.csv", "people.csv"]


def test_dest_equal_to_src_is_refused(tmp_path: Path) -> None:
    src = write_table(people(10), tmp_path / "people.csv")
    before = file_digest(src)
    for dest in (src, tmp_path / "." / "people.csv"):
        with pytest.raises(AnonymizationError, match="overwrite the input") as caught:
            anonymize_file(src, dest, {"columns": {"name": "drop"}}, keys=None)
        assert caught.value.field == "dest"
    os.link(src, tmp_path / "linked.csv")
    with pytest.raises(AnonymizationError, match="overwrite the input"):
        anonymize_file(src, tmp_path / "linked.csv", {"columns": {"name": "drop"}}, keys=None)
    assert file_digest(src) == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty"),
        ("ragged.csv", b"a,b\n1,2\n3,4,5\n", "Expected 2 fields in line 3"),
        ("quote.csv", b'a,b\n"x,1\n2,3\n', "EOF inside string"),
        ("latin.csv", b"name\nJos\xe9\n", "not utf-8"),
        ("empty.jsonl", b"", "empty"),
    ],
)
def test_bad_files_are_named(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    src = tmp_path / name
    src.write_bytes(content)
    dest = tmp_path / f"out{src.suffix}"
    with pytest.raises(TableError, match=message):
        anonymize_file(src, dest, {"columns": {}}, keys=None)
    assert not dest.exists()
    assert sorted(os.listdir(tmp_path)) == [name]


def test_a_header_only_csv_gives_a_header_only_output(tmp_path: Path) -> None:
    src = tmp_path / "header.csv"
    src.write_text("name,email,age\n")
    dest = tmp_path / "out.csv"
    report = anonymize_file(src, dest, {"columns": {"name": "drop"}}, keys=None)
    assert dest.read_text() == "email,age\n"
    assert report.rows_in == report.rows_out == 0


def test_an_empty_parquet_file_keeps_its_columns(tmp_path: Path) -> None:
    src = write_table(people(5).iloc[:0], tmp_path / "empty.parquet")
    dest = tmp_path / "out.parquet"
    anonymize_file(src, dest, {"columns": {"name": "drop"}}, keys=None)
    assert pd.read_parquet(dest).columns.tolist() == [c for c in people(5).columns if c != "name"]


def test_setup_mistakes_are_refused_before_writing(tmp_path: Path) -> None:
    src = write_table(people(10), tmp_path / "people.csv")
    with pytest.raises(TableError, match="unknown table format"):
        anonymize_file(src, tmp_path / "out.xlsx", {"columns": {}}, keys=None)
    with pytest.raises(AnonymizationError, match="no such directory"):
        anonymize_file(src, tmp_path / "absent" / "out.csv", {"columns": {}}, keys=None)
    with pytest.raises(SpecError, match="'nmae'"):
        anonymize_file(src, tmp_path / "out.csv", {"columns": {"nmae": "drop"}}, keys=None)
    with pytest.raises(TableError, match="no such file"):
        anonymize_file(tmp_path / "absent.csv", tmp_path / "out.csv", {"columns": {}}, keys=None)
    assert sorted(os.listdir(tmp_path)) == ["people.csv"]


def test_jsonl_records_with_new_keys_late_are_refused(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"a": 1}\n{"a": 2}\n{"a": 3, "b": "x"}\n')
    with pytest.raises(AnonymizationError, match="'b' first appear at row 3"):
        anonymize_file(src, tmp_path / "out.jsonl", {"columns": {}}, keys=None, batch_rows=2)
    assert not (tmp_path / "out.jsonl").exists()
