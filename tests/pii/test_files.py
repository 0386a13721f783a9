"""Files: CSV, Parquet and JSON Lines streamed with the same results as the table they hold;
bad files refused with errors naming the problem (and the line); plain-text files line by
line; and memory that stays bounded while a file of a few hundred megabytes streams."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from bastion.pii import PiiInputError, scan_file, scan_table, scan_text_file
from bastion.tabular import TableError

from .conftest import IDENTIFIERS

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    from .conftest import adult_with_identifiers

    return adult_with_identifiers().head(600).astype(str).reset_index(drop=True)


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_files_give_the_table_result(tmp_path: Path, frame: pd.DataFrame, suffix: str) -> None:
    path = tmp_path / f"people{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_json(path, orient="records", lines=True)
    seen: list[tuple[int, int]] = []
    from_file = scan_file(
        path, batch_rows=128, progress=lambda done, total: seen.append((done, total))
    )
    from_table = scan_table(frame)
    assert [c.entity for c in from_file.columns] == [c.entity for c in from_table.columns]
    for column, (entity, _) in IDENTIFIERS.items():
        assert next(c for c in from_file.columns if c.column == column).entity == entity
    assert from_file.rows == 600
    assert seen[-1][0] == 600
    assert len(seen) == 5
    assert seen[-1][1] == (600 if suffix == ".parquet" else 0)
    assert len(from_file.inputs["data"]) == 64


def test_file_sample_is_the_table_sample(tmp_path: Path, frame: pd.DataFrame) -> None:
    # The same seed draws the same rows whether they come as one table or in batches.
    path = tmp_path / "people.csv"
    frame.to_csv(path, index=False)
    streamed = scan_file(path, sample=50, batch_rows=97, seed=11).to_dict()
    whole = scan_table(frame, sample=50, seed=11).to_dict()
    for d in (streamed, whole):
        d.pop("inputs")
        d.pop("settings")
    assert streamed == whole


def test_exact_file_counts_every_value(tmp_path: Path, frame: pd.DataFrame) -> None:
    path = tmp_path / "people.csv"
    frame.to_csv(path, index=False)
    result = scan_file(path, exact=True, batch_rows=100)
    email = next(c for c in result.columns if c.column == "email")
    assert (email.entity, email.examined, email.matched) == ("EMAIL_ADDRESS", 600, 600)


@pytest.mark.parametrize(
    ("name", "content", "message", "field"),
    [
        (
            "ragged.csv",
            b"email,ssn\na@b.com,1\nc@d.com,2,3\n",
            "Expected 2 fields in line 3",
            "file",
        ),
        ("quote.csv", b'email\n"a@b.com\nc@d.com\n', "EOF inside string", "file"),
        ("empty.csv", b"", "empty", "file"),
        ("latin.csv", b"name\nJos\xe9\n", "not utf-8", "encoding"),
        ("data.xlsx", b"PK", "unknown table format", "file"),
    ],
)
def test_bad_files(tmp_path: Path, name: str, content: bytes, message: str, field: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TableError, match=message) as caught:
        scan_file(path)
    assert caught.value.field == field
    assert isinstance(caught.value, ValueError)


def test_unknown_encoding_and_explicit_encoding(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("name,email\nJosé Núñez,jose@example.com\n".encode("latin-1"))
    with pytest.raises(TableError, match="unknown encoding 'klingon'"):
        scan_file(path, encoding="klingon")
    result = scan_file(path, encoding="latin-1")
    assert result.columns[1].entity == "EMAIL_ADDRESS"


def test_text_file_line_by_line(tmp_path: Path) -> None:
    key = (
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
    )
    path = tmp_path / "notes.txt"
    path.write_text(
        "meeting notes, nothing personal\n"
        "call Jane Doe on +44 20 7946 0958 or jane@example.com\n" + key + "done\n",
        encoding="utf-8",
    )
    result = scan_text_file(path)
    found = [(s.line, s.start, s.end, s.entity) for s in result.spans]
    assert found == [
        (2, 5, 13, "PERSON"),
        (2, 17, 33, "PHONE_NUMBER"),
        (2, 37, 53, "EMAIL_ADDRESS"),
        (3, 0, 27, "PRIVATE_KEY"),
    ]
    assert result.counts == {"PERSON": 1, "PHONE_NUMBER": 1, "EMAIL_ADDRESS": 1, "PRIVATE_KEY": 1}
    assert result.lines == 6
    assert (result.verdict, result.suggested_classification) == ("fail", "restricted")
    document = json.dumps(result.to_dict())
    assert "jane@example.com" not in document
    assert "Jane" not in document
    assert list(result.to_frame().columns)[:4] == ["line", "start", "end", "entity"]
    assert "<h4>" in result._repr_html_()


def test_text_file_bad_input(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(PiiInputError, match="empty"):
        scan_text_file(empty)
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"ok\nJos\xe9\n")
    with pytest.raises(PiiInputError, match="line 2 is not utf-8"):
        scan_text_file(latin)
    assert scan_text_file(latin, encoding="latin-1").lines == 2
    with pytest.raises(PiiInputError, match="unknown encoding"):
        scan_text_file(latin, encoding="klingon")
    with pytest.raises(PiiInputError, match="no such file"):
        scan_text_file(tmp_path / "missing.txt")


_WRITE = textwrap.dedent(
    """
    import sys
    import numpy as np

    path, megabytes = sys.argv[1], int(sys.argv[2])
    rng = np.random.default_rng(0)
    first = np.array(["James", "Mary", "John", "Patricia", "Robert", "Linda"])
    last = np.array(["Smith", "Johnson", "Williams", "Brown", "Jones"])
    with open(path, "w") as f:
        f.write("id,name,email,ssn,amount,notes\\n")
        i = 0
        while f.tell() < megabytes * 1_000_000:
            k = 50_000
            a, b = rng.integers(0, 6, k), rng.integers(0, 5, k)
            area, grp = rng.integers(1, 666, k), rng.integers(1, 99, k)
            ser = rng.integers(1, 9999, k)
            f.writelines(
                f"{i + j},{first[x]} {last[y]},"
                f"{first[x].lower()}.{last[y].lower()}{i + j}@example.com,"
                f"{p:03d}-{q:02d}-{r:04d},{j * 0.37:.2f},shipped to the customer without delay\\n"
                for j, (x, y, p, q, r) in enumerate(zip(a, b, area, grp, ser))
            )
            i += k
    """
)
# The scan runs in a fresh process, so that its peak RSS is the scan's alone. The peak is
# read from VmHWM, which exec resets (getrusage's ru_maxrss keeps the parent's RSS at fork,
# here the whole pytest process).
_SCAN = textwrap.dedent(
    """
    import json, re, sys
    from bastion.pii import scan_file

    result = scan_file(sys.argv[1], exact=sys.argv[2] == "exact")
    with open("/proc/self/status") as f:
        peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", f.read()).group(1)) / 1024
    print(json.dumps([peak, result.rows, [c.entity for c in result.columns]]))
    """
)


def _stream(tmp_path: Path, megabytes: int, exact: bool) -> tuple[float, int, list[str]]:
    path = tmp_path / "big.csv"
    subprocess.run(
        [sys.executable, "-c", _WRITE, str(path), str(megabytes)], check=True, timeout=600
    )
    assert path.stat().st_size >= megabytes * 1_000_000
    out = subprocess.run(
        [sys.executable, "-c", _SCAN, str(path), "exact" if exact else "sample"],
        capture_output=True, text=True, check=True, cwd=REPO, timeout=600,
    )  # fmt: skip
    peak, rows, entities = json.loads(out.stdout)
    return float(peak), int(rows), list(entities)


def test_a_file_streams_in_bounded_memory(tmp_path: Path) -> None:
    # 100 MB of CSV: read whole into pandas it would take several times that.
    peak, rows, entities = _stream(tmp_path, 100, exact=False)
    assert peak < 300, f"peak RSS {peak:.0f} MB"
    assert rows > 800_000
    assert entities == [None, "PERSON", "EMAIL_ADDRESS", "US_SSN", None, None]


@pytest.mark.slow
@pytest.mark.parametrize("exact", [False, True])
def test_a_400_mb_file_streams_in_bounded_memory(tmp_path: Path, exact: bool) -> None:
    peak, rows, entities = _stream(tmp_path, 400, exact=exact)
    assert peak < 300, f"peak RSS {peak:.0f} MB"
    assert rows > 3_000_000
    assert entities == [None, "PERSON", "EMAIL_ADDRESS", "US_SSN", None, None]
