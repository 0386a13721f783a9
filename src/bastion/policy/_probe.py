"""Compile a bundle and run its tests in a child process: ``python -m bastion.policy._probe``
reads ``{"files": {path: text}}`` on stdin and exits 0 unless rego-cpp crashes.

rego-cpp 1.5 can abort or crash the whole process on some valid Rego (a test using
``with input as …`` over a rule that calls a builtin is enough), and an abort cannot be
caught. ``compile_bundle`` runs this first for every bundle but the built-in one, so that
an uploaded bundle that would crash is refused instead of taking the server down.
Errors rego-cpp reports normally are left to the in-process compile, which names them.
"""

import json
import sys

from bastion.policy import _engine
from bastion.policy.bundle import Bundle, _compile
from bastion.policy.errors import PolicyError


def main() -> int:
    payload = json.load(sys.stdin)
    try:
        compiled = _compile(Bundle.from_files("probe", payload["files"]))
        with compiled.runner() as runner:
            for gate in compiled.gates:
                runner.query(f"bastion/gates/{gate}/decision", {})
        if compiled.tests:
            tests = compiled.new_runner(tuple(t.entrypoint for t in compiled.tests))
            for test in compiled.tests:
                tests.query(test.entrypoint)
    except (PolicyError, _engine.RegoError, ValueError):
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
