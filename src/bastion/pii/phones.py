"""Phone number validation from phonenumbers' own metadata, for one candidate (free text)
or a whole column at once (pyarrow's RE2 engine).

``phonenumbers.parse`` plus ``is_valid_number`` costs about 35 µs a number — a second and
a half for a column of 50,000. Validity in phonenumbers is, underneath, the national
significant number matching the general pattern of its region and the pattern of one
number type (fixed line, mobile, toll free …) of that region's metadata. This module
applies exactly those metadata patterns, compiled once per region, to the digits: ~2 µs a
number in Python and far less in RE2. The tests check it agrees with
``phonenumbers.is_valid_number``.

A number is *valid* when a type pattern of its region (or, with ``+``, of any region of its
country code) matches, *possible* when only the region's general pattern does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np
import numpy.typing as npt
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

from bastion.pii.errors import PiiInputError

__all__ = [
    "INVALID",
    "POSSIBLE",
    "VALID",
    "check_phone",
    "check_phone_digits",
    "check_phones",
    "phone_regions",
]

INVALID, POSSIBLE, VALID = 0, 1, 2
_TYPES = (
    "fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost", "personal_number",
    "voip", "pager", "uan", "voicemail",
)  # fmt: skip
_REGION_ALIASES = {"UK": "GB"}
_EXTENSION = r"\s*(?:[xX#]|[eE][xX][tT](?:ension)?\.?)\s*\d{1,7}$"
_EXTENSION_RE = re.compile(_EXTENSION)
_NON_DIGITS = re.compile(r"\D")
# E.164 country codes form a prefix code (ITU-T E.164 §6.2.1): at most one of the first
# one, two or three digits is a country code.
_CC_BY_LENGTH: dict[int, frozenset[str]] = {
    k: frozenset(str(cc) for cc in COUNTRY_CODE_TO_REGION_CODE if len(str(cc)) == k)
    for k in (1, 2, 3)
}


@dataclass(frozen=True)
class _Region:
    code: str
    national_prefix: str | None
    prefix_for_parsing: str | None
    general: str
    lengths: frozenset[int]
    typed: str  # alternation of every number type's pattern

    @cached_property
    def general_re(self) -> re.Pattern[str]:
        return _compiled(self.general)

    @cached_property
    def typed_re(self) -> re.Pattern[str]:
        return _compiled(self.typed)

    def strength(self, national: str) -> int:
        if len(national) not in self.lengths or not self.general_re.fullmatch(national):
            return INVALID
        return VALID if self.typed_re.fullmatch(national) else POSSIBLE


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@cache
def _region(code: str) -> _Region | None:
    meta = PhoneMetadata.metadata_for_region(code)
    if meta is None or meta.general_desc is None or not meta.general_desc.national_number_pattern:
        return None
    patterns: list[str] = []
    for name in _TYPES:
        desc = getattr(meta, name)
        pattern = f"(?:{desc.national_number_pattern})" if desc is not None else None
        # US fixed-line and mobile patterns are the same 1,000 characters: keep one.
        if pattern and desc.national_number_pattern and pattern not in patterns:
            patterns.append(pattern)
    lengths = frozenset(n for n in meta.general_desc.possible_length if n > 0)
    return _Region(
        code=code,
        national_prefix=meta.national_prefix,
        prefix_for_parsing=meta.national_prefix_for_parsing,
        general=meta.general_desc.national_number_pattern,
        lengths=lengths,
        typed="|".join(patterns) or "(?!)",
    )


def phone_regions(regions: Iterable[str]) -> tuple[str, ...]:
    """Region codes as phonenumbers knows them (``UK`` read as ``GB``), checked.

    Raises
    ------
    PiiInputError
        If a region is not one phonenumbers supports.
    """
    out = []
    for r in regions:
        code = _REGION_ALIASES.get(r.upper(), r.upper())
        if code not in phonenumbers.SUPPORTED_REGIONS:
            raise PiiInputError(
                f"unknown phone region {r!r}; use ISO 3166 codes such as US, GB, DE, FR",
                field="regions",
            )
        out.append(code)
    return tuple(out)


def _country_code(digits: str) -> tuple[int, str] | None:
    for k in (1, 2, 3):
        if digits[:k] in _CC_BY_LENGTH[k]:
            return int(digits[:k]), digits[k:]
    return None


@cache
def _country(cc: int) -> _Region | None:
    # Every region sharing a country code (the 25 of the North American plan under +1),
    # merged into one region: phonenumbers calls a number valid when it is valid in any
    # of them, and one alternation is faster than 25 tries.
    regions = [r for r in map(_region, COUNTRY_CODE_TO_REGION_CODE.get(cc, ())) if r]
    if not regions:
        return None
    first = regions[0]
    generals = list(dict.fromkeys(f"(?:{r.general})" for r in regions))
    typed = list(dict.fromkeys(r.typed for r in regions))
    return _Region(
        code=first.code,
        national_prefix=first.national_prefix,
        prefix_for_parsing=first.prefix_for_parsing,
        general="|".join(generals),
        lengths=frozenset().union(*(r.lengths for r in regions)),
        typed="|".join(typed),
    )


@cache
def _country_of(code: str) -> int:
    return int(phonenumbers.country_code_for_region(code))


def _international(digits: str) -> int:
    found = _country_code(digits)
    if found is None:
        return INVALID
    cc, national = found
    region = _country(cc)
    if region is None:
        return INVALID
    best = region.strength(national)
    # "+44 (0)20 …": the national prefix written inside an international number.
    if best < VALID and region.national_prefix and national.startswith(region.national_prefix):
        best = max(best, region.strength(national[len(region.national_prefix) :]))
    return best


@cache
def _national_readings(
    regions: tuple[str, ...],
) -> tuple[tuple[_Region, re.Pattern[str] | None], ...]:
    # As phonenumbers does, a national number is valid when it is valid in any region
    # sharing the country code (a Canadian area code read with region US): per region,
    # the merged region of its country code, and the region's national prefix.
    out = []
    for code in regions:
        region = _region(code)
        if region is not None:
            prefix = region.prefix_for_parsing
            country = _country(_country_of(code)) or region
            out.append((country, _compiled(prefix) if prefix else None))
    return tuple(out)


def check_phone_digits(digits: str, plus: bool, regions: tuple[str, ...]) -> int:
    """:func:`check_phone` of a number already reduced to its digits (``plus``: it was
    written with a leading ``+``), extension removed."""
    if len(digits) < 7 or len(digits) > 17:
        return INVALID
    if plus:
        return _international(digits)
    best = INVALID
    for country, prefix in _national_readings(regions):
        strength = country.strength(digits)
        if strength < VALID and prefix is not None:
            m = prefix.match(digits)
            if m and m.end() > 0:
                strength = max(strength, country.strength(digits[m.end() :]))
        if strength == VALID:
            return VALID
        best = max(best, strength)
    # An international call prefix (IDD) only where the national reading fails: "0113 …"
    # is Leeds in the UK, not 011 + a country code.
    for idd in ("011", "00"):
        if digits.startswith(idd):
            best = max(best, _international(digits[len(idd) :]))
            break
    return best


def check_phone(text: str, regions: tuple[str, ...]) -> int:
    """:data:`VALID`, :data:`POSSIBLE` or :data:`INVALID` for one written number.

    A number starting with ``+``, ``00`` or ``011`` is read as international (any country
    code); any other as national in each of ``regions`` in turn (national prefix, e.g. the
    UK's leading 0, removed as phonenumbers does). A trailing extension is ignored.
    """
    text = _EXTENSION_RE.sub("", text.strip())
    return check_phone_digits(_NON_DIGITS.sub("", text), text.startswith("+"), regions)


def _re2(pattern: str) -> str:
    return f"^(?:{pattern})$"


def _strength_many(national: pa.Array, region: _Region) -> npt.NDArray[np.int8]:
    # The length test first (numpy), then the general pattern on what is left, then the
    # number-type patterns on what passed: each RE2 pass sees fewer values.
    out = np.zeros(len(national), dtype=np.int8)
    lengths = np.asarray(pc.utf8_length(national).to_numpy(zero_copy_only=False))
    sel = np.flatnonzero(np.isin(lengths, list(region.lengths)))
    if not len(sel):
        return out
    sub = pc.take(national, pa.array(sel, type=pa.int64()))
    general = np.asarray(
        pc.match_substring_regex(sub, _re2(region.general)).to_numpy(zero_copy_only=False)
    )
    sel, sub = sel[general], pc.filter(sub, pa.array(general))
    if not len(sel):
        return out
    typed = np.asarray(
        pc.match_substring_regex(sub, _re2(region.typed)).to_numpy(zero_copy_only=False)
    )
    out[sel] = np.where(typed, VALID, POSSIBLE)
    return out


def _national_many(d: pa.Array, regions: tuple[str, ...]) -> npt.NDArray[np.int8]:
    best = np.zeros(len(d), dtype=np.int8)
    for code in regions:
        region = _region(code)
        if region is None:
            continue
        country = _country(_country_of(code)) or region
        todo = np.flatnonzero(best < VALID)
        if not len(todo):
            return best
        sub = pc.take(d, pa.array(todo, type=pa.int64()))
        best[todo] = np.maximum(best[todo], _strength_many(sub, country))
        if region.prefix_for_parsing:
            # only numbers starting with the national prefix are read without it
            prefix = f"^(?:{region.prefix_for_parsing})"
            todo = np.flatnonzero(best < VALID)
            if not len(todo):
                return best
            sub = pc.take(d, pa.array(todo, type=pa.int64()))
            has = np.asarray(pc.match_substring_regex(sub, prefix).to_numpy(zero_copy_only=False))
            if has.any():
                todo, sub = todo[has], pc.filter(sub, pa.array(has))
                trimmed = pc.replace_substring_regex(sub, prefix, "")
                best[todo] = np.maximum(best[todo], _strength_many(trimmed, country))
    return best


def check_phones(values: pa.Array, regions: tuple[str, ...]) -> npt.NDArray[np.int8]:
    """:func:`check_phone` of every string of ``values`` (no nulls), in RE2."""
    n = len(values)
    out = np.zeros(n, dtype=np.int8)
    if not n:
        return out
    text = pc.utf8_trim_whitespace(pc.replace_substring_regex(values, _EXTENSION, ""))
    digits = pc.replace_substring_regex(text, r"\D", "")
    dlen = pc.utf8_length(digits).to_numpy(zero_copy_only=False)
    plus = pc.starts_with(text, "+").to_numpy(zero_copy_only=False)
    idd = np.zeros(n, dtype=np.int64)
    idd[pc.starts_with(digits, "00").to_numpy(zero_copy_only=False) & ~plus] = 2
    idd[pc.starts_with(digits, "011").to_numpy(zero_copy_only=False) & ~plus] = 3
    usable = (dlen >= 7) & (dlen <= 17)
    international = usable & plus
    national = usable & ~plus

    if national.any():
        rows = np.flatnonzero(national)
        out[rows] = _national_many(pc.take(digits, pa.array(rows)), regions)
    # An international call prefix (IDD) only where the national reading fails.
    international |= national & (idd > 0) & (out < VALID)
    if international.any():
        rows = np.flatnonzero(international)
        d = pc.utf8_slice_codeunits(pc.take(digits, pa.array(rows)), 0)
        d = pa.array([s[k:] for s, k in zip(d.to_pylist(), idd[rows], strict=True)])
        cc_len = np.zeros(len(rows), dtype=np.int64)
        for k in (3, 2, 1):
            hit = pc.is_in(
                pc.utf8_slice_codeunits(d, 0, k), value_set=pa.array(sorted(_CC_BY_LENGTH[k]))
            ).to_numpy(zero_copy_only=False)
            cc_len[hit] = k
        codes = [s[:k] for s, k in zip(d.to_pylist(), cc_len, strict=True)]
        rest = [s[k:] for s, k in zip(d.to_pylist(), cc_len, strict=True)]
        codes_arr = np.array(codes, dtype=object)
        rest_arr = pa.array(rest, type=pa.string())
        best = np.zeros(len(rows), dtype=np.int8)
        for cc in set(codes) - {""}:
            sel = np.flatnonzero(codes_arr == cc)
            nat = pc.take(rest_arr, pa.array(sel))
            country = _country(int(cc))
            if country is None:
                continue
            best[sel] = np.maximum(best[sel], _strength_many(nat, country))
            if country.national_prefix:
                p = country.national_prefix
                trimmed = pc.replace_substring_regex(nat, f"^{re.escape(p)}", "")
                best[sel] = np.maximum(best[sel], _strength_many(trimmed, country))
        out[rows] = np.maximum(out[rows], best)
    return out
