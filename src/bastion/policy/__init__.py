"""Policy as code: Rego bundles evaluated in-process on an evidence document.

Pure computation (stdlib and regopy; no database, no server): load or upload a bundle,
compile it once, evaluate gate decisions that fail closed, run the bundle's Rego unit
tests, and render decisions for people and CI (text, JSON, JUnit XML, SARIF). The
contract — entrypoints, the decision's shape, the evidence document — is docs/policy.md.

>>> from bastion.policy import builtin_bundle, compile_bundle, evaluate
>>> compiled = compile_bundle(builtin_bundle())
>>> evaluate(compiled, "retired", {}).allow
True
"""

from bastion.policy.bundle import (
    GATES,
    MAX_BYTES,
    MAX_FILES,
    Bundle,
    CompiledBundle,
    builtin_bundle,
    compile_bundle,
    load_bundle,
)
from bastion.policy.errors import PolicyError
from bastion.policy.evaluate import Approval, Decision, Reason, document_digest, evaluate
from bastion.policy.tests_runner import TestReport, TestResult, TestStatus, run_tests

__all__ = [
    "GATES",
    "MAX_BYTES",
    "MAX_FILES",
    "Approval",
    "Bundle",
    "CompiledBundle",
    "Decision",
    "PolicyError",
    "Reason",
    "TestReport",
    "TestResult",
    "TestStatus",
    "builtin_bundle",
    "compile_bundle",
    "document_digest",
    "evaluate",
    "load_bundle",
    "run_tests",
]
