"""Evidence: what every capability produces about a subject (an assessment result, a scan,
a classification, an approval), immutable, superseded rather than changed, and recorded
in the audit ledger in the same transaction."""
