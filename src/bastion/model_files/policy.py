"""The allow-list: which globals a model file may name, and why the others are refused.

Both the scan and the restricted loader decide with :func:`judge_global`, so a file the
scan passes is loaded under exactly the rules it was judged by, and a global the scan
would flag is refused by the loader even if the scan were somehow fooled.

The rules, in order (the first that matches decides):

1. **Malformed names** are refused: a module that is not a dotted identifier, a name with
   a dot in it (pickle protocol 4 walks ``a.b.c`` attribute paths, which reach any module
   an allowed module happens to import, e.g. ``sklearn.base`` → ``os``), or a dunder
   name (``__globals__``, ``__import__``, ``__class__``…).
2. **Always refused** (:data:`ALWAYS_REFUSED_MODULES`, :data:`ALWAYS_REFUSED_BUILTINS`):
   process, file, network, import and code-evaluation machinery. ``allow=`` cannot
   admit these.
3. **Exact entries of ``allow=``** (``"fractions.Fraction"``) admit that one global.
4. **Carve-outs inside the allowed packages** (:data:`REFUSED_SUBMODULES`,
   :data:`REFUSED_NAMES`): the parts of numpy, scipy and scikit-learn that read or write
   files, download data, touch raw memory, change process-wide settings or import by
   name.
5. **Specific safe globals** (:data:`SAFE_GLOBALS`): builtin container and number types,
   ``copyreg._reconstructor`` and ``_codecs.encode`` (what protocol 0-2 pickles use),
   four ``collections`` types, and joblib's ``NumpyArrayWrapper``.
6. **Allowed packages** (:data:`ALLOWED_PACKAGES`): numpy and scipy admit classes,
   ufuncs and numpy's array reconstructors; scikit-learn admits classes, and functions
   in :data:`SKLEARN_FUNCTION_MODULES` (score functions stored by scorers and
   ``SelectKBest``). Module prefixes given to ``allow=`` (``"xgboost."``) admit any class
   or function under them.
7. **Everything else is refused** (default deny).

Checking rule 6 imports the module (only ever a module inside an allowed package, after
rules 1-4 passed) to see what the name is: a class, a ufunc or a function. Nothing from
the model file runs.
"""

from __future__ import annotations

import _compat_pickle
import importlib
import inspect
import types
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from bastion.assessment.errors import AssessmentInputError

__all__ = [
    "ALLOWED_PACKAGES",
    "ALWAYS_REFUSED_BUILTINS",
    "ALWAYS_REFUSED_MODULES",
    "REFUSED_NAMES",
    "REFUSED_SUBMODULES",
    "SAFE_GLOBALS",
    "SKLEARN_FUNCTION_MODULES",
    "AllowList",
    "Judgement",
    "judge_global",
    "normalize_global",
    "resolve_global",
]

# Rule 2. Each module (and its submodules) with the reason a finding gives.
ALWAYS_REFUSED_MODULES: dict[str, str] = {
    "os": "operating-system access: runs commands, reads and writes files",
    "posix": "operating-system access: runs commands, reads and writes files",
    "nt": "operating-system access: runs commands, reads and writes files",
    "subprocess": "runs other programs",
    "_posixsubprocess": "runs other programs",
    "pty": "runs other programs",
    "multiprocessing": "starts processes",
    "sys": "interpreter internals (modules, paths, hooks)",
    "importlib": "imports modules by name",
    "pkgutil": "imports modules by name",
    "zipimport": "imports modules by name",
    "runpy": "runs modules and scripts",
    "code": "evaluates code",
    "codeop": "compiles code",
    "types": "builds code and function objects",
    "marshal": "loads code objects",
    "pickle": "a nested unpickle escapes the scan",
    "_pickle": "a nested unpickle escapes the scan",
    "pickletools": "pickle machinery",
    "copyreg": "pickle machinery",
    "shelve": "a nested unpickle escapes the scan",
    "dill": "a nested unpickle escapes the scan",
    "cloudpickle": "a nested unpickle escapes the scan",
    "joblib": "joblib's loaders unpickle nested files",
    "socket": "network access",
    "_socket": "network access",
    "ssl": "network access",
    "http": "network access",
    "urllib": "network access",
    "ftplib": "network access",
    "smtplib": "network access",
    "xmlrpc": "network access",
    "webbrowser": "opens URLs and runs a browser",
    "shutil": "copies, moves and deletes files",
    "tempfile": "creates files",
    "pathlib": "reads and writes files",
    "io": "reads and writes files",
    "_io": "reads and writes files",
    "glob": "lists files",
    "ctypes": "calls native code and reads raw memory",
    "_ctypes": "calls native code and reads raw memory",
    "cffi": "calls native code",
    "signal": "changes process signal handling",
    "atexit": "registers code to run at exit",
    "threading": "starts threads",
    "_thread": "starts threads",
    "asyncio": "runs event loops, processes and sockets",
    "operator": "attrgetter and methodcaller reach any attribute",
    "functools": "partial and reduce chain calls",
    "inspect": "interpreter internals",
    "gc": "interpreter internals",
    "site": "runs site customization code",
    "sysconfig": "interpreter configuration",
    "platform": "runs commands",
    "pdb": "debugger: evaluates code",
    "bdb": "debugger: evaluates code",
    "trace": "runs code under a tracer",
    "profile": "runs code under a profiler",
    "cProfile": "runs code under a profiler",
    "timeit": "evaluates code",
    "numpy.f2py": "compiles and loads native code",
    "numpy.distutils": "runs compilers and commands",
    "numpy.ctypeslib": "loads native libraries and reads raw memory",
    "numpy.testing": "testing helpers evaluate code",
}

# Rule 2, for builtins: refused even if a caller admits "builtins.".
ALWAYS_REFUSED_BUILTINS: dict[str, str] = {
    "eval": "evaluates code",
    "exec": "executes code",
    "compile": "compiles code",
    "__import__": "imports modules by name",
    "getattr": "reaches any attribute of any object",
    "setattr": "changes attributes of any object",
    "delattr": "deletes attributes of any object",
    "globals": "interpreter internals",
    "locals": "interpreter internals",
    "vars": "interpreter internals",
    "open": "reads and writes files",
    "input": "reads the console",
    "breakpoint": "starts a debugger",
    "help": "starts the interactive help",
    "exit": "ends the process",
    "quit": "ends the process",
    "type": "creates classes",
    "memoryview": "raw memory views",
}

# Rule 4: modules inside the allowed packages that are refused anyway, with the reason.
# A module path segment starting with one of REFUSED_SEGMENT_PREFIXES is refused too.
REFUSED_SUBMODULES: dict[str, str] = {
    "numpy.lib.format": "reads and writes .npy files",
    "numpy.lib._format_impl": "reads and writes .npy files",
    "numpy.lib.npyio": "reads and writes files",
    "numpy.lib._npyio_impl": "reads and writes files",
    "numpy.lib._datasource": "downloads and opens files",
    "numpy.lib.stride_tricks": "builds arrays over arbitrary memory",
    "numpy.lib._stride_tricks_impl": "builds arrays over arbitrary memory",
    "numpy._core._internal": "ctypes helpers over raw memory",
    "numpy._pytesttester": "runs the test suite",
    "scipy.io": "reads and writes files",
    "scipy.datasets": "downloads files",
    "scipy.misc": "downloads and reads files",
    "scipy._lib": "private helpers: process pools, native callbacks, test utilities",
    "sklearn.datasets": "downloads, reads and writes files",
    "sklearn.externals": "vendored third-party code, not reviewed",
    "sklearn.utils._testing": "testing helpers run Python scripts",
    "sklearn.utils.estimator_checks": "testing helpers",
    "sklearn.utils.discovery": "imports every scikit-learn module",
    "sklearn.utils._show_versions": "prints system information",
    "sklearn.utils.parallel": "runs jobs in other processes",
    "sklearn.utils._joblib": "joblib re-exports",
    "sklearn._config": "changes process-wide settings",
    "sklearn.tree._export": "writes files (export_graphviz)",
}
REFUSED_SEGMENT_PREFIXES = (
    "test",
    "_test",
    "conftest",
    "bench",
    "_bench",
    "_examples",
    "_pyinstaller",
    "_build_utils",
    "setup",
)

# Rule 4: names refused wherever they appear in the allowed packages.
REFUSED_NAMES: dict[str, str] = {
    "memmap": "maps files into memory, and may create them",
    "DataSource": "downloads and opens files",
    "NpzFile": "opens files",
    "DummyArray": "builds arrays over arbitrary memory",
    "LowLevelCallable": "calls native function pointers",
    "TempMemmap": "creates files",
    "Parallel": "runs jobs in other processes",
    "Memory": "creates cache directories",
    "check_memory": "creates cache directories",
    "set_config": "changes process-wide settings",
    "config_context": "changes process-wide settings",
    "_ufunc_reconstruct": "imports any module by name",
}

# Rule 5: specific safe globals, with the reason a finding gives.
SAFE_GLOBALS: dict[str, str] = {
    **{
        f"builtins.{t}": "builtin type"
        for t in (
            "bool",
            "bytearray",
            "bytes",
            "complex",
            "dict",
            "float",
            "frozenset",
            "int",
            "list",
            "object",
            "set",
            "slice",
            "str",
            "tuple",
        )
    },
    "copyreg._reconstructor": "rebuilds an object of an allowed class (protocol 0-1 pickles)",
    "_codecs.encode": "rebuilds bytes (protocol 0-2 pickles)",
    "collections.OrderedDict": "collections type",
    "collections.defaultdict": "collections type",
    "collections.deque": "collections type",
    "collections.Counter": "collections type",
    "joblib.numpy_pickle.NumpyArrayWrapper": "joblib's record of a numpy array in the file",
}

# Rule 6: packages admitted by module prefix, with a description for findings.
ALLOWED_PACKAGES: dict[str, str] = {
    "numpy": "numpy",
    "scipy": "scipy",
    "sklearn": "scikit-learn",
}
SKLEARN_FUNCTION_MODULES = ("sklearn.metrics", "sklearn.feature_selection")

# numpy's pickle helpers: the functions (not classes or ufuncs) numpy and scipy data need.
_NUMPY_RECONSTRUCTORS = (
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy._core.numeric", "_frombuffer"),
    ("numpy.ma.core", "_mareconstruct"),
    ("numpy.random._pickle", "__randomstate_ctor"),
    ("numpy.random._pickle", "__generator_ctor"),
    ("numpy.random._pickle", "__bit_generator_ctor"),
)


def _under(module: str, prefix: str) -> bool:
    """Whether ``module`` is ``prefix`` or inside it (``numpy.linalg`` under ``numpy``)."""
    prefix = prefix.rstrip(".")
    return module == prefix or module.startswith(prefix + ".")


def _first_under(module: str, table: dict[str, str]) -> str | None:
    for prefix in table:
        if _under(module, prefix):
            return prefix
    return None


@dataclass(frozen=True)
class AllowList:
    """Extra globals a caller admits on top of the defaults.

    Each entry is a module prefix (``"xgboost."`` or ``"xgboost"``: the module and its
    submodules, any class or function in them) or one global (``"fractions.Fraction"``).
    Neither can admit what is always refused (:data:`ALWAYS_REFUSED_MODULES`,
    :data:`ALWAYS_REFUSED_BUILTINS`).
    """

    entries: tuple[str, ...] = ()

    @classmethod
    def of(cls, allow: Iterable[str] | AllowList) -> AllowList:
        """An allow-list from strings (a single string counts as one entry)."""
        if isinstance(allow, AllowList):
            return allow
        if isinstance(allow, str):
            allow = (allow,)
        entries = tuple(str(e).strip() for e in allow)
        for entry in entries:
            if not entry or not all(p.isidentifier() for p in entry.rstrip(".").split(".")):
                raise AssessmentInputError(
                    f"allow entry {entry!r} is not a module prefix ('xgboost.') or a "
                    "global ('fractions.Fraction')",
                    field="allow",
                )
        return cls(entries)

    def names(self, module: str, name: str) -> bool:
        """Whether an entry names this exact global."""
        return f"{module}.{name}" in self.entries

    def covers(self, module: str) -> str | None:
        """The entry whose prefix covers ``module``, if any."""
        for entry in self.entries:
            if _under(module, entry):
                return entry
        return None


@dataclass(frozen=True)
class Judgement:
    """Whether a global may be loaded, and the reason, for a scan finding."""

    allowed: bool
    reason: str


def normalize_global(module: str, name: str, protocol: int) -> tuple[str, str]:
    """The module and name the unpickler will actually import.

    Protocol 0-2 pickles may use Python 2 names (``__builtin__.set``), which
    ``pickle.Unpickler`` maps with ``_compat_pickle``; numpy 1.x files say
    ``numpy.core``, which numpy 2 keeps as an alias of ``numpy._core`` (resolved here so
    that loading an old file does not raise numpy's deprecation warning).
    """
    if protocol < 3:
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
    if _under(module, "numpy.core"):
        module = "numpy._core" + module[len("numpy.core") :]
    return module, name


def judge_global(module: str, name: str, allow: AllowList) -> Judgement:
    """Judge one global (already normalized) by the rules in this module's docstring."""
    qualified = f"{module}.{name}"
    # Rule 1: malformed names.
    if not module or not all(part.isidentifier() for part in module.split(".")):
        return Judgement(False, "not a valid module name")
    if "." in name:
        return Judgement(False, "an attribute path: reaches whatever the module imports")
    if not name.isidentifier():
        return Judgement(False, "not a valid name")
    if module == "builtins" and name in ALWAYS_REFUSED_BUILTINS:  # rule 2, said precisely
        return Judgement(False, f"builtins.{name} {ALWAYS_REFUSED_BUILTINS[name]}")
    if name.startswith("__") and name.endswith("__"):
        return Judgement(False, "a dunder attribute: interpreter internals")
    if any(part.startswith("__") for part in module.split(".")):
        return Judgement(False, "a private interpreter module")
    # Rule 2: always refused. The name is checked as a module too: ``numpy`` +
    # ``testing`` would import numpy.testing through numpy's lazy module attributes.
    refused = _first_under(module, ALWAYS_REFUSED_MODULES) or _first_under(
        qualified, ALWAYS_REFUSED_MODULES
    )
    if refused is not None and qualified not in SAFE_GLOBALS:
        return Judgement(False, f"{refused}: {ALWAYS_REFUSED_MODULES[refused]}")
    # Rule 3: a global the caller named.
    if allow.names(module, name):
        return _callable_check(module, name, f"admitted by allow={qualified!r}")
    # Rule 4: carve-outs in the allowed packages.
    carved = _first_under(module, REFUSED_SUBMODULES) or _first_under(qualified, REFUSED_SUBMODULES)
    if carved is not None:
        return Judgement(False, f"{carved}: {REFUSED_SUBMODULES[carved]}")
    if any(part.startswith(REFUSED_SEGMENT_PREFIXES) for part in qualified.split(".")):
        return Judgement(False, "test, example or build code")
    if name in REFUSED_NAMES:
        return Judgement(False, f"{name} {REFUSED_NAMES[name]}")
    # Rule 5: specific safe globals.
    if qualified in SAFE_GLOBALS:
        return Judgement(True, SAFE_GLOBALS[qualified])
    # Rule 6: allowed packages, then the caller's prefixes.
    package = _first_under(module, ALLOWED_PACKAGES)
    if package is not None:
        return _package_check(module, name, package)
    entry = allow.covers(module)
    if entry is not None:
        return _callable_check(module, name, f"admitted by allow={entry!r}")
    # Rule 7.
    root = module.split(".")[0]
    return Judgement(
        False,
        f"not on the allow-list (default deny); if you trust it, admit it with "
        f"allow=[{qualified!r}] or allow=[{root + '.'!r}]",
    )


@lru_cache(maxsize=4096)
def _lookup(module: str, name: str) -> tuple[Any, str | None]:
    """The object a global names, or ``None`` and why it cannot be found.

    Only called for modules inside allowed packages or admitted by the caller.
    """
    # Importing or reading an attribute can fail in many ways (ImportError, a deprecation
    # warning raised as an error, a lazy attribute that fails): all mean "not found".
    try:
        mod = importlib.import_module(module)
    except Exception as exc:
        return None, f"module {module} cannot be imported here ({type(exc).__name__}: {exc})"
    try:
        return getattr(mod, name), None
    except AttributeError:
        return None, f"{module} has no {name} in the installed version"
    except Exception as exc:
        return None, f"{module}.{name} cannot be read ({type(exc).__name__}: {exc})"


@lru_cache(maxsize=1)
def _reconstructors() -> frozenset[int]:
    ids = set()
    for module, name in _NUMPY_RECONSTRUCTORS:
        obj, _ = _lookup(module, name)
        if obj is not None:
            ids.add(id(obj))
    return frozenset(ids)


def _kind(obj: Any) -> str:
    if isinstance(obj, types.ModuleType):
        return "module"
    if inspect.isclass(obj):
        return "class"
    if isinstance(obj, np.ufunc):
        return "ufunc"
    if inspect.isroutine(obj):
        return "function"
    return "callable" if callable(obj) else "value"


def _package_check(module: str, name: str, package: str) -> Judgement:
    label = ALLOWED_PACKAGES[package]
    obj, missing = _lookup(module, name)
    if missing is not None:
        return Judgement(False, f"cannot be checked: {missing}")
    kind = _kind(obj)
    if kind == "class":
        return Judgement(True, f"{label} class")
    if kind == "ufunc" and package in ("numpy", "scipy"):
        return Judgement(True, f"{label} ufunc")
    if kind == "function" and package == "numpy" and id(obj) in _reconstructors():
        return Judgement(True, "numpy's array and scalar reconstruction")
    if kind == "function" and any(_under(module, m) for m in SKLEARN_FUNCTION_MODULES):
        return Judgement(True, f"{label} function ({module})")
    return Judgement(
        False,
        f"a {label} {kind}: only classes{', ufuncs' if package != 'sklearn' else ''} and "
        f"pickle helpers of {label} are allowed by default; admit it with "
        f"allow=[{module + '.' + name!r}] if you trust it",
    )


def _callable_check(module: str, name: str, reason: str) -> Judgement:
    obj, missing = _lookup(module, name)
    if missing is not None:
        return Judgement(False, f"cannot be checked: {missing}")
    kind = _kind(obj)
    if kind in ("module", "value"):
        # A pickle can set attributes on, or add items to, any object it names: naming a
        # module or a module-level dict would let it rewrite library code for the process.
        return Judgement(False, f"a {kind}, not a class or function")
    return Judgement(True, reason)


def resolve_global(module: str, name: str, allow: AllowList) -> Any:
    """The object a restricted unpickler may return for a global, after judging it.

    Raises
    ------
    PermissionError
        If the global is not allowed; the message says which and why.
    """
    judgement = judge_global(module, name, allow)
    if not judgement.allowed:
        raise PermissionError(f"{module}.{name}: {judgement.reason}")
    obj, missing = _lookup(module, name)
    if missing is not None:  # SAFE_GLOBALS are looked up here for the first time
        raise PermissionError(f"{module}.{name}: {missing}")
    if _kind(obj) in ("module", "value"):
        raise PermissionError(f"{module}.{name}: a {_kind(obj)}, not a class or function")
    return obj
