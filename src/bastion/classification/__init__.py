"""EU AI Act classification as a data-driven decision tree: answers in, a risk tier,
the operator's role and the facts that framework catalogs read out.

Pure computation: the tree is a questionnaire definition with an ``outcome`` section
(``eu_ai_act.yaml`` in this package), walked and validated with
:mod:`bastion.questionnaires`. The result's ``to_dict()`` is what the platform records
as ``classification.eu_ai_act`` evidence. See ``docs/classification.md``.

>>> from bastion.classification import classify, tree
>>> result = classify(answers)
>>> result.tier, result.role, result.facts["fria_required"]
"""

from bastion.classification.classify import TIER_TITLES, Classification, classify
from bastion.classification.trees import (
    ROLES,
    TIERS,
    NoteRule,
    Outcome,
    Role,
    Tier,
    TierRule,
    Tree,
    load_tree,
    tree,
)

__all__ = [
    "ROLES",
    "TIERS",
    "TIER_TITLES",
    "Classification",
    "NoteRule",
    "Outcome",
    "Role",
    "Tier",
    "TierRule",
    "Tree",
    "classify",
    "load_tree",
    "tree",
]
