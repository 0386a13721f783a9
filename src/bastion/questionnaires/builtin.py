"""The questionnaires Bastion ships, read from the package's ``definitions`` directory."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from bastion.questionnaires.errors import QuestionnaireError
from bastion.questionnaires.schema import Questionnaire, load_questionnaire

__all__ = ["BUILTIN_IDS", "builtin"]

BUILTIN_IDS: tuple[str, ...] = ("dpia", "ropa", "fria", "art22")
"""The shipped questionnaires: GDPR Art. 35 DPIA, Art. 30 record of processing,
AI Act Art. 27 fundamental rights impact assessment, GDPR Art. 22 safeguards."""


@cache
def builtin(questionnaire_id: str) -> Questionnaire:
    """A shipped questionnaire by id (one of :data:`BUILTIN_IDS`).

    Raises
    ------
    QuestionnaireError
        If no shipped questionnaire has this id.
    """
    if questionnaire_id not in BUILTIN_IDS:
        raise QuestionnaireError(
            f"no built-in questionnaire {questionnaire_id!r}; choose from {', '.join(BUILTIN_IDS)}",
            field="questionnaire",
        )
    resource = files("bastion.questionnaires").joinpath(f"definitions/{questionnaire_id}.yaml")
    return load_questionnaire(resource)
