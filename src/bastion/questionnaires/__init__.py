"""Structured questionnaires as data — DPIA, record of processing, FRIA, Art. 22
safeguards, and your own — with conditions, validated answers and judged results.

Pure computation: a definition (YAML) and answers in, a typed result out, whose
``to_dict()`` the platform records as evidence of the questionnaire's kind. See
``docs/questionnaires.md``.

>>> from bastion.questionnaires import builtin, next_question, evaluate
>>> dpia = builtin("dpia")
>>> next_question(dpia, {}).text
>>> result = evaluate(dpia, answers)
>>> result.verdict, result.findings
"""

from bastion.questionnaires.answers import (
    asked,
    is_empty,
    missing_answers,
    next_question,
    normalize_answer,
    validate_answers,
)
from bastion.questionnaires.builtin import BUILTIN_IDS, builtin
from bastion.questionnaires.conditions import QUESTION_TYPES, QuestionType, holds
from bastion.questionnaires.errors import AnswerError, DefinitionError, QuestionnaireError
from bastion.questionnaires.result import QuestionnaireResult, Verdict, evaluate
from bastion.questionnaires.schema import (
    SCHEMA_VERSION,
    Flag,
    Option,
    Question,
    Questionnaire,
    load_questionnaire,
)

__all__ = [
    "BUILTIN_IDS",
    "QUESTION_TYPES",
    "SCHEMA_VERSION",
    "AnswerError",
    "DefinitionError",
    "Flag",
    "Option",
    "Question",
    "QuestionType",
    "Questionnaire",
    "QuestionnaireError",
    "QuestionnaireResult",
    "Verdict",
    "asked",
    "builtin",
    "evaluate",
    "holds",
    "is_empty",
    "load_questionnaire",
    "missing_answers",
    "next_question",
    "normalize_answer",
    "validate_answers",
]
