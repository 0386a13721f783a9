"""Data minimization: personal and special-category data among a model's features, and
personal data held but unused, from a PII scan's result."""

import json

import pytest

from bastion.errors import InvalidInput
from bastion.minimization import check_minimization

SCAN = {
    "schema_version": 1,
    "columns": [
        {"column": "age", "entity": None},
        {"column": "income", "entity": None},
        {"column": "email", "entity": "EMAIL_ADDRESS"},
        {"column": "ssn", "entity": "US_SSN"},
        {"column": "religion", "entity": None},
        {"column": "label", "entity": None},
    ],
    "special_categories": [{"column": "religion", "category": "religion", "reason": "name"}],
    "inputs": {"data": "ab" * 32},
}


def test_clean_features_pass_but_unused_personal_data_warns() -> None:
    result = check_minimization(["age", "income"], SCAN, ignore=["label"])
    issues = {(f.column, f.issue) for f in result.findings}
    assert issues == {
        ("email", "personal_data_unused"),
        ("ssn", "personal_data_unused"),
        ("religion", "personal_data_unused"),
    }
    assert result.verdict == "warn"
    assert result.unused_columns == ("email", "ssn", "religion")
    assert result.inputs == {"data": "ab" * 32}


def test_special_category_feature_fails_unless_justified() -> None:
    features = ["age", "religion", "email", "ssn"]
    failing = check_minimization(features, SCAN, ignore=["label", "income"])
    assert failing.verdict == "fail"
    assert {f.issue for f in failing.findings} == {
        "special_category_feature", "personal_data_feature",
    }  # fmt: skip
    justified = check_minimization(
        features, SCAN, ignore=["label", "income"],
        justifications={"religion": "faith-based lender; Art. 9(2)(d)"},
    )  # fmt: skip
    assert justified.verdict == "warn"
    (special,) = [f for f in justified.findings if f.issue == "special_category_feature"]
    assert special.justification.startswith("faith-based")
    json.dumps(justified.to_dict(), allow_nan=False)


def test_nothing_personal_anywhere_passes() -> None:
    scan = {"columns": [{"column": "age", "entity": None}], "special_categories": []}
    result = check_minimization(["age", "tenure_x_rate"], scan)
    assert result.verdict == "pass"
    assert result.unscanned_features == ("tenure_x_rate",)
    assert "not columns of the scanned data" in result.notes[0]


@pytest.mark.parametrize(
    ("features", "scan", "kwargs", "field"),
    [
        ([], SCAN, {}, "features"),
        (["age"], {"verdict": "pass"}, {}, "scan"),
        (["age"], SCAN, {"justifications": {"religion": "x"}}, "justifications"),
    ],
)
def test_bad_input(features: list[str], scan: dict, kwargs: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_minimization(features, scan, **kwargs)
    assert caught.value.field == field
