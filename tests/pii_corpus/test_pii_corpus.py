"""The labelled corpus of the PII benchmark: every span covers exactly a value that is what
its label says (checked here with independent implementations of the checksums), every
hard negative fails the check it imitates, and a seed always gives the same corpus."""

import datetime as dt
import ipaddress
import re
from urllib.parse import urlsplit

import pandas as pd
import phonenumbers
import pytest

from benchmarks import pii_corpus
from tests.datasets import adult_frame, german_frame

TextSample = pii_corpus.TextSample
Values = pii_corpus.Values

# --- independent checks (written apart from the generator's, to cross-check it) ---------


def luhn(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    odd = digits[-1::-2]
    even = [sum(divmod(2 * d, 10)) for d in digits[-2::-2]]
    return (sum(odd) + sum(even)) % 10 == 0


def mod97(iban: str) -> bool:
    s = iban.replace(" ", "")
    moved = s[4:] + s[:4]
    return int("".join(str(ord(c) - 55) if c.isalpha() else c for c in moved)) % 97 == 1


def nhs(number: str) -> bool:
    d = [int(c) for c in number if c.isdigit()]
    if len(d) != 10:
        return False
    check = (11 - sum((10 - i) * d[i] for i in range(9)) % 11) % 11
    return check != 10 and check == d[9]


SSN = re.compile(r"(?!000|666|9\d\d)\d{3}([- ]?)(?!00)\d{2}\1(?!0000)\d{4}")
MAC = re.compile(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}|[0-9A-F]{2}(-[0-9A-F]{2}){5}")
PEM = re.compile(
    r"-----BEGIN RSA PRIVATE KEY-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END RSA PRIVATE KEY-----"
)
NINO = re.compile(r"(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?(\d\d ?){3}[A-D]")


def phone(text: str) -> bool:
    region = "GB" if text.startswith("0") else "US"
    return phonenumbers.is_valid_number(phonenumbers.parse(text, region))


def date_of_birth(text: str) -> bool:
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%B %d, %Y", "%d %B %Y"):
        try:
            born = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return dt.date(1930, 1, 1) <= born <= dt.date(2008, 1, 1)  # adults, of any age
    return False


def url(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and "." in parts.netloc


CHECKS = {
    "CREDIT_CARD": lambda v: luhn(v) and re.fullmatch(r"[\d -]{14,19}", v) is not None,
    "IBAN_CODE": mod97,
    "UK_NHS": nhs,
    "US_SSN": lambda v: SSN.fullmatch(v) is not None,
    "UK_NINO": lambda v: NINO.fullmatch(v) is not None,
    "PHONE_NUMBER": phone,
    "EMAIL_ADDRESS": lambda v: re.fullmatch(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", v) is not None,
    "IP_ADDRESS": lambda v: ipaddress.ip_address(v) is not None,
    "MAC_ADDRESS": lambda v: MAC.fullmatch(v) is not None,
    "URL": url,
    "DATE_TIME": date_of_birth,
    "CRYPTO": pii_corpus.btc_address_valid,
    "US_PASSPORT": lambda v: re.fullmatch(r"\d{9}|[A-Z]\d{8}", v) is not None,
    "US_DRIVER_LICENSE": lambda v: re.fullmatch(r"[A-Z0-9]{7,15}", v) is not None,
    "PERSON": lambda v: re.fullmatch(r"[A-Z][\w.' -]+[\w.]", v) is not None,
    "STREET_ADDRESS": lambda v: re.match(r"(Flat |Studio )?\d+", v) is not None and "," in v,
    "SECRET_TOKEN": lambda v: (
        re.fullmatch(r"AKIA[A-Z2-7]{16}|xoxb-\d+-\d+-\w+|sk_live_\w{24}", v) is not None
        or pii_corpus.github_token_valid(v)
    ),
    "PRIVATE_KEY": lambda v: PEM.fullmatch(v) is not None,
    "HIGH_ENTROPY_SECRET": lambda v: re.fullmatch(r"[A-Za-z0-9_-]{40}", v) is not None,
}  # fmt: skip

NEGATIVE_CHECKS = {
    "LUHN_FAIL": lambda v: not luhn(v) and len(re.sub(r"\D", "", v)) == 16,
    "BAD_IBAN": lambda v: not mod97(v) and not pii_corpus.iban_valid(v),
    "BAD_NHS": lambda v: not nhs(v) and not pii_corpus.nhs_valid(v),
    "BAD_SSN": lambda v: SSN.fullmatch(v) is None and not pii_corpus.ssn_valid(v),
    "BAD_PHONE": lambda v: (
        not any(
            phonenumbers.is_valid_number(phonenumbers.parse(v, region)) for region in ("US", "GB")
        )
    ),
    "ISBN": pii_corpus.isbn13_valid,
    "VERSION": lambda v: re.fullmatch(r"\d{1,2}(\.\d{1,2}){3}", v) is not None,
    "DATE": lambda v: not date_of_birth(v),  # recent: nobody born then is an adult now
    "EXPIRY": lambda v: re.fullmatch(r"(0[1-9]|1[0-2])/\d\d", v) is not None,
    "TIMESTAMP": lambda v: re.search(r"\d\d:\d\d:\d\d", v) is not None,
    "ORDER": lambda v: re.fullmatch(r"[\dA-Z-]+", v) is not None,
    "GIT_SHA": lambda v: re.fullmatch(r"[0-9a-f]{40}", v) is not None,
    "UUID": lambda v: re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", v) is not None,
}


@pytest.fixture(scope="module")
def corpus() -> list[TextSample]:
    return pii_corpus.text_corpus(3000, seed=11)


def test_every_span_is_exactly_a_valid_value_of_its_entity(corpus: list[TextSample]) -> None:
    seen = set()
    for sample in corpus:
        for start, end, entity in sample.spans:
            value = sample.text[start:end]
            assert value, (sample.text, entity)
            assert value == value.strip(), (sample.text, entity)
            assert CHECKS[entity](value), f"{entity} {value!r} in {sample.text!r}"
            seen.add(entity)
    assert seen == set(pii_corpus.ENTITIES)


def test_every_hard_negative_fails_the_check_it_imitates(corpus: list[TextSample]) -> None:
    seen = set()
    for sample in corpus:
        for start, end, kind in sample.negatives:
            value = sample.text[start:end]
            assert NEGATIVE_CHECKS[kind](value), f"{kind} {value!r} in {sample.text!r}"
            seen.add(kind)
    assert seen == set(pii_corpus.NEGATIVE_KINDS)


def test_spans_and_negatives_are_the_template_s_placeholders(corpus: list[TextSample]) -> None:
    # Cutting the recorded values out of a sample leaves the template's literal text; the
    # filler placeholders (cities, amounts …) are not recorded, so those templates are
    # left out.
    fillers = re.compile(r"\{(CITY|COMPANY|AMOUNT|NUM)\}")
    checked = 0
    for sample in corpus:
        if fillers.search(sample.template):
            continue
        cuts = sorted(sample.spans + sample.negatives)
        pieces, pos = [], 0
        for start, end, _ in cuts:
            assert start >= pos, "recorded values overlap"
            pieces.append(sample.text[pos:start])
            pos = end
        pieces.append(sample.text[pos:])
        assert "".join(pieces) == re.sub(r"\{!?[A-Z_0-9]+\}", "", sample.template)
        checked += 1
    assert checked > len(corpus) // 2


def test_every_template_renders() -> None:
    values = Values(3)
    for templates in pii_corpus.TEMPLATES.values():
        for template in templates:
            assert pii_corpus.render(template, values).text


def test_entities_are_balanced(corpus: list[TextSample]) -> None:
    counts: dict[str, int] = {}
    for sample in corpus:
        for _, _, entity in sample.spans:
            counts[entity] = counts.get(entity, 0) + 1
    # Each entity gets a turn in 1 of 20 samples, so at least ~150 of 3,000.
    assert min(counts.values()) >= 120, counts
    assert sum(not s.spans for s in corpus) >= 300  # strings with no personal data at all


def test_generated_identifiers_pass_their_checksums() -> None:
    values = Values(5)
    for _ in range(500):
        assert luhn(values.credit_card())
        assert mod97(values.iban())
        assert nhs(values.uk_nhs())
        assert SSN.fullmatch(values.ssn("dash"))
        assert pii_corpus.btc_address_valid(values.crypto())
        assert pii_corpus.github_token_valid(values.secret("github"))
        assert phone(values.phone("national"))
        assert not luhn(values.luhn_fail())
        assert not mod97(values.bad_iban())
        assert not nhs(values.bad_nhs())


def test_checksum_helpers_agree_with_published_examples() -> None:
    assert pii_corpus.iban_valid("GB82 WEST 1234 5698 7654 32")  # ISO 13616's example
    assert not pii_corpus.iban_valid("GB82 WEST 1234 5698 7654 33")
    assert pii_corpus.nhs_valid("943 476 5919")  # NHS Digital's example
    assert pii_corpus.luhn_valid("4111 1111 1111 1111")
    # Bitcoin's genesis address, and BIP 173's first P2WPKH test vector.
    genesis = bytes.fromhex("62e907b15cbf27d5425399ebf6f0fb50ebb88f18")
    assert pii_corpus.base58check(0, genesis) == "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
    program = bytes.fromhex("751e76e8199196d454941c45d1b3a323f1433bd6")
    assert pii_corpus.bech32_address(program) == "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    assert pii_corpus.btc_address_valid("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")
    assert not pii_corpus.btc_address_valid("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb")
    assert not pii_corpus.btc_address_valid("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5")


def test_same_seed_same_corpus() -> None:
    assert pii_corpus.text_corpus(300, seed=7) == pii_corpus.text_corpus(300, seed=7)
    assert pii_corpus.text_corpus(300, seed=7) != pii_corpus.text_corpus(300, seed=8)
    a = pii_corpus.labelled_tables(rows=40, seed=2)
    b = pii_corpus.labelled_tables(rows=40, seed=2)
    for x, y in zip(a, b, strict=True):
        pd.testing.assert_frame_equal(x.frame, y.frame)
        assert x.truth == y.truth
    pd.testing.assert_frame_equal(
        pii_corpus.identifier_frame(200, seed=1).frame,
        pii_corpus.identifier_frame(200, seed=1).frame,
    )


def test_tables_keep_the_real_rows_and_label_every_column() -> None:
    tables = pii_corpus.labelled_tables(rows=200, seed=4)
    assert [t.name for t in tables] == [
        "adult_named", "adult_opaque", "german_named", "german_opaque",
    ]  # fmt: skip
    real = {"adult": adult_frame(), "german": german_frame()}
    for table in tables:
        source = real[table.name.split("_")[0]]
        assert list(table.truth) == list(table.frame.columns)
        for column in source.columns:  # real columns, real values, no personal data
            assert table.truth[column] is None
            assert table.frame[column].isin(source[column]).all() or source[column].isna().any()
        generated = [c for c in table.frame.columns if c not in source.columns]
        assert len(generated) == 23
        for column in generated:
            entity = table.truth[column]
            cells = table.frame[column].dropna()
            assert len(cells) == len(table.frame) - 6  # 3 % missing
            if entity in CHECKS and entity != "PHONE_NUMBER":
                assert cells.map(CHECKS[entity]).all(), (table.name, column, entity)
            if entity == "PHONE_NUMBER":
                assert cells.map(
                    lambda v: phonenumbers.is_valid_number(phonenumbers.parse(v, "US")) or phone(v)
                ).all()
    named, opaque = tables[0], tables[1]
    assert named.truth["ssn"] == opaque.truth["x04"] == "US_SSN"
    assert named.frame["ssn"].dropna().str.contains("-").all()  # usual form: 123-45-6789
    assert opaque.frame["x04"].dropna().str.fullmatch(r"\d{9}").all()  # alternative: digits


def test_throughput_table_values_are_distinct() -> None:
    # All (nearly) distinct: an engine that caches repeated values gains nothing.
    table = pii_corpus.identifier_frame(5000, seed=0)
    assert list(table.frame.columns) == list(pii_corpus.THROUGHPUT_COLUMNS)
    assert table.frame.notna().all().all()
    for column in table.frame.columns:
        assert table.frame[column].nunique() >= 0.99 * len(table.frame), column
        assert table.frame[column].head(500).map(CHECKS[table.truth[column] or ""]).all()
