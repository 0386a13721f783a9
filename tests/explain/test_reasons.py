"""Reason codes for adverse-action notices: the strongest features pushing toward the
adverse outcome, excluded (protected) features never listed but flagged when they would
have been."""

import json

import pytest
from sklearn.pipeline import Pipeline

from bastion.explain import AssessmentInputError, UnknownColumnError, reason_codes
from tests.datasets import Split

from .conftest import FEW_EVALS


@pytest.fixture(scope="module")
def declined(german: Split, german_forest: Pipeline):
    """Test applicants the forest gives under even odds of good credit."""
    p = german_forest.predict_proba(german.X_test)[:, 1]
    return german.X_test[p < 0.5].head(25)


def test_excluded_features_are_never_listed_but_flagged_when_they_would_rank(
    german: Split, german_forest: Pipeline, declined
) -> None:
    background = german.X_train.head(50)
    plain = reason_codes(german_forest, declined, background=background, k=4)
    hidden = reason_codes(german_forest, declined, background=background, k=4, exclude=["age"])
    would_rank = [c.row for c in plain if "age" in c.features]
    assert would_rank, "the test needs a declined applicant whose age is a top reason"
    assert all("age" not in c.features for c in hidden)
    assert [c.row for c in hidden if c.flagged] == would_rank
    for before, after in zip(plain, hidden, strict=True):
        kept = [f for f in before.features if f != "age"]
        assert after.excluded_in_top_k == (("age",) if len(kept) < len(before.features) else ())
        # The other reasons keep their order; the next strongest takes any freed place.
        assert list(after.features[: len(kept)]) == kept


def test_reasons_push_toward_the_adverse_outcome_strongest_first(
    german_forest: Pipeline, german: Split, declined
) -> None:
    codes = reason_codes(german_forest, declined, background=german.X_train.head(50), k=3)
    assert len(codes) == len(declined)
    for c, (label, row) in zip(codes, declined.iterrows(), strict=True):
        assert c.row == label
        assert c.direction == "toward_negative"
        assert 1 <= len(c.reasons) <= 3
        contributions = [r.contribution for r in c.reasons]
        assert all(v < 0 for v in contributions)
        assert contributions == sorted(contributions)
        assert all(r.value == row[r.feature] for r in c.reasons)
        assert c.output < 0.5
        assert c.output_kind == "probability"
    toward_positive = reason_codes(
        german_forest, declined, background=german.X_train.head(50), direction="toward_positive"
    )
    assert all(r.contribution > 0 for c in toward_positive for r in c.reasons)


def test_model_agnostic_reason_codes_use_the_background(
    german_logistic: Pipeline, german: Split
) -> None:
    rows = german.X_test.head(3)
    background = german.X_train.head(20)
    codes = reason_codes(
        german_logistic, rows, background=background, k=2, max_evals=FEW_EVALS, exclude="age"
    )
    assert all(c.explainer == "permutation" for c in codes)
    mean = german_logistic.predict_proba(background)[:, 1].mean()
    assert all(c.base_value == pytest.approx(mean, abs=1e-12) for c in codes)
    assert all("age" not in c.features for c in codes)


def test_to_dict_is_plain_json(german_forest: Pipeline, german: Split, declined) -> None:
    codes = reason_codes(german_forest, declined.head(2), background=german.X_train.head(20))
    data = json.loads(json.dumps([c.to_dict() for c in codes]))
    assert set(data[0]) >= {"row", "output", "reasons", "excluded_in_top_k", "flagged"}
    assert set(data[0]["reasons"][0]) == {"feature", "value", "contribution"}


def test_bad_arguments_are_named(german_forest: Pipeline, german: Split) -> None:
    rows, background = german.X_test.head(2), german.X_train.head(10)
    with pytest.raises(AssessmentInputError, match="k must be a whole number of at least 1"):
        reason_codes(german_forest, rows, background=background, k=0)
    with pytest.raises(UnknownColumnError, match=r"\['gender'\] given as exclude"):
        reason_codes(german_forest, rows, background=background, exclude=["gender"])
    with pytest.raises(AssessmentInputError, match="direction must be one of"):
        reason_codes(german_forest, rows, background=background, direction="down")  # type: ignore[arg-type]
    with pytest.raises(AssessmentInputError, match="background must be a table"):
        reason_codes(german_forest, rows, background=100)
    with pytest.raises(
        UnknownColumnError, match=r"background lacks the feature column\(s\) \['age'\]"
    ):
        reason_codes(german_forest, rows, background=background.drop(columns="age"))
