"""What the values of one column are: each entity's matches and scores, vectorized.

A column's values are first reduced to their distinct values and counts (Arrow's
``value_counts``): a category column of 30,000 rows is a few dozen strings. Each entity
then runs as one RE2 match over the distinct values (pyarrow.compute), usually behind a
cheaper test (an ``@``, a digit, a length) that rules most values out, and its validator
runs on the candidates only — in numpy where the checksum allows (Luhn, mod 97, mod 11,
phone patterns), in Python otherwise (Base58Check, Bech32, dates).

The result is a :class:`Tally`: counts and score sums per entity, which add up across
batches of a file (exact scans) and across partitions of a cluster job alike.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from bastion.pii import patterns as p
from bastion.pii.context import (
    BOOST,
    MIN_WITH_CONTEXT,
    REQUIRES_CONTEXT,
    column_context,
    is_dob_column,
)
from bastion.pii.finders import SCORES, long_date_valid, numeric_date_valid, secret_score
from bastion.pii.names import FIRST, LAST, NAME_SUFFIXES, TITLES
from bastion.pii.phones import POSSIBLE, VALID, check_phones
from bastion.pii.validators import (
    SSN_EXAMPLES,
    btc_address_valid,
    char_matrix,
    eth_address_valid,
    iban_valid_many,
    ip_valid,
    luhn_valid_many,
    nhs_valid_many,
    shannon_entropy,
)

__all__ = ["Tally", "tally_values"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_SSN_BARE = "US_SSN#bare"  # bare nine-digit SSN matches, kept apart until the column test
_TEXT_MIN_SPACES = 3
_SSN_EXAMPLES = pa.array(sorted(SSN_EXAMPLES))
_NINO_BANNED = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
_FIRST = pa.array(sorted(FIRST))
_LAST = pa.array(sorted(LAST))
_TLDS = pa.array(p.TLDS.split("|"))
_TITLE = "|".join(re.escape(t) for t in sorted(TITLES, key=len, reverse=True))
_SUFFIX = "|".join(re.escape(s) for s in sorted(NAME_SUFFIXES, key=len, reverse=True))
_APOSTROPHES = "'" + chr(0x2019)  # RE2 reads no \u escapes: the characters themselves
_NAME_WORD = rf"[A-Z][A-Za-z{_APOSTROPHES}]*(?:-[A-Z][A-Za-z{_APOSTROPHES}]*)?"
_PERSON = (
    rf"^(?P<title>(?:{_TITLE}) )?(?P<first>{_NAME_WORD})(?: [A-Z]\.?)?"
    rf"(?: {_NAME_WORD})??(?: (?P<last>{_NAME_WORD}))?(?:,? (?:{_SUFFIX}))?$"
)
_ADDRESS_END = rf"(?:[A-Z]{{2}},? \d{{5}}(?:-\d{{4}})?|{p.UK_POSTCODE_CORE}|A[AEP] \d{{5}})$"
_DL_NO_CONTEXT = (
    r"(?:[A-Z]\d{6,14}|[A-Z]{2}\d{5,8}|WDL[A-Z0-9*]{9}|\d{2}[A-Z]{3}\d{5,6}|\d{8}[A-Z]{2}"
    r"|\d{9}[A-Z]|[A-Z]\d{6}R)"
)


@dataclass
class Tally:
    """Counts over the values of one column that were examined.

    ``matched[e]`` values matched entity ``e`` with scores adding up to ``scores[e]``;
    ``special[c]`` values were in the vocabulary of special category ``c``. Tallies of
    parts of a column add up (:meth:`merge`).
    """

    examined: int = 0
    matched: Counter[str] = field(default_factory=Counter)
    scores: dict[str, float] = field(default_factory=dict)
    special: Counter[str] = field(default_factory=Counter)
    ssn_nine: int = 0  # bare nine-digit values, and how many follow the SSA rules
    ssn_nine_valid: int = 0

    def add(self, entity: str, count: int, score_sum: float) -> None:
        if count:
            self.matched[entity] += count
            self.scores[entity] = self.scores.get(entity, 0.0) + score_sum

    def merge(self, other: Tally) -> None:
        """Add ``other``'s counts to these."""
        self.examined += other.examined
        for e, n in other.matched.items():
            self.add(e, n, other.scores.get(e, 0.0))
        self.special.update(other.special)
        self.ssn_nine += other.ssn_nine
        self.ssn_nine_valid += other.ssn_nine_valid

    def settle(self) -> list[str]:
        """Fold bare nine-digit SSN matches in, or drop them; notes on what was decided.

        The SSA's rules reject about 11% of random nine-digit numbers (area 000, 666 and
        900-999, group 00, serial 0000), so a column of real SSNs follows them (nearly)
        always and a column of other nine-digit numbers does not.
        """
        notes: list[str] = []
        bare = self.matched.pop(_SSN_BARE, 0)
        score = self.scores.pop(_SSN_BARE, 0.0)
        if not bare:
            return notes
        if self.ssn_nine >= 30 and self.ssn_nine_valid < 0.97 * self.ssn_nine:
            share = self.ssn_nine_valid / self.ssn_nine
            notes.append(
                f"nine-digit numbers follow the SSA's SSN rules only {share:.0%} of the "
                "time (random numbers: 89%): not read as SSNs"
            )
            return notes
        self.add("US_SSN", bare, score)
        return notes


def _np(a: pa.Array | pa.ChunkedArray) -> BoolArray:
    return np.asarray(a.to_numpy(zero_copy_only=False), dtype=bool)


def _full(values: pa.Array, pattern: str) -> BoolArray:
    return _np(pc.match_substring_regex(values, f"^(?:{pattern})$"))


def _full_search(values: pa.Array, pattern: str) -> BoolArray:
    return _np(pc.match_substring_regex(values, pattern))


class _Column:
    """The distinct values of one column part, and the per-value scores of each entity."""

    def __init__(self, uniques: pa.Array, counts: npt.NDArray[np.int64], name: str,
                 regions: tuple[str, ...], wanted: frozenset[str]) -> None:  # fmt: skip
        self.u = uniques
        self.w = counts.astype(np.float64)
        self.n = len(uniques)
        self.name = name
        self.regions = regions
        self.wanted = wanted
        self.context = column_context(name)
        self.dob = is_dob_column(name)
        self.scores: dict[str, FloatArray] = {}
        self.tally_ssn = (0, 0)
        self.has_digit = _np(pc.match_substring_regex(uniques, r"\d"))
        self.has_letter = _np(pc.match_substring_regex(uniques, r"[A-Za-z]"))
        self.has_at = _np(pc.match_substring(uniques, "@"))
        self.has_space = _np(pc.match_substring(uniques, " "))
        self.length = np.asarray(pc.utf8_length(uniques).to_numpy(zero_copy_only=False))

    def rows(self, mask: BoolArray) -> tuple[npt.NDArray[np.intp], pa.Array]:
        idx = np.flatnonzero(mask)
        return idx, pc.take(self.u, pa.array(idx, type=pa.int64()))

    def put(self, entity: str, idx: npt.NDArray[np.intp], score: FloatArray | float) -> None:
        if entity not in self.wanted and entity != _SSN_BARE:
            return
        if not len(idx):
            return
        out = self.scores.setdefault(entity, np.zeros(self.n))
        out[idx] = np.maximum(out[idx], score)

    # one method per entity family --------------------------------------------------------

    def emails(self) -> None:
        idx, vals = self.rows(self.has_at & ~self.has_space)
        if not len(idx):
            return
        ok = _full(vals, p.EMAIL_CORE)
        idx, vals = idx[ok], pc.filter(vals, pa.array(ok))
        tld = pc.utf8_lower(pc.extract_regex(vals, r"\.(?P<t>[A-Za-z]+)$").field("t"))
        known = _np(pc.is_in(tld, value_set=_TLDS))
        self.put(
            "EMAIL_ADDRESS", idx, np.where(known, SCORES["email"], SCORES["email_unknown_tld"])
        )

    def urls(self) -> None:
        idx, vals = self.rows(~self.has_at & ~self.has_space & (self.length >= 4))
        if not len(idx):
            return
        dotted = _np(pc.match_substring(vals, "."))
        idx, vals = idx[dotted], pc.filter(vals, pa.array(dotted))
        if not len(idx):
            return
        ok = _full(vals, p.URL_CORE)
        lower = pc.utf8_lower(vals)
        scheme = _np(pc.match_substring_regex(lower, r"^(?:https?|ftp)://"))
        www = _np(pc.starts_with(lower, "www."))
        path = _np(pc.match_substring(vals, "/"))
        score = np.select(
            [scheme, www, path],
            [SCORES["url_scheme"], SCORES["url_www"], SCORES["url_bare_path"]],
            SCORES["url_bare"],
        )
        self.put("URL", idx[ok], score[ok])

    def numbers(self) -> None:
        # Values of digits and separators: phone, card, SSN, NHS, IPv4, dates, passport, DL.
        idx, vals = self.rows(self.has_digit & (self.length <= 40) & ~self.has_at)
        if not len(idx):
            return
        numeric = _full(vals, r"[+(]?[\d][\d ().\-/]*(?: ?(?:x|ext\.?) ?\d{1,7})?")
        idx, vals = idx[numeric], pc.filter(vals, pa.array(numeric))
        if not len(idx):
            return
        digits = pc.replace_substring_regex(
            pc.replace_substring_regex(vals, r" ?(?:x|ext\.?) ?\d{1,7}$", ""), r"\D", ""
        )
        nd = np.asarray(pc.utf8_length(digits).to_numpy(zero_copy_only=False))
        length = self.length[idx]
        bare = nd == length
        dots = np.asarray(pc.count_substring(vals, ".").to_numpy(zero_copy_only=False))
        taken = np.zeros(len(idx), dtype=bool)

        def sub(mask: BoolArray, pattern: str | None = None) -> npt.NDArray[np.intp]:
            # rows of ``mask`` (that ``pattern`` fully matches), as positions in ``vals``
            sel = np.flatnonzero(mask)
            if pattern is not None and len(sel):
                sel = sel[_full(pc.take(vals, pa.array(sel, type=pa.int64())), pattern)]
            return sel

        def pick(arr: pa.Array, sel: npt.NDArray[np.intp]) -> pa.Array:
            return pc.take(arr, pa.array(sel, type=pa.int64()))

        sel = sub((dots == 3) & (nd >= 4) & (nd <= 12), p.IPV4_CORE)
        if len(sel):
            octets = [max(int(x) for x in v.split(".")) for v in pick(vals, sel).to_pylist()]
            versionlike = np.array(octets) <= 20
            keep = ~versionlike | ("IP_ADDRESS" in self.context)
            score = np.where(versionlike, SCORES["ipv4_versionlike"], SCORES["ipv4"])
            self.put("IP_ADDRESS", idx[sel[keep]], score[keep])
            taken[sel] = True

        sel = sub(~taken & ~bare & (nd >= 5) & (nd <= 8), f"{p.DATE_ISO_CORE}|{p.DATE_DMY_CORE}")
        if len(sel):
            ok = np.array([_date_ok(v) for v in pick(vals, sel).to_pylist()], dtype=bool)
            self.put("DATE_TIME", idx[sel[ok]], SCORES["date"])
            taken[sel] = True

        sel = sub(~taken & (nd == 9), p.SSN_CORE)
        if len(sel):
            valid = _ssn_rules(pick(digits, sel))
            nine = bare[sel]
            w = self.w[idx[sel]]
            self.tally_ssn = (int(w[nine].sum()), int(w[nine & valid].sum()))
            self.put("US_SSN", idx[sel[valid & ~nine]], SCORES["ssn"])
            self.put(_SSN_BARE, idx[sel[valid & nine]], SCORES["ssn_bare"])
            taken[sel[~nine]] = True  # "123-45-6789" is no phone number

        sel = sub(~taken & (nd >= 12) & (nd <= 19), p.CC_CORE)
        if len(sel):
            ok = luhn_valid_many(pick(digits, sel))
            self.put("CREDIT_CARD", idx[sel[ok]], SCORES["card"])
            taken[sel[ok]] = True

        nhs_ok = np.zeros(len(idx), dtype=bool)
        sel = sub(~taken & (nd == 10), p.NHS_CORE)
        if len(sel):
            ok = nhs_valid_many(pick(digits, sel))
            nhs_ok[sel[ok]] = True
            self.put("UK_NHS", idx[sel[ok]], SCORES["nhs"])

        sel = np.flatnonzero(~taken & (nd >= 7) & (nd <= 15) & (dots != 3))
        if len(sel):
            phone_vals = pick(vals, sel)
            strength = check_phones(phone_vals, self.regions)
            plus = _np(pc.starts_with(phone_vals, "+"))
            b = bare[sel]
            spaced_nhs = nhs_ok[sel] & self.has_space[idx[sel]]
            valid = strength == VALID
            possible = strength == POSSIBLE
            score = np.select(
                [
                    valid & spaced_nhs,
                    valid & plus,
                    valid & b,
                    valid,
                    possible & plus,
                    possible & ~b,
                ],
                [
                    SCORES["phone_possible"],
                    SCORES["phone_plus_valid"],
                    SCORES["phone_bare_valid"],
                    SCORES["phone_valid"],
                    SCORES["phone_plus_possible"],
                    SCORES["phone_possible"],
                ],
                0.0,
            )
            hit = score > 0
            self.put("PHONE_NUMBER", idx[sel[hit]], score[hit])

        # Passport and driver's license numbers of digits only: with a column name only.
        if "US_PASSPORT" in self.context:
            self.put(
                "US_PASSPORT", idx[np.flatnonzero(bare & (nd == 9))], SCORES["passport_digits"]
            )
        if "US_DRIVER_LICENSE" in self.context:
            sel = np.flatnonzero(bare & (nd >= 7) & (nd <= 12))
            self.put("US_DRIVER_LICENSE", idx[sel], SCORES["dl_digits"])

    def codes(self) -> None:
        # Letters and digits: IBAN, NINO, MAC, IPv6, wallets, keys, passport and DL numbers.
        # Each test sees only the values no earlier, validated test claimed.
        idx, vals = self.rows(
            self.has_digit
            & self.has_letter
            & (self.length >= 5)
            & (self.length <= 95)
            & ~self.has_at
        )
        if not len(idx):
            return
        free = np.ones(len(idx), dtype=bool)

        def test(pattern: str, mask: BoolArray | None = None) -> npt.NDArray[np.intp]:
            sel = np.flatnonzero(free if mask is None else free & mask)
            if len(sel):
                sel = sel[_full(pc.take(vals, pa.array(sel, type=pa.int64())), pattern)]
            return sel

        def values(sel: npt.NDArray[np.intp]) -> list[str]:
            return list(pc.take(vals, pa.array(sel, type=pa.int64())).to_pylist())

        length = self.length[idx]
        sel = test(r"[A-Za-z]{2}\d{2}[A-Za-z0-9 ]{11,40}", length >= 15)
        if len(sel):
            compact = pc.utf8_upper(
                pc.replace_substring(pc.take(vals, pa.array(sel, type=pa.int64())), " ", "")
            )
            ok = iban_valid_many(compact)
            self.put("IBAN_CODE", idx[sel[ok]], SCORES["iban"])
            free[sel[ok]] = False
        sel = test(
            r"[A-CEGHJ-PR-TW-Za-ceghj-pr-tw-z][A-CEGHJ-NPR-TW-Za-ceghj-npr-tw-z]"
            r" ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d]",
            length <= 13,
        )
        if len(sel):
            banned = np.array([v[:2].upper() in _NINO_BANNED for v in values(sel)], dtype=bool)
            self.put("UK_NINO", idx[sel[~banned]], SCORES["nino"])
            free[sel[~banned]] = False
        sel = test(p.MAC_CORE, (length == 14) | (length == 17))
        if len(sel):
            flat = [re.sub(r"[:\-.]", "", v).upper() for v in values(sel)]
            ok = np.array([f not in ("FFFFFFFFFFFF", "000000000000") for f in flat], dtype=bool)
            self.put("MAC_ADDRESS", idx[sel[ok]], SCORES["mac"])
            free[sel[ok]] = False
        sel = test(r"[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")
        if len(sel):
            ok = np.array([ip_valid(v) for v in values(sel)], dtype=bool)
            self.put("IP_ADDRESS", idx[sel[ok]], SCORES["ipv6"])
            free[sel[ok]] = False
        sel = test(f"{p.BTC_LEGACY_CORE}|{p.BTC_SEGWIT_CORE}|{p.ETH_CORE}", length >= 26)
        if len(sel):
            score = np.array([_crypto_score(v) for v in values(sel)])
            hit = score > 0
            self.put("CRYPTO", idx[sel[hit]], score[hit])
            free[sel[hit]] = False
        sel = test(p.API_KEY_CORE, length >= 20)
        if len(sel):
            score = np.array([secret_score(v) or 0.0 for v in values(sel)])
            hit = score > 0
            self.put("SECRET_TOKEN", idx[sel[hit]], score[hit])
            free[sel[hit]] = False
        passport_ctx = "US_PASSPORT" in self.context
        sel = test(r"[A-Z]\d{8}", length == 9)
        if len(sel):
            self.put("US_PASSPORT", idx[sel], SCORES["passport_letter"] if passport_ctx else 0.1)
        dl_ctx = "US_DRIVER_LICENSE" in self.context
        sel = test(p.DL_CORE if dl_ctx else _DL_NO_CONTEXT, length <= 16)
        if len(sel):
            self.put("US_DRIVER_LICENSE", idx[sel], SCORES["dl_alnum"] if dl_ctx else 0.05)
        if "HIGH_ENTROPY_SECRET" in self.context:
            sel = test(r"[A-Za-z0-9+/_\-]{20,}={0,2}")
            if len(sel):
                ok = np.array([_randomish(v) for v in values(sel)], dtype=bool)
                self.put("HIGH_ENTROPY_SECRET", idx[sel[ok]], SCORES["entropy"])

    def words(self) -> None:
        # Values starting with a capital: names, addresses, long dates, unit-first addresses.
        starts = _np(pc.match_substring_regex(self.u, r"^[A-Z0-9#]"))
        idx, vals = self.rows(starts & self.has_letter & ~self.has_at & (self.length <= 120))
        if not len(idx):
            return
        if self.has_digit.any():
            address = _full(vals, f"{p.ADDRESS_CORE}|{p.MILITARY_CORE}")
            if address.any():
                full = _np(pc.match_substring_regex(vals, _ADDRESS_END))
                score = np.where(full, SCORES["address_full"], SCORES["address"])
                self.put("STREET_ADDRESS", idx[address], score[address])
            long_date = _full(vals, p.DATE_LONG_CORE)
            if long_date.any():
                sel = np.flatnonzero(long_date)
                ok = np.array(
                    [_long_date_ok(v) for v in pc.take(vals, pa.array(sel)).to_pylist()], dtype=bool
                )
                self.put("DATE_TIME", idx[sel[ok]], SCORES["date"])
        names = ~self.has_digit[idx]
        if not names.any():
            return
        nidx, nvals = idx[names], pc.filter(vals, pa.array(names))
        parts = pc.extract_regex(nvals, _PERSON)
        matched = _np(pc.is_valid(parts))
        if not matched.any():
            return
        first = parts.field("first")
        last = parts.field("last")
        title = _np(pc.not_equal(pc.fill_null(parts.field("title"), ""), ""))
        has_last = _np(pc.not_equal(pc.fill_null(last, ""), ""))
        first_known = _np(pc.fill_null(pc.is_in(first, value_set=_FIRST), False))
        last_head = pc.replace_substring_regex(pc.fill_null(last, ""), r"-.*$", "")
        last_known = _np(pc.fill_null(pc.is_in(last_head, value_set=_LAST), False))
        single_known = first_known | _np(pc.fill_null(pc.is_in(first, value_set=_LAST), False))
        context = "PERSON" in self.context
        score = np.select(
            [
                matched & title,
                matched & has_last & first_known & last_known,
                matched & has_last & first_known,
                matched & has_last & last_known,
                matched & ~has_last & single_known & context,
            ],
            [
                SCORES["person_title"],
                SCORES["person_full"],
                SCORES["person_first"],
                SCORES["person_last"],
                SCORES["person_single"],
            ],
            0.0,
        )
        hit = score > 0
        self.put("PERSON", nidx[hit], score[hit])

    def keys(self) -> None:
        pem = _np(pc.match_substring(self.u, "PRIVATE KEY"))
        if pem.any():
            sel = np.flatnonzero(pem)
            pem[sel] = _full_search(
                pc.take(self.u, pa.array(sel)), r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY"
            )
            self.put("PRIVATE_KEY", np.flatnonzero(pem), SCORES["private_key"])

    def free_text(self) -> dict[str, FloatArray]:
        """Entities found *inside* long values that are no identifier as a whole."""
        from bastion.pii.text import analyze_texts

        matched_any = np.zeros(self.n, dtype=bool)
        for scores in self.scores.values():
            matched_any |= scores > 0
        spaces = np.asarray(pc.count_substring(self.u, " ").to_numpy(zero_copy_only=False))
        long = np.flatnonzero((spaces >= _TEXT_MIN_SPACES) & ~matched_any & (self.length >= 20))
        found: dict[str, FloatArray] = {}
        values = pc.take(self.u, pa.array(long, type=pa.int64())).to_pylist()
        analyzed = analyze_texts(values, regions=self.regions, include_text=False)
        for i, spans in zip(long, analyzed, strict=True):
            for span in spans:
                arr = found.setdefault(span.entity, np.zeros(self.n))
                arr[i] = max(arr[i], span.score)
        return found


def _ssn_rules(digits: pa.Array) -> BoolArray:
    # SSA rules (see validators.ssn_valid), on many nine-digit strings at once.
    if not len(digits):
        return np.zeros(0, dtype=bool)
    m = char_matrix(digits, 9) - 48
    area = m[:, 0] * 100 + m[:, 1] * 10 + m[:, 2]
    group = m[:, 3] * 10 + m[:, 4]
    serial = m[:, 5] * 1000 + m[:, 6] * 100 + m[:, 7] * 10 + m[:, 8]
    same = (m == m[:, :1]).all(axis=1)
    examples = _np(pc.is_in(digits, value_set=_SSN_EXAMPLES))
    return np.asarray(
        (area != 0)
        & (area != 666)
        & (area < 900)
        & (group != 0)
        & (serial != 0)
        & ~same
        & ~examples
    )


def _date_ok(v: str) -> bool:
    return numeric_date_valid(v)


def _long_date_ok(v: str) -> bool:
    return long_date_valid(v)


def _crypto_score(v: str) -> float:
    if v.startswith("0x"):
        ok = eth_address_valid(v)
        return 0.0 if ok is False else SCORES["eth_checksum"] if ok else SCORES["eth"]
    return SCORES["btc"] if btc_address_valid(v) else 0.0


_HEX = re.compile(r"[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[0-9a-fA-F-]{36}")


def _randomish(v: str) -> bool:
    if _HEX.fullmatch(v) or v.isalpha() or v.isdigit():
        return False
    classes = sum((any(c.isupper() for c in v), any(c.islower() for c in v),
                   any(c.isdigit() for c in v)))  # fmt: skip
    return classes >= 2 and shannon_entropy(v) >= 3.5


def tally_values(
    values: pa.Array, name: str, *, regions: tuple[str, ...], wanted: frozenset[str],
    dates: bool = False, special: bool = True,
) -> Tally:  # fmt: skip
    """The tally of one column's (part's) non-empty string values.

    Parameters
    ----------
    values : pyarrow.Array
        Non-empty, trimmed strings.
    name : str
        The column's name: its context.
    regions : tuple of str
        Phone regions.
    wanted : frozenset of str
        Entities to look for.
    dates : bool
        Whether the column is typed as dates (every value a DATE_TIME).
    special : bool
        Whether to count special-category vocabulary too.
    """
    tally = Tally(examined=len(values))
    if not len(values):
        return tally
    vc = pc.value_counts(values)
    uniques = vc.field("values")
    counts = np.asarray(vc.field("counts").to_numpy(zero_copy_only=False), dtype=np.int64)
    col = _Column(uniques, counts, name, regions, wanted)
    if dates:
        col.put("DATE_TIME", np.arange(col.n), SCORES["date"])
    else:
        col.emails()
        col.urls()
        col.numbers()
        col.codes()
        col.words()
        col.keys()
        for entity, scores in col.free_text().items():
            col.put(entity, np.flatnonzero(scores > 0), scores[scores > 0])
    tally.ssn_nine, tally.ssn_nine_valid = col.tally_ssn
    dob = col.dob
    for entity, scores in col.scores.items():
        hit = scores > 0
        base = entity.split("#")[0]
        if (
            base in REQUIRES_CONTEXT
            and base not in col.context
            and base not in ("US_PASSPORT", "US_DRIVER_LICENSE")
        ):
            continue
        s = scores[hit]
        if base == "DATE_TIME" and dob:
            s = np.full(len(s), SCORES["date_of_birth"])
        elif base in col.context:
            s = np.minimum(1.0, np.maximum(s + BOOST, MIN_WITH_CONTEXT))  # context.boosted
        w = col.w[hit]
        tally.add(entity, int(w.sum()), float((w * s).sum()))
    if special:
        from bastion.pii.special import vocabulary_counts

        tally.special.update(
            vocabulary_counts(uniques, counts, length=col.length, has_digit=col.has_digit)
        )
    return tally
