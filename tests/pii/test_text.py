"""Spans in free text: exact offsets for sentences holding several entities, context that
raises (or is required for) a score, overlap resolution, redaction, and bad arguments."""

import pytest

from bastion.pii import (
    ENTITIES,
    PiiInputError,
    Span,
    UnknownEntityError,
    analyze_text,
    likelihood,
    redact_text,
)


def _expect(text: str, *found: tuple[str, str]) -> list[tuple[int, int, str]]:
    return [(text.index(s), text.index(s) + len(s), e) for s, e in found]


def _got(text: str, **kw: object) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.entity) for s in analyze_text(text, **kw)]  # type: ignore[arg-type]


CASES = [
    (
        "My name is John Smith and you can reach me at (212) 555-0188 or john.smith@example.com.",
        [("John Smith", "PERSON"), ("(212) 555-0188", "PHONE_NUMBER"),
         ("john.smith@example.com", "EMAIL_ADDRESS")],
    ),
    (
        "Please charge card 4111 1111 1111 1111 and ship to "
        "825 Garrett Circles, Port Taylorside, IN 25633.",
        [("4111 1111 1111 1111", "CREDIT_CARD"),
         ("825 Garrett Circles, Port Taylorside, IN 25633", "STREET_ADDRESS")],
    ),
    (
        "Customer Maria Garcia (SSN 536-90-4399) called from 192.168.10.77 on 2023-05-01.",
        [("Maria Garcia", "PERSON"), ("536-90-4399", "US_SSN"), ("192.168.10.77", "IP_ADDRESS"),
         ("2023-05-01", "DATE_TIME")],
    ),
    (
        "Refund to IBAN GB82 WEST 1234 5698 7654 32, details at https://www.example.com/refunds.",
        [("GB82 WEST 1234 5698 7654 32", "IBAN_CODE"), ("https://www.example.com/refunds", "URL")],
    ),
    (
        "NI number AB 12 34 56 C; NHS number 943 476 5919; "
        "wallet 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa.",
        [("AB 12 34 56 C", "UK_NINO"), ("943 476 5919", "UK_NHS"),
         ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "CRYPTO")],
    ),
    (
        "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE; router mac de:42:69:da:1c:f6 "
        "at 2001:db8::ff00:42:8329",
        [("AKIAIOSFODNN7EXAMPLE", "SECRET_TOKEN"), ("de:42:69:da:1c:f6", "MAC_ADDRESS"),
         ("2001:db8::ff00:42:8329", "IP_ADDRESS")],
    ),
    (
        "Contractor Dr Amelia Norris uploaded passport C03005988; "
        "her driver's license is D1234567.",
        [("Dr Amelia Norris", "PERSON"), ("C03005988", "US_PASSPORT"),
         ("D1234567", "US_DRIVER_LICENSE")],
    ),
    (
        "Call +44 20 7946 0958 or email jane.o'neill@example.co.uk about the ETH address "
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed.",
        [("+44 20 7946 0958", "PHONE_NUMBER"), ("jane.o'neill@example.co.uk", "EMAIL_ADDRESS"),
         ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "CRYPTO")],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("text", "found"), CASES)
def test_exact_spans(text: str, found: list[tuple[str, str]]) -> None:
    assert _got(text) == _expect(text, *found)


def test_span_fields_and_dict() -> None:
    (span,) = analyze_text("Mail jane.doe@example.com today")
    assert span == Span(
        5, 25, "EMAIL_ADDRESS", span.score, likelihood(span.score), "jane.doe@example.com"
    )
    assert span.to_dict() == {
        "start": 5, "end": 25, "entity": "EMAIL_ADDRESS", "score": round(span.score, 4),
        "likelihood": span.likelihood, "text": "jane.doe@example.com",
    }  # fmt: skip
    (bare,) = analyze_text("Mail jane.doe@example.com today", include_text=False)
    assert bare.text is None
    assert "text" not in bare.to_dict()


def test_context_raises_scores() -> None:
    plain = analyze_text("The number is 943-476-5919 for now.", entities=["UK_NHS"])
    with_context = analyze_text("Her NHS number is 943-476-5919 for now.", entities=["UK_NHS"])
    assert plain[0].score < with_context[0].score
    assert with_context[0].likelihood in ("LIKELY", "VERY_LIKELY")
    ip_plain = analyze_text("seen 203.0.113.9 twice")[0]
    ip_context = analyze_text("client ip 203.0.113.9 twice")[0]
    assert ip_plain.entity == ip_context.entity == "IP_ADDRESS"
    assert ip_context.score > ip_plain.score


def test_weak_patterns_need_context() -> None:
    assert _got("Order reference D1234567 shipped.") == []
    assert _got("Driver's license D1234567 verified.", entities=["US_DRIVER_LICENSE"]) == [
        (17, 25, "US_DRIVER_LICENSE")
    ]
    # nine bare digits are an SSN only next to SSN words
    assert _got("Code 536904399 expired.", entities=["US_SSN"]) == []
    assert _got("SSN 536904399 on file.", entities=["US_SSN"]) == [(4, 13, "US_SSN")]


def test_dates_of_birth_from_context_and_not_across_dates() -> None:
    text = "Employee Maria Garcia (DOB 1985-02-11) starts on 2024-03-01."
    dates = [s for s in analyze_text(text) if s.entity == "DATE_TIME"]
    assert [(s.text, s.subtype) for s in dates] == [
        ("1985-02-11", "date_of_birth"),
        ("2024-03-01", None),
    ]
    assert dates[0].score > dates[1].score
    born = analyze_text("She was born on March 5, 1990 in Leeds.", entities=["DATE_TIME"])
    assert [(s.text, s.subtype) for s in born] == [("March 5, 1990", "date_of_birth")]


def test_negative_context_and_hard_negatives() -> None:
    # versions look like IPv4, order numbers like phones, ISBNs fail card prefixes, timestamps
    # date events rather than people
    for text in (
        "Upgrade to version 2.4.1.7 fixed it.",
        "Your order 2125550188 has shipped.",
        "ISBN 978-0-306-40615-7 is out of print.",
        "2024-03-05T10:22:33Z INFO started",
        "Gift card 4111 1111 1111 1112 is void.",
    ):
        assert _got(text) == [], text


def test_overlaps_resolved_by_score_then_length() -> None:
    # The e-mail's domain is also a bare domain (URL); the e-mail scores higher and wins.
    text = "write to info@example.com now"
    assert _got(text) == _expect(text, ("info@example.com", "EMAIL_ADDRESS"))
    spans = analyze_text("IBAN DE89 3704 0044 0532 0130 00 please")
    assert [s.entity for s in spans] == ["IBAN_CODE"]  # not the card-shaped digits inside


def test_entities_and_min_score_filter() -> None:
    text = "John Smith, john@example.com, 203.0.113.9"
    assert {s.entity for s in analyze_text(text, entities=["EMAIL_ADDRESS"])} == {"EMAIL_ADDRESS"}
    assert all(s.score >= 0.8 for s in analyze_text(text, min_score=0.8))
    assert analyze_text("") == []


def test_redaction() -> None:
    text = "Mail jane.doe@example.com or call +44 20 7946 0958 now"
    assert redact_text(text) == "Mail <EMAIL_ADDRESS> or call <PHONE_NUMBER> now"
    assert (
        redact_text(text, entities=["PHONE_NUMBER"])
        == "Mail jane.doe@example.com or call <PHONE_NUMBER> now"
    )
    spans = analyze_text(text)
    assert (
        redact_text(text, spans, replacement="[{entity}]")
        == "Mail [EMAIL_ADDRESS] or call [PHONE_NUMBER] now"
    )
    assert redact_text("nothing here") == "nothing here"
    with pytest.raises(PiiInputError):
        redact_text("short", [Span(0, 99, "PERSON", 0.5, "POSSIBLE")])


def test_unknown_entity_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownEntityError) as caught:
        analyze_text("x", entities=["EMAIL", "PHONE_NUMBER"])
    message = str(caught.value)
    assert "'EMAIL'" in message
    assert all(e in message for e in ENTITIES)
    assert isinstance(caught.value, ValueError)
    assert caught.value.field == "entities"


def test_bad_arguments() -> None:
    with pytest.raises(PiiInputError):
        analyze_text(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(PiiInputError, match="unknown phone region"):
        analyze_text("x", regions=["XX"])


def test_private_key_block_and_prefixed_tokens() -> None:
    key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1b2c3\n-----END RSA PRIVATE KEY-----"
    text = f"config:\n{key}\nend"
    assert _got(text) == _expect(text, (key, "PRIVATE_KEY"))
    stripe = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
    (span,) = analyze_text(f"key={stripe}")
    assert (span.entity, span.subtype) == ("SECRET_TOKEN", "stripe_key")
    secret = "client_secret=Oq-UC1m1nnUFO3MvJBRUKP-W30TcjyFyAmvtAGND"
    assert [s.entity for s in analyze_text(secret)] == ["HIGH_ENTROPY_SECRET"]
    assert analyze_text("commit 5ccbe4f82e6aee72b26b9b3f63b679c85e70ea1b by the token bot") == []


def test_a_whole_private_key_block_outranks_what_lies_inside_it() -> None:
    # Its lines are random strings, and a line may read as a card number with context
    # ("card" in the base64): the block, BEGIN to its END, scores 1.0 and wins them all.
    body = "krAn1v8vPy4eupfxDg8PypLhptABFlk/KaN31FohuphDtdzFwU0xFTAKvcf4BrbW"
    card = "Oq9x/card\n4111111111111111"  # two lines of base64
    block = f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n{card}\n-----END RSA PRIVATE KEY-----"
    (span,) = analyze_text(f"my key:\n{block}")
    assert (span.entity, span.score, span.end - span.start) == ("PRIVATE_KEY", 1.0, len(block))
    # Cut off before its END, the block is less certain, and its lines are still scanned.
    cut = f"my key:\n-----BEGIN RSA PRIVATE KEY-----\n{body}"
    (span,) = analyze_text(cut)
    assert (span.entity, span.score) == ("PRIVATE_KEY", 0.99)


def test_likelihood_cut_points() -> None:
    levels = [likelihood(s) for s in (0.0, 0.19, 0.2, 0.39, 0.4, 0.59, 0.6, 0.84, 0.85, 1.0)]
    assert levels == [
        "VERY_UNLIKELY", "VERY_UNLIKELY", "UNLIKELY", "UNLIKELY", "POSSIBLE", "POSSIBLE",
        "LIKELY", "LIKELY", "VERY_LIKELY", "VERY_LIKELY",
    ]  # fmt: skip
