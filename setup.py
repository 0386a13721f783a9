"""The build's one extra step: the free-text PII scanner compiled to C with mypyc.

Scanning free text is Python code around regular expressions (the candidates each string
holds, their validators, their context); compiled, it runs about 1.3 times as fast, which
is what carries ``bastion.pii`` past its throughput goal against Presidio
(docs/benchmarks.md). The modules stay plain Python: where no C compiler is found, or
``BASTION_PURE_PYTHON=1`` is set, the build skips this step and they run as they are.
Everything else about the package is in ``pyproject.toml``.
"""

import os
import sys

from setuptools import setup

COMPILED = [
    "src/bastion/pii/finders.py",
    "src/bastion/pii/scan.py",
    "src/bastion/pii/context.py",
    "src/bastion/pii/validators.py",
    "src/bastion/pii/phones.py",
]


def compiled_modules() -> list:
    if os.environ.get("BASTION_PURE_PYTHON"):
        return []
    if {"egg_info", "dist_info"} & set(sys.argv[1:]):
        return []  # pip asking for the metadata only: nothing to compile (and type-check)
    try:
        from mypyc.build import mypycify
    except ImportError:  # mypy is a build requirement; a build without it stays Python
        return []
    # The build environment holds the build requirements only (pyproject.toml): the
    # other packages' types are Any to mypyc, which checks them at run time instead; the
    # modules these import are read for their types, not checked (that is `make test`'s
    # job); and the project's mypy settings, which need pydantic, are not read ("").
    options = ["--config-file=", "--ignore-missing-imports", "--follow-imports=silent"]
    extensions = mypycify([*options, *COMPILED], opt_level="3")
    for extension in extensions:
        extension.optional = True  # no C compiler: the modules stay Python
    return extensions


setup(ext_modules=compiled_modules())
