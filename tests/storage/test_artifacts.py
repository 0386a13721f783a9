"""The content-addressed artifact store: round trips, deduplication, limits, atomicity."""

import hashlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bastion.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge
from bastion.storage.artifacts import LocalArtifactStore


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _put(store: LocalArtifactStore, chunks: list[bytes], *, max_size: int = 10**9):
    writer = store.writer(max_size=max_size)
    for chunk in chunks:
        writer.write(chunk)
    return writer.commit()


@settings(max_examples=50, deadline=None)
@given(chunks=st.lists(st.binary(max_size=4096), max_size=8))
def test_round_trip_is_byte_exact(tmp_path_factory: pytest.TempPathFactory, chunks: list[bytes]):
    store = LocalArtifactStore(tmp_path_factory.mktemp("store"))
    data = b"".join(chunks)
    info = _put(store, chunks)
    assert info.digest == hashlib.sha256(data).hexdigest()
    assert info.size == len(data)
    assert b"".join(store.open(info.digest)) == data
    assert store.exists(info.digest)


def test_same_content_is_stored_once(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path)
    first = _put(store, [b"model ", b"bytes"])
    second = _put(store, [b"model bytes"])
    assert first == second
    assert _files(tmp_path) == [store.path_for(first.digest)]


def test_over_the_limit_leaves_nothing(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path)
    writer = store.writer(max_size=10)
    writer.write(b"12345")
    with pytest.raises(PayloadTooLarge, match="limit of 10 bytes"):
        writer.write(b"678901")
    assert _files(tmp_path) == []


def test_abort_leaves_nothing(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path)
    writer = store.writer(max_size=100)
    writer.write(b"partial")
    writer.abort()
    assert _files(tmp_path) == []


def test_digest_mismatch_is_refused_and_nothing_kept(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path)
    writer = store.writer(max_size=100)
    writer.write(b"actual content")
    with pytest.raises(Conflict, match="declares"):
        writer.commit(expected_digest=hashlib.sha256(b"other").hexdigest())
    assert _files(tmp_path) == []


def test_expected_digest_accepted(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path)
    writer = store.writer(max_size=100)
    writer.write(b"content")
    info = writer.commit(expected_digest=hashlib.sha256(b"content").hexdigest())
    assert store.exists(info.digest)


def test_unknown_digest_is_not_found(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path)
    with pytest.raises(NotFound):
        store.open("0" * 64)


@pytest.mark.parametrize("bad", ["", "abc", "../" + "0" * 61, "A" * 64, "0" * 63 + "g"])
def test_malformed_digest_is_rejected(tmp_path: Path, bad: str) -> None:
    with pytest.raises(InvalidInput):
        LocalArtifactStore(tmp_path).path_for(bad)


def test_writer_refuses_use_after_commit(tmp_path: Path) -> None:
    writer = LocalArtifactStore(tmp_path).writer(max_size=100)
    writer.write(b"x")
    writer.commit()
    with pytest.raises(RuntimeError):
        writer.write(b"y")
