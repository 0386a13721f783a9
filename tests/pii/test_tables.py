"""Column classification on real-shaped data: UCI Adult with Faker identifier columns;
sampling against exact scans; pandas, polars and Arrow alike; special categories; the
classification rule; and bad input."""

import json

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from bastion.pii import PiiInputError, PiiScanResult, UnknownEntityError, scan_table
from tests.datasets import ADULT_COLUMNS

from .conftest import IDENTIFIERS


@pytest.fixture(scope="module")
def exact_result() -> PiiScanResult:
    from .conftest import adult_with_identifiers

    return scan_table(adult_with_identifiers(), exact=True)


def test_identifier_columns_are_found(exact_result: PiiScanResult) -> None:
    by_column = {c.column: c for c in exact_result.columns}
    for column, (entity, _) in IDENTIFIERS.items():
        finding = by_column[column]
        assert finding.entity == entity, (column, finding)
        # Faker's phone numbers are random digits: some are not even possible numbers
        assert finding.share >= (0.8 if column == "phone" else 0.97), (column, finding.share)
        assert finding.examined == 2000
        assert finding.likelihood is not None
    assert by_column["date_of_birth"].subtype == "date_of_birth"
    assert by_column["date_of_birth"].likelihood == "VERY_LIKELY"


def test_adult_columns_are_no_identifiers(exact_result: PiiScanResult) -> None:
    by_column = {c.column: c for c in exact_result.columns}
    for column in ADULT_COLUMNS:
        assert by_column[column].entity is None, (column, by_column[column])


def test_race_is_a_special_category_and_sex_a_note(exact_result: PiiScanResult) -> None:
    flagged = {(f.column, f.category) for f in exact_result.special_categories}
    assert flagged == {("race", "racial_or_ethnic_origin")}
    (race,) = exact_result.special_categories
    assert race.source == "name and values"
    assert race.share is not None
    assert race.share > 0.9
    assert "race" in race.reason
    assert any("'sex'" in n and "not a GDPR Art. 9" in n for n in exact_result.notes)
    assert exact_result.suggested_classification == "restricted"
    assert exact_result.verdict == "fail"
    assert {c.metric: c.outcome for c in exact_result.checks} == {
        "secret_findings": "pass",
        "special_category_findings": "fail",
        "personal_data_findings": "warn",
    }


def test_evidence_never_copies_values(exact_result: PiiScanResult, adult_pii: pd.DataFrame) -> None:
    document = json.dumps(exact_result.to_dict())
    assert exact_result.to_dict()["schema_version"] == 1
    assert PiiScanResult.evidence_kind == "scan.pii"
    for column in IDENTIFIERS:
        for value in adult_pii[column].head(50):
            assert str(value) not in document, (column, value)
    first = exact_result.to_dict()["columns"][0]
    assert set(first) == {"column", "entity", "subtype", "share", "confidence", "likelihood",
                          "examined", "matched", "others"}  # fmt: skip
    frame = exact_result.to_frame()
    assert frame.loc["email", "entity"] == "EMAIL_ADDRESS"
    assert "<table" in exact_result._repr_html_()
    assert exact_result.summary.startswith("fail: ")
    assert exact_result.inputs["data"]
    assert len(exact_result.inputs["data"]) == 64


def test_sampling_agrees_with_exact(adult_pii: pd.DataFrame, exact_result: PiiScanResult) -> None:
    sampled = scan_table(adult_pii, sample=300, seed=3)
    assert [c.entity for c in sampled.columns] == [c.entity for c in exact_result.columns]
    assert all(c.examined <= 300 for c in sampled.columns)
    assert any("sampled" in n for n in sampled.notes)
    again = scan_table(adult_pii, sample=300, seed=3)
    assert again.to_dict() == sampled.to_dict()  # seeded: the same sample


def test_pandas_polars_and_arrow_give_the_same_result(adult_pii: pd.DataFrame) -> None:
    frame = adult_pii.head(500)
    results = [
        scan_table(frame, sample=200),
        scan_table(pl.from_pandas(frame), sample=200),
        scan_table(pa.Table.from_pandas(frame, preserve_index=False), sample=200),
    ]
    dicts = [r.to_dict() for r in results]
    for d in dicts:
        d.pop("inputs")
    assert dicts[0] == dicts[1] == dicts[2]


def test_typed_columns() -> None:
    frame = pd.DataFrame(
        {
            "dob": pd.to_datetime(["1980-01-02", "1975-05-06", None, "1990-12-31"]),
            "ssn_numbers": [536904399, 219214788, 417512345, 342107766],
            "card": [4111111111111111.0, 5555555555554444.0, np.nan, 378282246310005.0],
            "active": [True, False, True, True],
        }
    )
    result = scan_table(frame)
    by = {c.column: c for c in result.columns}
    assert (by["dob"].entity, by["dob"].subtype) == ("DATE_TIME", "date_of_birth")
    assert by["ssn_numbers"].entity == "US_SSN"
    assert by["card"].entity == "CREDIT_CARD"
    assert by["card"].examined == 3
    assert by["active"].entity is None
    assert by["active"].examined == 0
    assert result.suggested_classification == "restricted"


def test_classification_levels() -> None:
    contacts = scan_table(pd.DataFrame({"email": ["a.b@example.com", "c.d@example.org"] * 10}))
    assert (contacts.suggested_classification, contacts.verdict) == ("confidential", "warn")
    dates = scan_table(pd.DataFrame({"shipped_on": ["2024-01-05", "2023-11-30"] * 10}))
    assert dates.columns[0].entity == "DATE_TIME"
    assert (dates.suggested_classification, dates.verdict) == ("internal", "pass")
    nothing = scan_table(pd.DataFrame({"colour": ["red", "green", "blue"]}))
    assert (nothing.suggested_classification, nothing.verdict) == ("internal", "pass")
    assert "no personal data found" in nothing.summary
    keys = scan_table(pd.DataFrame({"note": ["AKIAIOSFODNN7EXAMPLE", "AKIAI44QH8DHBEXAMPLE"]}))
    assert keys.columns[0].entity == "SECRET_TOKEN"
    assert (keys.suggested_classification, keys.verdict) == ("restricted", "fail")


def test_special_categories_from_values_and_from_names() -> None:
    frame = pd.DataFrame(
        {
            "x1": ["Catholic", "Muslim", "Jewish", "Hindu", "Atheist"] * 4,
            "primary_diagnosis": ["see notes"] * 20,
            "icd": ["E11.9", "I10", "J45.909", "F32.A", "C50.911"] * 4,
            "codes": ["A11", "A12", "A14", "A13", "A11"] * 4,  # ICD-shaped by chance
            "union_member": ["yes", "no"] * 10,
        }
    )
    result = scan_table(frame)
    found = {(f.column, f.category, f.source) for f in result.special_categories}
    assert found == {
        ("x1", "religious_or_philosophical_beliefs", "values"),
        ("primary_diagnosis", "health", "name"),
        ("icd", "health", "name and values"),
        ("union_member", "trade_union_membership", "name"),
    }
    assert result.verdict == "fail"
    assert result.suggested_classification == "restricted"


def test_min_share_and_others() -> None:
    values = ["a.b@example.com"] + ["plain words here"] * 19
    frame = pd.DataFrame({"mixed": values})
    assert scan_table(frame).columns[0].entity is None
    few = scan_table(frame, min_share=0.01).columns[0]
    assert few.entity == "EMAIL_ADDRESS"
    assert few.share == pytest.approx(0.05)
    phones = scan_table(pd.DataFrame({"n": ["943 476 5919", "(212) 555-0188", "+44 20 7946 0958"]}))
    assert phones.columns[0].others  # the NHS-valid number is seen too


def test_a_column_of_mixed_types_is_read_as_text() -> None:
    frame = pd.DataFrame({"mixed": ["jane@example.com", 12, None, 3.5, "john@example.org", b"x"]})
    result = scan_table(frame)
    assert result.columns[0].examined == 5
    assert result.columns[0].entity == "EMAIL_ADDRESS"


def test_bad_input() -> None:
    with pytest.raises(PiiInputError, match="expected a pandas, polars or Arrow table"):
        scan_table([1, 2, 3])
    with pytest.raises(UnknownEntityError, match="EMAIL_ADDRESS"):
        scan_table(pd.DataFrame({"a": ["x"]}), entities=["EMAIL"])
    with pytest.raises(PiiInputError, match="sample"):
        scan_table(pd.DataFrame({"a": ["x"]}), sample=0)
    with pytest.raises(PiiInputError, match="min_share"):
        scan_table(pd.DataFrame({"a": ["x"]}), min_share=2)
    empty = scan_table(pd.DataFrame({"a": pd.Series([], dtype=object)}))
    assert empty.columns[0].examined == 0
    assert empty.verdict == "pass"


def test_entities_filter() -> None:
    frame = pd.DataFrame({"email": ["a.b@example.com"] * 5, "ssn": ["536-90-4399"] * 5})
    result = scan_table(frame, entities=["US_SSN"])
    assert [c.entity for c in result.columns] == [None, "US_SSN"]
    assert result.settings["entities"] == ["US_SSN"]
