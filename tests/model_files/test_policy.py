"""The allow-list: what it admits, what it refuses, and that callers cannot widen it past
the always-refused modules."""

import pytest

from bastion.model_files import AllowList, judge_global
from bastion.model_files.policy import normalize_global, resolve_global

ALLOWED = [
    ("sklearn.pipeline", "Pipeline"),
    ("sklearn.tree._tree", "Tree"),
    ("sklearn.metrics._classification", "accuracy_score"),  # scorers store these
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy", "log1p"),  # a ufunc, as FunctionTransformer stores it
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.random._pickle", "__randomstate_ctor"),
    ("scipy.sparse._csr", "csr_matrix"),
    ("scipy.special._special_ufuncs", "expit"),
    ("builtins", "set"),
    ("copyreg", "_reconstructor"),
    ("_codecs", "encode"),
    ("collections", "OrderedDict"),
    ("joblib.numpy_pickle", "NumpyArrayWrapper"),
]

REFUSED = [
    ("posix", "system", "operating-system"),
    ("os", "system", "operating-system"),
    ("nt", "system", "operating-system"),
    ("subprocess", "Popen", "runs other programs"),
    ("builtins", "eval", "evaluates code"),
    ("builtins", "exec", "executes code"),
    ("builtins", "getattr", "any attribute"),
    ("builtins", "__import__", "imports"),
    ("sys", "modules", "interpreter"),
    ("socket", "socket", "network"),
    ("shutil", "rmtree", "files"),
    ("importlib", "import_module", "imports"),
    ("pickle", "loads", "nested unpickle"),
    ("runpy", "run_path", "runs modules"),
    ("webbrowser", "open", "browser"),
    ("joblib", "load", "nested"),
    ("numpy", "save", "a numpy function"),  # numpy functions: only classes and ufuncs
    ("numpy", "zeros", "a numpy function"),
    ("numpy", "memmap", "maps files"),
    ("numpy.testing", "assert_equal", "testing"),
    ("numpy", "testing", "testing"),  # a module reached as an attribute
    ("numpy.lib.stride_tricks", "as_strided", "arbitrary memory"),
    ("numpy.ctypeslib", "as_array", "raw memory"),
    ("scipy.io", "savemat", "files"),
    ("sklearn.datasets", "fetch_openml", "downloads"),
    ("sklearn.utils._testing", "assert_run_python_script_without_output", "scripts"),
    ("sklearn", "set_config", "process-wide"),
    ("sklearn.tree", "export_graphviz", "a scikit-learn function"),
    ("sklearn.base", "os.system", "attribute path"),
    ("numpy", "__builtins__", "dunder"),
    ("numpy", "NoSuchThing", "cannot be checked"),
    ("fractions", "Fraction", "default deny"),
    ("numpy", "core", "module"),  # numpy 2 warns on access: still just refused
    ("numpy._pyinstaller.hook-numpy", "x", "not a valid module name"),
    ("numpy.random.tests.test_random", "TestSeed", "test"),
    ("scipy._lib._util", "MapWrapper", "process pools"),
    ("sklearn.utils", "check_memory", "cache directories"),
]


@pytest.mark.parametrize(("module", "name"), ALLOWED)
def test_allowed(module: str, name: str) -> None:
    judgement = judge_global(module, name, AllowList())
    assert judgement.allowed, judgement.reason
    assert callable(resolve_global(module, name, AllowList()))


@pytest.mark.parametrize(("module", "name", "why"), REFUSED)
def test_refused_with_a_reason(module: str, name: str, why: str) -> None:
    judgement = judge_global(module, name, AllowList())
    assert not judgement.allowed
    assert why in judgement.reason
    with pytest.raises(PermissionError, match=f"{module}.{name}"):
        resolve_global(module, name, AllowList())


def test_allow_entries_widen_the_defaults_but_not_the_always_refused() -> None:
    assert judge_global("fractions", "Fraction", AllowList.of(["fractions."])).allowed
    assert judge_global("fractions", "Fraction", AllowList.of("fractions.Fraction")).allowed
    assert not judge_global("decimal", "Decimal", AllowList.of(["fractions."])).allowed
    # A prefix covers whole package names only.
    assert not judge_global("fractionsevil", "Fraction", AllowList.of(["fractions"])).allowed
    for entry in ("builtins.eval", "builtins.", "os.", "posix.system", "subprocess"):
        module, _, name = "builtins.eval".rpartition(".")
        assert not judge_global(module, name, AllowList.of([entry])).allowed
        assert not judge_global("posix", "system", AllowList.of([entry])).allowed
    # An exact entry may admit a carve-out of an allowed package, knowingly.
    assert judge_global("numpy", "zeros", AllowList.of(["numpy.zeros"])).allowed


def test_allow_entries_are_validated() -> None:
    with pytest.raises(ValueError, match="not a module prefix"):
        AllowList.of(["os; rm -rf /"])


def test_modules_and_values_are_never_admitted() -> None:
    # Naming a module lets a pickle set attributes on it; allow= cannot change that.
    judgement = judge_global("sklearn", "base", AllowList.of(["sklearn.base"]))
    assert not judgement.allowed
    assert "module" in judgement.reason


def test_python2_and_numpy1_names_are_normalized() -> None:
    assert normalize_global("__builtin__", "set", 2) == ("builtins", "set")
    assert normalize_global("copy_reg", "_reconstructor", 0) == ("copyreg", "_reconstructor")
    assert normalize_global("__builtin__", "set", 4) == ("__builtin__", "set")
    assert normalize_global("numpy.core.multiarray", "_reconstruct", 4) == (
        "numpy._core.multiarray",
        "_reconstruct",
    )
