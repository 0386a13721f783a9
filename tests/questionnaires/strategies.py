"""Hypothesis strategies: answer sets built the way a person fills a questionnaire in —
walking ``next_question`` and giving each asked question a valid answer (or skipping it
when it is optional). Shared by the questionnaire and classification tests."""

from typing import Any

from hypothesis import strategies as st

from bastion.questionnaires import Question, Questionnaire, next_question

_TEXT = st.text(min_size=1, max_size=40).filter(lambda s: s.strip())


def answer_for(question: Question) -> st.SearchStrategy[Any]:
    """A valid answer to one question (``None`` too, when it is optional)."""
    options = question.options or ()
    strategy: st.SearchStrategy[Any]
    if question.type == "text":
        strategy = _TEXT
    elif question.type == "boolean":
        strategy = st.booleans()
    elif question.type == "number":
        low = question.min if question.min is not None else -1e9
        high = question.max if question.max is not None else 1e9
        strategy = st.one_of(
            st.integers(int(low), int(high)), st.floats(low, high, allow_nan=False)
        )
    elif question.type == "date":
        strategy = st.dates()
    elif question.type == "list":
        strategy = st.lists(_TEXT, min_size=1, max_size=4)
    elif question.type == "choice":
        strategy = st.sampled_from([o.value for o in options])
    else:
        exclusive = [o.value for o in options if o.exclusive]
        others = [o.value for o in options if not o.exclusive]
        strategy = st.lists(st.sampled_from(others), min_size=1, unique=True)
        if exclusive:
            strategy = st.one_of(strategy, st.sampled_from(exclusive).map(lambda v: [v]))
    return strategy if question.required else st.one_of(st.none(), strategy)


@st.composite
def walked_answers(draw: st.DrawFn, questionnaire: Questionnaire) -> dict[str, Any]:
    """A complete answer set: every question the answers lead to, answered."""
    answers: dict[str, Any] = {}
    while (question := next_question(questionnaire, answers)) is not None:
        answers[question.id] = draw(answer_for(question))
    return answers
