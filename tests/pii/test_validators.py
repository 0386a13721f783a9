"""Each validator against published valid and invalid examples, and the fast paths
(numpy, RE2, our Keccak, our phone metadata) against the reference implementations."""

import random

import phonenumbers
import pyarrow as pa
import pytest
from faker import Faker

from bastion.pii.phones import INVALID, VALID, check_phone, check_phones
from bastion.pii.validators import (
    btc_address_valid,
    date_valid,
    eth_address_valid,
    github_token_valid,
    iban_valid,
    iban_valid_many,
    ip_valid,
    jwt_valid,
    luhn_valid,
    luhn_valid_many,
    mac_valid,
    nhs_valid,
    nhs_valid_many,
    nino_valid,
    shannon_entropy,
    ssn_valid,
)

# Test card numbers published by the card networks / payment processors.
CARDS = [
    "4111 1111 1111 1111", "4012888888881881", "5555-5555-5555-4444", "5105105105105100",
    "378282246310005", "371449635398431", "6011111111111117", "3530111333300000",
    "30569309025904", "2223003122003222",
]  # fmt: skip


@pytest.mark.parametrize("number", CARDS)
def test_luhn_accepts_network_test_numbers(number: str) -> None:
    assert luhn_valid(number)


@pytest.mark.parametrize("number", ["4111111111111112", "5555555555554440", "378282246310006"])
def test_luhn_rejects_a_changed_digit(number: str) -> None:
    assert not luhn_valid(number)


def test_luhn_many_agrees_with_luhn() -> None:
    rng = random.Random(1)
    numbers = [c.replace(" ", "").replace("-", "") for c in CARDS]
    numbers += [
        "".join(rng.choice("0123456789") for _ in range(rng.randint(13, 19))) for _ in range(500)
    ]
    assert luhn_valid_many(numbers).tolist() == [luhn_valid(n) for n in numbers]


# IBAN examples from the SWIFT IBAN registry and national bank publications.
IBANS = [
    "GB82 WEST 1234 5698 7654 32", "DE89 3704 0044 0532 0130 00",
    "FR14 2004 1010 0505 0001 3M02 606", "NL91 ABNA 0417 1643 00", "BE68 5390 0754 7034",
    "CH93 0076 2011 6238 5295 7", "ES91 2100 0418 4502 0005 1332",
    "IT60 X054 2811 1010 0000 0123 456", "IE29 AIBK 9311 5212 3456 78",
    "NO93 8601 1117 947", "MT84 MALT 0110 0001 2345 MTLC AST0 01S",
]  # fmt: skip


@pytest.mark.parametrize("iban", IBANS)
def test_iban_registry_examples_pass(iban: str) -> None:
    assert iban_valid(iban)


@pytest.mark.parametrize(
    "iban",
    [
        "GB82 WEST 1234 5698 7654 33",  # check digits do not match
        "GB82 WEST 1234 5698 7654 3",  # one character short for GB
        "DE89 3704 0044 0532 0130 001",  # one too many for DE
        "XX82 WEST 1234 5698 7654 32",  # no such country
    ],
)
def test_iban_wrong_check_or_length_fails(iban: str) -> None:
    assert not iban_valid(iban)


def test_iban_many_agrees_with_iban() -> None:
    compact = [i.replace(" ", "") for i in IBANS] + ["GB82WEST12345698765433", "DE8937040044"]
    assert iban_valid_many(compact).tolist() == [iban_valid(i) for i in compact]


@pytest.mark.parametrize(
    ("ssn", "valid"),
    [
        ("536-90-4399", True),
        ("536 90 4399", True),
        ("536904399", True),
        ("000-12-3456", False),  # area 000
        ("666-12-3456", False),  # area 666
        ("912-34-5678", False),  # area 900-999
        ("536-00-4399", False),  # group 00
        ("536-90-0000", False),  # serial 0000
        ("078-05-1120", False),  # the Woolworth wallet card
        ("123-45-6789", False),  # the classic placeholder
        ("111-11-1111", False),  # one digit repeated
        ("536-90 4399", False),  # mixed separators
    ],
)
def test_ssn_rules(ssn: str, valid: bool) -> None:
    assert ssn_valid(ssn) is valid


def test_nhs_modulus_11() -> None:
    # 943 476 5919 is the NHS Data Dictionary's example number.
    assert nhs_valid("943 476 5919")
    assert nhs_valid("9434765919")
    assert not nhs_valid("943 476 5918")
    assert not nhs_valid("1111111111")  # passes the arithmetic, never issued
    assert nhs_valid_many(["9434765919", "9434765918", "4010232137"]).tolist() == [
        True,
        False,
        nhs_valid("4010232137"),
    ]


@pytest.mark.parametrize(
    ("nino", "valid"),
    [("AB 12 34 56 C", True), ("AB123456C", True), ("QQ123456C", False), ("GB123456A", False),
     ("AB123456E", False), ("DA123456A", False)],
)  # fmt: skip
def test_nino_hmrc_rules(nino: str, valid: bool) -> None:
    assert nino_valid(nino) is valid


@pytest.mark.parametrize(
    ("address", "valid"),
    [
        ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", True),  # the genesis block's address
        ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", True),  # BIP 13's P2SH example
        ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", False),  # checksum broken
        ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", True),  # BIP 173 / 350 vectors
        ("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", True),
        # the same v1 program with a Bech32 (not Bech32m) checksum: invalid under BIP 350
        ("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx", False),
        ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", False),  # checksum broken
        ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7Kv8f3t4", False),  # mixed case
    ],
)
def test_bitcoin_checksums(address: str, valid: bool) -> None:
    assert btc_address_valid(address) is valid


@pytest.mark.parametrize(
    "address",
    [  # EIP-55's own examples
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ],
)
def test_ethereum_eip55_checksum(address: str) -> None:
    assert eth_address_valid(address) is True
    assert eth_address_valid(address.swapcase().replace("0X", "0x")) is False
    assert eth_address_valid(address.lower()) is None  # one case: no checksum to check


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("192.168.0.1", True), ("255.255.255.255", True), ("256.1.1.1", False),
        ("2001:db8::ff00:42:8329", True), ("2001:0db8:0000:0000:0000:ff00:0042:8329", True),
        ("::1", True), ("fe80::1", True), ("::ffff:192.0.2.128", True), ("2001:db8::1::2", False),
        ("10:22:33", False),
    ],
)  # fmt: skip
def test_ip_addresses_through_ipaddress(text: str, valid: bool) -> None:
    assert ip_valid(text) is valid


def test_mac_addresses() -> None:
    assert mac_valid("00:1A:2B:3C:4D:5E")
    assert mac_valid("00-1a-2b-3c-4d-5e")
    assert mac_valid("001a.2b3c.4d5e")
    assert not mac_valid("00:1A:2B-3C:4D:5E")  # mixed separators
    assert not mac_valid("FF:FF:FF:FF:FF:FF")  # broadcast, not a device


def test_github_token_crc32_and_jwt_header() -> None:
    body = "a" * 30
    import zlib

    n, check = zlib.crc32(body.encode()), ""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    while n:
        n, r = divmod(n, 62)
        check = alphabet[r] + check
    token = "ghp_" + body + check.rjust(6, "0")
    assert github_token_valid(token) is True
    assert github_token_valid(token[:-1] + ("A" if token[-1] != "A" else "B")) is False
    jwt = (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
        "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    )
    assert jwt_valid(jwt)
    assert not jwt_valid("eyJub3QganNvbg.eyJhIjoxfQ.abc")


def test_dates_and_entropy() -> None:
    assert date_valid(2024, 2, 29)
    assert not date_valid(2023, 2, 29)
    assert not date_valid(2024, 4, 31)
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("abcd") == pytest.approx(2.0)


def _phonenumbers_valid(text: str, regions: tuple[str, ...]) -> bool:
    for region in regions:
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(text, region)):
                return True
        except phonenumbers.NumberParseException:
            pass
    return False


def test_phone_validity_agrees_with_phonenumbers() -> None:
    # Faker writes US and UK numbers in every format they come in (with extensions,
    # 001- prefixes, "+44(0)…"); about half of Faker's US numbers are invalid.
    us, gb = Faker("en_US"), Faker("en_GB")
    us.seed_instance(4)
    gb.seed_instance(5)
    numbers = [us.phone_number() for _ in range(600)] + [gb.phone_number() for _ in range(400)]
    numbers += ["+33 1 23 45 67 89", "+49 30 901820", "(180) 227-6394", "020 7946 0958"]
    regions = ("US", "GB")
    ours = [check_phone(n, regions) == VALID for n in numbers]
    assert ours == [_phonenumbers_valid(n, regions) for n in numbers]
    assert [s == VALID for s in check_phones(pa.array(numbers), regions)] == ours


def test_phone_invalid_shapes() -> None:
    assert check_phone("12", ("US",)) == INVALID
    assert check_phone("(012) 345-6789", ("US",)) == INVALID  # area codes never start with 0
