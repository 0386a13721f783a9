"""Files that are not usable models are refused with one error naming the file and the
problem, never a traceback from inside pickle, zipfile or onnx."""

import bz2
import gzip
import io
import lzma
import pickle
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import joblib
import numpy as np
import pytest

from bastion.model_files import (
    UnsafeModelError,
    UnusableModelError,
    detect_format,
    load_model,
    scan_model_file,
)

ALL = [detect_format, scan_model_file, load_model]


def _refused(path: Path, match: str, **options: int) -> None:
    for call in ALL:
        with pytest.raises(UnusableModelError, match=match) as refused:
            call(path, **options)
        assert not isinstance(refused.value, UnsafeModelError)
        assert path.name in str(refused.value)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.pkl"
    path.write_bytes(b"")
    _refused(path, "is empty")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    _refused(tmp_path / "missing.skops", "no such file")
    folder = tmp_path / "folder.onnx"
    folder.mkdir()
    _refused(folder, "not a regular file")


def test_random_bytes_and_text(tmp_path: Path) -> None:
    noise = tmp_path / "noise.bin"
    noise.write_bytes(np.random.default_rng(7).bytes(4096))
    _refused(noise, "unknown model format")
    text = tmp_path / "model.pkl"
    text.write_text("Nothing to see here: just some text.\n" * 20)
    _refused(text, "unknown model format")


@pytest.mark.parametrize("variant", ["pickle-p2", "pickle-p5", "joblib", "joblib-zlib"])
def test_truncated_pickle_and_joblib(
    variant: str, tmp_path: Path, saved: Callable[[str, str], Path]
) -> None:
    data = saved("forest", variant).read_bytes()
    path = tmp_path / "truncated.joblib"
    path.write_bytes(data[: len(data) // 2])
    for call in (scan_model_file, load_model):
        with pytest.raises(UnusableModelError, match=r"truncated\.joblib: .*") as refused:
            call(path)
        assert not isinstance(refused.value, UnsafeModelError)


def test_truncated_skops_and_onnx(
    tmp_path: Path, saved: Callable[[str, str], Path], onnx_numeric: bytes
) -> None:
    skops_data = saved("numeric", "skops").read_bytes()
    for name, data in (("cut.skops", skops_data), ("cut.onnx", onnx_numeric)):
        path = tmp_path / name
        path.write_bytes(data[: len(data) // 2])
        for call in (scan_model_file, load_model):
            with pytest.raises(UnusableModelError, match=name.replace(".", r"\.")):
                call(path)


def test_too_large(tmp_path: Path, saved: Callable[[str, str], Path]) -> None:
    path = saved("numeric", "pickle-p5")
    _refused(path, "over the limit", max_bytes=path.stat().st_size - 1)
    assert load_model(path, max_bytes=path.stat().st_size).format == "pickle"


def _zeros_pickle(n: int) -> bytes:
    return pickle.PROTO + b"\x04" + pickle.BINBYTES8 + struct.pack("<Q", n) + bytes(n) + pickle.STOP


@pytest.mark.parametrize(
    "compress",
    [
        lambda b: zlib.compress(b, 9),
        lambda b: gzip.compress(b, 9),
        lambda b: bz2.compress(b, 9),
        lambda b: lzma.compress(b, format=lzma.FORMAT_XZ),
    ],
    ids=["zlib", "gzip", "bz2", "xz"],
)
def test_decompression_bomb(compress: Callable[[bytes], bytes], tmp_path: Path) -> None:
    path = tmp_path / "bomb.joblib"
    path.write_bytes(compress(_zeros_pickle(30_000_000)))  # 30 MB of zeros, ~30 KB on disk
    assert path.stat().st_size < 200_000
    for call in (scan_model_file, load_model):
        with pytest.raises(UnusableModelError, match="decompression bomb"):
            call(path, max_bytes=1_000_000)


def test_a_huge_zero_filled_joblib_array_is_a_bomb_too(tmp_path: Path) -> None:
    path = tmp_path / "zeros.joblib"
    joblib.dump(np.zeros(4_000_000), path, compress=3)  # 32 MB inflated
    with pytest.raises(UnusableModelError, match="decompression bomb"):
        load_model(path, max_bytes=1_000_000)
    assert load_model(path, max_bytes=40_000_000).native.shape == (4_000_000,)


def test_zip_bomb_skops(tmp_path: Path) -> None:
    path = tmp_path / "bomb.skops"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("schema.json", b" " * 30_000_000)
    assert path.stat().st_size < 200_000
    _refused(path, "decompression bomb", max_bytes=1_000_000)


def test_truncated_and_damaged_compressed_streams(tmp_path: Path) -> None:
    data = zlib.compress(pickle.dumps(list(range(10_000))))
    path = tmp_path / "short.joblib"
    path.write_bytes(data[: len(data) // 2])
    assert detect_format(path) == "pickle"  # the format shows at the start
    for call in (scan_model_file, load_model):
        with pytest.raises(UnusableModelError, match="truncated"):
            call(path)
    path.write_bytes(data + b"extra")
    with pytest.raises(UnusableModelError, match="after its zlib stream"):
        scan_model_file(path)
    path.write_bytes(gzip.compress(b"just text, not a pickle"))
    _refused(path, "does not hold a pickle")


def test_zip_that_is_not_skops(tmp_path: Path) -> None:
    path = tmp_path / "model.pt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps([1, 2]))
    _refused(path, "not a skops file")
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    _refused(path, "damaged zip")


def test_unsupported_joblib_flavours(tmp_path: Path) -> None:
    path = tmp_path / "model.joblib"
    path.write_bytes(b"\x04\x22\x4d\x18" + bytes(64))
    _refused(path, "lz4")
    path.write_bytes(b"ZF0x10" + zlib.compress(b"x"))
    _refused(path, "before 0.10")


def test_garbage_after_a_valid_header(tmp_path: Path) -> None:
    path = tmp_path / "garbage.pkl"
    path.write_bytes(pickle.PROTO + b"\x04" + b"\xff\xfe\xfd" * 10)
    for call in (scan_model_file, load_model):
        with pytest.raises(UnusableModelError, match="not a valid pickle stream"):
            call(path)


def test_a_pickle_of_nothing_useful_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "none.pkl"
    path.write_bytes(pickle.dumps(None))
    with pytest.raises(UnusableModelError, match="holds no model"):
        load_model(path)


def test_trailing_bytes_after_the_pickle_are_noted(tmp_path: Path) -> None:
    path = tmp_path / "trailing.pkl"
    path.write_bytes(pickle.dumps([1, 2]) + b"hidden")
    result = scan_model_file(path)
    assert result.verdict == "pass"
    assert any("6 bytes after the end" in note for note in result.notes)


def test_a_damaged_state_is_unusable_not_a_crash(tmp_path: Path) -> None:
    # Allowed class, state it rejects: the loader reports it naming the file.
    buffer = io.BytesIO()
    pickle.dump(np.arange(3.0), buffer, protocol=2)
    data = buffer.getvalue().replace(b"f8", b"f4")  # the data no longer fits the dtype
    path = tmp_path / "damaged.pkl"
    path.write_bytes(data)
    with pytest.raises(UnusableModelError, match=r"damaged\.pkl: cannot be loaded"):
        load_model(path)
