"""Reading a model file within a size limit and telling its format from its content.

A file is read once, into memory, and everything after — digest, scan, load — works on
those bytes: what was scanned is what is loaded, even if the file changes on disk in
between. The suffix is never trusted: a pickle named ``model.onnx`` is a pickle.
Compressed joblib files are inflated here in bounded steps, so that a small file that
inflates to gigabytes (a decompression bomb) is refused once it passes ``max_bytes``.
"""

from __future__ import annotations

import bz2
import hashlib
import io
import lzma
import os
import pickletools
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import onnx

from bastion.assessment.errors import UnusableModelError
from bastion.assessment.model import ModelFormat

__all__ = ["DEFAULT_MAX_BYTES", "ModelBytes", "detect_format", "read_model_file"]

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
"""The default limit, in bytes, on a model file and on what a compressed file inflates to."""

_MAX_ZIP_ENTRIES = 100_000

Compression = Literal["zlib", "gzip", "bz2", "lzma", "xz"]

# joblib's magic numbers (joblib/compressor.py), longest first where they could overlap.
_COMPRESSION_MAGIC: tuple[tuple[bytes, Compression], ...] = (
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\x5d\x00\x00", "lzma"),
)
_LZ4_MAGIC = b"\x04\x22\x4d\x18"
_JOBLIB_LEGACY_MAGIC = b"ZF"
_ZIP_MAGIC = b"PK\x03\x04"
# Opcodes a protocol 0 or 1 pickle (which has no PROTO header) can start with.
_OLD_PICKLE_STARTS = frozenset(b"(]})cilNIJKLMFGSTUVX")


@dataclass(frozen=True)
class ModelBytes:
    """A model file's bytes and what they are.

    Attributes
    ----------
    source : str
        The file's name, for messages.
    data : bytes
        The file's bytes, as read.
    sha256 : str
        Their SHA-256 (the same as :func:`bastion.assessment.digests.file_digest`).
    format : {"skops", "onnx", "pickle"}
    compression : str or None
        For a compressed joblib file: zlib, gzip, bz2, lzma or xz.
    payload : bytes
        The pickle stream (inflated if compressed); for other formats, ``data``.
    """

    source: str
    data: bytes
    sha256: str
    format: ModelFormat
    compression: Compression | None
    payload: bytes

    @property
    def size(self) -> int:
        """The file's size in bytes."""
        return len(self.data)


def _refuse(source: str, problem: str) -> UnusableModelError:
    return UnusableModelError(f"{source}: {problem}", field="model")


def _read(path: str | os.PathLike[str], max_bytes: int) -> tuple[str, bytes]:
    if max_bytes <= 0:
        raise UnusableModelError(f"max_bytes must be positive, got {max_bytes}", field="max_bytes")
    p = Path(path)
    if not p.exists():
        raise _refuse(str(p), "no such file")
    if not p.is_file():
        raise _refuse(str(p), "not a regular file")
    size = p.stat().st_size
    if size > max_bytes:
        raise _refuse(p.name, f"is {size:,} bytes, over the limit of {max_bytes:,} (max_bytes)")
    with p.open("rb") as f:
        data = f.read(max_bytes + 1)  # + 1: notice a file that grew since stat()
    if len(data) > max_bytes:
        raise _refuse(p.name, f"is over the limit of {max_bytes:,} bytes (max_bytes)")
    if not data:
        raise _refuse(p.name, "is empty")
    return p.name, data


def inflate(
    source: str, data: bytes, kind: Compression, limit: int, *, prefix: bool = False
) -> bytes:
    """Decompress ``data``, refusing output past ``limit`` bytes.

    Each step asks the decompressor for at most the bytes still allowed, so memory stays
    within the limit whatever the compression ratio. With ``prefix``, return the first
    ``limit`` bytes without complaint (enough to recognize a pickle).
    """
    out = bytearray()
    try:
        if kind in ("zlib", "gzip"):
            z = zlib.decompressobj(wbits=zlib.MAX_WBITS | (16 if kind == "gzip" else 0))
            pending = data
            while not z.eof and len(out) <= limit:
                chunk = z.decompress(pending, limit + 1 - len(out))
                pending = z.unconsumed_tail
                out += chunk
                if not chunk and not pending:
                    break  # input exhausted before the end of the stream
            eof, unused = z.eof, z.unused_data
        else:
            d = (
                bz2.BZ2Decompressor()
                if kind == "bz2"
                else lzma.LZMADecompressor(
                    format=lzma.FORMAT_ALONE if kind == "lzma" else lzma.FORMAT_XZ
                )
            )
            out += d.decompress(data, limit + 1)
            while not d.eof and not d.needs_input and len(out) <= limit:
                out += d.decompress(b"", limit + 1 - len(out))
            eof, unused = d.eof, d.unused_data
    except (zlib.error, OSError, lzma.LZMAError, EOFError, ValueError) as exc:
        raise _refuse(source, f"cannot be decompressed as {kind}: {exc}") from exc
    if prefix:
        return bytes(out[:limit])
    if len(out) > limit:
        raise _refuse(
            source,
            f"inflates to more than {limit:,} bytes (max_bytes): refused as a possible "
            "decompression bomb",
        )
    if not eof:
        raise _refuse(source, f"is truncated: its {kind} stream ends early")
    if unused:
        raise _refuse(source, f"has {len(unused):,} bytes after its {kind} stream")
    return bytes(out)


def _compression(data: bytes) -> Compression | None:
    for magic, kind in _COMPRESSION_MAGIC:
        if data.startswith(magic):
            return kind
    # A zlib stream: its two-byte header is a multiple of 31 (RFC 1950, section 2.2).
    if len(data) >= 2 and data[0] == 0x78 and (data[0] << 8 | data[1]) % 31 == 0:
        return "zlib"
    return None


def _looks_like_pickle(data: bytes) -> bool:
    """Whether the bytes start like a pickle stream (it is parsed in full later)."""
    if len(data) >= 2 and data[0] == 0x80:
        return data[1] <= 5
    if not data or data[0] not in _OLD_PICKLE_STARTS:
        return False
    # Protocol 0 and 1 have no header: accept if the first opcodes parse (up to STOP, or
    # 64 of them, or 8 before the 4 KiB prefix runs out).
    count = 0
    try:
        for _ in pickletools.genops(io.BytesIO(data[:4096])):
            count += 1
            if count >= 64:
                break
    except ValueError:
        return len(data) > 4096 and count >= 8
    return True


def _onnx_model(data: bytes) -> onnx.ModelProto | None:
    """The ONNX model the bytes hold, or ``None``.

    Protocol buffers accept unknown fields, so some arbitrary bytes parse; a model must
    also have a graph, an IR version and an opset.
    """
    try:
        model = onnx.load_model_from_string(data)
    except Exception:  # protobuf's DecodeError (untyped here) or onnx's: not ONNX either way
        return None
    if model.ir_version <= 0 or not model.HasField("graph") or not model.opset_import:
        return None
    return model


def _zip_kind(source: str, data: bytes, max_bytes: int) -> ModelFormat:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse(source, f"is a damaged zip archive: {exc}") from exc
    if not any(e.filename == "schema.json" for e in entries):
        raise _refuse(
            source,
            "is a zip archive without schema.json, so not a skops file (PyTorch and Keras "
            "archives are not supported)",
        )
    # zipfile never returns more than an entry's declared size, so the declared sizes
    # bound what skops can inflate: a zip bomb is refused before skops opens it.
    if len(entries) > _MAX_ZIP_ENTRIES:
        raise _refuse(source, f"holds {len(entries):,} entries, over {_MAX_ZIP_ENTRIES:,}")
    inflated = sum(e.file_size for e in entries)
    if inflated > max_bytes:
        raise _refuse(
            source,
            f"inflates to {inflated:,} bytes, over the limit of {max_bytes:,} (max_bytes): "
            "refused as a possible decompression bomb",
        )
    return "skops"


def identify(source: str, data: bytes, max_bytes: int) -> ModelBytes:
    """What the bytes of a model file are; refuses unknown formats, naming the file."""
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(_ZIP_MAGIC):
        return ModelBytes(source, data, digest, _zip_kind(source, data, max_bytes), None, data)
    if data.startswith(_LZ4_MAGIC):
        raise _refuse(
            source,
            "is lz4-compressed joblib, which is not supported; re-save it "
            "with compress=('zlib', 3) or as skops",
        )
    if data.startswith(_JOBLIB_LEGACY_MAGIC):
        raise _refuse(
            source,
            "is in the format of joblib before 0.10 (companion files), "
            "which is not supported; re-save it",
        )
    kind = _compression(data)
    if kind is not None:
        payload = inflate(source, data, kind, max_bytes)
        if not _looks_like_pickle(payload):
            raise _refuse(source, f"is {kind}-compressed but does not hold a pickle or joblib file")
        return ModelBytes(source, data, digest, "pickle", kind, payload)
    if _looks_like_pickle(data):
        return ModelBytes(source, data, digest, "pickle", None, data)
    if _onnx_model(data) is not None:
        return ModelBytes(source, data, digest, "onnx", None, data)
    raise _refuse(
        source,
        f"unknown model format (not skops, ONNX, pickle or joblib; it starts with {data[:8]!r})",
    )


def read_model_file(
    path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> ModelBytes:
    """Read a model file within ``max_bytes`` and identify its format by content.

    Raises
    ------
    UnusableModelError
        If the file is missing, empty, over ``max_bytes`` (or inflates past it), damaged,
        or of an unknown format; the message names the file.
    """
    source, data = _read(path, max_bytes)
    return identify(source, data, max_bytes)


def detect_format(
    path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> ModelFormat:
    """The format of a model file, from its content (the suffix is ignored).

    Parameters
    ----------
    path : str or path-like
    max_bytes : int
        Files larger than this, or compressed files inflating past it, are refused.

    Returns
    -------
    {"skops", "onnx", "pickle"}
        ``"skops"`` for a zip archive holding ``schema.json``; ``"pickle"`` for pickle and
        joblib files, compressed (zlib, gzip, bz2, lzma, xz) or not; ``"onnx"`` for a
        serialized ONNX ``ModelProto``.

    Raises
    ------
    UnusableModelError
        If the file is missing, empty, too large or of an unknown format.
    """
    source, data = _read(path, max_bytes)
    if data.startswith(_ZIP_MAGIC):
        return _zip_kind(source, data, max_bytes)
    kind = _compression(data)
    if kind is not None:
        if _looks_like_pickle(inflate(source, data, kind, 4096, prefix=True)):
            return "pickle"
        raise _refuse(source, f"is {kind}-compressed but does not hold a pickle or joblib file")
    return identify(source, data, max_bytes).format
