"""What an anonymization did, as a typed result: per column the operator and how many
values it changed or emptied and rows it dropped; rows in and out; and the digests that
tie the output to its input and spec.

Its ``to_dict()`` is the JSON the platform stores as ``transform.anonymization`` evidence
(DESIGN.md, "The evidence record"). It holds counts, names and digests only — never a
value from the data, and never key material (``key_id`` is a fingerprint).
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal

import pandas as pd

from bastion.assessment.verdict import Verdict, plain

__all__ = ["SCHEMA_VERSION", "AnonymizationReport", "ColumnReport"]

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class ColumnReport:
    """What happened to one input column.

    Attributes
    ----------
    column : str
    operator : str
        The operator applied (``keep`` for a column left as it is).
    rule : {"column", "entity", "default"}
        Whether a column rule, an entity rule or the spec's ``default`` chose it.
    entity : str or None
        The PII entity the caller classified the column as, if any.
    method : str or None
        For ``generalize``, how (``width``, ``edges``, ``date:year``, ``truncate:3``, …).
    values_changed : int
        Output values that differ from the input value (both present).
    values_emptied : int
        Present input values left empty (missing) in the output.
    rows_dropped : int
        Rows this column's ``suppress`` condition held on (a row may count in several
        columns; the report's ``rows_dropped`` counts it once).
    removed : bool
        Whether the column is absent from the output (``drop``, ``suppress`` without a
        condition, or ``default: drop``).
    """

    column: str
    operator: str
    rule: Literal["column", "entity", "default"]
    entity: str | None
    method: str | None
    values_changed: int
    values_emptied: int
    rows_dropped: int
    removed: bool

    def to_dict(self) -> dict[str, Any]:
        """The column's figures as plain JSON."""
        return plain(asdict(self))  # type: ignore[no-any-return]


@dataclass(frozen=True)
class AnonymizationReport:
    """Everything an anonymization run did, without a single original value.

    Attributes
    ----------
    columns : tuple of ColumnReport
        One per input column, in the input's order.
    rows_in, rows_out : int
        Rows read, and rows written (rows in minus rows suppressed).
    spec_digest : str
        SHA-256 of the spec's canonical JSON (:attr:`Spec.digest`).
    inputs : dict
        Digests of what the run read, by role: ``data`` (the input file's SHA-256, or
        the content digest of a frame) and ``spec``.
    outputs : dict
        Digests of what it wrote: ``data``.
    key_id : str or None
        The fingerprint of the keys used (:attr:`Keys.key_id`), or ``None`` without keys.
        Two outputs with the same ``key_id`` have joinable pseudonyms.
    settings : dict
        How it ran: formats, batch size, encoding.
    notes : tuple of str
        Sentences a reader should see (PII columns kept as they are, …).
    """

    evidence_kind: ClassVar[str] = "transform.anonymization"
    """The kind of evidence this report is recorded as."""

    columns: tuple[ColumnReport, ...]
    rows_in: int
    rows_out: int
    spec_digest: str
    inputs: dict[str, str]
    outputs: dict[str, str]
    key_id: str | None
    settings: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def verdict(self) -> Verdict:
        """``info``: a transformation records what it did; it passes or fails nothing."""
        return "info"

    @property
    def rows_dropped(self) -> int:
        """Rows suppressed (each counted once)."""
        return self.rows_in - self.rows_out

    @property
    def input_digest(self) -> str:
        """The input's digest (``inputs["data"]``)."""
        return self.inputs["data"]

    @property
    def output_digest(self) -> str:
        """The output's digest (``outputs["data"]``)."""
        return self.outputs["data"]

    def column(self, name: str) -> ColumnReport:
        """The report of one column, by name."""
        for c in self.columns:
            if c.column == name:
                return c
        raise KeyError(name)

    @property
    def summary(self) -> str:
        """One sentence for the evidence record's ``summary``."""
        kept = sum(1 for c in self.columns if not c.removed)
        ops = Counter(c.operator for c in self.columns)
        parts = ", ".join(f"{op} {n}" for op, n in sorted(ops.items()))
        dropped = f" ({self.rows_dropped:,} suppressed)" if self.rows_dropped else ""
        return (
            f"{self.verdict}: anonymized {self.rows_in:,} rows into {self.rows_out:,}{dropped}, "
            f"{len(self.columns)} columns into {kept} ({parts})"
        )

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON, with ``schema_version``; counts and digests only."""
        return plain(  # type: ignore[no-any-return]
            {
                "schema_version": SCHEMA_VERSION,
                "rows_in": self.rows_in,
                "rows_out": self.rows_out,
                "rows_dropped": self.rows_dropped,
                "columns": [c.to_dict() for c in self.columns],
                "spec_digest": self.spec_digest,
                "key_id": self.key_id,
                "settings": self.settings,
                "verdict": self.verdict,
                "summary": self.summary,
                "notes": list(self.notes),
                "inputs": self.inputs,
                "outputs": self.outputs,
            }
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per input column, indexed by its name."""
        rows = [c.to_dict() for c in self.columns]
        return pd.DataFrame(rows).set_index("column") if rows else pd.DataFrame()

    def _repr_html_(self) -> str:
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (
            f"<h4>Anonymization</h4><p>{html.escape(self.summary)}</p>"
            + (f"<ul>{notes}</ul>" if notes else "")
            + self.to_frame().to_html()
        )
