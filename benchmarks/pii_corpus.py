"""Labelled PII corpus for the PII benchmark (``benchmarks/bench_pii.py``) and the tests of
``bastion.pii``: free-text samples with character spans, and tables with the true entity of
each column.

Text samples come from templates in the spirit of presidio-research's generator
(customer-support messages, HR notes, log lines, forms), filled with seeded Faker values and
with identifiers generated here so that they are really valid: card numbers pass Luhn,
IBANs pass ISO 13616 mod 97 (and the national check where the country has one we
generate), NHS numbers pass mod 11, SSNs follow the SSA's issuing rules, UK National
Insurance numbers the HMRC prefix rules, phone numbers are valid for ``phonenumbers``,
Bitcoin addresses carry their Base58Check or Bech32 checksum, GitHub tokens their CRC32.

Entity names are Presidio's (EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD, IBAN_CODE, US_SSN,
IP_ADDRESS, MAC_ADDRESS, URL, DATE_TIME, US_PASSPORT, US_DRIVER_LICENSE, UK_NINO, UK_NHS,
CRYPTO, PERSON) plus Bastion's STREET_ADDRESS, SECRET_TOKEN, PRIVATE_KEY and
HIGH_ENTROPY_SECRET, which Presidio's pattern recognizers do not have. CRYPTO values are
Bitcoin addresses only, the wallets Presidio's recognizer knows.

**What is labelled, and what is a hard negative.** DATE_TIME is labelled only on dates of
birth: other dates (order dates, deadlines, log timestamps, card expiry dates) are hard
negatives, because a date that does not describe a person is not personal data on its own.
The other hard negatives look like an identifier but are not one, and are recorded in
``TextSample.negatives`` with their kind:

- ``LUHN_FAIL``: 16-digit card-shaped numbers (refunds, gift cards, tracking) failing Luhn;
- ``ISBN``: ISBN-13s (EAN check digit; whether they happen to pass Luhn is left to chance);
- ``ORDER``: order and ticket numbers (``112-4839201-2039481``, ``#A-10392``, 10 digits);
- ``VERSION``: four-part version strings such as ``2.4.1.7``, IPv4-shaped on purpose;
- ``DATE``, ``TIMESTAMP``, ``EXPIRY``: dates that are not dates of birth;
- ``BAD_SSN``, ``BAD_IBAN``, ``BAD_NHS``, ``BAD_PHONE``: right shape, failing the issuing
  rules, the mod 97 check, the mod 11 check, or ``phonenumbers`` validation (as a US and
  as a UK number). A 10-digit NHS number that fails mod 11 is often a valid US phone
  number too; in its sentence it is not one, and flagging it counts as a false positive;
- ``GIT_SHA`` and ``UUID``: high-entropy identifiers of code and requests, not secrets.

Everything is deterministic for a seed (``random.Random`` and ``Faker.seed_instance``; the
same Faker version gives the same corpus) and nothing touches the network.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import random
import re
import string
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import phonenumbers
from faker import Faker

Span = tuple[int, int, str]

ENTITIES = (
    "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "IP_ADDRESS",
    "MAC_ADDRESS", "URL", "DATE_TIME", "US_PASSPORT", "US_DRIVER_LICENSE", "UK_NINO",
    "UK_NHS", "CRYPTO", "PERSON", "STREET_ADDRESS", "SECRET_TOKEN", "PRIVATE_KEY",
    "HIGH_ENTROPY_SECRET",
)  # fmt: skip
NEGATIVE_KINDS = (
    "LUHN_FAIL", "ISBN", "ORDER", "VERSION", "DATE", "TIMESTAMP", "EXPIRY", "BAD_SSN",
    "BAD_IBAN", "BAD_NHS", "BAD_PHONE", "GIT_SHA", "UUID",
)  # fmt: skip


@dataclass(frozen=True)
class TextSample:
    """One labelled string.

    Attributes
    ----------
    text : str
        The string.
    spans : tuple of (start, end, entity)
        Every identifier in ``text``; ``text[start:end]`` is exactly the generated value.
    negatives : tuple of (start, end, kind)
        The hard negatives in ``text`` (see the module docstring for the kinds).
    template : str
        The template the sample was made from, for reading errors.
    """

    text: str
    spans: tuple[Span, ...]
    negatives: tuple[Span, ...] = ()
    template: str = ""


@dataclass(frozen=True)
class LabelledTable:
    """A table and the true entity of each column (``None``: not personal data)."""

    name: str
    frame: pd.DataFrame = field(repr=False)
    truth: dict[str, str | None]


# --- checksums and validity rules ---------------------------------------------------------


def luhn_check_digit(payload: str) -> int:
    """The digit that makes ``payload + digit`` pass Luhn (ISO/IEC 7812-1, annex B)."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:  # doubled: these are every second digit counting the check digit
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return (10 - total % 10) % 10


def luhn_valid(number: str) -> bool:
    """Whether the digits of ``number`` (separators ignored) pass Luhn."""
    digits = re.sub(r"[ -]", "", number)
    return digits.isdigit() and luhn_check_digit(digits[:-1]) == int(digits[-1])


# BBAN formats from the SWIFT IBAN registry: (length, alphabet of each position).
_IBAN_BBAN = {
    "GB": "AAAA" + "9" * 14,
    "DE": "9" * 18,
    "NL": "AAAA" + "9" * 10,
    "FR": "9" * 23,  # bank, branch, 11-digit account (numeric here), RIB key
    "BE": "9" * 12,  # the last two digits are the national mod 97 check
    "CH": "9" * 5 + "X" * 12,
    "IE": "AAAA" + "9" * 14,
}
IBAN_LENGTHS = {country: len(bban) + 4 for country, bban in _IBAN_BBAN.items()}


def _iban_number(text: str) -> int:
    return int("".join(str(int(ch, 36)) for ch in text))


def iban_check_digits(country: str, bban: str) -> str:
    """ISO 13616 check digits: 98 - (BBAN + country + "00") mod 97."""
    return f"{98 - _iban_number(bban + country + '00') % 97:02d}"


def iban_valid(iban: str) -> bool:
    """Country length and the mod 97 check (ISO 13616-1) of an IBAN, spaces ignored."""
    compact = iban.replace(" ", "").upper()
    if len(compact) != IBAN_LENGTHS.get(compact[:2], -1) or not compact.isalnum():
        return False
    return _iban_number(compact[4:] + compact[:4]) % 97 == 1


def nhs_check_digit(nine: str) -> int | None:
    """NHS number check digit (NHS Data Dictionary, modulus 11); None when it would be 10."""
    remainder = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True)) % 11
    check = 11 - remainder
    return None if check == 10 else check % 11


def nhs_valid(number: str) -> bool:
    """Whether a 10-digit NHS number (spaces or dashes ignored) passes modulus 11."""
    digits = re.sub(r"[ -]", "", number)
    if len(digits) != 10 or not digits.isdigit():
        return False
    return nhs_check_digit(digits[:9]) == int(digits[9])


def ssn_valid(ssn: str) -> bool:
    """The SSA's rules: area not 000, 666 or 900-999; group not 00; serial not 0000."""
    digits = re.sub(r"[ -]", "", ssn)
    if len(digits) != 9 or not digits.isdigit():
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


# HMRC's NINO rules: the first letter is not D, F, I, Q, U or V; the second not D, F, I,
# O, Q, U or V; some prefixes are never issued; the suffix is A to D.
_NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
_NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"
_NINO_BANNED = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def nino_valid(nino: str) -> bool:
    """Whether ``nino`` follows HMRC's format rules (spaces ignored)."""
    compact = nino.replace(" ", "").upper()
    return (
        re.fullmatch(r"[A-Z]{2}\d{6}[A-D]", compact) is not None
        and compact[0] in _NINO_FIRST
        and compact[1] in _NINO_SECOND
        and compact[:2] not in _NINO_BANNED
    )


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58check(version: int, payload: bytes) -> str:
    """Base58Check encoding (Bitcoin): version byte, payload, 4 bytes of double SHA-256."""
    raw = bytes([version]) + payload
    raw += hashlib.sha256(hashlib.sha256(raw).digest()).digest()[:4]
    n = int.from_bytes(raw, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _bech32_polymod(values: Sequence[int]) -> int:
    # BIP 173's checksum generator.
    generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= generator[i] if (top >> i) & 1 else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def bech32_address(program: bytes, hrp: str = "bc", version: int = 0) -> str:
    """A segwit v0 address (BIP 173): the witness program in 5-bit groups and a checksum."""
    bits = "".join(f"{b:08b}" for b in program)
    bits += "0" * (-len(bits) % 5)
    data = [version] + [int(bits[i : i + 5], 2) for i in range(0, len(bits), 5)]
    polymod = _bech32_polymod(_hrp_expand(hrp) + data + [0] * 6) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32[d] for d in data + checksum)


def btc_address_valid(address: str) -> bool:
    """Whether a Bitcoin address's Base58Check or Bech32 checksum holds."""
    if address.lower().startswith("bc1"):
        hrp, _, data = address.lower().rpartition("1")
        if not data or any(c not in _BECH32 for c in data):
            return False
        return _bech32_polymod(_hrp_expand(hrp) + [_BECH32.index(c) for c in data]) == 1
    if not address or any(c not in _B58 for c in address):
        return False
    n = 0
    for c in address:
        n = n * 58 + _B58.index(c)
    raw = b"\0" * (len(address) - len(address.lstrip("1"))) + n.to_bytes(
        (n.bit_length() + 7) // 8, "big"
    )
    body, check = raw[:-4], raw[-4:]
    return (
        len(raw) == 25
        and body[0] in (0, 5)
        and hashlib.sha256(hashlib.sha256(body).digest()).digest()[:4] == check
    )


def isbn13_valid(isbn: str) -> bool:
    """EAN-13 check (weights 1 and 3) of an ISBN-13, hyphens ignored."""
    digits = isbn.replace("-", "")
    if len(digits) != 13 or not digits.isdigit():
        return False
    return sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0


_B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def _base62(n: int, width: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = _B62[r] + out
    return out.rjust(width, "0")


def github_token_valid(token: str) -> bool:
    """GitHub's token format: prefix, 30 random characters, base62 CRC32 of them (6)."""
    m = re.fullmatch(r"gh[pousr]_([A-Za-z0-9]{30})([A-Za-z0-9]{6})", token)
    return m is not None and _base62(zlib.crc32(m.group(1).encode()), 6) == m.group(2)


def phone_valid(number: str, region: str = "US") -> bool:
    """Whether ``phonenumbers`` parses ``number`` as a valid number (``region`` default)."""
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(number, region))
    except phonenumbers.NumberParseException:
        return False


# --- value factories ------------------------------------------------------------------------

# Area codes in service (NANPA); exchanges are drawn and then checked with phonenumbers.
_US_AREA = [
    201, 202, 203, 206, 210, 212, 213, 214, 215, 216, 301, 303, 305, 310, 312, 313, 314, 404,
    408, 410, 412, 415, 503, 504, 512, 602, 612, 614, 615, 617, 619, 646, 702, 704, 713, 718,
    773, 801, 804, 813, 816, 817, 818, 901, 904, 914, 916, 917, 919, 972,
]  # fmt: skip
_UK_NUMBERS = ["20 7### ####", "20 8### ####", "121 ### ####", "161 ### ####", "131 ### ####",
               "7### ######"]  # fmt: skip
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]  # fmt: skip
# US driver's licence formats of a few states (as published by the states' DMVs).
_DL_FORMATS = {
    "CA": "?#######", "NY": "#########", "TX": "########", "FL": "?############",
    "IL": "?###########", "PA": "########", "WA": "WDL?????????", "NJ": "?##############",
    "OH": "??######", "MI": "?############",
}  # fmt: skip
_CARD_PREFIXES = [("4", 16), ("51", 16), ("53", 16), ("55", 16), ("2221", 16), ("2720", 16),
                  ("34", 15), ("37", 15), ("6011", 16), ("65", 16), ("36", 14),
                  ("3530", 16)]  # fmt: skip


class Values:
    """Generators of one value of each kind, deterministic for a seed.

    Each method returns one string; ``style`` picks a written form where an identifier has
    several (``None``: a random one).
    """

    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        self.us = Faker("en_US")
        self.us.seed_instance(seed)
        self.gb = Faker("en_GB")
        self.gb.seed_instance(seed + 1)

    def _pick(self, options: Sequence[Any]) -> Any:
        return options[self.rng.randrange(len(options))]

    def _digits(self, n: int) -> str:
        return "".join(self.rng.choice(string.digits) for _ in range(n))

    def _fill(self, fmt: str) -> str:
        # '#' a digit, '?' an upper-case letter, anything else as is.
        return "".join(
            self.rng.choice(string.digits)
            if c == "#"
            else self.rng.choice(string.ascii_uppercase)
            if c == "?"
            else c
            for c in fmt
        )

    def _faker(self) -> Faker:
        return self.us if self.rng.random() < 0.7 else self.gb

    # personal data

    def person(self) -> str:
        return str(self._faker().name())

    def first_name(self) -> str:
        return str(self._faker().first_name())

    def email(self) -> str:
        return str(self._faker().email())

    def url(self) -> str:
        f = self._faker()
        return str(f.uri() if self.rng.random() < 0.5 else f.url()).rstrip("/")

    def street_address(self) -> str:
        if self.rng.random() < 0.7:
            f = self.us
            return f"{f.street_address()}, {f.city()}, {f.state_abbr()} {f.zipcode()}"
        # en_GB puts "Flat 3" on a line of its own; written on one line here.
        street = self.gb.street_address().replace("\n", ", ")
        return f"{street}, {self.gb.city()} {self.gb.postcode()}"

    def phone(self, style: str | None = None, region: str | None = None) -> str:
        region = region or ("US" if self.rng.random() < 0.6 else "GB")
        while True:
            if region == "US":
                raw = f"+1{self._pick(_US_AREA)}{self.rng.randint(200, 999)}{self._digits(4)}"
            else:
                raw = "+44" + self._fill(self._pick(_UK_NUMBERS)).replace(" ", "")
            number = phonenumbers.parse(raw)
            if phonenumbers.is_valid_number(number) and raw[5:8] != "555":
                break
        fmt = phonenumbers.PhoneNumberFormat
        national = phonenumbers.format_number(number, fmt.NATIONAL)
        international = phonenumbers.format_number(number, fmt.INTERNATIONAL)
        styles = {"national": national, "international": international,
                  "e164": phonenumbers.format_number(number, fmt.E164)}  # fmt: skip
        if region == "US":
            nsn = raw[2:]
            styles["dashed"] = f"{nsn[:3]}-{nsn[3:6]}-{nsn[6:]}"
            styles["dotted"] = f"{nsn[:3]}.{nsn[3:6]}.{nsn[6:]}"
        return str(styles.get(style or "", self._pick(list(styles.values()))))

    def credit_card(self, style: str | None = None) -> str:
        prefix, length = self._pick(_CARD_PREFIXES)
        payload = prefix + self._digits(length - len(prefix) - 1)
        return self._group_card(payload + str(luhn_check_digit(payload)), style)

    def _group_card(self, digits: str, style: str | None) -> str:
        style = style or self._pick(["space", "space", "dash", "plain"])
        if style == "plain":
            return digits
        sizes = {15: [4, 6, 5], 14: [4, 6, 4]}.get(len(digits), [4, 4, 4, 4])
        parts, i = [], 0
        for s in sizes:
            parts.append(digits[i : i + s])
            i += s
        return (" " if style == "space" else "-").join(parts)

    def iban(self, style: str | None = None, country: str | None = None) -> str:
        country = country or self._pick(list(_IBAN_BBAN))
        bban = "".join(
            self.rng.choice(string.ascii_uppercase)
            if c == "A"
            else self.rng.choice(string.digits + string.ascii_uppercase)
            if c == "X"
            else self.rng.choice(string.digits)
            for c in _IBAN_BBAN[country]
        )
        if country == "GB" or country == "IE":
            bban = self._pick(["NWBK", "BARC", "LOYD", "HBUK", "MIDL", "AIBK"]) + bban[4:]
        if country == "FR":  # RIB key: 97 - (89 bank + 15 branch + 3 account) mod 97
            bank, branch, account = int(bban[:5]), int(bban[5:10]), int(bban[10:21])
            bban = bban[:21] + f"{97 - (89 * bank + 15 * branch + 3 * account) % 97:02d}"
        if country == "BE":  # the account's own check: first ten digits mod 97 (0 -> 97)
            bban = bban[:10] + f"{int(bban[:10]) % 97 or 97:02d}"
        compact = country + iban_check_digits(country, bban) + bban
        style = style or self._pick(["print", "compact"])
        if style == "compact":
            return compact
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))

    def ssn(self, style: str | None = None) -> str:
        while True:
            area = self.rng.randint(1, 899)
            digits = f"{area:03d}{self.rng.randint(1, 99):02d}{self.rng.randint(1, 9999):04d}"
            # Never issued (666), and the SSA's voided or published example numbers.
            if area != 666 and digits not in ("078051120", "219099999", "123456789"):
                break
        style = style or self._pick(["dash", "dash", "dash", "space", "plain"])
        if style == "plain":
            return digits
        sep = "-" if style == "dash" else " "
        return f"{digits[:3]}{sep}{digits[3:5]}{sep}{digits[5:]}"

    def ipv4(self) -> str:
        return str(self.us.ipv4_public() if self.rng.random() < 0.7 else self.us.ipv4_private())

    def ipv6(self) -> str:
        return str(self.us.ipv6())

    def ip(self) -> str:
        return self.ipv4() if self.rng.random() < 0.7 else self.ipv6()

    def mac(self, style: str | None = None) -> str:
        octets = [self.rng.randrange(256) for _ in range(6)]
        octets[0] &= 0xFE  # a unicast address
        style = style or self._pick(["colon", "colon", "dash"])
        if style == "dash":
            return "-".join(f"{o:02X}" for o in octets)
        return ":".join(f"{o:02x}" for o in octets)

    def _date_text(self, d: dt.date, style: str | None) -> str:
        style = style or self._pick(["iso", "us", "gb", "long_us", "long_gb"])
        month = _MONTHS[d.month - 1]
        return {
            "iso": f"{d:%Y-%m-%d}",
            "us": f"{d:%m/%d/%Y}",
            "gb": f"{d:%d/%m/%Y}",
            "long_us": f"{month} {d.day}, {d.year}",
            "long_gb": f"{d.day} {month} {d.year}",
        }[style]

    def date_of_birth(self, style: str | None = None) -> str:
        # From a fixed day rather than today (Faker's date_of_birth), so that a seed gives
        # the same corpus on any day: born 1934-2005.
        born = dt.date(2005, 12, 31) - dt.timedelta(days=self.rng.randrange(72 * 365))
        return self._date_text(born, style)

    def us_passport(self) -> str:
        # Older books: 9 digits; next-generation books: a letter and 8 digits.
        return self._digits(9) if self.rng.random() < 0.5 else self._fill("?########")

    def us_driver_license(self) -> str:
        return self._fill(self._pick(list(_DL_FORMATS.values())))

    def uk_nino(self, style: str | None = None) -> str:
        while True:
            prefix = self._pick(_NINO_FIRST) + self._pick(_NINO_SECOND)
            if prefix not in _NINO_BANNED:
                break
        digits = self._digits(6)
        suffix = self._pick("ABCD")
        if (style or self._pick(["spaced", "compact"])) == "compact":
            return f"{prefix}{digits}{suffix}"
        return f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"

    def uk_nhs(self, style: str | None = None) -> str:
        while True:
            nine = str(self.rng.randint(4, 9)) + self._digits(8)  # issued ranges start 4-9
            check = nhs_check_digit(nine)
            if check is not None:
                break
        digits = nine + str(check)
        style = style or self._pick(["spaced", "spaced", "plain"])
        if style == "plain":
            return digits
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"

    def crypto(self) -> str:
        payload = self.rng.randbytes(20)
        kind = self._pick(["p2pkh", "p2sh", "bech32"])
        if kind == "bech32":
            return bech32_address(payload)
        return base58check(0 if kind == "p2pkh" else 5, payload)

    def secret(self, kind: str | None = None) -> str:
        kind = kind or self._pick(["aws", "github", "slack", "stripe"])
        alnum = string.ascii_letters + string.digits
        if kind == "aws":
            return "AKIA" + "".join(
                self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)
            )
        if kind == "github":
            body = "".join(self.rng.choice(alnum) for _ in range(30))
            return "ghp_" + body + _base62(zlib.crc32(body.encode()), 6)
        if kind == "slack":
            return f"xoxb-{self._digits(11)}-{self._digits(13)}-" + "".join(
                self.rng.choice(alnum) for _ in range(24)
            )
        if kind == "stripe":
            return "sk_live_" + "".join(self.rng.choice(alnum) for _ in range(24))
        body = base64.b64encode(self.rng.randbytes(96)).decode()
        lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
        return f"-----BEGIN RSA PRIVATE KEY-----\n{lines}\n-----END RSA PRIVATE KEY-----"

    def random_secret(self) -> str:
        # What a password generator or ``secrets.token_urlsafe(30)`` gives: 40 characters.
        return base64.urlsafe_b64encode(self.rng.randbytes(30)).decode()

    # hard negatives

    def luhn_fail(self) -> str:
        payload = self._pick(["4", "5", "6"]) + self._digits(14)
        wrong = (luhn_check_digit(payload) + self.rng.randint(1, 9)) % 10
        return self._group_card(payload + str(wrong), self._pick(["space", "plain", "dash"]))

    def isbn(self) -> str:
        body = self._pick(["978", "979"]) + self._digits(9)
        check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10) % 10
        digits = body + str(check)
        if self.rng.random() < 0.5:
            return digits
        return f"{digits[:3]}-{digits[3]}-{digits[4:8]}-{digits[8:12]}-{digits[12]}"

    def order(self) -> str:
        return self._fill(
            self._pick(["###-#######-#######", "#?-#####", "##########", "ORD-########"])
        )

    def version(self) -> str:
        return ".".join(str(self.rng.randint(0, 20)) for _ in range(4))

    def event_date(self, style: str | None = None) -> str:
        day = dt.date(2023, 1, 1) + dt.timedelta(days=self.rng.randrange(1200))
        return self._date_text(day, style)

    def timestamp(self) -> str:
        moment = dt.datetime(2024, 1, 1) + dt.timedelta(seconds=self.rng.randrange(60_000_000))
        if self.rng.random() < 0.6:
            return f"{moment:%Y-%m-%dT%H:%M:%S}Z"
        return f"{moment:%b %d %H:%M:%S}"

    def expiry(self) -> str:
        return f"{self.rng.randint(1, 12):02d}/{self.rng.randint(26, 32)}"

    def bad_ssn(self) -> str:
        area = self._pick(["000", "666", str(self.rng.randint(900, 999))])
        group, serial = f"{self.rng.randint(1, 99):02d}", self._digits(4)
        if self.rng.random() < 0.3:
            area, group = str(self.rng.randint(1, 665)).zfill(3), "00"
        return f"{area}-{group}-{serial}"

    def bad_iban(self) -> str:
        good = self.iban(style="compact")
        wrong = f"{(int(good[2:4]) + self.rng.randint(1, 90)) % 97 + 2:02d}"
        if wrong == good[2:4]:
            wrong = f"{(int(wrong) + 1) % 97 + 2:02d}"
        bad = good[:2] + wrong + good[4:]
        return " ".join(bad[i : i + 4] for i in range(0, len(bad), 4))

    def bad_nhs(self) -> str:
        nine = str(self.rng.randint(4, 9)) + self._digits(8)
        check = nhs_check_digit(nine)
        wrong = (check + self.rng.randint(1, 9)) % 10 if check is not None else 0
        digits = nine + str(wrong)
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"

    def bad_phone(self) -> str:
        # A NANP area code cannot start with 0 or 1; some such strings are valid UK numbers
        # without their trunk 0 ("(199) 542-5510": 01995 425510), so those are drawn again.
        while True:
            area = f"{self.rng.choice('01')}{self._digits(2)}"
            text = f"({area}) {self.rng.randint(200, 999)}-{self._digits(4)}"
            if not phone_valid(text, "US") and not phone_valid(text, "GB"):
                return text

    def git_sha(self) -> str:
        return self.rng.randbytes(20).hex()

    def uuid(self) -> str:
        h = self.rng.randbytes(16).hex()
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"

    # fillers: plain text that is not labelled either way

    def company(self) -> str:
        return str(self.us.company())

    def city(self) -> str:
        return str(self._faker().city())

    def amount(self) -> str:
        return f"${self.rng.randint(5, 4999)}.{self.rng.randint(0, 99):02d}"

    def number(self) -> str:
        return str(self.rng.randint(100, 65000))


# Placeholder -> (label, generator). A label in ENTITIES is a span; one in NEGATIVE_KINDS is
# a hard negative; None is filler.
_SLOTS: dict[str, tuple[str | None, Callable[[Values], str]]] = {
    "PERSON": ("PERSON", Values.person),
    "FIRST": ("PERSON", Values.first_name),
    "EMAIL": ("EMAIL_ADDRESS", Values.email),
    "PHONE": ("PHONE_NUMBER", lambda v: v.phone()),
    "PHONE_US": ("PHONE_NUMBER", lambda v: v.phone(region="US")),
    "PHONE_UK": ("PHONE_NUMBER", lambda v: v.phone(region="GB")),
    "CARD": ("CREDIT_CARD", lambda v: v.credit_card()),
    "IBAN": ("IBAN_CODE", lambda v: v.iban()),
    "SSN": ("US_SSN", lambda v: v.ssn()),
    "IPV4": ("IP_ADDRESS", Values.ipv4),
    "IPV6": ("IP_ADDRESS", Values.ipv6),
    "IP": ("IP_ADDRESS", Values.ip),
    "MAC": ("MAC_ADDRESS", lambda v: v.mac()),
    "URL": ("URL", Values.url),
    "DOB": ("DATE_TIME", lambda v: v.date_of_birth()),
    "PASSPORT": ("US_PASSPORT", Values.us_passport),
    "DL": ("US_DRIVER_LICENSE", Values.us_driver_license),
    "NINO": ("UK_NINO", lambda v: v.uk_nino()),
    "NHS": ("UK_NHS", lambda v: v.uk_nhs()),
    "BTC": ("CRYPTO", Values.crypto),
    "ADDRESS": ("STREET_ADDRESS", Values.street_address),
    "TOKEN": ("SECRET_TOKEN", lambda v: v.secret()),
    "AWS_KEY": ("SECRET_TOKEN", lambda v: v.secret("aws")),
    "PRIVATE_KEY": ("PRIVATE_KEY", lambda v: v.secret("private_key")),
    "ENTROPY": ("HIGH_ENTROPY_SECRET", Values.random_secret),
    "!LUHN_FAIL": ("LUHN_FAIL", Values.luhn_fail),
    "!ISBN": ("ISBN", Values.isbn),
    "!ORDER": ("ORDER", Values.order),
    "!VERSION": ("VERSION", Values.version),
    "!DATE": ("DATE", lambda v: v.event_date()),
    "!TIMESTAMP": ("TIMESTAMP", Values.timestamp),
    "!EXPIRY": ("EXPIRY", Values.expiry),
    "!BAD_SSN": ("BAD_SSN", Values.bad_ssn),
    "!BAD_IBAN": ("BAD_IBAN", Values.bad_iban),
    "!BAD_NHS": ("BAD_NHS", Values.bad_nhs),
    "!BAD_PHONE": ("BAD_PHONE", Values.bad_phone),
    "!GIT_SHA": ("GIT_SHA", Values.git_sha),
    "!UUID": ("UUID", Values.uuid),
    "COMPANY": (None, Values.company),
    "CITY": (None, Values.city),
    "AMOUNT": (None, Values.amount),
    "NUM": (None, Values.number),
}

# Templates by kind. Sentences are written the way people write them (presidio-research's
# templates are the model), so the context words are the ones a detector meets in practice.
TEMPLATES: dict[str, list[str]] = {
    "support": [
        "I want to increase the limit on my card {CARD} for the next two weeks. Is that possible?",
        "My credit card {CARD} has been stolen, please block it. My name is {PERSON}.",
        "Please update the billing address for card {CARD} to {ADDRESS}.",
        "Need to see the last 10 transactions of card {CARD}, thanks",
        "Could you charge the renewal to {CARD} instead of the old card?",
        "I never got the SMS on my registered number {PHONE}. Could you look into it?",
        "Can someone call me back on {PHONE}? I have questions about opening an account.",
        "Please stop sending messages to {PHONE}, I changed providers.",
        "Hi, this is {PERSON}, my email is {EMAIL} and I'd like to close my account.",
        "You said your email is {EMAIL}. Is that correct?",
        "Send the invoice to {EMAIL} and copy {EMAIL} please.",
        "Are there any charges for a transfer from {IBAN} to another bank?",
        "Hi {FIRST}, the wire transfer to IBAN {IBAN} bounced yesterday.",
        "My IBAN is {IBAN}, please refund the deposit there.",
        "I can't reach your site, I keep getting 'address {IPV4} blocked'.",
        "Your firewall blocked my home IP {IP} again after three failed logins.",
        "Here is the link to the photos: {URL}",
        "My website is {URL} if you want to see the portfolio.",
        "Please tell me your date of birth. It's {DOB}.",
        "The account holder, {PERSON}, was born on {DOB}.",
        "I'd like the package sent to {ADDRESS}, not to my office.",
        "Order {!ORDER} hasn't arrived; it was meant to go to {ADDRESS}.",
        "Order {!ORDER} was charged twice on {!DATE}, please refund one of them.",
        "The refund reference is {!LUHN_FAIL}, that is not my card number.",
        "Card {CARD} was charged, refund reference {!LUHN_FAIL}, order {!ORDER}.",
        "My SSN is {SSN}, not {!BAD_SSN} as written on the form.",
        "Use IBAN {IBAN}; the old one, {!BAD_IBAN}, was closed.",
        "Is the book with ISBN {!ISBN} back in stock? I ordered it on {!DATE}.",
        "The app keeps crashing since version {!VERSION}, ticket {!ORDER}.",
        "Send the payout to my Bitcoin wallet {BTC} instead of the bank.",
        "Can I pay with BTC? My address is {BTC}",
        "My router's MAC address is {MAC}, can you whitelist it?",
        "I'm {PERSON}, calling about my ex-husband's card {CARD} still linked to my account.",
        "Please call {FIRST} at {PHONE} between 9 and 5.",
        "Maybe it's under {PERSON}, or under my email {EMAIL}",
        "Your integration stopped working after I rotated the token, the new one is {TOKEN}",
        "Please rotate this key, a colleague pasted it in the ticket:\n{PRIVATE_KEY}",
        "The webhook signing secret is {ENTROPY}, can you check it matches yours?",
    ],
    "hr": [
        "Employee {PERSON} (DOB {DOB}) starts on {!DATE}; SSN on file: {SSN}.",
        "New hire paperwork: {PERSON}, social security number {SSN}, phone {PHONE_US}.",
        "Payroll: please correct the SSN for {PERSON} to {SSN}.",
        "{PERSON}'s NI number is {NINO}; update the payroll record before {!DATE}.",
        "National Insurance number: {NINO}. Tax code 1257L, starter checklist received.",
        "Occupational health referral for {PERSON}, NHS number {NHS}.",
        "Please add NHS number {NHS} to the sick-leave note for {FIRST}.",
        "Contractor {PERSON} uploaded passport {PASSPORT} for the right-to-work check.",
        "Travel desk: passport number {PASSPORT}, expires {!DATE}.",
        "Fleet policy: driver's license {DL} for {PERSON} verified on {!DATE}.",
        "Rental car booking needs the driver license number: {DL}.",
        "Reimburse {PERSON} to IBAN {IBAN} for the conference on {!DATE}.",
        "Emergency contact for {FIRST}: {PERSON}, {PHONE}.",
        "Background check: {PERSON}, born {DOB}, previous address {ADDRESS}.",
        "Performance review for {PERSON} moved to {!DATE}.",
        "{FIRST} asked to change the payslip email to {EMAIL}.",
        "Exit interview: {PERSON} returns laptop with MAC {MAC} on {!DATE}.",
        "Benefits enrolment for {PERSON}, SSN {SSN}, date of birth {DOB}.",
        "Relocation: new home address for {PERSON} is {ADDRESS}.",
        "NHS number {NHS} replaces {!BAD_NHS}, which was mistyped at registration.",
        "{PERSON} (DOB {DOB}) passed the phone screen on {!DATE}; call back on {PHONE}.",
    ],
    "log": [
        "{!TIMESTAMP} INFO auth login succeeded user={EMAIL} src={IPV4}",
        "{!TIMESTAMP} WARN dhcp lease renewed for {MAC} -> {IPV4}",
        "{!TIMESTAMP} ERROR payment declined card={CARD} order={!ORDER}",
        "{!TIMESTAMP} DEBUG GET {URL} 200 client={IPV6} build={!VERSION}",
        "{!TIMESTAMP} INFO deploy {!GIT_SHA} version {!VERSION} by {EMAIL}",
        "{!TIMESTAMP} WARN rate limit exceeded ip={IP} request_id={!UUID}",
        "sshd[{NUM}]: Accepted publickey for deploy from {IPV4} port {NUM} ssh2",
        "kernel: eth0: link up, hw address {MAC}",
        "{!TIMESTAMP} INFO withdrawal to {BTC} amount=0.0{NUM} BTC",
        "{!TIMESTAMP} ERROR sms gateway rejected {PHONE}: quota exceeded",
        "{!TIMESTAMP} INFO firmware {!VERSION} installed on device {MAC}",
        "{!TIMESTAMP} WARN secret scanner: credential {TOKEN} committed in {!GIT_SHA}",
        "{!TIMESTAMP} DEBUG oauth exchange client_id={NUM} client_secret={ENTROPY}",
        "{!TIMESTAMP} INFO sepa transfer queued iban={IBAN} amount={AMOUNT}",
        "{!TIMESTAMP} DEBUG kyc lookup ssn={SSN} result=match",
        "{!TIMESTAMP} INFO request {!UUID} from {IPV6} took 132 ms",
        "{!TIMESTAMP} WARN bounce for {EMAIL}: mailbox full",
        "export AWS_ACCESS_KEY_ID={AWS_KEY}",
    ],
    "form": [
        "Name: {PERSON}\nDate of birth: {DOB}\nSSN: {SSN}\nPhone: {PHONE_US}",
        "Full name: {PERSON} | Email: {EMAIL} | Mobile: {PHONE}",
        "Card number: {CARD}  Expiry: {!EXPIRY}  Name on card: {PERSON}",
        "Beneficiary: {PERSON}; IBAN: {IBAN}; Reference: {!ORDER}",
        "Patient: {PERSON}; NHS no: {NHS}; DOB: {DOB}",
        "Applicant: {PERSON}; NINO: {NINO}; Address: {ADDRESS}",
        "Passport no.: {PASSPORT}; Nationality: United States; Date of birth: {DOB}",
        "Driver license: {DL}; Name: {PERSON}; Issued: {!DATE}",
        "Device MAC: {MAC}; IPv6: {IPV6}; Owner: {EMAIL}",
        "Website: {URL}; Contact: {EMAIL}",
        "Order no: {!ORDER}; ISBN: {!ISBN}; Qty: 2; Total: {AMOUNT}",
        "Wallet: {BTC}; Network: bitcoin; Memo: invoice {!ORDER}",
        "Employee: {PERSON}; Social Security No.: {SSN}; Start date: {!DATE}",
        "Home phone: {PHONE_UK}; NHS number: {NHS}",
        "api_key: {TOKEN}\nowner: {EMAIL}",
        "DB_HOST=10.0.3.7\nDB_USER=app\nDB_PASSWORD={ENTROPY}",
        "Deploy key for {EMAIL}:\n{PRIVATE_KEY}",
    ],
    "negative": [
        "Upgrade to version {!VERSION} fixed the memory leak on the build servers.",
        "The quarterly report is due on {!DATE}; please send drafts by Friday.",
        "ISBN {!ISBN} is the second edition with the corrected index.",
        "Your order {!ORDER} has shipped and should arrive within three business days.",
        "Invoice {!ORDER} dated {!DATE} totals {AMOUNT}.",
        "Gift card {!LUHN_FAIL} cannot be used for cash withdrawals.",
        "The sample SSN {!BAD_SSN} in the training deck is not a valid number.",
        "The form rejected {!BAD_IBAN} because the check digits are wrong.",
        "NHS number {!BAD_NHS} failed validation; ask the patient to check their letter.",
        "Merged {!GIT_SHA} into main; the CI run took 14 minutes.",
        "The template still shows the dummy number {!BAD_PHONE}.",
        "Request {!UUID} timed out after 30 s on the {CITY} cluster.",
        "Tracking number {!LUHN_FAIL} has been with the courier since {!DATE}.",
        "Use {!BAD_SSN} only as a placeholder; the SSA never issues numbers like it.",
        "IBAN {!BAD_IBAN} was typed wrong, the bank returned the payment.",
        "The NHS number {!BAD_NHS} on the referral does not pass the check digit test.",
        "Please don't ring {!BAD_PHONE}, it's the number printed in the old brochure.",
        "Loyalty card {!LUHN_FAIL} has 340 points left, valid until {!EXPIRY}.",
        "Library copy of ISBN {!ISBN} is due back on {!DATE}.",
        "Router firmware {!VERSION} was released on {!DATE}, order {!ORDER} includes it.",
        "Dependency bumped from {!VERSION} to {!VERSION}, see commit {!GIT_SHA}.",
        "Session {!UUID} expired at {!TIMESTAMP}; the user was asked to sign in again.",
        "Our office in {CITY} handled {NUM} tickets last quarter, up from {NUM}.",
        "{COMPANY} moved the launch to {!DATE} after the {!VERSION} regression.",
        "Card expires {!EXPIRY}; renewal letters go out a month before.",
        "Build {!VERSION} is rolling out to 10% of devices today.",
    ],
}

_SLOT = re.compile(r"\{(!?[A-Z_0-9]+)\}")


def render(template: str, values: Values) -> TextSample:
    """Fill ``template``'s placeholders from ``values``, recording where each value went."""
    parts: list[str] = []
    spans: list[Span] = []
    negatives: list[Span] = []
    pos = 0
    length = 0
    for m in _SLOT.finditer(template):
        literal = template[pos : m.start()]
        parts.append(literal)
        length += len(literal)
        label, make = _SLOTS[m.group(1)]
        value = make(values)
        if label in ENTITIES:
            spans.append((length, length + len(value), label))
        elif label is not None:
            negatives.append((length, length + len(value), label))
        parts.append(value)
        length += len(value)
        pos = m.end()
    parts.append(template[pos:])
    return TextSample("".join(parts), tuple(spans), tuple(negatives), template)


@cache
def _templates_by_label() -> dict[str, list[str]]:
    by_label: dict[str, list[str]] = {}
    for templates in TEMPLATES.values():
        for t in templates:
            labels = {_SLOTS[s][0] for s in _SLOT.findall(t)} & set(ENTITIES)
            for label in labels or {"NONE"}:
                by_label.setdefault(label, []).append(t)
    return by_label


def text_corpus(n: int, seed: int = 0) -> list[TextSample]:
    """``n`` labelled strings.

    Each string is drawn for an entity in turn (every entity of ``ENTITIES``, then three
    turns with no entity, whose templates hold only hard negatives), from the templates
    that contain it: the entities come out roughly balanced, with others beside them.

    Parameters
    ----------
    n : int
        Number of samples.
    seed : int
        The same seed gives the same corpus (with the same Faker version).

    Returns
    -------
    list of TextSample
    """
    values = Values(seed)
    by_label = _templates_by_label()
    turns = [*ENTITIES, "NONE", "NONE", "NONE"]
    return [render(values._pick(by_label[turns[i % len(turns)]]), values) for i in range(n)]


# --- tables ---------------------------------------------------------------------------------

# (column name when named, entity or None, generator for "named" tables, for "opaque" ones).
# Named columns hold the usual written form; opaque ones (names that say nothing) the
# alternative forms, so that neither names nor one format carry the result.
_COLUMNS: list[tuple[str, str | None, Callable[[Values], str], Callable[[Values], str]]] = [
    ("full_name", "PERSON", Values.person, Values.person),
    ("email", "EMAIL_ADDRESS", Values.email, Values.email),
    ("phone", "PHONE_NUMBER", lambda v: v.phone("national"), lambda v: v.phone("e164")),
    ("ssn", "US_SSN", lambda v: v.ssn("dash"), lambda v: v.ssn("plain")),
    ("card_number", "CREDIT_CARD", lambda v: v.credit_card("space"),
     lambda v: v.credit_card("plain")),
    ("iban", "IBAN_CODE", lambda v: v.iban("print"), lambda v: v.iban("compact")),
    ("ip_address", "IP_ADDRESS", Values.ipv4, Values.ipv4),
    ("ipv6_address", "IP_ADDRESS", Values.ipv6, Values.ipv6),
    ("mac_address", "MAC_ADDRESS", lambda v: v.mac("colon"), lambda v: v.mac("dash")),
    ("website", "URL", Values.url, Values.url),
    ("date_of_birth", "DATE_TIME", lambda v: v.date_of_birth("iso"),
     lambda v: v.date_of_birth("us")),
    ("home_address", "STREET_ADDRESS", Values.street_address, Values.street_address),
    ("ni_number", "UK_NINO", lambda v: v.uk_nino("spaced"), lambda v: v.uk_nino("compact")),
    ("nhs_number", "UK_NHS", lambda v: v.uk_nhs("spaced"), lambda v: v.uk_nhs("plain")),
    ("passport_number", "US_PASSPORT", Values.us_passport, Values.us_passport),
    ("driver_license", "US_DRIVER_LICENSE", Values.us_driver_license,
     Values.us_driver_license),
    ("btc_wallet", "CRYPTO", Values.crypto, Values.crypto),
    ("api_token", "SECRET_TOKEN", Values.secret, Values.secret),
    # Decoys: identifier-shaped columns that are not personal data.
    ("order_id", None, Values.order, Values.order),
    ("isbn", None, Values.isbn, Values.isbn),
    ("app_version", None, Values.version, Values.version),
    ("last_login", None, Values.timestamp, Values.timestamp),
    ("refund_ref", None, Values.luhn_fail, Values.luhn_fail),
]  # fmt: skip

# The identifier columns of the throughput table (100,000 x 5 in the full benchmark).
THROUGHPUT_COLUMNS = ("email", "phone", "card_number", "ssn", "iban")


def _column(values: Values, make: Callable[[Values], str], rows: int, nulls: float) -> list[Any]:
    column: list[Any] = [make(values) for _ in range(rows)]
    for i in values.rng.sample(range(rows), round(nulls * rows)):
        column[i] = None
    return column


def with_identifiers(
    frame: pd.DataFrame, name: str, *, seed: int = 0, named: bool = True, nulls: float = 0.03
) -> LabelledTable:
    """``frame`` (real columns, all labelled ``None``) with generated identifier columns.

    Parameters
    ----------
    frame : DataFrame
        Real rows, e.g. UCI Adult or German Credit; its columns are not personal data.
    name : str
        The table's name in results.
    seed : int
        Seed of the generated values.
    named : bool
        Columns named as people name them (``email``, ``ssn`` …) in their usual written
        form, or opaque names (``x01`` …) and the alternative forms.
    nulls : float
        Share of missing values in each generated column (at random rows).
    """
    values = Values(seed)
    out = frame.reset_index(drop=True).copy()
    truth: dict[str, str | None] = dict.fromkeys(out.columns)
    for i, (column, entity, usual, alternative) in enumerate(_COLUMNS):
        key = column if named else f"x{i + 1:02d}"
        out[key] = _column(values, usual if named else alternative, len(out), nulls)
        truth[key] = entity
    return LabelledTable(name, out, truth)


def labelled_tables(
    *, rows: int = 1000, seed: int = 0, frames: dict[str, pd.DataFrame] | None = None
) -> list[LabelledTable]:
    """UCI Adult and German Credit rows with identifier columns, named and opaque.

    Parameters
    ----------
    rows : int
        Rows drawn (seeded, without replacement) from each data set, at most all of them.
    seed : int
        Seed of the draw and of the generated values.
    frames : dict of name to DataFrame, optional
        The real tables; by default ``adult`` and ``german`` from ``shared/data``.

    Returns
    -------
    list of LabelledTable
        Four tables: ``adult_named``, ``adult_opaque``, ``german_named``, ``german_opaque``.
    """
    if frames is None:
        from tests.datasets import adult_frame, german_frame

        frames = {"adult": adult_frame(), "german": german_frame()}
    rng = np.random.default_rng(seed)
    tables = []
    for k, (name, frame) in enumerate(frames.items()):
        pick = np.sort(rng.choice(len(frame), size=min(rows, len(frame)), replace=False))
        rows_ = frame.iloc[pick]
        for named in (True, False):
            suffix = "named" if named else "opaque"
            tables.append(
                with_identifiers(
                    rows_, f"{name}_{suffix}", seed=seed * 100 + 2 * k + named, named=named
                )
            )
    return tables


def _fast_emails(values: Values, rows: int) -> list[str]:
    # Faker costs ~75 us an email; for 100,000 rows, names and domains come from Faker
    # pools and are combined with a number, so that values stay (nearly) all distinct and
    # no engine can gain by caching repeated values.
    firsts = [values.us.first_name().lower() for _ in range(500)]
    lasts = [values.us.last_name().lower() for _ in range(500)]
    domains = [values.us.free_email_domain() for _ in range(20)] + [
        values.us.domain_name() for _ in range(200)
    ]
    r = values.rng
    return [
        f"{r.choice(firsts)}{r.choice(['.', '_', ''])}{r.choice(lasts)}{r.randint(1, 9999)}"
        f"@{r.choice(domains)}"
        for _ in range(rows)
    ]


def identifier_frame(
    rows: int, *, seed: int = 0, columns: Sequence[str] = THROUGHPUT_COLUMNS
) -> LabelledTable:
    """A table of ``rows`` generated identifiers in the named ``columns`` (no nulls)."""
    values = Values(seed)
    spec = {c[0]: c for c in _COLUMNS}
    data: dict[str, list[Any]] = {}
    truth: dict[str, str | None] = {}
    for column in columns:
        _, entity, usual, _ = spec[column]
        if column == "email":
            data[column] = list(_fast_emails(values, rows))
        else:
            data[column] = _column(values, usual, rows, 0.0)
        truth[column] = entity
    return LabelledTable(f"identifiers_{rows}x{len(columns)}", pd.DataFrame(data), truth)
