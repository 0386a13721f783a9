"""Small bundles written inline for the policy tests."""

from bastion.policy import Bundle

GATE_HEADER = "package bastion.gates.{gate}\n\nimport rego.v1\n\n"


def gate_bundle(body: str, *, gate: str = "production", **files: str) -> Bundle:
    """A bundle with one gate module whose body is ``body``, plus ``files``."""
    return Bundle.from_files("test", {"gate.rego": GATE_HEADER.format(gate=gate) + body, **files})
