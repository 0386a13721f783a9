"""Pickle and joblib files: a scan that runs nothing, and a loader that imports only what
the scan allowed.

The scan (:func:`walk_pickle`) follows the pickle virtual machine symbolically over
:func:`pickletools.genops`: it keeps the stack, the marks and the memo as the unpickler
would, but a global is only *recorded*, never imported, and a call only builds a record of
what would be called. That is what resolves ``STACK_GLOBAL`` (whose module and name come
from the stack, often through the memo) and what lets it read joblib files, which are not
pure pickle: after each ``NumpyArrayWrapper`` record joblib writes the array's raw bytes
(or, for object arrays, a nested pickle) straight into the stream. The scan computes
their length from the record's dtype and shape (building the numpy dtype from constants,
as the unpickler would) and steps over them.

fickling (``fickling.fickle.Pickled``) decompiles pickles the same way, but reads the raw
array bytes of a joblib file as opcodes; the tests check that both list the same globals
on plain pickles.

The loader (:func:`load_pickle`) is joblib's own ``NumpyUnpickler`` with ``find_class``
answered by :mod:`bastion.model_files.policy`, and with guards that keep it in step with
the scan: it reads array bytes only at the offsets the scan predicted, builds only objects
(never classes, functions or modules), and unpickles nested object arrays with the same
restrictions.
"""

from __future__ import annotations

import inspect
import io
import math
import pickle
import pickletools
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from joblib.numpy_pickle import NumpyArrayWrapper, NumpyUnpickler  # type: ignore[import-untyped]

from bastion.model_files.policy import AllowList, normalize_global, resolve_global

__all__ = ["PickleReport", "ScanAborted", "UnsafePickle", "load_pickle", "walk_pickle"]

_WRAPPER = ("joblib.numpy_pickle", "NumpyArrayWrapper")
_RECONSTRUCTOR = ("copyreg", "_reconstructor")
_DTYPE = ("numpy", "dtype")
_MAX_DEPTH = 32
# The pure-Python unpickler joblib builds on; typeshed does not describe its load_* methods.
_PyUnpickler: Any = (
    pickle._Unpickler
)  # nesting of dtypes within dtypes, and of object arrays within arrays


class ScanAborted(Exception):
    """The stream cannot be followed: corrupt, truncated, or built in a way no pickler
    writes. The file is refused without loading it."""


class UnsafePickle(Exception):
    """The restricted loader met a global or an operation it refuses."""


@dataclass(frozen=True, eq=False)
class _Global:
    module: str
    name: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.module, self.name)

    def __str__(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass(eq=False)
class _Obj:
    """What a call (REDUCE, NEWOBJ, INST, OBJ) would return."""

    func: Any
    args: Any
    opcode: str
    attrs: dict[str, Any] = field(default_factory=dict)
    states: list[Any] = field(default_factory=list)


class _SymList(list[Any]):
    pass


class _SymSet(list[Any]):
    pass


@dataclass(eq=False)
class _SymDict:
    pairs: list[tuple[Any, Any]] = field(default_factory=list)


class _Unknown:
    """A value the scan cannot follow (a persistent id, an out-of-band buffer, …)."""


class _Array:
    """A numpy array joblib reads from the raw bytes after its record."""


@dataclass
class PickleReport:
    """What a walk over a pickle or joblib stream found.

    Attributes
    ----------
    globals : dict
        Each ``(module, name)`` the unpickler would import, normalized as it would be,
        with how many times it is named, in order of first appearance.
    problems : list of (str, str)
        Operations refused whatever the globals: what, and why.
    protocol : int
        The highest pickle protocol declared.
    arrays : int
        joblib array records (their raw bytes are stepped over).
    array_offsets : set of int
        Where each raw array starts in the stream (the loader reads nowhere else).
    end : int
        The offset just after the outer pickle's STOP.
    """

    globals: dict[tuple[str, str], int] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)
    protocol: int = 0
    arrays: int = 0
    array_offsets: set[int] = field(default_factory=set)
    end: int = 0

    def problem(self, what: str, why: str) -> None:
        if (what, why) not in self.problems:
            self.problems.append((what, why))


def _ops(stream: io.BytesIO) -> Iterator[tuple[str, Any, int, int]]:
    """``(opcode name, argument, start, end)`` for each opcode, read lazily.

    Lazily, so that the walker can step over joblib's raw bytes between two opcodes.
    """
    try:
        for info, arg, pos in pickletools.genops(stream):
            yield info.name, arg, pos if pos is not None else 0, stream.tell()
    except ValueError as exc:  # pickletools' error for bad and truncated streams
        raise ScanAborted(f"not a valid pickle stream: {exc}") from exc


class _Walker:
    """One pickle stream, followed as ``pickle._Unpickler`` would follow it."""

    def __init__(
        self, stream: io.BytesIO, data: bytes, report: PickleReport, *, joblib: bool, depth: int
    ) -> None:
        self.stream = stream
        self.data = data
        self.report = report
        self.joblib = joblib
        self.depth = depth
        self.stack: list[Any] = []
        self.metastack: list[list[Any]] = []
        self.memo: dict[int, Any] = {}
        self.proto = 0  # as pickle._Unpickler.load() starts
        self.frame_end: int | None = None

    # -- the stack, as pickle._Unpickler keeps it ------------------------------------
    def push(self, value: Any) -> None:
        # Not a bound ``self.stack.append``: MARK and pop_mark replace ``self.stack``.
        self.stack.append(value)

    def pop(self) -> Any:
        if not self.stack:
            raise ScanAborted("the pickle pops from an empty stack")
        return self.stack.pop()

    def top(self) -> Any:
        if not self.stack:
            raise ScanAborted("the pickle reads an empty stack")
        return self.stack[-1]

    def pop_mark(self) -> list[Any]:
        if not self.metastack:
            raise ScanAborted("the pickle pops a mark it never set")
        items = self.stack
        self.stack = self.metastack.pop()
        return items

    def record(self, module: str, name: str) -> _Global:
        module, name = normalize_global(module, name, self.proto)
        key = (module, name)
        self.report.globals[key] = self.report.globals.get(key, 0) + 1
        return _Global(module, name)

    def target(self, value: Any, opcode: str) -> None:
        """Refuse an operation that would change a named class, function or module."""
        if isinstance(value, _Global):
            self.report.problem(
                f"{opcode} on {value}",
                "would change a class, function or module for the whole process",
            )

    def raw_line_pair(self, start: int, end: int) -> tuple[str, str]:
        """GLOBAL's and INST's two lines, decoded as the unpickler decodes them (UTF-8,
        no escapes: pickletools applies escapes, the unpickler does not)."""
        lines = self.data[start + 1 : end].split(b"\n")
        try:
            return lines[0].decode("utf-8"), lines[1].decode("utf-8")
        except (IndexError, UnicodeDecodeError) as exc:
            raise ScanAborted(f"a global at offset {start} cannot be decoded") from exc

    # -- frames: joblib reads raw bytes from the file, not from the current frame ----
    def framing(self, name: str, arg: Any, start: int, end: int) -> None:
        if self.frame_end is not None:
            if start == self.frame_end:
                self.frame_end = None
            elif end > self.frame_end:
                raise ScanAborted(f"an opcode at offset {start} crosses the end of its frame")
        if name == "FRAME":
            if self.frame_end is not None and end != self.frame_end:
                raise ScanAborted(f"a frame at offset {start} starts inside another frame")
            self.frame_end = end + int(arg)
            if self.frame_end > len(self.data):
                raise ScanAborted(f"the frame at offset {start} runs past the end")

    # -- the walk --------------------------------------------------------------------
    def run(self) -> None:
        for name, arg, start, end in _ops(self.stream):
            self.framing(name, arg, start, end)
            if name == "STOP":
                self.pop()
                if self.depth == 0:
                    self.report.end = end
                return
            self.step(name, arg, start, end)
        raise ScanAborted("the pickle ends before its STOP opcode")

    def step(self, name: str, arg: Any, start: int, end: int) -> None:
        push = self.push
        if name in _CONSTANTS:
            push(arg)
        elif name == "NONE":
            push(None)
        elif name in ("NEWTRUE", "NEWFALSE"):
            push(name == "NEWTRUE")
        elif name == "PROTO":
            if not 0 <= arg <= pickle.HIGHEST_PROTOCOL:
                raise ScanAborted(f"unsupported pickle protocol {arg}")
            self.proto = arg
            self.report.protocol = max(self.report.protocol, arg)
        elif name in ("FRAME", "READONLY_BUFFER"):
            pass
        elif name == "MARK":
            self.metastack.append(self.stack)
            self.stack = []
        elif name == "POP":
            if self.stack:
                self.stack.pop()
            else:
                self.pop_mark()
        elif name == "POP_MARK":
            self.pop_mark()
        elif name == "DUP":
            push(self.top())
        elif name in ("GET", "BINGET", "LONG_BINGET"):
            if arg not in self.memo:
                raise ScanAborted(f"memo entry {arg} is used before it is set")
            push(self.memo[arg])
        elif name in ("PUT", "BINPUT", "LONG_BINPUT"):
            if arg < 0:
                raise ScanAborted("negative memo index")
            self.memo[arg] = self.top()
        elif name == "MEMOIZE":
            self.memo[len(self.memo)] = self.top()
        elif name == "EMPTY_TUPLE":
            push(())
        elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
            n = int(name[-1])
            if len(self.stack) < n:
                raise ScanAborted("the pickle pops from an empty stack")
            popped = tuple(self.stack[-n:])
            del self.stack[-n:]
            push(popped)
        elif name == "TUPLE":
            push(tuple(self.pop_mark()))
        elif name == "EMPTY_LIST":
            push(_SymList())
        elif name == "LIST":
            push(_SymList(self.pop_mark()))
        elif name == "EMPTY_DICT":
            push(_SymDict())
        elif name == "DICT":
            items = self.pop_mark()
            push(_SymDict(list(zip(items[::2], items[1::2], strict=False))))
        elif name == "EMPTY_SET":
            push(_SymSet())
        elif name == "FROZENSET":
            push(_SymSet(self.pop_mark()))
        elif name == "APPEND":
            value = self.pop()
            self.add(self.top(), [value], name)
        elif name in ("APPENDS", "ADDITEMS"):
            items = self.pop_mark()
            self.add(self.top(), items, name)
        elif name == "SETITEM":
            value, key = self.pop(), self.pop()
            self.add(self.top(), [(key, value)], name)
        elif name == "SETITEMS":
            items = self.pop_mark()
            self.add(self.top(), list(zip(items[::2], items[1::2], strict=False)), name)
        elif name == "GLOBAL":
            push(self.record(*self.raw_line_pair(start, end)))
        elif name == "STACK_GLOBAL":
            global_name, module = self.pop(), self.pop()
            if isinstance(module, str) and isinstance(global_name, str):
                push(self.record(module, global_name))
            else:
                self.report.problem(
                    "STACK_GLOBAL with computed operands",
                    "names a global the scan cannot read, so it cannot be checked",
                )
                push(_Unknown())
        elif name == "INST":
            module, global_name = self.raw_line_pair(start, end)
            cls = self.record(module, global_name)
            push(self.call(cls, tuple(self.pop_mark()), name))
        elif name == "OBJ":
            args = self.pop_mark()
            if not args:
                raise ScanAborted("OBJ without a class")
            push(self.call(args[0], tuple(args[1:]), name))
        elif name == "REDUCE":
            args, func = self.pop(), self.pop()
            push(self.call(func, args, name))
        elif name == "NEWOBJ":
            args, cls = self.pop(), self.pop()
            push(self.call(cls, args, name))
        elif name == "NEWOBJ_EX":
            _kwargs, args, cls = self.pop(), self.pop(), self.pop()
            push(self.call(cls, args, name))
        elif name == "BUILD":
            state = self.pop()
            self.build(self.top(), state, end)
        elif name in ("EXT1", "EXT2", "EXT4"):
            self.report.problem(
                f"extension code {arg}",
                "names a global through copyreg's registry, which the scan cannot check",
            )
            push(_Unknown())
        elif name in ("PERSID", "BINPERSID"):
            if name == "BINPERSID":
                self.pop()
            self.report.problem(
                "persistent id", "refers to an object outside the file, which is not loaded"
            )
            push(_Unknown())
        elif name == "NEXT_BUFFER":
            self.report.problem(
                "out-of-band buffer", "refers to data outside the file, which is not loaded"
            )
            push(_Unknown())
        else:  # pragma: no cover - pickletools knows no other opcodes
            raise ScanAborted(f"unknown opcode {name}")

    def add(self, target: Any, items: list[Any], opcode: str) -> None:
        self.target(target, opcode)
        if isinstance(target, _SymList | _SymSet):
            target.extend(items)
        elif isinstance(target, _SymDict):
            target.pairs.extend(items)

    def call(self, func: Any, args: Any, opcode: str) -> _Obj:
        obj = _Obj(func, args, opcode)
        if _is(func, _WRAPPER) and opcode not in ("NEWOBJ", "NEWOBJ_EX"):
            # joblib writes its records with NEWOBJ (or, in protocols 0-1, the
            # _reconstructor below). Built any other way, __init__ would set attributes
            # the scan does not see, so it could misjudge where the raw bytes end.
            self.report.problem(
                f"{opcode} of joblib's NumpyArrayWrapper",
                "a joblib array record built in a way joblib never writes",
            )
        if (
            _is(func, _RECONSTRUCTOR)
            and isinstance(args, tuple)
            and args
            and _is(args[0], _WRAPPER)
        ):
            if len(args) == 3 and _is(args[1], ("builtins", "object")) and args[2] is None:
                obj.func, obj.opcode = args[0], "NEWOBJ"  # object.__new__(wrapper)
            else:
                self.report.problem(
                    "copyreg._reconstructor of joblib's NumpyArrayWrapper",
                    "a joblib array record built in a way joblib never writes",
                )
        return obj

    def build(self, inst: Any, state: Any, end: int) -> None:
        self.target(inst, "BUILD")
        if not isinstance(inst, _Obj):
            return
        inst.states.append(state)
        # object has no __setstate__: a dict state (and a slot state) become attributes.
        dict_state, slot_state = state, None
        if isinstance(state, tuple) and len(state) == 2:
            dict_state, slot_state = state
        for part in (dict_state, slot_state):
            if isinstance(part, _SymDict):
                for key, value in part.pairs:
                    if isinstance(key, str):
                        inst.attrs[key] = value
        if self.joblib and _is(inst.func, _WRAPPER) and inst.opcode in ("NEWOBJ", "NEWOBJ_EX"):
            self.stack[-1] = self.skip_array(inst, end)

    def skip_array(self, record: _Obj, end: int) -> _Array:
        """Step over the raw bytes joblib wrote after an array record."""
        if self.frame_end is not None and self.frame_end != end:
            raise ScanAborted("a joblib array record inside a pickle frame")
        self.frame_end = None  # the frame is used up: what follows comes from the file
        self.report.arrays += 1
        dtype = _materialize_dtype(record.attrs.get("dtype"), 0)
        shape = record.attrs.get("shape")
        if dtype is None:
            raise ScanAborted("a joblib array record whose dtype cannot be read")
        if not isinstance(shape, tuple) or not all(isinstance(n, int) and n >= 0 for n in shape):
            raise ScanAborted("a joblib array record whose shape cannot be read")
        if self.depth == 0:
            self.report.array_offsets.add(end)
        if dtype.hasobject:
            # joblib pickles object arrays as a nested stream, read by a plain unpickler.
            if self.depth >= _MAX_DEPTH:
                raise ScanAborted("object arrays nested too deeply")
            _Walker(self.stream, self.data, self.report, joblib=False, depth=self.depth + 1).run()
            return _Array()
        if record.attrs.get("numpy_array_alignment_bytes") is not None:
            pad = self.stream.read(1)
            if not pad:
                raise ScanAborted("a joblib array's padding runs past the end of the file")
            self.seek(pad[0], "padding")
        self.seek(math.prod(shape) * dtype.itemsize, "data")
        return _Array()

    def seek(self, n: int, what: str) -> None:
        pos = self.stream.tell()
        if pos + n > len(self.data):
            raise ScanAborted(
                f"a joblib array's {what} ({n:,} bytes at offset {pos:,}) runs past the "
                "end of the file"
            )
        self.stream.seek(pos + n)


_CONSTANTS = frozenset(
    {
        "INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4", "FLOAT",
        "BINFLOAT", "STRING", "BINSTRING", "SHORT_BINSTRING", "UNICODE", "BINUNICODE",
        "SHORT_BINUNICODE", "BINUNICODE8", "BINBYTES", "SHORT_BINBYTES", "BINBYTES8",
        "BYTEARRAY8",
    }
)  # fmt: skip


def _is(value: Any, key: tuple[str, str]) -> bool:
    return isinstance(value, _Global) and value.key == key


def _plain(value: Any, depth: int) -> Any:
    """A dtype's arguments or state as the real Python values the unpickler would build."""
    if depth > _MAX_DEPTH:
        raise ScanAborted("a dtype nested too deeply")
    if value is None or isinstance(value, str | bytes | int | float):
        return value
    if isinstance(value, tuple):
        return tuple(_plain(v, depth + 1) for v in value)
    if isinstance(value, _SymDict):
        return {_plain(k, depth + 1): _plain(v, depth + 1) for k, v in value.pairs}
    dtype = _materialize_dtype(value, depth + 1)
    if dtype is None:
        raise ScanAborted("a joblib array record whose dtype cannot be read")
    return dtype


def _materialize_dtype(value: Any, depth: int) -> np.dtype[Any] | None:
    """The numpy dtype a ``numpy.dtype(...)`` record builds, from constants only.

    This repeats what unpickling does (``numpy.dtype(*args)`` then ``__setstate__`` with
    each BUILD state), so the byte count matches what joblib will read. Anything but
    constants, tuples, dicts and nested dtypes is refused.
    """
    if not isinstance(value, _Obj) or not _is(value.func, _DTYPE):
        return None
    if value.opcode not in ("REDUCE", "NEWOBJ") or not isinstance(value.args, tuple):
        return None
    try:
        # Exactly the unpickler's calls, arguments included: numpy ignores __setstate__ on
        # its shared builtin dtypes (np.dtype("f8", False, False)), so nothing shared moves.
        dtype: np.dtype[Any] = np.dtype(*_plain(value.args, depth + 1))
        for state in value.states:
            dtype.__setstate__(_plain(state, depth + 1))  # type: ignore[attr-defined]  # not in stubs
    except ScanAborted:
        raise
    except Exception as exc:  # numpy's errors for a bad descriptor vary by version
        raise ScanAborted(f"a joblib array record with an invalid dtype: {exc}") from exc
    return dtype


def walk_pickle(data: bytes) -> PickleReport:
    """Follow a pickle or joblib stream without running it.

    Raises
    ------
    ScanAborted
        If the stream is corrupt or truncated, or cannot be followed.
    """
    report = PickleReport()
    _Walker(io.BytesIO(data), data, report, joblib=True, depth=0).run()
    return report


# -- loading -------------------------------------------------------------------------


def _changeable(value: Any) -> bool:
    """Whether changing ``value`` would change code shared by the whole process."""
    return isinstance(value, type | types.ModuleType | np.ufunc) or inspect.isroutine(value)


class _RestrictedUnpickler(NumpyUnpickler):  # type: ignore[misc]
    """joblib's unpickler, importing only allowed globals, in step with the scan."""

    dispatch = NumpyUnpickler.dispatch.copy()

    def __init__(
        self,
        file: io.BytesIO,
        allow: AllowList,
        array_offsets: frozenset[int],
        *,
        joblib: bool = True,
        depth: int = 0,
    ) -> None:
        super().__init__("", file, ensure_native_byte_order=True, mmap_mode=None)
        self._allow = allow
        self._array_offsets = array_offsets
        self._joblib = joblib
        self._depth = depth

    def find_class(self, module: str, name: str) -> Any:
        module, name = normalize_global(module, name, self.proto)
        try:
            return resolve_global(module, name, self._allow)
        except PermissionError as exc:
            raise UnsafePickle(str(exc)) from None

    def persistent_load(self, pid: Any) -> Any:
        raise UnsafePickle("a persistent id refers to an object outside the file")

    def _guard(self, target: Any, opcode: str) -> None:
        if _changeable(target):
            raise UnsafePickle(
                f"{opcode} on {getattr(target, '__qualname__', type(target).__name__)} "
                "would change it for the whole process"
            )

    def load_build(self) -> None:
        if len(self.stack) < 2:
            raise pickle.UnpicklingError("BUILD with an empty stack")
        self._guard(self.stack[-2], "BUILD")
        _PyUnpickler.load_build(self)
        top = self.stack[-1]
        if self._joblib and isinstance(top, NumpyArrayWrapper):
            self.stack[-1] = self._read_array(top)

    def _read_array(self, wrapper: NumpyArrayWrapper) -> Any:
        frame = self._unframer.current_frame
        position = self.file_handle.tell()
        if (frame is not None and frame.tell() != len(frame.getbuffer())) or (
            position not in self._array_offsets
        ):
            raise UnsafePickle(f"a joblib array at offset {position} the scan did not expect")
        dtype, shape = getattr(wrapper, "dtype", None), getattr(wrapper, "shape", None)
        if not isinstance(dtype, np.dtype) or not isinstance(shape, tuple):
            raise UnsafePickle("a joblib array record without a numpy dtype and shape")
        if dtype.hasobject:
            if self._depth >= _MAX_DEPTH:
                raise UnsafePickle("object arrays nested too deeply")
            nested = _RestrictedUnpickler(
                self.file_handle, self._allow, frozenset(), joblib=False, depth=self._depth + 1
            )
            array = nested.load()
            if not isinstance(array, np.ndarray):
                raise UnsafePickle("a joblib object array that is not an array")
            return array
        return wrapper.read(self, self.ensure_native_byte_order)

    def load_append(self) -> None:
        self._guard(self.stack[-2], "APPEND")
        _PyUnpickler.load_append(self)

    def load_setitem(self) -> None:
        self._guard(self.stack[-3], "SETITEM")
        _PyUnpickler.load_setitem(self)

    def _guard_marked(self, opcode: str) -> None:
        if not self.metastack or not self.metastack[-1]:
            raise pickle.UnpicklingError(f"{opcode} without a mark")
        self._guard(self.metastack[-1][-1], opcode)

    def load_appends(self) -> None:
        self._guard_marked("APPENDS")
        _PyUnpickler.load_appends(self)

    def load_setitems(self) -> None:
        self._guard_marked("SETITEMS")
        _PyUnpickler.load_setitems(self)

    def load_additems(self) -> None:
        self._guard_marked("ADDITEMS")
        _PyUnpickler.load_additems(self)

    dispatch[pickle.BUILD[0]] = load_build
    dispatch[pickle.APPEND[0]] = load_append
    dispatch[pickle.APPENDS[0]] = load_appends
    dispatch[pickle.SETITEM[0]] = load_setitem
    dispatch[pickle.SETITEMS[0]] = load_setitems
    dispatch[pickle.ADDITEMS[0]] = load_additems


def load_pickle(data: bytes, report: PickleReport, allow: AllowList) -> Any:
    """Unpickle a stream the scan walked, importing only allowed globals.

    Raises
    ------
    UnsafePickle
        If it meets a global or an operation the policy refuses (which the scan should
        have reported first).
    Exception
        Whatever else unpickling raises (a damaged stream, a class that rejects its
        state): the caller turns it into :class:`UnusableModelError`.
    """
    unpickler = _RestrictedUnpickler(io.BytesIO(data), allow, frozenset(report.array_offsets))
    return unpickler.load()
