"""Re-identification risk of a table: k-anonymity, l-diversity and t-closeness over
chosen quasi-identifiers and sensitive attributes, and a search that generalizes the
quasi-identifiers until a target k is reached. Pure computation for notebooks, CI and
the platform's ``assessment.reidentification`` evidence.

One pass counts the equivalence classes (and, per class, the sensitive values); every
figure is read from those counts, which merge across batches, so a file of any size is
streamed. See ``docs/reident.md`` for a walk-through.

>>> from bastion.reident import assess_reidentification, generalize_until
>>> result = assess_reidentification(df, quasi_identifiers=["age", "sex", "zip"],
...                                  sensitive="diagnosis", k=5)
>>> result.k, result.verdict
>>> generalized = generalize_until(df, quasi_identifiers=["age", "sex", "zip"], k=5)
>>> generalized.levels, generalized.frame
"""

from bastion.reident.assess import (
    DEFAULT_C,
    DEFAULT_K,
    DEFAULT_L,
    DEFAULT_SMALLEST,
    DEFAULT_T,
    assess_reidentification,
    evaluate_counts,
)
from bastion.reident.classes import ClassCounts, class_counts
from bastion.reident.errors import AssessmentInputError, HierarchyError, UnknownColumnError
from bastion.reident.generalize import apply_levels, generalize_until, hierarchies_of
from bastion.reident.hierarchies import Hierarchy, build_hierarchy
from bastion.reident.result import (
    EquivalenceClass,
    GeneralizationResult,
    GeneralizationStep,
    ReidentificationResult,
    ReidentificationThresholds,
    SensitiveAttributeResult,
)

__all__ = [
    "DEFAULT_C",
    "DEFAULT_K",
    "DEFAULT_L",
    "DEFAULT_SMALLEST",
    "DEFAULT_T",
    "AssessmentInputError",
    "ClassCounts",
    "EquivalenceClass",
    "GeneralizationResult",
    "GeneralizationStep",
    "Hierarchy",
    "HierarchyError",
    "ReidentificationResult",
    "ReidentificationThresholds",
    "SensitiveAttributeResult",
    "UnknownColumnError",
    "apply_levels",
    "assess_reidentification",
    "build_hierarchy",
    "class_counts",
    "evaluate_counts",
    "generalize_until",
    "hierarchies_of",
]
