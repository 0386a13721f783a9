"""The modules ``setup.py`` compiles with mypyc are compiled wherever a C compiler is, so
that the tests and the benchmarks run what users get."""

import ast
import importlib
import os
import shlex
import shutil
import sysconfig
from pathlib import Path

import pytest

SETUP = Path(__file__).resolve().parents[2] / "setup.py"


def _compiled_modules() -> list[str]:
    # setup.py's COMPILED list, read without running setup().
    tree = ast.parse(SETUP.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "COMPILED":
            paths = ast.literal_eval(node.value)
            return [p.removeprefix("src/").removesuffix(".py").replace("/", ".") for p in paths]
    raise AssertionError("setup.py lists no COMPILED modules")


def test_the_text_scanner_is_compiled() -> None:
    if os.environ.get("BASTION_PURE_PYTHON"):
        pytest.skip("BASTION_PURE_PYTHON is set: the modules stay Python")
    compiler = shlex.split(sysconfig.get_config_var("CC") or "cc")[0]
    if shutil.which(compiler) is None:
        pytest.skip(f"no C compiler ({compiler}): the build leaves the modules Python")
    modules = _compiled_modules()
    assert "bastion.pii.finders" in modules
    for name in modules:
        path = importlib.import_module(name).__file__ or ""
        assert not path.endswith(".py"), f"{name} runs as Python: reinstall (make test)"
