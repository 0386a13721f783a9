"""Evaluating the shipped questionnaires on realistic answers: a complete assessment
passes, the answers a DPO must act on raise flags, a draft warns, and the result is the
JSON the platform records."""

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bastion.questionnaires import BUILTIN_IDS, AnswerError, builtin, evaluate
from tests.questionnaires.examples import example
from tests.questionnaires.strategies import walked_answers


@pytest.mark.parametrize("questionnaire_id", BUILTIN_IDS)
def test_the_example_answers_pass(questionnaire_id: str) -> None:
    q = builtin(questionnaire_id)
    result = evaluate(q, example(f"{questionnaire_id}_german_credit"))
    assert result.verdict == "pass"
    assert result.complete
    assert result.findings == ()
    assert result.evidence_kind == f"questionnaire.{questionnaire_id}"
    assert result.summary.startswith(f"{q.title} ({q.basis}): complete with ")
    assert result.summary.endswith("nothing flagged.")


def flagged(questionnaire_id: str, **changes: Any) -> Any:
    answers = {**example(f"{questionnaire_id}_german_credit"), **changes}
    for key in [k for k, v in changes.items() if v is None]:
        del answers[key]
    return evaluate(builtin(questionnaire_id), answers)


def test_dpia_high_residual_risk_calls_for_prior_consultation() -> None:
    result = flagged("dpia", residual_risk="high")
    assert result.verdict == "warn"
    assert len(result.findings) == 1
    assert "prior consultation, Art. 36" in result.findings[0]
    assert "1 flag: A high residual risk remains" in result.summary


def test_dpia_flags() -> None:
    transfer = flagged("dpia", third_country_transfers=True, transfer_safeguards="none_yet")
    assert transfer.verdict == "fail"
    assert "without a Chapter V transfer tool" in transfer.findings[0]
    no_dpo = flagged("dpia", dpo_consulted=False, dpo_advice=None)
    assert no_dpo.verdict == "warn"
    assert "Art. 35(2)" in no_dpo.findings[0]
    optimistic = flagged(
        "dpia", risk_likelihood="likely", risk_severity="severe", residual_risk="low"
    )
    assert optimistic.verdict == "warn"
    both = flagged(
        "dpia", residual_risk="high", third_country_transfers=True, transfer_safeguards="none_yet"
    )
    assert both.verdict == "fail"
    assert "2 flags (1 failing): Personal data go to a third country" in both.summary


def test_ropa_flags() -> None:
    result = flagged(
        "ropa",
        third_country_transfers=True,
        transfer_destinations=["United States"],
        transfer_safeguards=["none_documented"],
    )
    assert result.verdict == "fail"
    result = flagged("ropa", special_categories=["health"], dpo_designated=False, dpo_contact=None)
    assert result.verdict == "warn"
    assert "Art. 37(1)(c)" in result.findings[0]


def test_fria_flags() -> None:
    assert (
        flagged("fria", authority_notification="not_yet", notification_date=None).verdict == "warn"
    )
    result = flagged(
        "fria",
        complaint_mechanism=False,
        complaint_mechanism_description=None,
        oversight_competence=False,
    )
    assert result.verdict == "warn"
    assert len(result.findings) == 2


def test_art22_fails_special_category_data_without_explicit_consent_or_public_interest() -> None:
    result = flagged("art22", special_category_data=True, special_category_basis="other")
    assert result.verdict == "fail"
    assert "without explicit consent or a substantial public interest basis" in result.findings[0]
    consent = flagged(
        "art22", special_category_data=True, special_category_basis="explicit_consent"
    )
    assert consent.verdict == "pass"


def test_art22_flags() -> None:
    no_route = flagged("art22", human_intervention=False, human_review_process=None)
    assert no_route.verdict == "warn"
    assert "no route to human intervention" in no_route.findings[0]
    assert flagged("art22", exception="none").verdict == "fail"
    not_solely = evaluate(
        builtin("art22"),
        {
            "decision": "Credit decisions above EUR 5,000",
            "solely_automated": False,
            "human_involvement": "A credit officer decides with the score as one input.",
            "review_frequency": "yearly",
        },
    )
    assert not_solely.verdict == "pass"


def test_a_draft_warns_and_lists_what_is_missing() -> None:
    answers = example("dpia_german_credit")
    del answers["residual_risk"], answers["measures"]
    result = evaluate(builtin("dpia"), answers)
    assert result.verdict == "warn"
    assert not result.complete
    assert result.missing == ("measures", "residual_risk")
    assert "incomplete, 2 required answers missing; nothing flagged" in result.summary
    assert evaluate(builtin("dpia"), {}).verdict == "warn"


def test_a_draft_still_refuses_wrong_answers() -> None:
    with pytest.raises(AnswerError, match=r"answers\.residual_risk"):
        evaluate(builtin("dpia"), {"residual_risk": "very high"})


def test_to_dict_is_the_evidence_result() -> None:
    dpia = builtin("dpia")
    result = flagged("dpia", residual_risk="high")
    data = json.loads(json.dumps(result.to_dict()))
    assert data["schema_version"] == 1
    assert (data["id"], data["version"], data["basis"]) == ("dpia", dpia.version, "GDPR Art. 35")
    assert data["title"] == dpia.title
    assert data["evidence_kind"] == "questionnaire.dpia"
    assert data["verdict"] == "warn"
    assert data["flags"] == [{"verdict": "warn", "message": result.findings[0]}]
    assert data["definition_digest"] == dpia.digest == result.definition_digest
    residual = next(a for a in data["answers"] if a["id"] == "residual_risk")
    assert residual == {
        "id": "residual_risk",
        "question": "With the measures in place, how high is the remaining risk?",
        "type": "choice",
        "answer": "high",
        "display": "High",
    }
    review = next(a for a in data["answers"] if a["id"] == "review_date")
    assert review["answer"] == "2027-03-01"
    assert result.inputs == {"questionnaire": dpia.digest}
    assert "<table>" in result._repr_html_()


def test_a_summary_is_one_sentence_of_at_most_300_characters() -> None:
    everything = flagged(
        "art22",
        human_intervention=False,
        human_review_process=None,
        express_view=False,
        contest=False,
        explanation=False,
        explanation_content=None,
        children=True,
        review_frequency="never",
        special_category_data=True,
        special_category_basis="other",
    )
    assert everything.verdict == "fail"
    assert len(everything.findings) == 7
    assert len(everything.summary) <= 300


@pytest.mark.parametrize("questionnaire_id", BUILTIN_IDS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_walked_answer_set_evaluates(questionnaire_id: str, data: st.DataObject) -> None:
    q = builtin(questionnaire_id)
    answers = data.draw(walked_answers(q))
    result = evaluate(q, answers)
    assert result.complete
    assert result.verdict in ("pass", "warn", "fail")
    assert (result.verdict == "pass") == (not result.findings)
    assert len(result.summary) <= 300
    json.dumps(result.to_dict())
