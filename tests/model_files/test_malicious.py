"""Pickles that run code when loaded are refused by the scan and by the loader, and the
code never runs: each payload would create a MARKER file."""

import builtins
import io
import os
import pickle
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
import skops.io
from fickling.fickle import Pickled
from sklearn.base import clone
from sklearn.pipeline import make_pipeline

from bastion.model_files import (
    UnsafeModelError,
    UnusableModelError,
    load_model,
    scan_model_file,
)
from bastion.model_files.pickles import PickleReport, UnsafePickle, load_pickle, walk_pickle
from bastion.model_files.policy import AllowList, normalize_global
from tests.model_files.conftest import CustomScaler, Trained


class _Payload:
    """Base of the payloads: each reduces to a call that would create ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker


class OsSystem(_Payload):
    def __reduce__(self) -> Any:
        return (os.system, (f"touch {self.marker}",))


class BuiltinsEval(_Payload):
    def __reduce__(self) -> Any:
        return (builtins.eval, (f"__import__('os').system('touch {self.marker}')",))


class BuiltinsExec(_Payload):
    def __reduce__(self) -> Any:
        return (builtins.exec, (f"open({str(self.marker)!r}, 'w').close()",))


class SubprocessPopen(_Payload):
    def __reduce__(self) -> Any:
        return (subprocess.Popen, (["touch", str(self.marker)],))


class _ImportOs:
    def __reduce__(self) -> Any:
        return (builtins.__import__, ("os",))


class _GetSystem:
    def __call__(self) -> None:  # pickle insists that a reduce function is callable
        pass

    def __reduce__(self) -> Any:
        return (builtins.getattr, (_ImportOs(), "system"))


class GetattrChain(_Payload):
    """``getattr(__import__('os'), 'system')('touch MARKER')``."""

    def __reduce__(self) -> Any:
        return (_GetSystem(), (f"touch {self.marker}",))


PAYLOADS = [OsSystem, BuiltinsEval, BuiltinsExec, SubprocessPopen, GetattrChain]


@pytest.fixture
def marker(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "MARKER"
    yield path
    assert not path.exists(), "the payload ran"


def _refused_everywhere(path: Path, *expected: str) -> None:
    result = scan_model_file(path)
    assert result.verdict == "fail"
    unsafe = {f.name for f in result.unsafe}
    for name in expected:
        assert name in unsafe, (name, unsafe)
    with pytest.raises(UnsafeModelError) as refused:
        load_model(path)
    assert path.name in str(refused.value)
    for name in expected:
        assert name in str(refused.value)


def _expected(payload: type[_Payload]) -> tuple[str, ...]:
    return {
        OsSystem: ("posix.system",),
        BuiltinsEval: ("builtins.eval",),
        BuiltinsExec: ("builtins.exec",),
        SubprocessPopen: ("subprocess.Popen",),
        GetattrChain: ("builtins.getattr", "builtins.__import__"),
    }[payload]


@pytest.mark.parametrize("protocol", [0, 2, 5])
@pytest.mark.parametrize("payload", PAYLOADS)
def test_malicious_pickle_is_refused_and_never_runs(
    payload: type[_Payload], protocol: int, marker: Path, tmp_path: Path, numeric: Trained
) -> None:
    path = tmp_path / "model.pkl"
    # Hidden beside a real model, as an attacker would.
    path.write_bytes(pickle.dumps([numeric.model, payload(marker)], protocol=protocol))

    _refused_everywhere(path, *_expected(payload))


@pytest.mark.parametrize("compress", [0, 3, ("gzip", 3), ("xz", 3)])
@pytest.mark.parametrize("payload", [OsSystem, GetattrChain])
def test_malicious_joblib_is_refused_and_never_runs(
    payload: type[_Payload], compress: Any, marker: Path, tmp_path: Path, forest: Trained
) -> None:
    path = tmp_path / "model.joblib"
    # After the forest's raw array bytes, which a plain opcode walk cannot read past.
    joblib.dump({"model": forest.model, "x": payload(marker)}, path, compress=compress)

    _refused_everywhere(path, *_expected(payload))


def test_a_payload_inside_a_joblib_object_array_is_found(marker: Path, tmp_path: Path) -> None:
    # joblib writes object arrays as a nested pickle stream inside the file.
    values = np.empty(2, dtype=object)
    values[:] = ["fine", OsSystem(marker)]
    path = tmp_path / "objects.joblib"
    joblib.dump({"weights": np.arange(5.0), "labels": values}, path)

    _refused_everywhere(path, "posix.system")


def test_harmless_global_outside_the_allow_list_is_refused_with_its_name(tmp_path: Path) -> None:
    from fractions import Fraction

    path = tmp_path / "fraction.pkl"
    path.write_bytes(pickle.dumps({"threshold": Fraction(1, 3)}))

    result = scan_model_file(path)
    (finding,) = result.unsafe
    assert finding.name == "fractions.Fraction"
    assert "default deny" in finding.reason
    with pytest.raises(UnsafeModelError, match=r"fractions\.Fraction"):
        load_model(path)
    assert scan_model_file(path, allow=["fractions."]).verdict == "pass"


def test_allow_cannot_admit_what_is_always_refused(marker: Path, tmp_path: Path) -> None:
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(OsSystem(marker)))

    for allow in (["posix."], ["posix.system"], ["os."]):
        with pytest.raises(UnsafeModelError, match=r"posix\.system"):
            load_model(path, allow=allow)


def test_skops_file_with_an_untrusted_type_is_refused(tmp_path: Path, numeric: Trained) -> None:
    custom = make_pipeline(CustomScaler(), clone(numeric.model[-1])).fit(
        numeric.X.to_numpy(), numeric.model.predict(numeric.X)
    )
    path = tmp_path / "custom.skops"
    skops.io.dump(custom, path)
    name = f"{CustomScaler.__module__}.CustomScaler"

    result = scan_model_file(path)
    assert result.verdict == "fail"
    assert [f.name for f in result.unsafe] == [name]
    with pytest.raises(UnsafeModelError, match="CustomScaler"):
        load_model(path)
    # Admitted explicitly, it loads with exactly that type trusted.
    loaded = load_model(path, allow=[name])
    np.testing.assert_array_equal(
        loaded.predict(numeric.X.to_numpy()), custom.predict(numeric.X.to_numpy())
    )


# -- crafted streams: what a pickler never writes, but an attacker can ------------------


def _op(code: bytes, arg: bytes = b"") -> bytes:
    return code + arg


def _str(s: str) -> bytes:
    data = s.encode()
    return pickle.SHORT_BINUNICODE + bytes([len(data)]) + data


def _stack_global(module: str, name: str) -> bytes:
    return _str(module) + _str(name) + pickle.STACK_GLOBAL


def test_stack_global_through_the_memo_is_resolved(marker: Path, tmp_path: Path) -> None:
    # The module and name are stored in the memo first and fetched back later, with
    # harmless-looking strings in between.
    stream = (
        pickle.PROTO + b"\x04"
        + _str("os") + pickle.MEMOIZE + pickle.POP
        + _str("system") + pickle.MEMOIZE + pickle.POP
        + _str("numpy") + pickle.POP
        + pickle.BINGET + b"\x00" + pickle.BINGET + b"\x01" + pickle.STACK_GLOBAL
        + _str(f"touch {marker}") + pickle.TUPLE1 + pickle.REDUCE + pickle.STOP
    )  # fmt: skip
    path = tmp_path / "memo.pkl"
    path.write_bytes(stream)

    _refused_everywhere(path, "os.system")


def test_attribute_paths_and_dunders_are_refused(tmp_path: Path) -> None:
    # Protocol 4 resolves dotted names attribute by attribute: sklearn.base imports os.
    for module, name in [("sklearn.base", "os.system"), ("numpy", "__builtins__")]:
        stream = pickle.PROTO + b"\x04" + _stack_global(module, name) + pickle.STOP
        path = tmp_path / "path.pkl"
        path.write_bytes(stream)
        _refused_everywhere(path, f"{module}.{name}")


def test_stack_global_with_computed_operands_is_refused(tmp_path: Path) -> None:
    # The module name is the result of a call: the scan cannot know it, so it refuses.
    stream = (
        pickle.PROTO + b"\x04"
        + _stack_global("builtins", "str") + _str("os") + pickle.TUPLE1 + pickle.REDUCE
        + _str("system") + pickle.STACK_GLOBAL + pickle.STOP
    )  # fmt: skip
    path = tmp_path / "computed.pkl"
    path.write_bytes(stream)

    result = scan_model_file(path)
    assert [f.name for f in result.unsafe] == ["STACK_GLOBAL with computed operands"]
    with pytest.raises(UnsafeModelError):
        load_model(path)


def test_build_on_a_class_is_refused(tmp_path: Path) -> None:
    # BUILD with a slot state sets attributes: on a class it would rewrite that class for
    # the whole process (here: Pipeline.predict = LogisticRegression).
    stream = (
        pickle.PROTO + b"\x04"
        + _stack_global("sklearn.pipeline", "Pipeline")
        + pickle.NONE + pickle.EMPTY_DICT
        + _str("predict") + _stack_global("sklearn.linear_model", "LogisticRegression")
        + pickle.SETITEM + pickle.TUPLE2 + pickle.BUILD + pickle.STOP
    )  # fmt: skip
    path = tmp_path / "build.pkl"
    path.write_bytes(stream)

    result = scan_model_file(path)
    assert [f.name for f in result.unsafe] == ["BUILD on sklearn.pipeline.Pipeline"]
    with pytest.raises(UnsafeModelError):
        load_model(path)
    # The loader refuses it on its own too.
    with pytest.raises(UnsafePickle, match="BUILD"):
        load_pickle(stream, walk_pickle(stream), AllowList())
    from sklearn.pipeline import Pipeline

    assert not isinstance(Pipeline.__dict__["predict"], type)


def test_persistent_ids_and_extension_codes_are_refused(tmp_path: Path) -> None:
    for body in (_str("x") + pickle.BINPERSID, pickle.EXT1 + b"\x01"):
        path = tmp_path / "ext.pkl"
        path.write_bytes(pickle.PROTO + b"\x04" + body + pickle.STOP)
        assert scan_model_file(path).verdict == "fail"
        with pytest.raises(UnsafeModelError):
            load_model(path)


def test_a_joblib_record_built_by_reduce_is_refused(tmp_path: Path) -> None:
    # joblib writes its array records with NEWOBJ; built by REDUCE, __init__ would set
    # attributes the scan cannot see, so where the raw bytes end could be misjudged.
    stream = (
        pickle.PROTO + b"\x04"
        + _stack_global("joblib.numpy_pickle", "NumpyArrayWrapper")
        + pickle.EMPTY_TUPLE + pickle.REDUCE + pickle.STOP
    )  # fmt: skip
    path = tmp_path / "wrapper.pkl"
    path.write_bytes(stream)

    result = scan_model_file(path)
    assert any(f.kind == "operation" for f in result.unsafe)


# -- defence in depth: the loader alone refuses what the scan would ------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_restricted_loader_refuses_without_the_scan(
    payload: type[_Payload], marker: Path
) -> None:
    stream = pickle.dumps(payload(marker), protocol=4)
    with pytest.raises(UnsafePickle):
        load_pickle(stream, PickleReport(), AllowList())


def test_the_loader_reads_array_bytes_only_where_the_scan_expected(forest: Trained) -> None:
    buffer = io.BytesIO()
    joblib.dump(forest.model, buffer)
    stream = buffer.getvalue()

    assert load_pickle(stream, walk_pickle(stream), AllowList()) is not None
    with pytest.raises(UnsafePickle, match="did not expect"):
        load_pickle(stream, PickleReport(), AllowList())


# -- the scan's list of imports matches fickling's on plain pickles -------------------------


def _fickling_imports(stream: bytes, protocol: int) -> set[tuple[str, str]]:
    found = set()
    for node in Pickled.load(stream).properties.imports:
        for alias in node.names:
            found.add(normalize_global(node.module or "", alias.name, protocol))
    return found


# Not protocol 5: fickling 0.1.12 cannot parse BYTEARRAY8, which numpy arrays use there.
@pytest.mark.parametrize("protocol", [2, 4])
def test_the_scan_lists_the_same_imports_as_fickling(
    protocol: int, marker: Path, forest: Trained
) -> None:
    objects: list[Callable[[], Any]] = [
        lambda: forest.model,
        lambda: [forest.model, OsSystem(marker)],
        lambda: GetattrChain(marker),
        lambda: SubprocessPopen(marker),
    ]
    for make in objects:
        stream = pickle.dumps(make(), protocol=protocol)
        assert set(walk_pickle(stream).globals) == _fickling_imports(stream, protocol)


def test_unusable_is_the_parent_of_unsafe() -> None:
    # Callers that catch UnusableModelError also catch refusals.
    assert issubclass(UnsafeModelError, UnusableModelError)
