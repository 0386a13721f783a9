"""Gate decisions: evaluate a bundle's ``data.bastion.gates.<gate>.decision`` on an
evidence document (docs/policy.md), failing closed.

Whatever goes wrong on the policy's side — an unknown gate, an undefined decision, a
value of the wrong shape, an evaluation error — is a deny whose reason carries the error,
never an exception: a broken policy must stop a release, not let it through or crash the
request. Only a document that is not a JSON object is the caller's fault (``InvalidInput``).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bastion.errors import InvalidInput
from bastion.policy import _engine
from bastion.policy.bundle import Bundle, CompiledBundle, compile_bundle, gate_entrypoint
from bastion.policy.errors import PolicyError

_GATE_NAME = re.compile(r"[a-z_][a-z0-9_]*")
# One encoder for every digest: json.dumps builds a new one per call when given options.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


@dataclass(frozen=True)
class Reason:
    """Why a gate denies (or, when it allows, a note): the requirement and evidence kind
    concerned when there is one."""

    requirement: str | None
    evidence: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"requirement": self.requirement, "evidence": self.evidence, "message": self.message}


@dataclass(frozen=True)
class Approval:
    """Approvals a promotion needs: ``count`` distinct principals with ``role``."""

    role: str
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "count": self.count}


@dataclass(frozen=True)
class Decision:
    """A gate decision, with the digests of the bundle and document it was made on.

    ``error`` is set when the decision is a fail-closed deny (the policy could not
    decide); ``duration_ms`` is the evaluation's wall time.
    """

    gate: str
    allow: bool
    reasons: tuple[Reason, ...]
    approvals: tuple[Approval, ...]
    bundle_digest: str
    input_digest: str
    error: str | None = None
    duration_ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "gate": self.gate,
            "allow": self.allow,
            "reasons": [r.to_dict() for r in self.reasons],
            "approvals": [a.to_dict() for a in self.approvals],
            "bundle_digest": self.bundle_digest,
            "input_digest": self.input_digest,
            "error": self.error,
            "duration_ms": round(self.duration_ms, 3),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Decision:
        """The inverse of :meth:`to_dict` (e.g. for a decision stored as evidence)."""
        return cls(
            gate=data["gate"],
            allow=data["allow"],
            reasons=tuple(Reason(**r) for r in data.get("reasons", ())),
            approvals=tuple(Approval(**a) for a in data.get("approvals", ())),
            bundle_digest=data["bundle_digest"],
            input_digest=data["input_digest"],
            error=data.get("error"),
            duration_ms=data.get("duration_ms", 0.0),
        )


def document_digest(document: Mapping[str, Any]) -> str:
    """SHA-256 of the document's canonical JSON (sorted keys, no spaces, UTF-8).

    Raises
    ------
    InvalidInput
        The document is not a JSON object (a value JSON cannot hold, a NaN, …).
    """
    if not isinstance(document, Mapping):
        raise InvalidInput(
            f"the evidence document must be a JSON object, not {type(document).__name__}",
            field="document",
        )
    try:
        canonical = _CANONICAL.encode(document)
    except (TypeError, ValueError) as error:
        raise InvalidInput(
            f"the evidence document is not JSON: {error}", field="document"
        ) from None
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class _Malformed(Exception):
    pass


def evaluate(compiled: CompiledBundle | Bundle, gate: str, document: Mapping[str, Any]) -> Decision:
    """Evaluate ``gate`` of the bundle on ``document``; a fail-closed :class:`Decision`.

    Parameters
    ----------
    compiled
        A compiled bundle (a :class:`Bundle` is compiled first, once per digest; one
        that does not compile gives a deny).
    gate
        ``register``, ``staging``, ``production``, ``retired`` or another gate the bundle
        defines.
    document
        The evidence document (``input``), a JSON object.

    Examples
    --------
    >>> from bastion.policy import builtin_bundle, compile_bundle, evaluate
    >>> decision = evaluate(compile_bundle(builtin_bundle()), "register", {"system": None})
    >>> decision.allow
    True
    """
    started = time.perf_counter()
    input_digest = document_digest(document)

    def denied(error: str) -> Decision:
        return Decision(
            gate=gate,
            allow=False,
            reasons=(Reason(None, None, f"policy error: {error}"),),
            approvals=(),
            bundle_digest=compiled.digest,
            input_digest=input_digest,
            error=error,
            duration_ms=(time.perf_counter() - started) * 1000,
        )

    if isinstance(compiled, Bundle):
        try:
            compiled = compile_bundle(compiled)
        except PolicyError as error:
            return denied(f"the bundle does not compile: {error}")
    if not isinstance(gate, str) or not _GATE_NAME.fullmatch(gate) or gate not in compiled.gates:
        return denied(
            f"unknown gate {gate!r}: bundle {compiled.bundle.name!r} defines "
            f"{', '.join(compiled.gates)}"
        )
    try:
        with compiled.runner() as runner:
            result = runner.query(gate_entrypoint(gate), document)
    except (_engine.RegoError, ValueError, TypeError, OverflowError) as error:
        return denied(f"evaluation failed: {error}")
    if result.problems:
        return denied("evaluation error: " + "; ".join(str(p) for p in result.problems))
    if not result.defined:
        return denied(f"data.bastion.gates.{gate}.decision is undefined for this document")
    try:
        allow, reasons, approvals = _read_decision(result.value)
    except _Malformed as error:
        return denied(f"malformed decision: {error}")
    if not allow and not reasons:
        reasons = (Reason(None, None, "the policy denies without giving a reason"),)
    return Decision(
        gate=gate,
        allow=allow,
        reasons=reasons,
        approvals=approvals,
        bundle_digest=compiled.digest,
        input_digest=input_digest,
        duration_ms=(time.perf_counter() - started) * 1000,
    )


def _optional_text(item: Mapping[str, Any], key: str, where: str) -> str | None:
    value = item.get(key)
    if value is not None and not isinstance(value, str):
        raise _Malformed(f"{where}.{key} must be a string or null, not {json.dumps(value)}")
    return value


def _read_decision(value: Any) -> tuple[bool, tuple[Reason, ...], tuple[Approval, ...]]:
    if not isinstance(value, dict):
        raise _Malformed(f"the decision must be an object, not {json.dumps(value)[:200]}")
    allow = value.get("allow")
    if not isinstance(allow, bool):
        raise _Malformed(f"allow must be a boolean, not {json.dumps(allow)}")
    raw_reasons = value.get("reasons", [])
    if not isinstance(raw_reasons, list):
        raise _Malformed("reasons must be an array")
    reasons = []
    for i, item in enumerate(raw_reasons):
        where = f"reasons[{i}]"
        if not isinstance(item, dict):
            raise _Malformed(f"{where} must be an object, not {json.dumps(item)[:200]}")
        message = item.get("message")
        if not isinstance(message, str) or not message:
            raise _Malformed(f"{where}.message must be a non-empty string")
        reasons.append(
            Reason(
                requirement=_optional_text(item, "requirement", where),
                evidence=_optional_text(item, "evidence", where),
                message=message,
            )
        )
    raw_approvals = value.get("approvals", [])
    if not isinstance(raw_approvals, list):
        raise _Malformed("approvals must be an array")
    approvals = []
    for i, item in enumerate(raw_approvals):
        where = f"approvals[{i}]"
        if not isinstance(item, dict):
            raise _Malformed(f"{where} must be an object, not {json.dumps(item)[:200]}")
        role, count = item.get("role"), item.get("count")
        if not isinstance(role, str) or not role:
            raise _Malformed(f"{where}.role must be a non-empty string")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise _Malformed(f"{where}.count must be a whole number >= 0, not {json.dumps(count)}")
        approvals.append(Approval(role=role, count=count))
    return allow, tuple(reasons), tuple(approvals)
