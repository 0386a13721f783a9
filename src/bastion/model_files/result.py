"""The typed result of a model file scan: what the file would import or run, judged.

A :class:`ModelScanResult` is what ``to_dict`` turns into the JSON stored as the
``result`` of a ``scan.model`` evidence record (DESIGN.md, "The evidence record"), with
the file's SHA-256 as the ``model`` input. Its verdict is ``fail`` as soon as one finding
is unsafe, ``pass`` otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import pandas as pd

from bastion.assessment.display import html_report
from bastion.assessment.model import ModelFormat
from bastion.assessment.verdict import Verdict, plain

__all__ = ["SCHEMA_VERSION", "Classification", "Finding", "FindingKind", "ModelScanResult"]

SCHEMA_VERSION = 1

Classification = Literal["allowed", "unsafe"]
FindingKind = Literal["global", "type", "op", "external_data", "operation"]
"""What a finding is about: a global a pickle imports, a type a skops file names, an ONNX
operator, a file an ONNX tensor reads, or a pickle operation refused whatever it names."""

_NOUNS: dict[str, str] = {
    "global": "global",
    "type": "type",
    "op": "operator",
    "external_data": "external data file",
    "operation": "operation",
}


@dataclass(frozen=True)
class Finding:
    """One thing a model file would import or run, and whether it may.

    Attributes
    ----------
    kind : {"global", "type", "op", "external_data", "operation"}
    name : str
        ``module.name`` for a global or type, ``domain.op_type`` for an operator, the
        file name for external data, a short description for an operation.
    classification : {"allowed", "unsafe"}
    reason : str
        Why: the allow-list rule that admitted it, or what it could do.
    count : int
        How many times the file names it.
    """

    kind: FindingKind
    name: str
    classification: Classification
    reason: str
    count: int = 1

    @property
    def unsafe(self) -> bool:
        """Whether this finding makes the verdict ``fail``."""
        return self.classification == "unsafe"

    def to_dict(self) -> dict[str, Any]:
        """The finding as plain JSON."""
        return plain(self.__dict__)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ModelScanResult:
    """What a scan of one model file found.

    Attributes
    ----------
    source : str
        The file's name.
    format : {"skops", "onnx", "pickle"}
        From the file's content, not its suffix (joblib files are ``pickle``).
    sha256 : str
        The SHA-256 of the file's bytes.
    size : int
        The file's size in bytes.
    findings : tuple of Finding
        Everything judged, unsafe findings first.
    details : dict
        What else the scan read: the container (``joblib`` or ``pickle``), compression,
        pickle protocol, inflated size, ONNX IR version and opsets, …
    notes : tuple of str
        Sentences a reader should see.
    settings : dict
        ``max_bytes`` and the extra ``allow`` entries the scan ran with.
    verdict : {"pass", "fail"}
        ``fail`` if any finding is unsafe.
    inputs : dict
        ``{"model": sha256}``, for the evidence record.
    """

    evidence_kind: ClassVar[str] = "scan.model"
    """The kind of evidence this result is recorded as."""

    source: str
    format: ModelFormat
    sha256: str
    size: int
    findings: tuple[Finding, ...]
    details: dict[str, Any]
    notes: tuple[str, ...]
    settings: dict[str, Any]
    verdict: Verdict
    inputs: dict[str, str]

    @classmethod
    def build(
        cls,
        *,
        source: str,
        format: ModelFormat,
        sha256: str,
        size: int,
        findings: list[Finding],
        details: dict[str, Any],
        notes: list[str],
        settings: dict[str, Any],
    ) -> ModelScanResult:
        """A result with the verdict and ``inputs`` derived from the findings and digest."""
        ordered = sorted(findings, key=lambda f: (not f.unsafe, f.kind, f.name))
        verdict: Verdict = "fail" if any(f.unsafe for f in findings) else "pass"
        return cls(
            source=source,
            format=format,
            sha256=sha256,
            size=size,
            findings=tuple(ordered),
            details=details,
            notes=tuple(notes),
            settings=settings,
            verdict=verdict,
            inputs={"model": sha256},
        )

    @property
    def unsafe(self) -> tuple[Finding, ...]:
        """The findings that make the verdict ``fail``."""
        return tuple(f for f in self.findings if f.unsafe)

    @property
    def allowed(self) -> tuple[Finding, ...]:
        """The findings the allow-list admitted."""
        return tuple(f for f in self.findings if not f.unsafe)

    @property
    def passed(self) -> bool:
        """Whether nothing unsafe was found (the file may be loaded)."""
        return self.verdict == "pass"

    @property
    def summary(self) -> str:
        """One sentence for the evidence record's ``summary``."""
        what = f"{self.source} ({self._described()})"
        if self.unsafe:
            shown = ", ".join(f"{_NOUNS[f.kind]} {f.name}" for f in self.unsafe[:5])
            more = f" and {len(self.unsafe) - 5} more" if len(self.unsafe) > 5 else ""
            return f"fail: {what} has {_count(len(self.unsafe), 'unsafe finding')}: {shown}{more}"
        if not self.findings:
            return f"pass: {what} names nothing outside its format's trusted defaults"
        kinds = sorted({f.kind for f in self.findings})
        counts = " and ".join(
            _count(sum(1 for f in self.findings if f.kind == k), _NOUNS[k]) for k in kinds
        )
        return f"pass: {what} names {counts}, all allowed"

    def _described(self) -> str:
        container = self.details.get("container", self.format)
        compression = self.details.get("compression")
        return f"{container}, {compression}-compressed" if compression else str(container)

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-able data, with ``schema_version``."""
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "source": self.source,
            "format": self.format,
            "sha256": self.sha256,
            "size": self.size,
            "details": self.details,
            "settings": self.settings,
            "findings": [f.to_dict() for f in self.findings],
            "counts": {"allowed": len(self.allowed), "unsafe": len(self.unsafe)},
            "verdict": self.verdict,
            "summary": self.summary,
            "notes": list(self.notes),
            "inputs": self.inputs,
        }
        return plain(out)  # type: ignore[no-any-return]

    def to_frame(self) -> pd.DataFrame:
        """The findings as a data frame, one row each."""
        return pd.DataFrame(
            [f.to_dict() for f in self.findings],
            columns=["kind", "name", "classification", "reason", "count"],
        )

    def _repr_html_(self) -> str:
        return html_report(
            "Model file scan", self.verdict, self.summary, self.notes,
            [("", self.to_frame().to_html(index=False))],
        )  # fmt: skip


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
