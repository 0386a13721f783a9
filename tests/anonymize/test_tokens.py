"""Format-preserving tokenization (FF3-1): tokens keep length, character classes and
separators, reverse exactly with the keys, and values too short for FF3-1 are refused."""

import logging
import math
import string

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bastion.anonymize import (
    MIN_DOMAIN,
    AnonymizationError,
    Keys,
    TokenizeError,
    Tokenizer,
    anonymize_frame,
    detokenize,
    tokenize,
)
from tests.anonymize.conftest import people

KEYS = Keys.from_bytes(bytes(range(32)))
TOKENIZER = Tokenizer(KEYS)
SEPARATORS = "-. @_/()+"


def _class(ch: str) -> str:
    if ch in string.digits:
        return "digit"
    if ch in string.ascii_lowercase:
        return "lower"
    if ch in string.ascii_uppercase:
        return "upper"
    return ch  # anything else stays itself


def _domain(value: str) -> int:
    sizes = {"digit": 10, "lower": 26, "upper": 26}
    return math.prod(sizes.get(_class(ch), 1) for ch in value)


def _same_format(value: str, token: str) -> bool:
    return len(value) == len(token) and all(
        _class(a) == _class(b) for a, b in zip(value, token, strict=True)
    )


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=string.digits, min_size=6, max_size=56))
def test_digit_strings_round_trip_as_digits(value: str) -> None:
    token = TOKENIZER.tokenize(value)
    assert token.isdigit()
    assert len(token) == len(value)
    assert TOKENIZER.detokenize(token) == value


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=string.ascii_letters + string.digits + SEPARATORS, min_size=1, max_size=40))
def test_alphanumerics_round_trip_with_their_format(value: str) -> None:
    letters = sum(ch.isalpha() for ch in value)
    assume(_domain(value) >= MIN_DOMAIN and letters <= 38)
    token = TOKENIZER.tokenize(value)
    assert _same_format(value, token)
    assert TOKENIZER.detokenize(token) == value


def test_identifiers_keep_their_shape_and_come_back(keys: Keys) -> None:
    frame = people(300)
    columns = ["ssn", "credit_card", "phone", "email", "name"]
    out, report = anonymize_frame(frame, {"columns": dict.fromkeys(columns, "tokenize")}, keys=keys)
    for column in columns:
        original, tokens = frame[column], out[column]
        assert all(_same_format(v, t) for v, t in zip(original, tokens, strict=True))
        assert (original != tokens).mean() > 0.99
        assert detokenize(tokens, keys=keys).tolist() == original.tolist()
        assert report.column(column).values_changed == (original != tokens).sum()
    # SSNs stay SSN-shaped: three digits, two, four, with the dashes in place.
    assert out["ssn"].str.fullmatch(r"\d{3}-\d{2}-\d{4}").all()
    assert out["email"].str.contains("@").all()


def test_deterministic_for_one_key_and_different_for_another(other_keys: Keys) -> None:
    value = "4111 1111 1111 1111"
    assert tokenize(value, keys=KEYS) == tokenize(value, keys=KEYS)
    assert tokenize(value, keys=KEYS) != tokenize(value, keys=other_keys)
    retweaked = Keys.from_bytes(bytes(range(32)), tweak=b"\x00" * 7)
    assert tokenize(value, keys=retweaked) != tokenize(value, keys=KEYS)
    assert detokenize(tokenize(value, keys=retweaked), keys=retweaked) == value


@pytest.mark.parametrize("value", ["12345", "abcd", "AB-12", "Li", "x1"])
def test_values_below_the_minimum_domain_are_refused(value: str) -> None:
    with pytest.raises(TokenizeError, match="too short to tokenize") as caught:
        TOKENIZER.tokenize(value)
    assert value not in caught.value.detail
    assert "1,000,000" in caught.value.detail


@pytest.mark.parametrize("value", ["1" * 57, "a" * 41, "Ab" * 25])
def test_values_beyond_the_maximum_are_refused(value: str) -> None:
    with pytest.raises(TokenizeError, match="too long to tokenize"):
        TOKENIZER.tokenize(value)


def test_the_smallest_domains_are_accepted() -> None:
    for value in ("123456", "abcde", "ABCDE", "Ab1234"):  # 10^6, 26^5, 26^2 * 10^4
        assert TOKENIZER.detokenize(TOKENIZER.tokenize(value)) == value


def test_values_without_letters_or_digits_pass_unchanged() -> None:
    assert TOKENIZER.tokenize("--/--") == "--/--"
    assert TOKENIZER.tokenize("") == ""
    # Non-ASCII letters are kept in place, like separators.
    token = TOKENIZER.tokenize("José Álvarez")
    assert token[3] == "é"
    assert token[5] == "Á"


def test_a_column_error_names_the_row_and_not_the_value() -> None:
    frame = pd.DataFrame({"account": ["12345678", "87654321", None, "123"]})
    with pytest.raises(TokenizeError) as caught:
        anonymize_frame(frame, {"columns": {"account": "tokenize"}}, keys=KEYS)
    assert "column 'account', row 4" in caught.value.detail
    assert "123" not in caught.value.detail.split(":", 1)[1].replace("1,000,000", "")
    assert isinstance(caught.value, AnonymizationError)


def test_missing_values_stay_missing() -> None:
    out = tokenize(["12345678", None, "12345678"], keys=KEYS)
    assert out.isna().tolist() == [False, True, False]
    assert out[0] == out[2]
    assert detokenize(out, keys=KEYS).tolist()[::2] == ["12345678", "12345678"]


def test_no_key_material_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # a platform running at DEBUG
    tokenize("123456789", keys=KEYS)
    logged = " ".join(r.getMessage() for r in caplog.records)
    for secret in (KEYS.ff3_tweak.hex(), KEYS.ff3_key.hex(), KEYS.hmac_key.hex()):
        assert secret not in logged
