"""Policy bundles: read from a directory or a zip, digested, and compiled once.

A bundle is a set of Rego modules (``*.rego``, tests included) and an optional root
``data.json``. Loading refuses what cannot be a bundle (paths out of the bundle, too many
files or bytes, a module outside ``package bastion.…``); compiling refuses what rego-cpp
cannot parse, naming the file and line. The platform stores a bundle's ``digest`` with
every decision made with it.
"""

from __future__ import annotations

import hashlib
import json
import queue
import re
import signal
import subprocess
import sys
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any

from bastion.policy import _engine
from bastion.policy.errors import PolicyError

MAX_FILES = 200
MAX_BYTES = 5 * 1024 * 1024
DATA_FILE = "data.json"
# The gates of docs/policy.md; a bundle may define others, evaluated the same way.
GATES = ("register", "staging", "production", "retired")
BUILTIN_DIR = Path(__file__).with_name("bundles") / "builtin"

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_PACKAGE = re.compile(rf"{_IDENT}(\.{_IDENT})*")
_GATE_PACKAGE = re.compile(rf"bastion\.gates\.({_IDENT})")
_WORD = re.compile(_IDENT)
_NOT_RULES = frozenset({"package", "import", "default", "else", "if", "contains", "not", "some"})


@dataclass(frozen=True)
class Bundle:
    """A policy bundle's files as text, its parsed ``data.json`` and its digest.

    Build one with :func:`load_bundle` or :meth:`Bundle.from_files`; ``digest`` is the
    SHA-256 of the lines ``<sha256 of file>  <path>`` sorted by path (``sha256sum``'s
    format), so it changes with any byte of any file and with nothing else.
    """

    name: str
    files: Mapping[str, str]
    data: Mapping[str, Any]
    digest: str

    @classmethod
    def from_files(cls, name: str, files: Mapping[str, str]) -> Bundle:
        """Check and digest ``files`` ({relative POSIX path: text})."""
        if len(files) > MAX_FILES:
            raise PolicyError(f"the bundle has {len(files)} files; at most {MAX_FILES} allowed")
        size = sum(len(text.encode("utf-8")) for text in files.values())
        if size > MAX_BYTES:
            raise PolicyError(f"the bundle holds {size:,} bytes; at most {MAX_BYTES:,} allowed")
        for path in files:
            _check_path(path)
            if path.endswith("/" + DATA_FILE):
                raise PolicyError(
                    f"{path}: only a {DATA_FILE} at the bundle's root is read; move it there",
                    file=path,
                )
            if path != DATA_FILE and not path.endswith(".rego"):
                raise PolicyError(
                    f"{path}: a bundle holds only .rego modules and a root {DATA_FILE}",
                    file=path,
                )
        if not any(path.endswith(".rego") for path in files):
            raise PolicyError(f"bundle {name!r} has no .rego module")
        data = _parse_data(files[DATA_FILE]) if DATA_FILE in files else {}
        manifest = "".join(
            f"{hashlib.sha256(files[path].encode('utf-8')).hexdigest()}  {path}\n"
            for path in sorted(files)
        )
        return cls(
            name=name,
            files=MappingProxyType(dict(sorted(files.items()))),
            data=MappingProxyType(data),
            digest=hashlib.sha256(manifest.encode("utf-8")).hexdigest(),
        )

    def __hash__(self) -> int:
        return hash(self.digest)

    @property
    def modules(self) -> dict[str, str]:
        """The Rego modules, by path."""
        return {path: text for path, text in self.files.items() if path.endswith(".rego")}


def _check_path(path: str) -> None:
    if (
        not path
        or path.startswith(("/", "\\"))
        or re.match(r"^[A-Za-z]:", path)
        or ".." in re.split(r"[/\\]", path)
        or "\\" in path
        or "\0" in path
    ):
        raise PolicyError(f"{path!r}: not a relative path inside the bundle", file=path)


def _parse_data(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise PolicyError(f"{DATA_FILE}: not valid JSON: {error}", file=DATA_FILE) from None
    if not isinstance(data, dict):
        raise PolicyError(
            f"{DATA_FILE}: must hold a JSON object, not {type(data).__name__}", file=DATA_FILE
        )
    return data


def _decode(path: str, content: bytes) -> str:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        raise PolicyError(f"{path}: not UTF-8 text", file=path) from None


def _wanted(path: str) -> bool:
    return path.endswith(".rego") or PurePosixPath(path).name == DATA_FILE


def load_bundle(path: Path) -> Bundle:
    """Read a bundle from a directory (recursively) or a ``.zip`` of one.

    Other files (a README, hidden directories) are ignored. A zip is refused when an
    entry's path is absolute or climbs out with ``..``, or when it has more than
    ``MAX_FILES`` entries or ``MAX_BYTES`` uncompressed. When every file of a zip sits in
    one top directory, that directory is the bundle's root, as when loading the directory.
    """
    path = Path(path)
    if path.is_dir():
        return Bundle.from_files(path.resolve().name, _read_directory(path))
    if path.is_file() and zipfile.is_zipfile(path):
        return Bundle.from_files(path.stem, _read_zip(path))
    raise PolicyError(f"{path}: neither a bundle directory nor a zip file", file=str(path))


def _read_directory(root: Path) -> dict[str, str]:
    root = root.resolve()
    files: dict[str, str] = {}
    size = 0
    for item in sorted(root.rglob("*")):
        relative = item.relative_to(root)
        if any(part.startswith(".") for part in relative.parts) or not item.is_file():
            continue
        name = relative.as_posix()
        if not _wanted(name):
            continue
        if not item.resolve().is_relative_to(root):
            raise PolicyError(f"{name}: links out of the bundle directory", file=name)
        if len(files) == MAX_FILES:
            raise PolicyError(f"the bundle has more than {MAX_FILES} files")
        content = item.read_bytes()
        size += len(content)
        if size > MAX_BYTES:
            raise PolicyError(f"the bundle holds more than {MAX_BYTES:,} bytes")
        files[name] = _decode(name, content)
    return files


def _read_zip(path: Path) -> dict[str, str]:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_FILES:
                raise PolicyError(f"the zip has {len(entries)} entries; at most {MAX_FILES}")
            for entry in entries:
                _check_path(entry.filename.rstrip("/") or "/")
            declared = sum(entry.file_size for entry in entries)
            if declared > MAX_BYTES:
                raise PolicyError(f"the zip unpacks to {declared:,} bytes; at most {MAX_BYTES:,}")
            contents: dict[str, bytes] = {}
            budget = MAX_BYTES
            for entry in entries:
                if entry.is_dir():
                    continue
                with archive.open(entry) as stream:
                    # Read no more than the budget allows, whatever the header claims.
                    content = stream.read(budget + 1)
                budget -= len(content)
                if budget < 0:
                    raise PolicyError(f"the zip unpacks to more than {MAX_BYTES:,} bytes")
                contents[entry.filename] = content
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as error:
        raise PolicyError(f"{path.name}: unreadable zip: {error}") from None
    tops = {name.split("/", 1)[0] for name in contents}
    if len(tops) == 1 and all("/" in name for name in contents):
        prefix = tops.pop() + "/"
        contents = {name[len(prefix) :]: content for name, content in contents.items()}
    return {
        name: _decode(name, content)
        for name, content in sorted(contents.items())
        if _wanted(name) and not any(part.startswith(".") for part in name.split("/"))
    }


@cache
def builtin_bundle() -> Bundle:
    """The bundle shipped with Bastion (``bastion/policy/bundles/builtin``)."""
    return Bundle.from_files("builtin", _read_directory(BUILTIN_DIR))


@dataclass(frozen=True)
class Module:
    """What a module declares: its package and the names of its rules."""

    path: str
    package: str
    rules: tuple[str, ...]


def scan_module(path: str, source: str) -> Module:
    """The package and rule names of a module, read without evaluating it.

    Rule heads are the first word of a line outside any brackets, string or comment
    (``default`` and ``else`` lines included), as ``opa fmt`` lays them out.
    """
    package: str | None = None
    rules: list[str] = []
    depth, i, n, line_start = 0, 0, len(source), True
    while i < n:
        char = source[i]
        if char == "#":
            i = source.find("\n", i)
            i = n if i < 0 else i
        elif char == '"':
            i += 1
            while i < n and source[i] not in '"\n':
                i += 2 if source[i] == "\\" else 1
            i += 1
            line_start = False
        elif char == "`":
            end = source.find("`", i + 1)
            i = n if end < 0 else end + 1
            line_start = False
        elif char == "\n":
            line_start = True
            i += 1
        elif char in " \t\r":
            i += 1
        elif char in "{[(":
            depth += 1
            line_start = False
            i += 1
        elif char in "}])":
            depth = max(0, depth - 1)
            line_start = False
            i += 1
        elif line_start and depth == 0 and (char.isalpha() or char == "_"):
            word = _WORD.match(source, i)
            if word is None:  # unreachable: the character starts an identifier
                i += 1
                continue
            i = word.end()
            line_start = False
            name = word.group()
            if name == "package" and package is None:
                end = source.find("\n", i)
                declared = source[i : n if end < 0 else end].split("#", 1)[0].strip()
                if not _PACKAGE.fullmatch(declared):
                    raise PolicyError(
                        f"{path}: package {declared!r} is not a dotted name like "
                        "bastion.gates.production",
                        file=path,
                    )
                package = declared
            elif name == "default":
                j = i
                while j < n and source[j] in " \t":
                    j += 1
                if after := _WORD.match(source, j):
                    rules.append(after.group())
            elif name not in _NOT_RULES:
                rules.append(name)
        else:
            line_start = False
            i += 1
    if package is None:
        raise PolicyError(f"{path}: no package declaration", file=path)
    return Module(path=path, package=package, rules=tuple(dict.fromkeys(rules)))


@dataclass(frozen=True)
class TestRule:
    """A ``test_*`` rule, found in ``file``."""

    __test__ = False  # not a pytest class

    package: str
    name: str
    file: str

    @property
    def entrypoint(self) -> str:
        return f"{self.package.replace('.', '/')}/{self.name}"


def gate_entrypoint(gate: str) -> str:
    return f"bastion/gates/{gate}/decision"


@dataclass(eq=False)
class CompiledBundle:
    """A bundle parsed and built by rego-cpp, ready to evaluate many documents.

    Holds a pool of runners (an interpreter and its build each): one serves one
    evaluation at a time, and a busy pool grows by one more build (milliseconds).
    """

    bundle: Bundle
    modules: tuple[Module, ...]
    gates: tuple[str, ...]
    tests: tuple[TestRule, ...]
    _pool: queue.SimpleQueue[_engine.Runner] = field(default_factory=queue.SimpleQueue)

    @property
    def digest(self) -> str:
        return self.bundle.digest

    def new_runner(self, entrypoints: tuple[str, ...] | None = None) -> _engine.Runner:
        """A fresh interpreter with the bundle, built for the gates (or ``entrypoints``)."""
        return _engine.Runner(
            self.bundle.modules,
            self.bundle.data,
            entrypoints or tuple(gate_entrypoint(g) for g in self.gates),
        )

    @contextmanager
    def runner(self) -> Iterator[_engine.Runner]:
        """Borrow a runner for one evaluation; it goes back unless the evaluation raised."""
        try:
            runner = self._pool.get_nowait()
        except queue.Empty:
            runner = self.new_runner()
        yield runner
        self._pool.put(runner)


_CACHE: OrderedDict[str, CompiledBundle] = OrderedDict()
_CACHE_SIZE = 16
_CACHE_LOCK = threading.Lock()
PROBE_TIMEOUT_SECONDS = 120


def compile_bundle(bundle: Bundle, *, isolate: bool = True) -> CompiledBundle:
    """Parse and build every module of ``bundle`` (tests included), once per digest.

    With ``isolate`` (the default), a bundle other than the built-in one is first
    compiled, evaluated on an empty document and tested in a child process, because
    rego-cpp 1.5 aborts the whole process on some valid Rego; a bundle that crashes it
    is refused. That costs a fraction of a second, once per digest.

    Raises
    ------
    PolicyError
        A syntax error (``policy.rego:12: Invalid assignment operator``, with ``file``,
        ``line``, ``column``), a module outside ``package bastion.…``, no gate (no module
        ``package bastion.gates.<gate>`` with a ``decision`` rule), or a bundle that
        crashes rego-cpp.
    """
    with _CACHE_LOCK:
        if bundle.digest in _CACHE:
            _CACHE.move_to_end(bundle.digest)
            return _CACHE[bundle.digest]
    modules, gates, tests = _inspect(bundle)
    if isolate and bundle.digest != builtin_bundle().digest:
        _probe(bundle)
    compiled = _build(bundle, modules, gates, tests)
    with _CACHE_LOCK:
        compiled = _CACHE.setdefault(bundle.digest, compiled)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return compiled


def _inspect(bundle: Bundle) -> tuple[tuple[Module, ...], tuple[str, ...], tuple[TestRule, ...]]:
    """The modules, gates and tests of a bundle, and the refusals rego-cpp would not make."""
    modules = tuple(scan_module(path, text) for path, text in bundle.modules.items())
    for module in modules:
        if not module.package.startswith("bastion."):
            raise PolicyError(
                f"{module.path}: package {module.package} is outside bastion.…; a bundle's "
                "modules live under package bastion (gates in bastion.gates.<gate>)",
                file=module.path,
            )
    found = {
        match.group(1)
        for module in modules
        if (match := _GATE_PACKAGE.fullmatch(module.package)) and "decision" in module.rules
    }
    if not found:
        raise PolicyError(
            "the bundle defines no gate: no module has package bastion.gates.<gate> "
            f"with a decision rule (gates: {', '.join(GATES)})"
        )
    gates = tuple(g for g in GATES if g in found) + tuple(sorted(found - set(GATES)))
    tests: dict[tuple[str, str], TestRule] = {}
    for module in modules:
        for rule in module.rules:
            if rule.startswith("test_"):
                tests.setdefault(
                    (module.package, rule), TestRule(module.package, rule, module.path)
                )
    return modules, gates, tuple(tests.values())


def _build(
    bundle: Bundle,
    modules: tuple[Module, ...],
    gates: tuple[str, ...],
    tests: tuple[TestRule, ...],
) -> CompiledBundle:
    compiled = CompiledBundle(bundle=bundle, modules=modules, gates=gates, tests=tests)
    try:
        runner = compiled.new_runner()
    except _engine.RegoError as error:
        problems = _engine.parse_problems(str(error), bundle.modules)
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise PolicyError(
            f"{first}{more}",
            file=first.file,
            line=first.line,
            column=first.column,
            message=first.message,
        ) from None
    compiled._pool.put(runner)
    return compiled


def _compile(bundle: Bundle) -> CompiledBundle:
    """Compile in this process, without the child-process probe (``_probe`` uses it)."""
    return _build(bundle, *_inspect(bundle))


def _probe(bundle: Bundle) -> None:
    """Refuse a bundle that crashes rego-cpp in a child process (see ``_probe.py``)."""
    try:
        # Our own interpreter and module; the bundle goes in on stdin.
        child = subprocess.run(
            [sys.executable, "-m", "bastion.policy._probe"],
            input=json.dumps({"files": dict(bundle.files)}),
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PolicyError(
            f"compiling and testing the bundle took over {PROBE_TIMEOUT_SECONDS} s"
        ) from None
    if child.returncode == 0:
        return
    how = (
        signal.Signals(-child.returncode).name
        if child.returncode < 0
        else f"exit status {child.returncode}"
    )
    lines = [line.strip() for line in child.stderr.splitlines() if line.strip()]
    said = next((line for line in reversed(lines) if "what():" in line), lines[-1] if lines else "")
    hint = ""
    if "rego-with" in child.stderr or "rego-localref" in child.stderr:
        hint = (
            "; rego-cpp 1.5 aborts on `with input as …` over rules that call builtins: "
            "write checks as functions of the document and test them by calling them "
            "(docs/policy.md, Writing policies)"
        )
    said = f": {said}" if said else ""
    raise PolicyError(f"rego-cpp crashed ({how}) compiling or testing the bundle{said}{hint}")
