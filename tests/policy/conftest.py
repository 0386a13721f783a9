"""Fixtures of the policy tests."""

from collections.abc import Callable

import pytest

from bastion.policy import CompiledBundle, compile_bundle
from tests.policy.bundles import gate_bundle


@pytest.fixture
def compile_gate() -> Callable[..., CompiledBundle]:
    """Compile a one-gate bundle in this process (no child-process check: fast)."""

    def make(body: str, *, gate: str = "production", **files: str) -> CompiledBundle:
        return compile_bundle(gate_bundle(body, gate=gate, **files), isolate=False)

    return make
