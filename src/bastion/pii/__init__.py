"""PII discovery: personal data and secrets in free text and in tables, pure computation.

- :func:`analyze_text` / :func:`redact_text` — spans of a string, and the string with
  them replaced; :func:`analyze_texts` for many strings at once;
- :func:`scan_table` / :func:`scan_file` — which entity each column of a pandas, polars
  or Arrow table, or a CSV, Parquet or JSON Lines file, holds; GDPR special categories;
  a suggested classification and a verdict (:class:`PiiScanResult`, evidence kind
  ``scan.pii``);
- :func:`scan_text_file` — the same for a plain-text file, line by line.

Entities (:data:`ENTITIES`) carry Presidio's names; scores map to Google Cloud DLP's
likelihood levels (:func:`likelihood`). See docs/pii.md. Like the other compute packages,
this imports nothing from the platform: only :mod:`bastion.tabular`,
:mod:`bastion.assessment` and :mod:`bastion.errors`.
"""

from bastion.pii.entities import ENTITIES, LIKELIHOOD_CUTS, LIKELIHOODS, likelihood
from bastion.pii.errors import PiiInputError, UnknownEntityError
from bastion.pii.result import ColumnFinding, LineSpan, PiiScanResult, TextScanResult
from bastion.pii.special import SPECIAL_CATEGORIES, SpecialCategoryFinding
from bastion.pii.tables import scan_file, scan_table
from bastion.pii.text import Span, analyze_text, analyze_texts, redact_text
from bastion.pii.textfile import scan_text_file

__all__ = [
    "ENTITIES",
    "LIKELIHOODS",
    "LIKELIHOOD_CUTS",
    "SPECIAL_CATEGORIES",
    "ColumnFinding",
    "LineSpan",
    "PiiInputError",
    "PiiScanResult",
    "Span",
    "SpecialCategoryFinding",
    "TextScanResult",
    "UnknownEntityError",
    "analyze_text",
    "analyze_texts",
    "likelihood",
    "redact_text",
    "scan_file",
    "scan_table",
    "scan_text_file",
]
