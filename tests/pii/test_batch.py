"""Many strings at once (:func:`analyze_texts`): a batch finds in each string exactly what
the string alone gives, whatever its neighbours; digits of any script; bad arguments."""

import gc

import pytest
from benchmarks.pii_corpus import text_corpus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bastion.pii import PiiInputError, analyze_text, analyze_texts
from bastion.pii import text as text_module

# Characters the finders react to, so that random strings make candidates, cut across
# patterns at the joins between strings, and hit every side scan.
_TRICKY = list(
    "0123456789 -./()+:@#_=,'\"\n\tx"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    "\u0130\u0663\u0664\uff10"  # a capital with a two-character lower case; other digits
)
_PIECES = [
    "John Smith", "Dear Anna", "Apt 4", "4111 1111 1111 1111", "536-90-4399", "www",
    ".example.com", "jane@example.com", "-----BEGIN RSA PRIVATE KEY-----", "-----END",
    "a024:269a:4703:6269:2ba0:f0fe:d201:e81e", "00:1A:2B:3C:4D:5E", "passport", "DOB",
    "March 5, 1990", "token ", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z", "GB82 WEST 1234 5698 7654 32",
    "AB 12 34 56 C", "ab123456c", "+44 20 7946 0958", "12:30:45", "sk-", "ghp_", "https://x.io/a",
    "Unit 4521 Box 1234\nDPO AE 09876", "825 Garrett Circles,\nPort Taylorside, IN 25633",
]  # fmt: skip
_strings = st.lists(
    st.one_of(st.sampled_from(_PIECES), st.text(st.sampled_from(_TRICKY), max_size=12)),
    max_size=6,
).map("".join)


def _alone(texts: list[str]) -> list[list[tuple[object, ...]]]:
    return [[tuple(s) for s in analyze_text(t)] for t in texts]


def _batch(texts: list[str]) -> list[list[tuple[object, ...]]]:
    return [[tuple(s) for s in found] for found in analyze_texts(texts)]


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_strings, min_size=1, max_size=8))
def test_a_batch_finds_what_each_string_alone_does(texts: list[str]) -> None:
    assert _batch(texts) == _alone(texts)


def test_the_corpus_in_one_batch_and_string_by_string() -> None:
    texts = [s.text for s in text_corpus(1500, seed=11)]
    batch = _batch(texts)
    assert batch == _alone(texts)
    assert sum(map(len, batch)) > 1500  # the corpus is dense with findings


def test_batches_are_cut_at_a_size_without_changing_results(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = [s.text for s in text_corpus(300, seed=3)]
    whole = _batch(texts)
    monkeypatch.setattr(text_module, "_BATCH_CHARS", 500)  # a few strings per batch
    assert _batch(texts) == whole


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # a private key block opened at the end of one string does not run into the next
        ("key: -----BEGIN RSA PRIVATE KEY-----", "MIIE\n-----END RSA PRIVATE KEY-----"),
        # an address does not continue into the next string's city line
        ("ship to 825 Garrett Circles,", "Port Taylorside, IN 25633"),
        # nor a domain name or a local part across strings
        ("see www", ".example.com/x"),
        ("mail jane.doe", "@example.com"),
        ("call 020 7946", "0958 today"),
    ],
)
def test_nothing_crosses_from_one_string_to_the_next(before: str, after: str) -> None:
    assert _batch([before, after]) == _alone([before, after])
    assert _batch([after, before]) == _alone([after, before])


def test_an_at_sign_first_does_not_hide_the_addresses_after_it() -> None:
    text = "@team: mail jane.doe@example.com"
    assert [(s.entity, s.text) for s in analyze_text(text)] == [
        ("EMAIL_ADDRESS", "jane.doe@example.com")
    ]


def _in_script(text: str, zero: int) -> str:
    """``text`` with its ASCII digits written in the script whose zero is ``zero``."""
    return text.translate({ord("0") + d: zero + d for d in range(10)})


ARABIC_INDIC, DEVANAGARI, FULL_WIDTH = 0x0660, 0x0966, 0xFF10


@pytest.mark.parametrize(
    ("text", "entity", "found"),
    [
        ("card 4111 1111 1111 1111", "CREDIT_CARD", "4111 1111 1111 1111"),
        ("SSN 536-90-4399", "US_SSN", "536-90-4399"),
        ("call +44 20 7946 0958", "PHONE_NUMBER", "+44 20 7946 0958"),
    ],
)
@pytest.mark.parametrize("zero", [ARABIC_INDIC, DEVANAGARI, FULL_WIDTH])
def test_digits_of_any_script_are_digits(text: str, entity: str, found: str, zero: int) -> None:
    text, found = _in_script(text, zero), _in_script(found, zero)
    spans = analyze_text(text)
    assert [(s.entity, s.text) for s in spans] == [(entity, found)]
    assert text[spans[0].start : spans[0].end] == found


def test_digits_of_mixed_scripts_in_one_number() -> None:
    # Once a KeyError in the Luhn check: a 4 followed by Arabic-Indic ones.
    text = "card 4" + _in_script("111111111111111", ARABIC_INDIC)
    assert [s.entity for s in analyze_text(text)] == ["CREDIT_CARD"]


def test_superscripts_are_not_digits() -> None:
    superscripts = "\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
    assert analyze_text("x" + superscripts * 2) == []


def test_texts_must_be_strings() -> None:
    with pytest.raises(PiiInputError, match=r"texts\[1\] must be a string, got int"):
        analyze_texts(["fine", 7])  # type: ignore[list-item]
    with pytest.raises(PiiInputError, match="not one string"):
        analyze_texts("one string")  # would otherwise be read character by character


def test_empty_inputs() -> None:
    assert analyze_texts([]) == []
    assert analyze_texts(["", "", "jane@example.com", ""])[2][0].entity == "EMAIL_ADDRESS"
    assert analyze_texts(iter(["a", "b"])) == [[], []]  # any iterable


def test_the_collector_is_left_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    # A batch pauses the cyclic garbage collector (its objects hold no cycles) and must
    # hand it back as it found it: on, off, or on after the scan fails.
    assert gc.isenabled()
    analyze_texts(["Call 212-555-0188", "none here"])
    assert gc.isenabled()
    gc.disable()
    try:
        analyze_texts(["Call 212-555-0188"])
        assert not gc.isenabled()
    finally:
        gc.enable()

    def fail(*args: object) -> None:
        raise RuntimeError("scan failed")

    monkeypatch.setattr(text_module, "scan_batch", fail)
    with pytest.raises(RuntimeError, match="scan failed"):
        analyze_texts(["Call 212-555-0188"])
    assert gc.isenabled()
