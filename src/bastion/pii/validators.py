"""Checks that confirm or reject a candidate a pattern found: checksums, issuing rules and
parsers, one function per identifier, each citing where its rule is defined.

A check that passes raises a candidate's score; one that fails drops it (see
:mod:`bastion.pii.recognizers`). The ``*_many`` variants run the same arithmetic on numpy
arrays of many values at once, for the column scans.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import json
import math
import re
import zlib
from collections import Counter
from functools import reduce
from operator import mul, xor

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from Crypto.Hash import keccak  # Ethereum's Keccak-256, not SHA3-256 (EIP-55 checksums)

__all__ = [
    "IBAN_LENGTHS",
    "SSN_EXAMPLES",
    "btc_address_valid",
    "char_matrix",
    "date_valid",
    "eth_address_valid",
    "github_token_valid",
    "iban_valid",
    "iban_valid_many",
    "ip_valid",
    "jwt_valid",
    "luhn_valid",
    "luhn_valid_many",
    "mac_valid",
    "nhs_valid",
    "nhs_valid_many",
    "nino_valid",
    "shannon_entropy",
    "ssn_valid",
]

BoolArray = npt.NDArray[np.bool_]

_SEPARATORS = str.maketrans("", "", " -.")


def _digits(text: str) -> str:
    return text.translate(_SEPARATORS)


# --- payment cards ----------------------------------------------------------------------


# Each digit doubled, less 9 when that makes two digits: the digit sum Luhn adds.
_LUHN_DOUBLED = str.maketrans("0123456789", "0246813579")


def luhn_valid(number: str) -> bool:
    """The Luhn (mod 10) check of ISO/IEC 7812-1 annex B; spaces and dashes ignored."""
    digits = _digits(number)
    if not digits.isdigit() or not digits.isascii() or len(digits) < 2:
        return False
    # Summed as bytes: each ASCII digit is its value plus 48.
    total = sum(digits[-1::-2].encode()) + sum(digits[-2::-2].translate(_LUHN_DOUBLED).encode())
    return (total - 48 * len(digits)) % 10 == 0


def char_matrix(values: pa.Array, width: int, fill: str = "0") -> npt.NDArray[np.int64]:
    """ASCII strings of at most ``width`` characters as an (n, width) array of byte values,
    right-aligned and left-filled with ``fill``: checksums in numpy, no Python loop."""
    if not len(values):
        return np.zeros((0, width), dtype=np.int64)
    padded = pc.utf8_lpad(values.cast(pa.string()), width=width, padding=fill)
    padded = pa.concat_arrays([padded]) if padded.offset else padded
    offsets = np.frombuffer(padded.buffers()[1], dtype=np.int32)[: len(padded) + 1]
    data = np.frombuffer(padded.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return data.reshape(-1, width).astype(np.int64)


def luhn_valid_many(digits: list[str] | pa.Array) -> BoolArray:
    """:func:`luhn_valid` of many digit-only strings (at most 19 digits) at once."""
    if not len(digits):
        return np.zeros(0, dtype=bool)
    m = char_matrix(pa.array(digits, type=pa.string()), 20) - 48
    doubled = m[:, -2::-2] * 2
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    total = m[:, -1::-2].sum(axis=1) + doubled.sum(axis=1)
    return np.asarray(total % 10 == 0)


# --- bank accounts ----------------------------------------------------------------------

# IBAN length per country, from the SWIFT IBAN registry (release 99, 2024).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
    "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
    "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23,
    "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip

_IBAN_VALUE = str.maketrans({chr(c): str(c - 55) for c in range(ord("A"), ord("Z") + 1)})


def iban_valid(iban: str) -> bool:
    """ISO 13616-1: the registry length of the country, then (BBAN + country + check) as a
    number mod 97 equals 1. Spaces and dashes ignored; letters case-insensitive."""
    compact = _digits(iban).upper()
    if len(compact) != IBAN_LENGTHS.get(compact[:2], -1) or not compact.isalnum():
        return False
    if not compact[2:4].isdigit() or not compact.isascii():
        return False
    rearranged = compact[4:] + compact[:4]
    return int(rearranged.translate(_IBAN_VALUE)) % 97 == 1


def iban_valid_many(ibans: list[str] | pa.Array) -> BoolArray:
    """:func:`iban_valid` of many compact upper-case IBANs, the mod 97 done with numpy."""
    arr = pa.array(ibans, type=pa.string()) if isinstance(ibans, list) else ibans.cast(pa.string())
    n = len(arr)
    out = np.zeros(n, dtype=bool)
    if not n:
        return out
    countries = pc.utf8_slice_codeunits(arr, 0, 2)
    expected = pc.fill_null(
        pc.index_in(countries, value_set=pa.array(list(IBAN_LENGTHS))), -1
    ).to_numpy(zero_copy_only=False)
    lengths = np.array([*IBAN_LENGTHS.values(), -1])[expected]
    ok = (np.asarray(pc.utf8_length(arr).to_numpy(zero_copy_only=False)) == lengths) & np.asarray(
        pc.match_substring_regex(arr, r"^[A-Z]{2}\d{2}[A-Z0-9]+$").to_numpy(zero_copy_only=False)
    )
    idx = np.flatnonzero(ok)
    if not len(idx):
        return out
    sub = pc.take(arr, pa.array(idx, type=pa.int64()))
    rearranged = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(sub, 4), pc.utf8_slice_codeunits(sub, 0, 4), ""
    )
    width = max(IBAN_LENGTHS.values())
    # Left-filled with '0' (value 0: leading zeros leave the remainder unchanged).
    chars = char_matrix(rearranged, width)
    is_letter = chars >= 65
    values = np.where(is_letter, chars - 55, chars - 48)
    remainder = np.zeros(len(idx), dtype=np.int64)
    for j in range(width):  # Horner's rule mod 97: two decimal digits for a letter
        scale = np.where(is_letter[:, j], 100, 10)
        remainder = (remainder * scale + values[:, j]) % 97
    out[idx] = remainder == 1
    return out


# --- US Social Security numbers ---------------------------------------------------------

SSN_EXAMPLES = frozenset({"078051120", "219099999", "123456789", "111111111", "987654320"})
"""Numbers published as examples (the 1938 Woolworth wallet card, the SSA's pamphlet
number, advertising) or so often typed as placeholders that they are never real."""


def ssn_valid(ssn: str) -> bool:
    """The SSA's issuing rules (SSA POMS RM 10201.035, randomization since 2011): area not
    000, 666 or 900-999, group not 00, serial not 0000, no published example number, and
    one kind of separator at most."""
    digits = _digits(ssn)
    if len(digits) != 9 or not digits.isdigit():
        return False
    if (" " in ssn) + ("-" in ssn) + ("." in ssn) > 1:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    return digits not in SSN_EXAMPLES and digits != digits[0] * 9


# --- UK identifiers ---------------------------------------------------------------------


def nhs_valid(number: str) -> bool:
    """The NHS number's modulus 11 check digit (NHS Data Dictionary: weights 10 to 2 on
    the first nine digits; a check digit of 10 is never issued)."""
    digits = _digits(number)
    if len(digits) != 10 or not digits.isdigit() or not digits.isascii():
        return False
    if digits == digits[0] * 10:
        return False
    # Summed as bytes (an ASCII digit is its value plus 48) over weights 10 to 2 (54 in all).
    total: int = sum(map(mul, digits[:9].encode(), range(10, 1, -1))) - 48 * 54
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == ord(digits[9]) - 48


def nhs_valid_many(digits: list[str] | pa.Array) -> BoolArray:
    """:func:`nhs_valid` of many 10-digit strings at once."""
    if not len(digits):
        return np.zeros(0, dtype=bool)
    m = char_matrix(pa.array(digits, type=pa.string()), 10) - 48
    total = (m[:, :9] * np.arange(10, 1, -1)).sum(axis=1)
    check = 11 - total % 11
    check = np.where(check == 11, 0, check)
    same = (m == m[:, :1]).all(axis=1)
    return np.asarray((check != 10) & (check == m[:, 9]) & ~same)


# HMRC's National Insurance Manual NIM39110: the first letter is not D, F, I, Q, U or V;
# the second not D, F, I, O, Q, U or V; the prefixes BG, GB, KN, NK, NT, TN and ZZ are not
# allocated; the suffix is A, B, C or D.
_NINO = re.compile(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]")
_NINO_BANNED = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def nino_valid(nino: str) -> bool:
    """HMRC's format rules for a National Insurance number (spaces ignored)."""
    compact = nino.replace(" ", "").upper()
    return _NINO.fullmatch(compact) is not None and compact[:2] not in _NINO_BANNED


# --- network ----------------------------------------------------------------------------


def ip_valid(text: str) -> bool:
    """Whether Python's :mod:`ipaddress` accepts ``text`` as an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


_MAC_SEPARATORS = str.maketrans("", "", ":-.")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def mac_valid(text: str) -> bool:
    """Six hexadecimal octets (IEEE 802 MAC-48) separated by ``:`` or ``-`` consistently,
    or Cisco's three dotted groups of four; the broadcast address is not a device."""
    compact = text.translate(_MAC_SEPARATORS)
    if len(compact) != 12 or not _HEX_DIGITS.issuperset(compact):
        return False
    separators = (":" in text) + ("-" in text) + ("." in text)
    return separators == 1 and compact.upper() not in ("FFFFFFFFFFFF", "000000000000")


# --- cryptocurrency ---------------------------------------------------------------------

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX = {c: i for i, c in enumerate(_BECH32)}
_BECH32M_CONST = 0x2BC830A3


def _base58check(address: str) -> bool:
    # Bitcoin's Base58Check: version byte 0x00 (P2PKH, "1…") or 0x05 (P2SH, "3…"), 20
    # bytes of hash, then the first 4 bytes of SHA-256(SHA-256(version + hash)).
    n = 0
    for c in address:
        i = _B58_INDEX.get(c)
        if i is None:
            return False
        n = n * 58 + i
    zeros = len(address) - len(address.lstrip("1"))
    raw = b"\0" * zeros + n.to_bytes((n.bit_length() + 7) // 8, "big")
    if len(raw) != 25 or raw[0] not in (0, 5):
        return False
    body, check = raw[:-4], raw[-4:]
    return hashlib.sha256(hashlib.sha256(body).digest()).digest()[:4] == check


_BECH32_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
# BIP 173's polymod XORs generator[i] for each bit i set in the top five bits: the XOR
# for each of the 32 values of those bits, computed once.
_BECH32_TOP = tuple(
    reduce(xor, (g for i, g in enumerate(_BECH32_GENERATOR) if top >> i & 1), 0)
    for top in range(32)
)


def _bech32_polymod(values: list[int]) -> int:
    chk = 1
    for v in values:
        chk = (chk & 0x1FFFFFF) << 5 ^ v ^ _BECH32_TOP[chk >> 25]
    return chk


def _segwit(address: str) -> bool:
    # BIP 173 (Bech32) and BIP 350 (Bech32m): one case only, "bc" + "1" + data, a valid
    # checksum of the right kind for the witness version, and a program of a legal size.
    if address.lower() != address and address.upper() != address:
        return False
    address = address.lower()
    hrp, sep, data_part = address.rpartition("1")
    if hrp != "bc" or not sep or len(data_part) < 7 or len(address) > 90:
        return False
    data = [_BECH32_INDEX.get(c, -1) for c in data_part]
    if -1 in data:
        return False
    const = _bech32_polymod([ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + data)
    version, program5 = data[0], data[1:-6]
    if version > 16 or const != (1 if version == 0 else _BECH32M_CONST):
        return False
    bits = len(program5) * 5
    if bits % 8 >= 5 or (program5 and program5[-1] & ((1 << (bits % 8)) - 1)):
        return False  # non-zero padding (BIP 173: at most 4 bits of zeros)
    size = bits // 8
    if size < 2 or size > 40:
        return False
    return not (version == 0 and size not in (20, 32))


def btc_address_valid(address: str) -> bool:
    """A Bitcoin mainnet address with a valid checksum: legacy Base58Check (P2PKH, P2SH)
    or segwit Bech32 / Bech32m (BIP 173, BIP 350)."""
    if address[:3].lower() == "bc1":
        return _segwit(address)
    return 26 <= len(address) <= 35 and address[0] in "13" and _base58check(address)


def eth_address_valid(address: str) -> bool | None:
    """An Ethereum address: ``0x`` and 40 hex digits. With mixed case, the EIP-55 checksum
    must hold (``True`` or ``False``); all one case carries no checksum (``None``)."""
    body = address[2:]
    if not address.startswith("0x") or len(body) != 40:
        return False
    try:
        int(body, 16)
    except ValueError:
        return False
    if body.lower() == body or body.upper() == body:
        return None
    digest = keccak.new(digest_bits=256, data=body.lower().encode()).hexdigest()
    for c, h in zip(body, digest, strict=False):
        if c.isalpha() and (c.isupper() != (int(h, 16) >= 8)):
            return False
    return True


# --- secrets ----------------------------------------------------------------------------

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def github_token_valid(token: str) -> bool | None:
    """GitHub's token format (GitHub blog, "Behind GitHub's new authentication token
    formats", 2021): prefix, 30 random characters and their CRC32 in base62 (6 characters).
    ``None`` for fine-grained ``github_pat_`` tokens, which carry no public checksum."""
    if token.startswith("github_pat_"):
        return None
    body, check = token[4:34], token[34:]
    if len(token) != 40 or len(check) != 6:
        return False
    n = zlib.crc32(body.encode())
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = _B62[r] + out
    return out.rjust(6, "0") == check


def jwt_valid(token: str) -> bool:
    """A JSON Web Token (RFC 7519): three base64url parts, the first a JSON header naming
    its algorithm (``alg``)."""
    parts = token.split(".")
    if len(parts) != 3:
        return False
    head = parts[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return False
    return isinstance(header, dict) and "alg" in header


def shannon_entropy(text: str) -> float:
    """Shannon entropy of the characters of ``text``, in bits per character."""
    if not text:
        return 0.0
    n = len(text)
    # -sum(p log2 p) over p = c / n, as log2(n) - sum(c log2 c) / n: a table look-up per
    # character kind instead of a division and a logarithm.
    counts = Counter(text).values()
    if n < len(_C_LOG2_C):
        return math.log2(n) - sum(map(_C_LOG2_C.__getitem__, counts)) / n
    return math.log2(n) - sum(c * math.log2(c) for c in counts) / n


_C_LOG2_C = [0.0] + [c * math.log2(c) for c in range(1, 1025)]


# --- dates ------------------------------------------------------------------------------


_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def date_valid(year: int, month: int, day: int) -> bool:
    """A real calendar date (31 April and 29 February of common years are not) in the
    years 1900 to 2099."""
    if not (1900 <= year <= 2099 and 1 <= month <= 12 and day >= 1):
        return False
    if month == 2 and day == 29:
        return year % 4 == 0 and year != 1900  # 2000 is a leap year, 1900 and 2100 are not
    return day <= _DAYS_IN_MONTH[month - 1]
