"""The spec: YAML and JSON read alike, and every mistake named by its place in the spec
(or its line, when the text does not parse)."""

import json
from pathlib import Path

import pytest

from bastion.anonymize import (
    OPERATORS,
    GeneralizeRule,
    MaskRule,
    PseudonymizeRule,
    Spec,
    SpecError,
    load_spec,
)

SPEC_YAML = """\
default: drop
columns:
  email: pseudonymize
  phone: {operator: mask, keep_last: 4, keep_separators: true, char: "#"}
  age: {operator: generalize, width: 10, top: 90}
  income: {operator: suppress, when: {equals: ">50K"}}
  legacy_id: {operator: drop, optional: true}
entities:
  US_SSN: tokenize
  PERSON: {operator: replace}
"""


def test_yaml_and_json_files_and_text_read_the_same(tmp_path: Path) -> None:
    spec = load_spec(SPEC_YAML)
    assert spec.default == "drop"
    assert isinstance(spec.columns["email"], PseudonymizeRule)
    phone = spec.columns["phone"]
    assert isinstance(phone, MaskRule)
    assert (phone.keep_first, phone.keep_last, phone.char) == (0, 4, "#")
    assert spec.entities["US_SSN"].operator == "tokenize"
    as_json = json.dumps(spec.model_dump(mode="json"), indent=2)
    (tmp_path / "spec.yaml").write_text(SPEC_YAML)
    (tmp_path / "spec.json").write_text(as_json)
    for source in (tmp_path / "spec.yaml", str(tmp_path / "spec.json"), as_json):
        assert load_spec(source) == spec
    # The digest is of the canonical form: the same spec in another notation or order.
    assert load_spec(as_json).digest == spec.digest
    reordered = load_spec({"entities": spec.model_dump()["entities"], **json.loads(as_json)})
    assert reordered.digest == spec.digest
    assert load_spec("columns: {email: redact}").digest != spec.digest


def _error(source: object) -> SpecError:
    with pytest.raises(SpecError) as caught:
        load_spec(source)  # type: ignore[arg-type]
    return caught.value


def test_unknown_operator_lists_the_valid_ones() -> None:
    error = _error("columns:\n  email: {operator: hash}\n")
    assert error.field == "columns.email.operator"
    assert "unknown operator 'hash'" in error.detail
    for name in OPERATORS:
        assert name in error.detail
    assert _error("columns:\n  email: {}\n").field == "columns.email.operator"
    assert _error("entities:\n  EMAIL_ADDRESS: scramble\n").field == (
        "entities.EMAIL_ADDRESS.operator"
    )


def test_invalid_yaml_names_the_line() -> None:
    error = _error("columns:\n  email: pseudonymize\n  phone: {operator: mask\n  age: keep\n")
    assert "not valid YAML at line 4" in error.detail
    error = _error("columns:\n\temail: redact\n")
    assert "not valid YAML at line 2" in error.detail


def test_invalid_json_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "spec.json"
    path.write_text('{\n  "columns": {\n    "email": redact\n  }\n}\n')
    error = _error(path)
    assert "spec.json: not valid JSON at line 3" in error.detail


def test_a_negative_mask_length_is_named() -> None:
    error = _error("columns:\n  phone: {operator: mask, keep_last: -2}\n")
    assert error.field == "columns.phone.keep_last"
    assert "greater than or equal to 0" in error.detail


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("columns:\n  x: {operator: mask, keep_lst: 2}", "columns.x.keep_lst", "unknown setting"),
        ("columns:\n  x: {operator: mask, char: '**'}", "columns.x.char", "at most 1"),
        (
            "columns:\n  x: {operator: pseudonymize, length: 4}",
            "columns.x.length",
            "greater than or equal to 8",
        ),
        ("columns:\n  x: {operator: generalize}", "columns.x", "exactly one way"),
        (
            "columns:\n  x: {operator: generalize, width: 5, date: year}",
            "columns.x",
            "exactly one way",
        ),
        ("columns:\n  x: {operator: generalize, width: 0}", "columns.x.width", "greater than 0"),
        ("columns:\n  x: {operator: generalize, edges: [1, 1]}", "columns.x", "increasing"),
        ("columns:\n  x: {operator: generalize, width: 10, top: 95}", "columns.x", "range edge"),
        ("columns:\n  x: {operator: generalize, top: 1, bottom: 2}", "columns.x", "below top"),
        ("columns:\n  x: {operator: suppress, when: {}}", "columns.x.when", "exactly one"),
        (
            "columns:\n  x: {operator: suppress, when: {matches: '('}}",
            "columns.x.when.matches",
            "regular",
        ),
        ("columns:\n  x: 3", "columns.x", "operator name or a mapping"),
        ("entities:\n  email_address: redact", "entities", "upper case"),
        ("entities:\n  US_SSN: {operator: redact, optional: true}", "entities", "column rules"),
        ("default: hide", "default", "'keep' or 'drop'"),
        ("colums: {}", "colums", "unknown setting"),
        ("- a\n- b", "spec", "a spec is a mapping"),
        ("", "spec", "empty"),
    ],
)
def test_mistakes_name_their_place(text: str, field: str, message: str) -> None:
    error = _error(text)
    assert error.field == field
    assert message in error.detail


def test_a_missing_spec_file_is_named(tmp_path: Path) -> None:
    assert "no such file" in _error(tmp_path / "absent.yaml").detail
    assert "no such file" in _error(str(tmp_path / "absent.yml")).detail


def test_generalize_method_is_described() -> None:
    spec = load_spec(
        {
            "columns": {
                "a": {"operator": "generalize", "edges": [0, 18, 65]},
                "b": {"operator": "generalize", "date": "month"},
                "c": {"operator": "generalize", "truncate": 3},
                "d": {"operator": "generalize", "top": 90},
            }
        }
    )
    methods = [r.method for r in spec.columns.values() if isinstance(r, GeneralizeRule)]
    assert methods == ["edges", "date:month", "truncate:3", "top/bottom coding"]
    assert Spec().default == "keep"
