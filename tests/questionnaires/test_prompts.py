"""Interactive prompts (``bastion.cli.prompts``): typed answers in a Rich console, bad
answers asked again with the reason, answered questions skipped. The console writes to a
buffer and reads from a StringIO, as a terminal would."""

import io
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from bastion.classification import classify, tree
from bastion.cli.prompts import InputEnded, ask
from bastion.questionnaires import AnswerError, load_questionnaire

DEFINITION = """\
schema_version: 1
id: sample
evidence_kind: questionnaire.sample
title: Sample
basis: Test
version: "1"
questions:
  - {id: name, text: Name of the system, type: text, help: As registered in the inventory.}
  - id: level
    text: Level
    type: choice
    options: [{value: low, label: Low}, {value: high, label: High, help: Scores people}]
  - id: areas
    text: Areas
    type: multi
    options:
      - {value: a, label: Area A}
      - {value: b, label: Area B}
      - {value: none, label: None, exclusive: true}
  - {id: public, text: Public body, type: boolean}
  - {id: score, text: Score, type: number, min: 0, max: 10}
  - {id: since, text: In use since, type: date, required: false}
  - {id: owners, text: Owners, type: list}
  - {id: why, text: Why is it high, type: text, when: {level: high}}
"""


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path: Path = tmp_path_factory.mktemp("prompts") / "sample.yaml"
    path.write_text(DEFINITION, encoding="utf-8")
    return load_questionnaire(path)


def run(
    questionnaire: Any,
    lines: list[str],
    answers: dict[str, Any] | None = None,
    defaults: dict[str, Any] | None = None,
) -> Any:
    out = io.StringIO()
    console = Console(file=out, width=120, color_system=None)
    stream = io.StringIO("".join(f"{x}\n" for x in lines))
    result = ask(questionnaire, console, answers, defaults=defaults, stream=stream)
    return result, out.getvalue()


def test_every_type_is_asked_and_normalized(sample: Any) -> None:
    answers, shown = run(
        sample,
        [
            "Credit scoring",
            "2",  # High
            "2, 1",
            "yes",
            "7.5",
            "2026-03-01",
            "Risk team",
            "Credit team",
            "",  # ends the list
            "It scores people",
        ],
    )
    assert answers == {
        "name": "Credit scoring",
        "level": "high",
        "areas": ["a", "b"],
        "public": True,
        "score": 7.5,
        "since": "2026-03-01",
        "owners": ["Risk team", "Credit team"],
        "why": "It scores people",
    }
    assert "1. Name of the system" in shown
    assert "As registered in the inventory." in shown
    assert " 2 High — Scores people" in shown
    assert "8. Why is it high" in shown
    assert "(optional: Enter skips it)" in shown


def test_bad_answers_are_asked_again_with_the_reason(sample: Any) -> None:
    answers, shown = run(
        sample,
        [
            "",  # required
            "Credit scoring",
            "3",
            "medium",
            "low",  # an option value typed out
            "1,3",
            "1",
            "perhaps",
            "n",
            "11",
            "ten",
            "3",
            "1 March 2026",
            "",  # skips the optional date
            "",  # a list needs an item
            "Risk team",
            "",
        ],
    )
    assert answers == {
        "name": "Credit scoring",
        "level": "low",
        "areas": ["a"],
        "public": False,
        "score": 3,
        "owners": ["Risk team"],
    }
    for reason in [
        "An answer is required.",
        "3 is not a number from 1 to 2",
        "'medium' is not one of the options: enter a number from 1 to 2",
        "'none' (None) cannot be combined with other options",
        "expects true or false, got 'perhaps'",
        "must be at most 10, got 11",
        "expects a number, got 'ten'",
        "expects a date as YYYY-MM-DD, got '1 March 2026'",
    ]:
        assert reason in shown
    assert shown.count("An answer is required.") == 2


def test_answered_questions_are_skipped(sample: Any) -> None:
    given = {"name": "Credit scoring", "level": "low", "areas": ["b"], "since": None}
    answers, shown = run(sample, ["n", "1", "Risk team", ""], given)
    assert answers["areas"] == ["b"]
    assert "Name of the system" not in shown
    assert "In use since" not in shown
    assert "4. Public body" in shown
    assert "7. Owners" in shown  # numbered by its place: the skipped date is the sixth


def test_defaults_are_kept_with_enter(sample: Any) -> None:
    previous = {
        "name": "Credit scoring",
        "level": "high",
        "areas": ["a"],
        "public": True,
        "score": 4,
        "owners": ["Risk team"],
        "why": "Scores people",
    }
    # A new name and level, then Enter for the rest: "why" is no longer asked.
    lines = ["Credit scoring v2", "1", "", "", "", "", ""]
    answers, shown = run(sample, lines, defaults=previous)
    assert answers == {
        "name": "Credit scoring v2",
        "level": "low",
        "areas": ["a"],
        "public": True,
        "score": 4,
        "owners": ["Risk team"],
    }
    assert "Enter keeps: Area A" in shown
    assert "Enter keeps: yes" in shown


def test_a_given_answer_that_does_not_fit_is_refused(sample: Any) -> None:
    with pytest.raises(AnswerError, match=r"answers\.level: 'medium' is not an option"):
        run(sample, [], {"level": "medium"})


def test_input_that_ends_early_is_an_error(sample: Any) -> None:
    with pytest.raises(InputEnded) as caught:
        run(sample, ["Credit scoring"])
    assert caught.value.field == "answers.level"
    assert caught.value.reason == "the input ended before this question was answered"


def test_classifying_the_german_credit_deployer_interactively() -> None:
    answers, shown = run(
        tree(),
        [
            "Scoring consumer-loan applicants",
            "2",  # deployer
            "1",  # AI system
            "6",  # no exclusion
            "9",  # no prohibited practice
            "n",  # not an Annex I safety component
            "6",  # credit scoring
            "5",  # no Art. 6(3) condition
            "y",  # profiling
            "5",  # no Art. 50 obligation
            "y",
            "n",
            "y",
            "n",  # not a public body
            "n",
        ],
    )
    result = classify(answers)
    assert result.tier == "high"
    assert result.facts["fria_required"]
    assert result.summary == (
        "High-risk AI system (Annex III: Essential services – credit scoring); role: deployer."  # noqa: RUF001
    )
    assert "Essential services – credit scoring — Creditworthiness of natural persons" in shown  # noqa: RUF001
