"""The errors of questionnaires: a definition that cannot be used, and an answer that does
not fit its question.

Both are :class:`bastion.errors.InvalidInput` (the API answers them as 422 problem+json,
``field`` naming the place at fault) and :class:`ValueError` for notebook users.
"""

from bastion.errors import InvalidInput

__all__ = ["AnswerError", "DefinitionError", "QuestionnaireError"]


class QuestionnaireError(InvalidInput, ValueError):
    """A questionnaire definition or its answers cannot be used."""


class DefinitionError(QuestionnaireError):
    """A definition is not valid; ``field`` is its first path found wrong
    (``questions.residual_risk.when``) and the message starts with the file's name."""


class AnswerError(QuestionnaireError):
    """An answer does not fit the questionnaire; ``field`` is ``answers.<question id>``.

    ``question`` is the question's id and ``reason`` the message without the field, for
    interfaces that show it next to the question (the interactive prompts).
    """

    def __init__(self, question: str, reason: str) -> None:
        super().__init__(f"answers.{question}: {reason}", field=f"answers.{question}")
        self.question = question
        self.reason = reason
