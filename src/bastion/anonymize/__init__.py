"""Declarative anonymization of tables: pure computation for notebooks, CI and the
platform's ``transform.anonymization`` evidence.

A spec (YAML or JSON) names an operator per column or per PII entity — redact, mask,
replace, keyed pseudonymization (HMAC-SHA256), format-preserving tokenization (FF3-1),
generalization, suppression, drop or keep. Files of any size are streamed in batches and
written to a new file, renamed into place only when complete; the report says what each
column went through without showing a single original value. See ``docs/anonymize.md``.

>>> from bastion.anonymize import Keys, anonymize_file, load_spec
>>> keys = Keys.from_file("anonymize.key")
>>> report = anonymize_file("people.csv", "people.anon.parquet", "spec.yaml", keys=keys)
>>> report.summary
"""

from bastion.anonymize.errors import (
    AnonymizationError,
    KeyMaterialError,
    SpecError,
    TokenizeError,
)
from bastion.anonymize.keys import MIN_KEY_BYTES, Keys, generate_key_file
from bastion.anonymize.report import SCHEMA_VERSION, AnonymizationReport, ColumnReport
from bastion.anonymize.run import FileProgress, SpecSource, anonymize_file, anonymize_frame
from bastion.anonymize.spec import (
    OPERATORS,
    Condition,
    DropRule,
    GeneralizeRule,
    KeepRule,
    MaskRule,
    PseudonymizeRule,
    RedactRule,
    ReplaceRule,
    Rule,
    Spec,
    SuppressRule,
    TokenizeRule,
    load_spec,
)
from bastion.anonymize.tokens import MIN_DOMAIN, Tokenizer, detokenize, tokenize

__all__ = [
    "MIN_DOMAIN",
    "MIN_KEY_BYTES",
    "OPERATORS",
    "SCHEMA_VERSION",
    "AnonymizationError",
    "AnonymizationReport",
    "ColumnReport",
    "Condition",
    "DropRule",
    "FileProgress",
    "GeneralizeRule",
    "KeepRule",
    "KeyMaterialError",
    "Keys",
    "MaskRule",
    "PseudonymizeRule",
    "RedactRule",
    "ReplaceRule",
    "Rule",
    "Spec",
    "SpecError",
    "SpecSource",
    "SuppressRule",
    "TokenizeError",
    "TokenizeRule",
    "Tokenizer",
    "anonymize_file",
    "anonymize_frame",
    "detokenize",
    "generate_key_file",
    "load_spec",
    "tokenize",
]
