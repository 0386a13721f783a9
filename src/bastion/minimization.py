"""Data minimization (GDPR Art. 5(1)(c), Art. 25): does a model use personal data it does
not need, and does its training data hold personal data nobody uses?

Pure computation over a model's feature names and a PII scan of its training data (the
``result`` of ``scan.pii`` evidence, as :meth:`bastion.pii.PiiScanResult.to_dict` writes
it), so the platform can check a model version against scans recorded earlier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from bastion.assessment.display import html_report
from bastion.assessment.verdict import Verdict, plain, worst
from bastion.errors import InvalidInput

__all__ = ["MinimizationFinding", "MinimizationResult", "check_minimization"]

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class MinimizationFinding:
    """One column that needs a look: why, and what follows."""

    column: str
    issue: str  # special_category_feature, personal_data_feature, personal_data_unused
    detail: str
    outcome: Verdict
    justification: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The finding as plain JSON."""
        return plain(self.__dict__)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class MinimizationResult:
    """What the check found; ``verdict`` is the worst outcome of its findings.

    - A **special-category** column (GDPR Art. 9) used as a feature fails, unless a
      justification is recorded for it (then it warns: a person must still agree).
    - A column holding **personal data** used as a feature warns: direct identifiers are
      rarely needed to predict anything, and they make every model output personal data.
    - Personal data **held but unused** by the model warns: what is not needed should not
      be kept in the training set (Art. 5(1)(c)).
    - Features not found in the scanned data are listed (derived features, or a scan of
      other data); they are not judged.
    """

    evidence_kind: ClassVar[str] = "check.data_minimization"

    features: tuple[str, ...]
    findings: tuple[MinimizationFinding, ...]
    unscanned_features: tuple[str, ...]
    unused_columns: tuple[str, ...]
    verdict: Verdict
    notes: tuple[str, ...]
    inputs: dict[str, str] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """One sentence for the evidence record."""
        if not self.findings:
            return f"pass: no personal data among the {len(self.features)} features or held unused"
        counts: dict[str, int] = {}
        for f in self.findings:
            counts[f.issue] = counts.get(f.issue, 0) + 1
        parts = ", ".join(f"{n} {issue.replace('_', ' ')}" for issue, n in counts.items())
        return f"{self.verdict}: {parts} ({len(self.features)} features)"

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON (column names and entities, never values)."""
        return plain(  # type: ignore[no-any-return]
            {
                "schema_version": SCHEMA_VERSION,
                "features": list(self.features),
                "findings": [f.to_dict() for f in self.findings],
                "unscanned_features": list(self.unscanned_features),
                "unused_columns": list(self.unused_columns),
                "verdict": self.verdict,
                "summary": self.summary,
                "notes": list(self.notes),
                "inputs": self.inputs,
            }
        )

    def _repr_html_(self) -> str:
        import pandas as pd

        frame = pd.DataFrame([f.to_dict() for f in self.findings])
        return html_report(
            "Data minimization", self.verdict, self.summary, self.notes,
            [("Findings", frame)] if self.findings else [],
        )  # fmt: skip


def check_minimization(
    features: Sequence[str],
    scan: Mapping[str, Any],
    *,
    justifications: Mapping[str, str] | None = None,
    ignore: Sequence[str] = (),
    inputs: Mapping[str, str] | None = None,
) -> MinimizationResult:
    """Check a model's features against a PII scan of its training data.

    Parameters
    ----------
    features : sequence of str
        The model's input columns.
    scan : mapping
        A PII scan result as JSON: ``columns`` (each with ``column`` and ``entity``) and
        ``special_categories`` (each with ``column`` and ``category``).
    justifications : mapping of str to str, optional
        Why a special-category column is needed as a feature, by column.
    ignore : sequence of str
        Columns held for other reasons that are not features by design (the label).
    inputs : mapping, optional
        Digests to record (the scan's data digest is added when the scan has one).

    Raises
    ------
    InvalidInput
        If there are no features, or the scan is not a PII scan result, or a
        justification names a column that is not a feature.
    """
    if not features:
        raise InvalidInput("no features given: name the model's input columns", field="features")
    columns = scan.get("columns")
    if not isinstance(columns, list):
        raise InvalidInput("the scan has no columns: pass a PII scan result", field="scan")
    justifications = dict(justifications or {})
    stray = sorted(set(justifications) - set(features))
    if stray:
        raise InvalidInput(
            f"justifications name columns that are not features: {stray}", field="justifications"
        )
    personal = {str(c["column"]): str(c["entity"]) for c in columns if c.get("entity")}
    special: dict[str, list[str]] = {}
    for s in scan.get("special_categories") or []:
        special.setdefault(str(s["column"]), []).append(str(s["category"]))
    held = [str(c["column"]) for c in columns]
    used = set(features)
    findings: list[MinimizationFinding] = []
    for column in features:
        if column in special:
            why = justifications.get(column)
            findings.append(
                MinimizationFinding(
                    column,
                    "special_category_feature",
                    f"special category data ({', '.join(special[column])}) used as a feature",
                    "warn" if why else "fail",
                    why,
                )
            )
        elif column in personal:
            findings.append(
                MinimizationFinding(
                    column,
                    "personal_data_feature",
                    f"personal data ({personal[column]}) used as a feature",
                    "warn",
                    justifications.get(column),
                )
            )
    unused = [c for c in held if c not in used and c not in ignore]
    for column in unused:
        if column in personal or column in special:
            what = personal.get(column) or ", ".join(special[column])
            findings.append(
                MinimizationFinding(
                    column,
                    "personal_data_unused",
                    f"personal data ({what}) held in the training data but not used by the "
                    "model: drop it, or record why it is kept",
                    "warn",
                )
            )
    notes = []
    unscanned = [f for f in features if f not in held]
    if unscanned:
        notes.append(f"{len(unscanned)} feature(s) are not columns of the scanned data: "
                     f"{unscanned[:10]} (derived features are not judged)")  # fmt: skip
    digests = dict(inputs or {})
    scanned = (scan.get("inputs") or {}).get("data")
    if isinstance(scanned, str):
        digests.setdefault("data", scanned)
    verdict: Verdict = worst(*(f.outcome for f in findings)) if findings else "pass"
    return MinimizationResult(
        features=tuple(features),
        findings=tuple(findings),
        unscanned_features=tuple(unscanned),
        unused_columns=tuple(unused),
        verdict=verdict,
        notes=tuple(notes),
        inputs=digests,
    )
