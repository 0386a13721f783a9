"""Scanning a model file: read it within a size limit, tell its format from its content,
and judge everything it would import or run against the allow-list.

Nothing in the file runs. A pickle or joblib file is walked opcode by opcode
(:mod:`bastion.model_files.pickles`); a skops file is asked for the types it names that
skops does not trust by default (``skops.io.get_untrusted_types``); an ONNX file is
parsed with ``onnx`` and its operators and tensors listed
(:mod:`bastion.model_files.onnx_model`). :func:`bastion.model_files.load_model` runs the
same scan first and loads only what passed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import onnx

from bastion.assessment.errors import UnusableModelError
from bastion.model_files.detect import DEFAULT_MAX_BYTES, ModelBytes, read_model_file
from bastion.model_files.onnx_model import onnx_findings
from bastion.model_files.pickles import PickleReport, ScanAborted, walk_pickle
from bastion.model_files.policy import AllowList, judge_global
from bastion.model_files.result import Finding, ModelScanResult

__all__ = ["Scanned", "scan_bytes", "scan_model_file"]

_PICKLE_NOTE = (
    "pickle and joblib files can run code when loaded: this scan lists what loading would "
    "import and call, and Bastion loads them only through a restricted unpickler; prefer "
    "skops or ONNX files, which need neither"
)


@dataclass(frozen=True)
class Scanned:
    """A scan's result, with what the loader needs to load exactly what was scanned."""

    model: ModelBytes
    result: ModelScanResult
    allow: AllowList
    pickle_report: PickleReport | None = None
    trusted_types: tuple[str, ...] = ()
    onnx_model: onnx.ModelProto | None = None


def _judged(kind: Any, module: str, name: str, allow: AllowList, count: int = 1) -> Finding:
    judgement = judge_global(module, name, allow)
    return Finding(
        kind,
        f"{module}.{name}",
        "allowed" if judgement.allowed else "unsafe",
        judgement.reason,
        count,
    )


def _scan_pickle(
    model: ModelBytes, allow: AllowList
) -> tuple[list[Finding], dict[str, Any], list[str], PickleReport]:
    try:
        report = walk_pickle(model.payload)
    except ScanAborted as exc:
        raise UnusableModelError(
            f"{model.source}: cannot be scanned, so it was not loaded: {exc}", field="model"
        ) from None  # the walker's own traceback says nothing more
    except RecursionError:
        raise UnusableModelError(
            f"{model.source}: cannot be scanned (nested too deeply), so it was not loaded",
            field="model",
        ) from None
    findings = [
        _judged("global", module, name, allow, count)
        for (module, name), count in report.globals.items()
    ]
    findings += [Finding("operation", what, "unsafe", why) for what, why in report.problems]
    joblib = bool(report.arrays) or model.compression is not None
    details: dict[str, Any] = {
        "container": "joblib" if joblib else "pickle",
        "compression": model.compression,
        "protocol": report.protocol,
        "arrays": report.arrays,
    }
    if model.compression is not None:
        details["inflated_size"] = len(model.payload)
    notes = [_PICKLE_NOTE]
    trailing = len(model.payload) - report.end
    if trailing:
        notes.append(f"{trailing:,} bytes after the end of the pickle are never read")
    return findings, details, notes, report


def _scan_skops(
    model: ModelBytes, allow: AllowList
) -> tuple[list[Finding], dict[str, Any], list[str], tuple[str, ...]]:
    import skops.io  # type: ignore[import-untyped]  # imported late: it imports sklearn

    try:
        untrusted = skops.io.get_untrusted_types(data=model.data)
    except Exception as exc:  # skops raises many types for a damaged archive or schema
        raise UnusableModelError(
            f"{model.source}: not a valid skops file: {type(exc).__name__}: {exc}",
            field="model",
        ) from exc
    findings = []
    for qualified in untrusted:
        module, _, name = str(qualified).rpartition(".")
        if module:
            findings.append(_judged("type", module, name, allow))
        else:
            findings.append(Finding("type", str(qualified), "unsafe", "not a qualified name"))
    trusted = tuple(f.name for f in findings if not f.unsafe)
    details = {"container": "skops", "untrusted_types": len(untrusted)}
    notes = [
        "types skops trusts by default (scikit-learn estimators, numpy and scipy basics) "
        "are not listed; the others are judged against the allow-list"
    ]
    return findings, details, notes, trusted


def scan_bytes(model: ModelBytes, allow: AllowList, *, max_bytes: int) -> Scanned:
    """Scan a model file already read into memory (see :func:`scan_model_file`)."""
    report: PickleReport | None = None
    trusted: tuple[str, ...] = ()
    proto: onnx.ModelProto | None = None
    if model.format == "pickle":
        findings, details, notes, report = _scan_pickle(model, allow)
    elif model.format == "skops":
        findings, details, notes, trusted = _scan_skops(model, allow)
    else:
        proto = onnx.load_model_from_string(model.data)
        findings, details = onnx_findings(proto)
        details = {"container": "onnx", **details}
        notes = []
    result = ModelScanResult.build(
        source=model.source,
        format=model.format,
        sha256=model.sha256,
        size=model.size,
        findings=findings,
        details=details,
        notes=notes,
        settings={"max_bytes": max_bytes, "allow": list(allow.entries)},
    )
    return Scanned(model, result, allow, report, trusted, proto)


def scan_model_file(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow: Iterable[str] = (),
) -> ModelScanResult:
    """Scan a model file for what loading it would import or run, without loading it.

    Parameters
    ----------
    path : str or path-like
        A skops, ONNX, pickle or joblib file (plain or zlib, gzip, bz2, lzma or xz
        compressed); the format is read from the content, not the suffix.
    max_bytes : int
        Refuse files larger than this, and compressed files that inflate past it.
    allow : iterable of str
        Extra module prefixes (``"xgboost."``) or globals (``"fractions.Fraction"``) to
        admit on top of the default allow-list (see ``docs/model_files.md``).

    Returns
    -------
    ModelScanResult
        ``verdict`` is ``"fail"`` if anything is unsafe; record it as ``scan.model``
        evidence with ``to_dict()``.

    Raises
    ------
    UnusableModelError
        If the file is missing, empty, too large, damaged, truncated, of an unknown
        format, or cannot be followed to its end; the message names the file.
    """
    allow_list = AllowList.of(allow)
    model = read_model_file(path, max_bytes=max_bytes)
    return scan_bytes(model, allow_list, max_bytes=max_bytes).result
