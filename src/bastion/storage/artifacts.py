"""Content-addressed artifact store: model files, dataset snapshots, documents.

Blobs are named by their SHA-256 digest, so storing the same bytes twice keeps one copy.
A blob is written to a temporary file, hashed on the way, fsynced and then renamed into
place: a reader never sees a partial blob, and an upload that fails or is interrupted
leaves nothing behind. ``ArtifactStore`` is the interface an S3-compatible backend will
implement later.
"""

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from bastion.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge

CHUNK_SIZE = 1024 * 1024
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class BlobInfo:
    digest: str
    """Lower-case hex SHA-256 of the content."""
    size: int


class BlobWriter(Protocol):
    def write(self, chunk: bytes) -> None: ...
    def commit(self, *, expected_digest: str | None = None) -> BlobInfo: ...
    def abort(self) -> None: ...


class ArtifactStore(Protocol):
    def writer(self, *, max_size: int) -> BlobWriter:
        """Start a streamed write; ``commit()`` publishes the blob, ``abort()`` discards it."""
        ...

    def open(self, digest: str) -> Iterator[bytes]:
        """Stream a blob's content in chunks."""
        ...

    def exists(self, digest: str) -> bool: ...


def check_digest(digest: str) -> str:
    if not _DIGEST.fullmatch(digest):
        raise InvalidInput(f"not a SHA-256 hex digest: {digest!r}", field="digest")
    return digest


class _LocalWriter:
    def __init__(self, store: "LocalArtifactStore", max_size: int) -> None:
        self._store = store
        self._max_size = max_size
        self._hash = hashlib.sha256()
        self._size = 0
        fd, name = tempfile.mkstemp(dir=store.tmp_dir, prefix="upload-")
        self._path = Path(name)
        self._file: BinaryIO | None = os.fdopen(fd, "wb")

    def write(self, chunk: bytes) -> None:
        if self._file is None:
            raise RuntimeError("write after commit or abort")
        self._size += len(chunk)
        if self._size > self._max_size:
            self.abort()
            raise PayloadTooLarge(
                f"upload exceeds the limit of {self._max_size} bytes", limit=self._max_size
            )
        self._hash.update(chunk)
        self._file.write(chunk)

    def commit(self, *, expected_digest: str | None = None) -> BlobInfo:
        """Publish the blob; abort instead if its digest is not the one expected."""
        if self._file is None:
            raise RuntimeError("commit after commit or abort")
        info = BlobInfo(digest=self._hash.hexdigest(), size=self._size)
        if expected_digest is not None and expected_digest != info.digest:
            self.abort()
            raise Conflict(
                f"uploaded content has SHA-256 {info.digest}, "
                f"but the record declares {expected_digest}",
                field="digest",
            )
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = None
            final = self._store.path_for(info.digest)
            final.parent.mkdir(parents=True, exist_ok=True)
            # rename is atomic; if the blob already exists this replaces it with equal bytes.
            os.replace(self._path, final)
            _fsync_dir(final.parent)
            return info
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._path.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalArtifactStore:
    """Blobs on local disk under ``root/sha256/ab/cd/<digest>``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp_dir = root / "tmp"
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        (root / "sha256").mkdir(exist_ok=True)

    def path_for(self, digest: str) -> Path:
        check_digest(digest)
        return self.root / "sha256" / digest[:2] / digest[2:4] / digest

    def writer(self, *, max_size: int) -> BlobWriter:
        return _LocalWriter(self, max_size)

    def exists(self, digest: str) -> bool:
        return self.path_for(digest).is_file()

    def open(self, digest: str) -> Iterator[bytes]:
        path = self.path_for(digest)
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            raise NotFound(f"artifact {digest} is not in the store") from None
        return _chunks(handle)


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(CHUNK_SIZE):
            yield chunk
