"""The typed results of a PII scan, and the classification and verdict they suggest.

A :class:`PiiScanResult` (tables) or :class:`TextScanResult` (text files) is what a
notebook shows (``_repr_html_``), what ``to_frame`` hands to pandas, and what ``to_dict``
turns into the JSON stored as the ``result`` of a ``scan.pii`` evidence record. Neither
ever holds a matched value: evidence must not copy the personal data it reports on.

**Suggested classification** (:func:`suggest_classification`):

- ``restricted`` — a special category of personal data (GDPR Art. 9), a secret (key,
  token, private key), or a government identifier or financial account number (SSN,
  NINO, NHS number, passport, driver's license, card number, IBAN);
- ``confidential`` — other direct identifiers (e-mail, phone, name, street address, date
  of birth) or online identifiers (IP, MAC, wallet addresses);
- ``internal`` — quasi-identifiers only (dates, URLs), or nothing found.

``public`` is never suggested: a scan can show that data holds personal data, never that
it is fit to publish (aggregates can still disclose, free text can hold what patterns
miss); making data public is a decision a person records.

**Verdict** (the checks behind it): ``fail`` when secrets or special-category data are
found, ``warn`` when other personal data is, ``pass`` when nothing personal is (quasi-
identifiers alone pass, with a note).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import pandas as pd

from bastion.assessment.verdict import Check, Verdict, judge, plain
from bastion.pii.entities import ENTITIES, Likelihood, likelihood
from bastion.pii.special import SpecialCategoryFinding

__all__ = [
    "SCHEMA_VERSION",
    "Classification",
    "ColumnFinding",
    "LineSpan",
    "PiiScanResult",
    "TextScanResult",
    "judge_findings",
    "suggest_classification",
]

SCHEMA_VERSION = 1
Classification = Literal["public", "internal", "confidential", "restricted"]
_COLOURS = {"pass": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e", "info": "#57606a"}


@dataclass(frozen=True)
class ColumnFinding:
    """What one column holds.

    Attributes
    ----------
    column : str
    entity : str or None
        The entity most of the examined values match (``None``: none reaches
        ``min_share``, or only weak matches below :data:`bastion.pii.tables.WEAK_SHARE`).
    subtype : str or None
        ``date_of_birth`` for a DATE_TIME column whose name says so.
    share : float
        Share of the examined non-empty values matching ``entity`` (0 when ``None``).
    confidence : float
        Mean score of those matches, column-name context included.
    likelihood : str or None
        ``confidence`` as a likelihood level.
    examined : int
        Non-empty values examined (all of them, or the sample).
    matched : int
        Examined values matching ``entity``.
    others : tuple of (str, float, float)
        Other entities seen, with their shares and confidences, most frequent first.
    """

    column: str
    entity: str | None
    subtype: str | None
    share: float
    confidence: float
    likelihood: Likelihood | None
    examined: int
    matched: int
    others: tuple[tuple[str, float, float], ...] = ()

    @property
    def category(self) -> str | None:
        """The entity's category (``government_id``, ``direct`` …), ``None`` without one."""
        if self.entity is None:
            return None
        if self.entity == "DATE_TIME" and self.subtype == "date_of_birth":
            return "direct"
        return ENTITIES[self.entity].category

    def to_dict(self) -> dict[str, Any]:
        """The finding as plain JSON (counts and shares only, never values)."""
        return plain(  # type: ignore[no-any-return]
            {
                "column": self.column,
                "entity": self.entity,
                "subtype": self.subtype,
                "share": round(self.share, 4),
                "confidence": round(self.confidence, 4),
                "likelihood": self.likelihood,
                "examined": self.examined,
                "matched": self.matched,
                "others": [
                    {
                        "entity": e,
                        "share": round(s, 4),
                        "confidence": round(c, 4),
                        "likelihood": likelihood(c),
                    }
                    for e, s, c in self.others
                ],
            }
        )


def suggest_classification(
    categories: set[str], special: bool
) -> Literal["internal", "confidential", "restricted"]:
    """The classification level for the entity categories found (see the module doc)."""
    if special or categories & {"secret", "government_id", "financial"}:
        return "restricted"
    if categories & {"direct", "online"}:
        return "confidential"
    return "internal"


def judge_findings(secrets: int, special: int, personal: int) -> tuple[Check, ...]:
    """The checks of a scan: secrets and special categories fail, personal data warns."""
    return (
        judge("secret_findings", secrets, warn_at=0, fail_at=0, higher_is_better=False),
        judge("special_category_findings", special, warn_at=0, fail_at=0, higher_is_better=False),
        judge(
            "personal_data_findings", personal, warn_at=0, fail_at=math.inf, higher_is_better=False
        ),
    )


@dataclass(frozen=True)
class PiiScanResult:
    """What a PII scan of a table found, column by column.

    Attributes
    ----------
    columns : tuple of ColumnFinding
        One per column, in the table's order.
    special_categories : tuple of SpecialCategoryFinding
        Columns flagged as holding GDPR Art. 9 special categories, with the reason.
    rows : int
        Rows read (all rows of the table or file).
    suggested_classification : {"internal", "confidential", "restricted"}
        See :func:`suggest_classification`; ``public`` is never suggested.
    checks : tuple of Check
        ``secret_findings`` and ``special_category_findings`` fail above 0,
        ``personal_data_findings`` warns above 0.
    verdict : {"pass", "warn", "fail"}
    notes : tuple of str
        Sentences a reader should see: sampling, tests that dropped matches, columns
        that are personal but not special (sex, gender).
    settings : dict
        The options of the scan.
    inputs : dict
        SHA-256 digests of what was scanned, by role (``data``).
    """

    evidence_kind: ClassVar[str] = "scan.pii"
    """The kind of evidence this result is recorded as."""

    columns: tuple[ColumnFinding, ...]
    special_categories: tuple[SpecialCategoryFinding, ...]
    rows: int
    suggested_classification: Classification
    checks: tuple[Check, ...]
    verdict: Verdict
    notes: tuple[str, ...]
    settings: dict[str, Any]
    inputs: dict[str, str] = field(default_factory=dict)

    @property
    def personal_columns(self) -> tuple[str, ...]:
        """Columns holding an entity other than a quasi-identifier, or a special category."""
        special = {f.column for f in self.special_categories}
        return tuple(
            c.column
            for c in self.columns
            if (c.category is not None and c.category != "quasi") or c.column in special
        )

    @property
    def summary(self) -> str:
        """One sentence for the evidence record's ``summary``."""
        found = [c for c in self.columns if c.entity is not None]
        if not found and not self.special_categories:
            what = f"no personal data found in {len(self.columns)} columns"
        else:
            listed = ", ".join(f"{c.column} ({c.entity})" for c in found[:6])
            more = f" and {len(found) - 6} more" if len(found) > 6 else ""
            what = f"{len(found)} of {len(self.columns)} columns hold identifiers"
            what += f": {listed}{more}" if found else ""
            if self.special_categories:
                cats = sorted({f"{f.column} ({f.category})" for f in self.special_categories})
                what += f"; special categories: {', '.join(cats)}"
        return f"{self.verdict}: {what}; suggested classification {self.suggested_classification}"

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON: per column its entity, share, confidence, likelihood,
        counts and the other entities seen — never a value of the data."""
        return plain(  # type: ignore[no-any-return]
            {
                "schema_version": SCHEMA_VERSION,
                "rows": self.rows,
                "settings": self.settings,
                "columns": [c.to_dict() for c in self.columns],
                "special_categories": [f.to_dict() for f in self.special_categories],
                "suggested_classification": self.suggested_classification,
                "checks": [c.to_dict() for c in self.checks],
                "verdict": self.verdict,
                "summary": self.summary,
                "notes": list(self.notes),
                "inputs": self.inputs,
            }
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per column: entity, share, confidence, likelihood, counts, specials."""
        special: dict[str, list[str]] = {}
        for f in self.special_categories:
            special.setdefault(f.column, []).append(f.category)
        rows = [
            {
                "entity": c.entity,
                "subtype": c.subtype,
                "share": c.share,
                "confidence": c.confidence,
                "likelihood": c.likelihood,
                "examined": c.examined,
                "matched": c.matched,
                "special_categories": ", ".join(special.get(c.column, [])) or None,
                "others": ", ".join(f"{e} {s:.0%}" for e, s, _ in c.others) or None,
            }
            for c in self.columns
        ]
        return pd.DataFrame(rows, index=pd.Index([c.column for c in self.columns], name="column"))

    def _repr_html_(self) -> str:
        head = (
            f"<h4>PII scan — <span style='color:{_COLOURS[self.verdict]}'>"
            f"{html.escape(self.verdict)}</span></h4><p>{html.escape(self.summary)}</p>"
        )
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (
            head
            + (f"<ul>{notes}</ul>" if notes else "")
            + self.to_frame().to_html(float_format=lambda v: f"{v:.3f}", na_rep="")
        )


@dataclass(frozen=True)
class LineSpan:
    """A finding in a text file: the line (from 1) and the offsets within that line."""

    line: int
    start: int
    end: int
    entity: str
    score: float
    likelihood: Likelihood
    subtype: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The span as plain JSON (no text: evidence does not copy personal data)."""
        out: dict[str, Any] = {
            "line": self.line,
            "start": self.start,
            "end": self.end,
            "entity": self.entity,
            "score": round(self.score, 4),
            "likelihood": self.likelihood,
        }
        if self.subtype is not None:
            out["subtype"] = self.subtype
        return out


@dataclass(frozen=True)
class TextScanResult:
    """What a PII scan of a plain-text file found.

    Attributes
    ----------
    lines : int
        Lines read.
    characters : int
        Characters read.
    counts : dict
        Findings per entity (all of them, also past ``max_spans``).
    spans : tuple of LineSpan
        The findings, in file order, at most ``settings["max_spans"]`` of them.
    truncated : bool
        Whether more findings were counted than kept.
    suggested_classification, checks, verdict, notes, settings, inputs
        As for :class:`PiiScanResult`.
    """

    evidence_kind: ClassVar[str] = "scan.pii"

    lines: int
    characters: int
    counts: dict[str, int]
    spans: tuple[LineSpan, ...]
    truncated: bool
    suggested_classification: Classification
    checks: tuple[Check, ...]
    verdict: Verdict
    notes: tuple[str, ...]
    settings: dict[str, Any]
    inputs: dict[str, str] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """One sentence for the evidence record's ``summary``."""
        if not self.counts:
            what = f"no personal data found in {self.lines} lines"
        else:
            listed = ", ".join(
                f"{n} {e}" for e, n in sorted(self.counts.items(), key=lambda x: -x[1])
            )
            what = f"{sum(self.counts.values())} findings in {self.lines} lines: {listed}"
        return f"{self.verdict}: {what}; suggested classification {self.suggested_classification}"

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON (offsets and entities, never the matched text)."""
        return plain(  # type: ignore[no-any-return]
            {
                "schema_version": SCHEMA_VERSION,
                "lines": self.lines,
                "characters": self.characters,
                "settings": self.settings,
                "counts": dict(sorted(self.counts.items())),
                "spans": [s.to_dict() for s in self.spans],
                "truncated": self.truncated,
                "suggested_classification": self.suggested_classification,
                "checks": [c.to_dict() for c in self.checks],
                "verdict": self.verdict,
                "summary": self.summary,
                "notes": list(self.notes),
                "inputs": self.inputs,
            }
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per finding kept: line, offsets, entity, score, likelihood, subtype."""
        return pd.DataFrame(
            [s.to_dict() for s in self.spans],
            columns=["line", "start", "end", "entity", "score", "likelihood", "subtype"],
        )

    def _repr_html_(self) -> str:
        ranked: list[tuple[str, int]] = sorted(
            self.counts.items(), key=lambda kv: kv[1], reverse=True
        )
        counts = pd.DataFrame(ranked, columns=["entity", "findings"])
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (
            f"<h4>PII scan — <span style='color:{_COLOURS[self.verdict]}'>"
            f"{html.escape(self.verdict)}</span></h4><p>{html.escape(self.summary)}</p>"
            + (f"<ul>{notes}</ul>" if notes else "")
            + counts.to_html(index=False)
        )
