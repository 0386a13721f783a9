"""Each operator on Adult rows with generated identifiers: what a reader of the output
sees, and what the report counts."""

import hmac
import json
import re

import pandas as pd
import pytest

from bastion.anonymize import AnonymizationError, KeyMaterialError, Keys, SpecError, anonymize_frame
from tests.anonymize.conftest import IDENTIFIERS, people


def test_redact_empties_and_counts(keys: Keys) -> None:
    frame = people()
    frame.loc[3, "name"] = None
    out, report = anonymize_frame(
        frame, {"columns": {"name": "redact", "age": "redact"}}, keys=None
    )
    assert out["name"].isna().all()
    assert out["age"].isna().all()
    assert report.column("name").values_emptied == len(frame) - 1
    assert report.column("name").values_changed == 0
    assert report.column("age").values_emptied == len(frame)


def test_mask_keeps_what_it_is_told_and_no_more() -> None:
    frame = people()
    spec = {
        "columns": {
            "credit_card": {"operator": "mask", "keep_last": 4},
            "ssn": {"operator": "mask", "keep_last": 4, "keep_separators": True, "char": "X"},
            "email": {"operator": "mask", "keep_first": 1},
            "postcode": {"operator": "mask", "keep_first": 3, "keep_last": 3},
        }
    }
    out, report = anonymize_frame(frame, spec, keys=None)
    for card, masked in zip(frame["credit_card"], out["credit_card"], strict=True):
        assert masked == "*" * (len(card) - 4) + card[-4:]
    assert (out["ssn"] == "XXX-XX-" + frame["ssn"].str[-4:]).all()
    assert (out["email"].str[0] == frame["email"].str[0]).all()
    assert (out["email"].str[1:].str.count(r"\*") == frame["email"].str.len() - 1).all()
    # A five-digit postcode is shorter than 3 + 3 kept characters: masked whole, not shown.
    assert (out["postcode"] == "*****").all()
    assert report.column("credit_card").values_changed == len(frame)


def test_replace_uses_the_entity_or_the_column_name() -> None:
    frame = people(50)
    frame.loc[0, "email"] = None
    spec = {
        "columns": {"name": "replace", "phone": {"operator": "replace", "label": "[phone]"}},
        "entities": {"EMAIL_ADDRESS": "replace"},
    }
    out, report = anonymize_frame(
        frame, spec, keys=None, column_entities={"email": "EMAIL_ADDRESS", "name": "PERSON"}
    )
    assert set(out["name"]) == {"<PERSON>"}
    assert out["email"].isna().tolist() == [True] + [False] * 49
    assert set(out["email"].dropna()) == {"<EMAIL_ADDRESS>"}
    assert set(out["phone"]) == {"[phone]"}
    assert report.column("email").rule == "entity"
    assert report.column("email").entity == "EMAIL_ADDRESS"
    out, _ = anonymize_frame(frame, {"columns": {"ssn": "replace"}}, keys=None)
    assert set(out["ssn"]) == {"<ssn>"}


def test_pseudonyms_are_keyed_hmac_deterministic_and_join(keys: Keys, other_keys: Keys) -> None:
    frame = people()
    spec = {"columns": {"email": {"operator": "pseudonymize", "length": 20, "prefix": "u_"}}}
    out, report = anonymize_frame(frame, spec, keys=keys)
    again, _ = anonymize_frame(frame, spec, keys=keys)
    other, _ = anonymize_frame(frame, spec, keys=other_keys)
    assert out["email"].tolist() == again["email"].tolist()
    assert (out["email"] != other["email"]).all()
    first = frame["email"][0]
    expected = hmac.new(keys.hmac_key, first.encode(), "sha256").hexdigest()[:20]
    assert out["email"][0] == "u_" + expected
    assert out["email"].str.fullmatch(r"u_[0-9a-f]{20}").all()
    # Equal values get equal pseudonyms, distinct values distinct ones: joins still work.
    assert out["email"].nunique() == frame["email"].nunique()
    assert report.key_id == keys.key_id
    assert any("'email' can be linked" in note for note in report.notes)


def test_pseudonym_normalization_and_namespaces(keys: Keys) -> None:
    frame = pd.DataFrame({"a": ["Ann@X.org", " ann@x.org"], "b": ["ann@x.org", "ann@x.org"]})
    spec = {
        "columns": {
            "a": {"operator": "pseudonymize", "lowercase": True, "strip": True},
            "b": {"operator": "pseudonymize", "namespace": "crm"},
        }
    }
    out, _ = anonymize_frame(frame, spec, keys=keys)
    assert out["a"][0] == out["a"][1]
    assert out["b"][0] != out["a"][0]  # another namespace: no link between the two
    assert len(out["a"][0]) == 16


def test_keyed_operators_need_keys() -> None:
    with pytest.raises(KeyMaterialError, match="'email' is to be pseudonymized"):
        anonymize_frame(people(10), {"columns": {"email": "pseudonymize"}}, keys=None)
    with pytest.raises(KeyMaterialError, match="tokenized"):
        anonymize_frame(people(10), {"columns": {"ssn": "tokenize"}}, keys=None)


def test_drop_keep_and_the_default(keys: Keys) -> None:
    frame = people(100)
    out, report = anonymize_frame(frame, {"columns": {"name": "drop", "age": "keep"}}, keys=None)
    assert "name" not in out.columns
    assert out.columns.tolist() == [c for c in frame.columns if c != "name"]
    assert out["age"].equals(frame["age"])
    assert report.column("name").removed
    assert report.column("age").operator == "keep"
    out, report = anonymize_frame(
        frame, {"default": "drop", "columns": {"age": "keep", "email": "pseudonymize"}}, keys=keys
    )
    assert out.columns.tolist() == ["email", "age"]
    assert report.column("sex").rule == "default"
    assert report.column("sex").removed


def test_suppress_drops_rows_or_the_column() -> None:
    frame = people()
    frame.loc[[5, 9], "occupation"] = None
    spec = {
        "columns": {
            "income": {"operator": "suppress", "when": {"equals": ">50K"}},
            "occupation": {"operator": "suppress", "when": {"missing": True}},
            "capital_gain": {"operator": "suppress", "when": {"above": 20000}},
            "native_country": {"operator": "suppress", "when": {"one_of": ["Cuba", "Jamaica"]}},
            "email": {"operator": "suppress", "when": {"matches": r".*@example\.org"}},
            "name": "suppress",
        }
    }
    out, report = anonymize_frame(frame, spec, keys=None)
    hit = (
        (frame["income"] == ">50K")
        | frame["occupation"].isna()
        | (frame["capital_gain"] > 20000)
        | frame["native_country"].isin(["Cuba", "Jamaica"])
        | frame["email"].str.endswith("@example.org")
    )
    assert out.index.tolist() == frame.index[~hit].tolist()
    assert "name" not in out.columns
    assert report.column("name").removed
    assert report.rows_in == len(frame)
    assert report.rows_out == (~hit).sum()
    assert report.rows_dropped == hit.sum()
    assert report.column("income").rows_dropped == (frame["income"] == ">50K").sum()
    assert report.column("occupation").rows_dropped == frame["occupation"].isna().sum() > 2
    assert report.column("email").rows_dropped == frame["email"].str.endswith("@example.org").sum()
    assert out["income"].eq("<=50K").all()


def test_conditions_on_text_columns_compare_text() -> None:
    frame = pd.DataFrame({"age": ["39", "50", "7", None], "code": ["007", "7", "8", "9"]})
    out, _ = anonymize_frame(
        frame,
        {"columns": {"code": {"operator": "suppress", "when": {"equals": 7}}}},
        keys=None,
    )
    assert out["code"].tolist() == ["007", "8", "9"]  # "007" is not the text "7"
    out, _ = anonymize_frame(
        frame, {"columns": {"age": {"operator": "suppress", "when": {"below": 18}}}}, keys=None
    )
    assert out["age"].tolist()[:2] == ["39", "50"]
    assert out["age"].isna().tolist() == [False, False, True]  # missing is not below 18


def test_a_numeric_condition_on_words_names_the_row() -> None:
    frame = people(30)
    with pytest.raises(AnonymizationError, match=r"column 'sex', row 1: .*not a finite number"):
        anonymize_frame(
            frame, {"columns": {"sex": {"operator": "suppress", "when": {"above": 1}}}}, keys=None
        )


def test_a_spec_naming_an_absent_column_is_refused_unless_optional() -> None:
    frame = people(20)
    with pytest.raises(SpecError, match="'emial'") as caught:
        anonymize_frame(frame, {"columns": {"emial": "redact", "email": "redact"}}, keys=None)
    assert caught.value.field == "columns.emial"
    assert "'email'" in caught.value.detail  # the columns the table has, to spot the typo
    out, report = anonymize_frame(
        frame, {"columns": {"emial": {"operator": "redact", "optional": True}}}, keys=None
    )
    assert out.shape == frame.shape
    assert [c.column for c in report.columns] == frame.columns.tolist()


def test_column_rules_win_over_entity_rules_and_unknown_classified_columns_fail(
    keys: Keys,
) -> None:
    frame = people(20)
    spec = {
        "columns": {"email": "redact"},
        "entities": {"EMAIL_ADDRESS": "pseudonymize", "PHONE_NUMBER": "drop"},
    }
    entities = {"email": "EMAIL_ADDRESS", "phone": "PHONE_NUMBER", "name": "PERSON"}
    out, report = anonymize_frame(frame, spec, keys=keys, column_entities=entities)
    assert out["email"].isna().all()
    assert "phone" not in out.columns
    assert report.column("phone").rule == "entity"
    assert any("'name' was classified PERSON" in note for note in report.notes)
    with pytest.raises(AnonymizationError, match="'mail'") as caught:
        anonymize_frame(frame, spec, keys=keys, column_entities={"mail": "EMAIL_ADDRESS"})
    assert caught.value.field == "column_entities"


def test_the_input_frame_is_not_modified(keys: Keys) -> None:
    frame = people(200)
    before = frame.copy(deep=True)
    spec = {
        "columns": {
            **dict.fromkeys(IDENTIFIERS[:3], "pseudonymize"),
            "age": {"operator": "generalize", "width": 5},
            "sex": {"operator": "suppress", "when": {"equals": "Female"}},
        }
    }
    anonymize_frame(frame, spec, keys=keys)
    pd.testing.assert_frame_equal(frame, before)


def test_polars_and_arrow_tables_are_accepted(keys: Keys) -> None:
    import polars as pl
    import pyarrow as pa

    frame = people(40)[["email", "age"]]
    spec = {"columns": {"email": "pseudonymize"}}
    expected, _ = anonymize_frame(frame, spec, keys=keys)
    for table in (pl.from_pandas(frame), pa.Table.from_pandas(frame, preserve_index=False)):
        out, _ = anonymize_frame(table, spec, keys=keys)
        assert out["email"].tolist() == expected["email"].tolist()


def test_the_report_never_holds_an_original_value(keys: Keys) -> None:
    frame = people(300)
    spec = {
        "default": "drop",
        "columns": {
            "name": "redact",
            "email": "pseudonymize",
            "ssn": "tokenize",
            "phone": {"operator": "mask", "keep_last": 2},
            "postcode": {"operator": "generalize", "truncate": 2},
            "date_of_birth": {"operator": "generalize", "date": "year"},
            "native_country": {"operator": "suppress", "when": {"equals": "Cuba"}},
        },
    }
    _, report = anonymize_frame(frame, spec, keys=keys)
    data = report.to_dict()
    assert data["schema_version"] == 1
    # Digests and the key fingerprint are hex: a postcode's digits may occur in them.
    text = re.sub(r"[0-9a-f]{16,64}", "<hex>", json.dumps(data))
    for column in IDENTIFIERS:
        for value in frame[column]:
            assert value not in text
    assert "Cuba" not in text  # not even a value the spec held
    assert report.evidence_kind == "transform.anonymization"
    assert report.verdict == "info"
    assert report.summary.startswith("info: anonymized 300 rows into")
    assert data["inputs"]["spec"] == report.spec_digest
    assert len(data["inputs"]["data"]) == len(data["outputs"]["data"]) == 64
    assert "<table" in report._repr_html_()
    assert report.to_frame().loc["email", "operator"] == "pseudonymize"


def test_duplicate_column_names_are_refused() -> None:
    frame = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(AnonymizationError, match="duplicate column names: 'a'"):
        anonymize_frame(frame, {"columns": {}}, keys=None)
