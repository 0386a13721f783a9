"""Run a bundle's Rego unit tests: every ``test_*`` rule of every package, as
``opa test`` does. This backs ``bastion policy test DIR``.

A test passes when its rule is ``true``; ``false`` or undefined fails it; an evaluation
error (with strict builtin errors, e.g. a type error) is an error with its message.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bastion.policy import _engine
from bastion.policy.bundle import Bundle, CompiledBundle, compile_bundle


class TestStatus(StrEnum):
    __test__ = False  # not a pytest class

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"


@dataclass(frozen=True)
class TestResult:
    """One test rule's outcome; ``message`` says why it did not pass."""

    __test__ = False

    package: str
    name: str
    file: str
    status: TestStatus
    message: str | None
    duration_ms: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "package": self.package,
            "name": self.name,
            "file": self.file,
            "status": self.status.value,
            "message": self.message,
            "duration_ms": round(self.duration_ms, 3),
        }


@dataclass(frozen=True)
class TestReport:
    """The results of a bundle's tests, in file and rule order."""

    __test__ = False

    bundle_name: str
    bundle_digest: str
    results: tuple[TestResult, ...]
    duration_ms: float

    def __iter__(self) -> Iterator[TestResult]:
        return iter(self.results)

    def _count(self, status: TestStatus) -> int:
        return sum(1 for r in self.results if r.status is status)

    @property
    def passed(self) -> bool:
        """Every test passed, and there was at least one (nothing tested is no pass)."""
        return bool(self.results) and self.passed_count == len(self.results)

    @property
    def passed_count(self) -> int:
        return self._count(TestStatus.PASSED)

    @property
    def failed_count(self) -> int:
        return self._count(TestStatus.FAILED)

    @property
    def error_count(self) -> int:
        return self._count(TestStatus.ERROR)

    def to_dict(self) -> dict[str, Any]:
        return {
            "bundle_name": self.bundle_name,
            "bundle_digest": self.bundle_digest,
            "passed": self.passed,
            "counts": {
                "passed": self.passed_count,
                "failed": self.failed_count,
                "error": self.error_count,
            },
            "duration_ms": round(self.duration_ms, 3),
            "results": [r.to_dict() for r in self.results],
        }


def run_tests(bundle: CompiledBundle | Bundle) -> TestReport:
    """Evaluate every ``test_*`` rule of the bundle, with no input.

    Raises
    ------
    PolicyError
        The bundle does not compile (when given a :class:`Bundle`).
    """
    started = time.perf_counter()
    compiled = compile_bundle(bundle) if isinstance(bundle, Bundle) else bundle
    results: list[TestResult] = []
    if compiled.tests:
        runner = compiled.new_runner(tuple(t.entrypoint for t in compiled.tests))
        for test in compiled.tests:
            test_started = time.perf_counter()
            try:
                result = runner.query(test.entrypoint)
            except (_engine.RegoError, ValueError) as error:
                result = _engine.Result(False, problems=(_engine.Problem(str(error)),))
            status, message = _judge(result)
            results.append(
                TestResult(
                    package=test.package,
                    name=test.name,
                    file=test.file,
                    status=status,
                    message=message,
                    duration_ms=(time.perf_counter() - test_started) * 1000,
                )
            )
    return TestReport(
        bundle_name=compiled.bundle.name,
        bundle_digest=compiled.digest,
        results=tuple(results),
        duration_ms=(time.perf_counter() - started) * 1000,
    )


def _judge(result: _engine.Result) -> tuple[TestStatus, str | None]:
    if result.problems:
        return TestStatus.ERROR, "; ".join(str(p) for p in result.problems)
    if not result.defined:
        return TestStatus.FAILED, "undefined"
    if result.value is True:
        return TestStatus.PASSED, None
    return TestStatus.FAILED, f"value {json.dumps(result.value)[:200]}, expected true"
