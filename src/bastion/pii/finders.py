"""Candidate findings in free text, before context and overlap resolution.

Speed comes from scanning a batch of strings once (joined with newlines, which every
pattern treats as the start and end of a string: :func:`find_candidates`). Python's
``re`` tries a pattern at every position, so the scan is one alternation anchored at the
start of a word, whose branches each begin with a literal or a character class (which
``re`` rejects in one step):
numeric chunks (digits with the separators phone numbers, cards, SSNs, dates and IPv4
addresses use), capitalised word runs (names), two capitals before digits (IBAN, NINO),
month names (long dates), and the literal prefixes of API keys, PEM blocks, Bech32 and
Ethereum addresses and URLs. Each match is then classified in Python, and only there do
the validators run. A few things are found apart, after a cheap test says they can be
there at all: e-mail addresses (an ``@``), bare domains (a dot before a top-level
domain), MAC and IPv6 addresses (hex pairs between colons or dashes), and the patterns
too weak to report without context (passport, driver's license, random strings), which
run only on the strings where their context words occur. Capitalised runs repeat (the
same names and words), so each distinct run of a batch is read once.

Each candidate is ``(start, end, entity, score, subtype, needs_context)``; scores are the
strength of the pattern and its validation (:data:`SCORES`, and the table in docs/pii.md).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator

from bastion.pii import patterns as p
from bastion.pii.names import (
    AMBIGUOUS_FIRST,
    COMPANY_WORDS,
    FIRST,
    LAST,
    NAME_SUFFIXES,
    NOT_NAMES,
    PLACE_PREFIXES,
    STREET_SUFFIX_WORDS,
    TITLES,
)
from bastion.pii.phones import POSSIBLE, VALID, check_phone_digits
from bastion.pii.validators import (
    IBAN_LENGTHS,
    btc_address_valid,
    date_valid,
    eth_address_valid,
    github_token_valid,
    iban_valid,
    ip_valid,
    jwt_valid,
    luhn_valid,
    mac_valid,
    nhs_valid,
    nino_valid,
    shannon_entropy,
    ssn_valid,
)

__all__ = [
    "SCORES",
    "Candidate",
    "find_candidates",
    "long_date_valid",
    "numeric_date_valid",
    "secret_kind",
    "secret_score",
]

Candidate = tuple[int, int, str, float, str | None, bool]

SCORES: dict[str, float] = {
    "email": 0.9,  # syntax and a known top-level domain (Presidio: 1.0 when tldextract agrees)
    "email_unknown_tld": 0.5,
    "url_scheme": 0.7,
    "url_www": 0.6,
    "url_bare_path": 0.45,
    "url_bare": 0.35,
    "phone_plus_valid": 0.85,
    "phone_valid": 0.7,
    "phone_bare_valid": 0.3,
    "phone_plus_possible": 0.4,
    "phone_possible": 0.35,
    "card": 0.8,  # IIN prefix, length, grouping and Luhn
    "iban": 0.95,  # registry length and mod 97
    "ssn": 0.6,  # separated, SSA rules
    "ssn_bare": 0.3,  # nine bare digits: needs context in text
    "nhs": 0.5,  # modulus 11
    "nino": 0.6,  # HMRC prefix rules
    "ipv4": 0.6,
    "ipv4_versionlike": 0.3,  # every octet under 21: needs context
    "ipv6": 0.7,
    "mac": 0.7,
    "date": 0.3,  # a real date; a date of birth only with context
    "date_of_birth": 0.9,
    "passport_letter": 0.3,
    "passport_digits": 0.15,
    "dl_alnum": 0.3,
    "dl_digits": 0.15,
    "btc": 0.9,  # Base58Check / Bech32 checksum
    "eth_checksum": 0.9,  # EIP-55
    "eth": 0.5,  # one case: no checksum to check
    "secret": 0.9,
    "secret_checksum": 0.99,  # GitHub's CRC32
    "private_key": 0.99,  # a BEGIN line and what follows it
    "private_key_block": 1.0,  # BEGIN to a matching END: it outranks anything inside it
    "entropy": 0.5,
    "person_full": 0.7,  # first and last name both in the dictionaries
    "person_title": 0.7,
    "person_first": 0.45,  # known first name, unknown capitalised last name
    "person_last": 0.35,  # unknown first name, known last name
    "person_single": 0.35,  # a known first name alone
    "person_single_initial": 0.25,  # … at the start of a sentence
    "address": 0.5,
    "address_full": 0.8,  # with city and ZIP code or postcode
    "address_military": 0.75,
}
"""Base score of each kind of candidate, before context (docs/pii.md has the table)."""

# --- compiled scans -----------------------------------------------------------------------

_URL_BODY = r"[^\s<>\"'{}|\\^`\[\]]"
# The rest of a capitalised word: O'Brien, Hudson-Williams, Woods-O'Sullivan, "Dr.".
_NAME_TAIL = r"(?:['\u2019][A-Z][a-z]+)?(?:-[A-Z][a-z]*(?:['\u2019][A-Z][a-z]+)?)?(?![\w])\.?"
# The one scan. Each branch starts with a literal or a class and holds exactly one
# capturing group, opened after its first character (so that ``re`` can still reject the
# branch on that character alone): ``match.lastindex`` tells the branch.
_SCAN = re.compile(
    r"(?<![\w])(?:"
    r"0(x[0-9a-fA-F]{40})(?![\w])"  # 1 Ethereum
    r"|[13]([1-9A-HJ-NP-Za-km-z]{25,34})(?![\w])"  # 2 Bitcoin Base58Check
    r"|[+(\d]((?:\d+|[ .\-/:](?=\(?\d)|\((?=\d)|\)(?=[ .\-]?\(?\d))*+"
    r"(?: ?(?:x|ext\.?) ?\d{1,7}(?![\w]))?)"  # 3 numeric chunk
    r"|A((?:KIA|SIA|BIA|CCA)[A-Z0-9]{16}|Iza[0-9A-Za-z_\-]{35})(?![\w])"  # 4 AWS, Google
    r"|g(h[pousr]_[A-Za-z0-9]{36}|ithub_pat_\w{22,255})(?![\w])"  # 5 GitHub
    r"|x(ox[bpars]-[A-Za-z0-9\-]{10,250})"  # 6 Slack
    r"|[sr](k_live_[A-Za-z0-9]{20,99})(?![\w])"  # 7 Stripe
    r"|s(k-[A-Za-z0-9_\-]{20,200})"  # 8 OpenAI
    r"|e(yJ[\w\-]{8,}\.eyJ[\w\-]{8,}\.[\w\-]{8,})"  # 9 JWT
    r"|-(----BEGIN )"  # 10 PEM block
    r"|[Bb]([Cc]1[02-9ac-hj-np-zAC-HJ-NP-Z]{6,87})(?![\w])"  # 11 Bech32
    rf"|[Hh]([Tt][Tt][Pp][Ss]?://{_URL_BODY}+)"  # 12 URL with a scheme
    rf"|[Ww]([Ww][Ww]\.[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+(?:[/?#]{_URL_BODY}*)?)"  # 13 www.
    r"|[A-Z]([A-Z]\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)"  # 14 IBAN
    r"|[A-Za-z]([A-Za-z] ?\d\d ?\d\d ?\d\d ?[A-Da-d])(?![\w])"  # 15 NINO
    r"|[JFMASOND]((?:an|eb|ar|pr|ay|un|ul|ug|ep|ct|ov|ec)[a-z]*\.? \d{1,2}"
    r"(?:st|nd|rd|th)?,? \d{4})(?!\d)"  # 16 "March 5, 1990"
    r"|[A-Z]([A-Z]{0,2}\d[A-Z0-9*]{2,16})(?![\w*])"  # 17 letters and digits (passport, DL)
    rf"|[A-Z]([A-Za-z]*{_NAME_TAIL}(?: [A-Z][A-Za-z]*{_NAME_TAIL})*)"  # 18 capitalised run
    r")"
)
_NUM_TAIL = re.compile(r" ?(?:x|ext\.?) ?\d{1,7}$")
_TIMESTAMPISH = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}|\d{1,2}:\d{2}")
_DATE_YMD = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_DATE_XXY = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})")
_IPV4 = re.compile(p.IPV4_CORE)
_SSN_SHAPE = re.compile(r"\d{3}([- .])\d{2}\1\d{4}")
_CC_SHAPE = re.compile(p.CC_CORE)
_NHS_SHAPE = re.compile(r"\d{3}([- ])\d{3}\1\d{4}|\d{10}")
_STRIP = str.maketrans("", "", " .-/()+:")

_EMAIL = re.compile(p.EMAIL_CORE)
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+'-")
_URL = re.compile(p.URL_CORE)
_TLD_HINT = re.compile(rf"\.(?:{p.TLDS})(?![a-z0-9-])")  # searched in the lower-case text
_TLD = re.compile(p.TLDS)
_DOMAIN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_URL_TRAIL = ".,;:!?)]}'\""

# Gates with a literal or class first, which ``re`` scans for in C.
# A MAC address's separators are all the same, so each holds one of these; a literal
# first makes ``re`` look for it with a fast search.
_COLON_PAIRS_GATE = re.compile(r":[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}:")
_DASH_PAIRS_GATE = re.compile(r"-[0-9A-Fa-f]{2}-[0-9A-Fa-f]{2}-")
_CISCO_GATE = re.compile(r"\.[0-9A-Fa-f]{4}\.")
# p.MAC_CORE with its first hex digit taken out in front, so that ``re`` skips in C to
# the hex digits, and the boundary look-behind after it.
_MAC = re.compile(
    r"[0-9A-Fa-f](?<![\w:\-.][0-9A-Fa-f])"
    r"(?:[0-9A-Fa-f](?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f](?:-[0-9A-Fa-f]{2}){5}"
    r"|[0-9A-Fa-f]{3}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})(?![\w:\-]|\.\w)"
)
_MAC_CHARS = frozenset("0123456789abcdefABCDEF:-.")
_MAC_RUN_END = re.compile(f"[{re.escape(''.join(sorted(_MAC_CHARS)))}]*")
_V6_GATE = re.compile(r":[0-9A-Fa-f]{0,4}:")
_IPV6_CHARS = frozenset("0123456789abcdefABCDEF:.")
_IPV6_RUN_END = re.compile(f"[{re.escape(''.join(sorted(_IPV6_CHARS)))}]*")
_IPV6 = re.compile(
    r"[0-9A-Fa-f:](?<![\w:.][0-9A-Fa-f:])(?<=[0-9A-Fa-f:])"
    r"(?:(?<=:)|[0-9A-Fa-f]{0,3})(?::[0-9A-Fa-f]{0,4}){1,7}(?:\.\d{1,3}){0,3}(?![\w:])"
)

# A block: its BEGIN line, then up to the first END line of the same label, or, with no
# END, as far as base64 and header lines go.
_PEM_BEGIN = re.compile(r"-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----")
_PEM_END_TAIL = re.compile(r"(?: BLOCK)?-----")
_PEM_BODY = re.compile(r"[A-Za-z0-9+/=\s:,-]*")
_SECRET_WORDS = ("key", "secret", "token", "passw", "pwd", "credential", "auth", "bearer")
_DIGIT = re.compile(r"\d")
_RANDOM_MIN = 20
_LONG_WORD = re.compile(rf"(?<!\S)\S{{{_RANDOM_MIN},}}")  # tried at word starts only
# A class first and the boundary look-behind after it: ``re`` then skips in C.
_RANDOMISH = re.compile(
    r"[A-Za-z0-9+/_\-](?<![\w+/\-][\w+/\-])[A-Za-z0-9+/_\-]{19,}={0,2}(?![\w+/=\-])"
)
_BLOCK = SCORES["private_key_block"]  # a whole private key block (its lines are not scanned)
_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[0-9a-fA-F-]{36}")

_PASSPORT_WORDS = ("passport", "travel document")
_DL_WORDS = ("driv", "licen", "dl", "permit", "lic")
_PASSPORT_SHAPE = re.compile(r"[A-Z]\d{8}")
_DL_SHAPE = re.compile(p.DL_CORE)
_DATE_LONG = re.compile(rf"{p.MONTHS}\.? \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}(?!\d)")
_DATE_DAY_FIRST = re.compile(rf"\d{{1,2}}(?:st|nd|rd|th)?(?: of)? {p.MONTHS}\.?,? \d{{4}}(?!\d)")
_MONTH_NUMBER = {
    m: i + 1
    for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                           "oct", "nov", "dec"))
}  # fmt: skip
_NUMBERS = re.compile(r"\d+")
_MONTH_WORD = re.compile(r"[A-Za-z]{3}")
_TOKEN = re.compile(r"\S+")

_ADDRESS = re.compile(p.ADDRESS_CORE)
_ADDRESS_FULL = re.compile(rf"(?:[A-Z]{{2}},? \d{{5}}(?:-\d{{4}})?|{p.UK_POSTCODE_CORE})$")
_UNIT_WORDS = frozenset({"Apt", "Apartment", "Suite", "Ste", "Unit", "Flat", "Studio"})
_MILITARY = re.compile(p.MILITARY_CORE)


def _is_sentence_start(text: str, i: int) -> bool:
    j = i - 1
    while j >= 0 and text[j] in " \t\"'(":
        j -= 1
    return j < 0 or text[j] in ".!?\n"


class _Scan:
    """The state of a batch's scan: the joined text, what is wanted, and the string being
    looked at (its bounds ``base``..``stop`` in the joined text, and its candidates)."""

    __slots__ = ("_dl", "_passport", "base", "i", "lower", "out", "outs",
                 "plans", "regions", "starts", "stop", "text", "wanted")  # fmt: skip

    def __init__(
        self,
        text: str,
        lower: str,
        starts: list[int],
        wanted: frozenset[str],
        regions: tuple[str, ...],
    ) -> None:
        self.text = text
        self.lower = lower
        self.starts = starts
        self.wanted = wanted
        self.regions = regions
        self.outs: list[list[Candidate]] = [[] for _ in range(len(starts) - 1)]
        self.i = self.base = self.stop = -1
        self.out: list[Candidate] = []
        self.plans: dict[str, _Plan] = {}
        self._passport: dict[int, bool] = {}
        self._dl: dict[int, bool] = {}

    def at(self, pos: int) -> None:
        """Look at the string holding position ``pos`` of the joined text."""
        if self.base <= pos < self.stop:
            return
        self.i = i = bisect_right(self.starts, pos) - 1
        self.base, self.stop = self.starts[i], self.starts[i + 1] - 1
        self.out = self.outs[i]

    def strings_holding(self, words: tuple[str, ...]) -> list[int]:
        """The strings (their indexes, ascending) in which one of ``words`` (lower case)
        occurs: each found once, however often its words occur."""
        lower, starts = self.lower, self.starts
        found: set[int] = set()
        for word in words:
            pos = lower.find(word)
            while pos >= 0:
                i = bisect_right(starts, pos) - 1
                found.add(i)
                pos = lower.find(word, starts[i + 1])  # on to the next string
        return sorted(found)

    # Whether passport / driver's license words occur in the string being looked at at
    # all: asked only of the strings where a candidate of that shape turns up, once each.
    @property
    def passport_ctx(self) -> bool:
        return self._holds(self._passport, "US_PASSPORT", _PASSPORT_WORDS)

    @property
    def dl_ctx(self) -> bool:
        return self._holds(self._dl, "US_DRIVER_LICENSE", _DL_WORDS)

    def _holds(self, known: dict[int, bool], entity: str, words: tuple[str, ...]) -> bool:
        found = known.get(self.i)
        if found is None:
            lower, base, stop = self.lower, self.base, self.stop
            found = known[self.i] = entity in self.wanted and any(
                lower.find(w, base, stop) >= 0 for w in words
            )
        return found

    def add(self, start: int, end: int, entity: str, score: float,
            subtype: str | None = None, needs: bool = False) -> None:  # fmt: skip
        if entity in self.wanted:
            self.out.append((start, end, entity, score, subtype, needs))

    # numeric chunks --------------------------------------------------------------------

    def number(self, start: int, end: int) -> None:
        text = self.text
        s = text[start:end]
        if s[0] == "(" and ")" not in s:
            s = s[1:]
            start += 1
        if not s or not s[-1].isdigit():
            return
        before = text[start - 1]
        if before in ".@/%$£€-" and not (before == "-" and not text[start - 2].isalpha()):
            return  # a decimal part, a path, an amount, or a code like ORD-1234
        after = text[end]  # the newline after each string of the batch, at its end
        if after.isalpha() or after in "@_":
            # Glued to letters: an ordinal ("5th"), a code ("3K"), a timestamp ("…T10:").
            if len(s) <= 2 and after in "snrt" and s.isdigit():
                self.day_first_date(start)
            return
        bare = s.isdigit()
        if bare and len(s) <= 6 and after == " ":
            nxt = text[end + 1]
            if nxt.isupper() or nxt.isdigit():
                a = _ADDRESS.match(text, start, self.stop)
                if a:
                    self.address(start, a.group())
            # "5 March 1990", "5 of March 1990"
            if len(s) <= 2 and nxt in "oJFMASOND" and self.day_first_date(start):
                return
        if bare and len(s) < 4:
            return  # "9", "132": no identifier is this short
        if not self.chunk(s, start) and " " in s:
            self.split_chunk(s, start)

    def day_first_date(self, start: int) -> bool:
        d = _DATE_DAY_FIRST.match(self.text, start, self.stop)
        if d and long_date_valid(d.group()):
            self.add(start, d.end(), "DATE_TIME", SCORES["date"])
            return True
        return False

    def chunk(self, s: str, start: int, phones: bool = True) -> bool:
        """Candidates for the numeric chunk ``s`` at ``start``; whether any was found."""
        end = start + len(s)
        wanted = self.wanted
        if ":" in s:
            # a timestamp or a time of day: dates events, not people (consumed, not reported)
            return _TIMESTAMPISH.match(s) is not None
        core = s
        if "x" in s or "e" in s:
            core = _NUM_TAIL.sub("", s)
        has_ext = core is not s and core != s
        digits = core.translate(_STRIP)
        n = len(digits)
        if n < 4 or not digits.isdigit():
            return False
        dots = core.count(".")
        slashes = core.count("/")
        if (
            (dots == 2 or slashes == 2 or core.count("-") == 2)
            and n <= 8
            and numeric_date_valid(core)
        ):
            self.add(start, end, "DATE_TIME", SCORES["date"])
            return True
        if dots == 3 and _IPV4.fullmatch(core):
            if max(int(x) for x in core.split(".")) <= 20:  # "2.4.1.7" reads as a version
                self.add(start, end, "IP_ADDRESS", SCORES["ipv4_versionlike"], None, True)
            else:
                self.add(start, end, "IP_ADDRESS", SCORES["ipv4"])
            return True
        if slashes or n < 7:
            return False
        found = False
        bare = core.isdigit()
        if (
            n == 9
            and "US_SSN" in wanted
            and (bare or _SSN_SHAPE.fullmatch(core))
            and ssn_valid(core)
        ):
            if bare:
                self.add(start, end, "US_SSN", SCORES["ssn_bare"], None, True)
            else:
                self.add(start, end, "US_SSN", SCORES["ssn"])
            found = True
        if (
            12 <= n <= 19
            and not has_ext
            and "CREDIT_CARD" in wanted
            and _CC_SHAPE.fullmatch(core)
            and luhn_valid(digits)
        ):
            self.add(start, end, "CREDIT_CARD", SCORES["card"])
            found = True
        nhs = n == 10 and "UK_NHS" in wanted and _NHS_SHAPE.fullmatch(core) is not None
        nhs = nhs and nhs_valid(digits)
        if nhs:
            self.add(start, end, "UK_NHS", SCORES["nhs"])
            found = True
        if n <= 15 and dots != 3 and phones and "PHONE_NUMBER" in wanted:
            plus = s[0] == "+"
            strength = check_phone_digits(digits, plus, self.regions)
            if strength == VALID and nhs and " " in core:
                # 3-3-4 digits with spaces passing modulus 11: the NHS's printed format
                self.add(start, end, "PHONE_NUMBER", SCORES["phone_possible"])
                found = True
            elif strength == VALID:
                key = "phone_plus_valid" if plus else "phone_bare_valid" if bare else "phone_valid"
                self.add(start, end, "PHONE_NUMBER", SCORES[key])
                found = True
            elif strength == POSSIBLE and not bare:
                key = "phone_plus_possible" if plus else "phone_possible"
                self.add(start, end, "PHONE_NUMBER", SCORES[key])
                found = True
        if bare and n == 9 and self.passport_ctx:
            self.add(start, end, "US_PASSPORT", SCORES["passport_digits"], None, True)
            found = True
        if bare and n <= 12 and self.dl_ctx:
            self.add(start, end, "US_DRIVER_LICENSE", SCORES["dl_digits"], None, True)
            found = True
        return found

    def split_chunk(self, s: str, start: int) -> None:
        # A chunk that is no identifier as a whole may hold several ("… 4111 1111 1111
        # 1111 12 …"): try runs of its space-separated parts, longest first from the left.
        parts = [(t.start(), t.end()) for t in _TOKEN.finditer(s)]
        i = 0
        while i < len(parts):
            for j in range(min(len(parts), i + 5), i, -1):
                if j - i == len(parts):
                    continue  # the whole chunk was tried already
                a, b = parts[i][0], parts[j - 1][1]
                # no phone numbers inside a longer run of digit groups
                if self.chunk(s[a:b], start + a, phones=False):
                    i = j
                    break
            else:
                i += 1

    # addresses and names ---------------------------------------------------------------

    def address(self, start: int, s: str) -> None:
        s = s.rstrip(" ,")
        full = _ADDRESS_FULL.search(s) is not None
        score = SCORES["address_full"] if full else SCORES["address"]
        self.add(start, start + len(s), "STREET_ADDRESS", score)

    def capitalised(self, start: int, end: int) -> None:
        text = self.text
        if text[start - 1] in ".@/'\u2019-":
            return
        run = text[start:end]
        plan = self.plans.get(run)
        if plan is None:
            plan = self.plans[run] = _plan(run)
        if plan is _NOTHING:
            return  # "Please", "My", "The": most capitalised words start a sentence
        kind, months, wdl, ops = plan
        wanted = self.wanted
        if kind and "STREET_ADDRESS" in wanted:
            if kind == _UNIT:
                a = _ADDRESS.match(text, start, self.stop)
                if a:
                    self.address(start, a.group())
                    return
            else:
                m = _MILITARY.match(text, start, self.stop)
                if m:
                    self.add(start, m.end(), "STREET_ADDRESS", SCORES["address_military"])
                    return
        if months and "DATE_TIME" in wanted:
            # "DOB March 5, 1990": the month ends a capitalised run; the date starts there.
            for pos in months:
                d = _DATE_LONG.match(text, start + pos, self.stop)
                if d and long_date_valid(d.group()):
                    self.add(start + pos, d.end(), "DATE_TIME", SCORES["date"])
        if wdl and self.dl_ctx:
            self.add(start, end, "US_DRIVER_LICENSE", SCORES["dl_alnum"], None, True)
            return
        if ops and "PERSON" in wanted:
            for s, e, score, when in ops:
                if when == _IF_SENTENCE_START:
                    if not _is_sentence_start(text, start + s):
                        score = SCORES["person_single"]
                elif when == _IF_GREETED and not _after_greeting(self.lower, self.base, start + s):
                    continue
                self.out.append((start + s, start + e, "PERSON", score, None, False))

    # the rest -------------------------------------------------------------------------

    def secret(self, start: int, end: int) -> None:
        token = self.text[start:end]
        score = secret_score(token)
        if score is not None:
            self.add(start, end, "SECRET_TOKEN", score, secret_kind(token))

    def pem(self, start: int) -> None:
        text, stop = self.text, self.stop
        begin = _PEM_BEGIN.match(text, start, stop)
        if begin is None:
            return
        end_line = f"-----END {begin[1]}PRIVATE KEY"
        at = text.find(end_line, begin.end(), stop)
        while at >= 0:
            tail = _PEM_END_TAIL.match(text, at + len(end_line), stop)
            if tail:
                self.add(start, tail.end(), "PRIVATE_KEY", SCORES["private_key_block"], "pem")
                return
            at = text.find(end_line, at + 1, stop)
        body = next(_PEM_BODY.finditer(text, begin.end(), stop))  # its first match is there
        end = start + len(text[start : body.end()].rstrip())
        self.add(start, end, "PRIVATE_KEY", SCORES["private_key"], "pem")

    def url(self, start: int, end: int) -> None:
        s = self.text[start:end].rstrip(_URL_TRAIL)
        key = "url_www" if s[:4].lower() == "www." else "url_scheme"
        self.add(start, start + len(s), "URL", SCORES[key])

    def iban(self, start: int, s: str) -> None:
        # The pattern may run on into a following word: keep exactly the country's length.
        length = IBAN_LENGTHS.get(s[:2])
        if length is None:
            return
        count = 0
        for i, c in enumerate(s):
            if c != " ":
                count += 1
            if count == length:
                after = self.text[start + i + 1 : start + i + 2]
                if (not after or not after.isalnum()) and iban_valid(s[: i + 1]):
                    self.add(start, start + i + 1, "IBAN_CODE", SCORES["iban"])
                return

    def letters_and_digits(self, start: int, end: int) -> None:
        s = self.text[start:end]
        if self.passport_ctx and _PASSPORT_SHAPE.fullmatch(s):
            self.add(start, end, "US_PASSPORT", SCORES["passport_letter"], None, True)
        if self.dl_ctx and _DL_SHAPE.fullmatch(s):
            self.add(start, end, "US_DRIVER_LICENSE", SCORES["dl_alnum"], None, True)

    # Side scans over the whole batch: each runs only where a cheap test says it can
    # find something, and looks at the strings those tests point to.

    def emails(self) -> None:
        text = self.text
        at = text.find("@")
        while at >= 0:
            self.at(at)
            i = at
            while text[i - 1] in _LOCAL_CHARS:  # the newline before each string stops it
                i -= 1
            while i < at and not text[i].isalnum():
                i += 1
            m = _EMAIL.match(text, i, self.stop)
            if m and m.end() > at:
                known = _TLD.fullmatch(m.group().rsplit(".", 1)[1].lower()) is not None
                self.add(
                    i, m.end(), "EMAIL_ADDRESS", SCORES["email" if known else "email_unknown_tld"]
                )
                at = text.find("@", m.end())
            else:
                at = text.find("@", at + 1)

    def bare_domains(self) -> None:
        text = self.text
        for m in _TLD_HINT.finditer(self.lower):
            i = m.start()
            self.at(i)
            while text[i - 1] in _DOMAIN_CHARS:
                i -= 1
            if i == m.start() or text[i - 1] in "@/:" or text[i] in ".-":
                continue
            before = text[max(i - 3, self.base) : i + 1].lower()
            if before in ("http", "www.") or text[i : i + 4].lower() == "www.":
                continue  # found with its scheme already
            u = _URL.match(text, i, self.stop)
            if u and u.end() >= m.end():
                s = u.group().rstrip(_URL_TRAIL)
                key = "url_bare_path" if "/" in s else "url_bare"
                self.add(i, i + len(s), "URL", SCORES[key])

    def network(self) -> None:
        text = self.text
        if "MAC_ADDRESS" in self.wanted:
            gates = [m.start() for m in _COLON_PAIRS_GATE.finditer(text)]
            gates += [m.start() for m in _DASH_PAIRS_GATE.finditer(text)]
            gates += [m.start() for m in _CISCO_GATE.finditer(text)]
            for a, b in self._runs(sorted(gates), _MAC_CHARS, _MAC_RUN_END):
                # two characters past the run: the look-ahead reads ".x" after it
                for m in _MAC.finditer(text, a, min(b + 2, self.stop)):
                    if mac_valid(m.group()):
                        self.add(m.start(), m.end(), "MAC_ADDRESS", SCORES["mac"])
        if "IP_ADDRESS" in self.wanted:
            gates = [m.start() for m in _V6_GATE.finditer(text)]
            for a, b in self._runs(gates, _IPV6_CHARS, _IPV6_RUN_END):
                for m in _IPV6.finditer(text, a, b + 1):
                    s = m.group()
                    colons = s.count(":")
                    # Eight groups, or fewer with "::" (times like 12:30:45 are neither).
                    shaped = colons == 7 or "::" in s or (colons == 6 and "." in s)
                    if shaped and s != "::" and ip_valid(s):
                        self.add(m.start(), m.end(), "IP_ADDRESS", SCORES["ipv6"])

    def _runs(
        self, gates: list[int], chars: frozenset[str], run_end: re.Pattern[str]
    ) -> Iterator[tuple[int, int]]:
        """The runs of ``chars`` (an address's characters; ``run_end`` matches a run of
        them) holding the ascending positions ``gates``, each once, looking at its string.
        An address lies within one run, and the characters around a run are not part of
        any match, so scanning the run (and what the look-arounds read after it) finds
        what scanning the string would."""
        text = self.text
        last = -1
        for gate in gates:
            if gate < last:
                continue
            self.at(gate)
            a = gate
            while text[a - 1] in chars:  # the newlines around each string end a run
                a -= 1
            last = b = next(run_end.finditer(text, gate)).end()  # its first match is at gate
            yield a, b

    def random_strings(self) -> None:
        # Only in strings that speak of keys, tokens or passwords, and only in their words
        # as long as a random string is (one cannot span a space), outside whole private
        # key blocks (whose lines are random, but the block outranks them).
        text = self.text
        for i in self.strings_holding(_SECRET_WORDS):
            self.at(self.starts[i])
            blocks = [c[:2] for c in self.out if c[3] == _BLOCK and c[2] == "PRIVATE_KEY"]
            for word in _LONG_WORD.finditer(text, self.base, self.stop):
                start, end = word.span()
                if not any(a <= start and end <= b for a, b in blocks):
                    self.random_in(start, end)

    def random_in(self, start: int, end: int) -> None:
        """High-entropy strings in ``text[start:end]``, a word (and the space after it)."""
        for m in _RANDOMISH.finditer(self.text, start, end + 1):
            s = m.group()
            if _HEX_DIGEST.fullmatch(s) or s.isalpha() or s.isdigit() or s.islower():
                continue  # content hashes and request ids identify things, not access
            kinds = (s != s.lower()) + (s != s.upper()) + (_DIGIT.search(s) is not None)
            if kinds >= 2 and shannon_entropy(s) >= 3.5:
                self.add(m.start(), m.end(), "HIGH_ENTROPY_SECRET", SCORES["entropy"], None, True)


# --- capitalised runs --------------------------------------------------------------------
#
# What a capitalised run can be depends on its words alone, and the same runs come back
# again and again ("Please", "Customer", "SSN", names), so each distinct run of a batch
# is read once into a plan: whether it starts with a unit or military word (an address,
# if the text after it says so), where its month names are (a date, likewise), whether
# it is shaped like a Washington licence, and the names in it with what their scores
# depend on.

_ALWAYS, _IF_SENTENCE_START, _IF_GREETED = 0, 1, 2
_UNIT, _MILITARY_UNIT = 1, 2
_PersonOp = tuple[int, int, float, int]
_Plan = tuple[int, tuple[int, ...], bool, tuple[_PersonOp, ...]]
_NOTHING: _Plan = (0, (), False, ())


def _plan(run: str) -> _Plan:
    if " " not in run and run.rstrip(".,") in NOT_NAMES:
        plan = _NOTHING
    else:
        first = run.split(" ", 1)[0].rstrip(".")
        kind = (
            _UNIT
            if first in _UNIT_WORDS
            else _MILITARY_UNIT
            if first in ("USNS", "USS", "USNV", "USCGC", "PSC")
            else 0
        )
        months = []
        if " " in run:
            pos = 0
            for tok in run.split(" "):
                if tok[:3].lower() in _MONTH_NUMBER:
                    months.append(pos)
                pos += len(tok) + 1
        wdl = run.startswith("WDL") and _DL_SHAPE.fullmatch(run) is not None
        plan = (kind, tuple(months), wdl, _person_ops(run))
    return _NOTHING if plan == _NOTHING else plan


def _person_ops(run: str) -> tuple[_PersonOp, ...]:
    """The names in a capitalised run, as (start, end, score, condition) relative to it;
    the condition says what around the run the name depends on."""
    ops: list[_PersonOp] = []
    if " " not in run:
        word = _name_token(run)
        if word in AMBIGUOUS_FIRST:
            ops.append((0, len(word), SCORES["person_single_initial"], _IF_GREETED))
        elif word in FIRST and word not in NOT_NAMES:
            # Alone, a first name at the start of a sentence is weaker evidence
            # ("Austin" the town, "Jack" the tool).
            ops.append((0, len(word), SCORES["person_single_initial"], _IF_SENTENCE_START))
        return tuple(ops)
    toks = []
    pos = 0
    for tok in run.split(" "):
        toks.append((tok, pos, pos + len(tok)))
        pos += len(tok) + 1
    n = len(toks)
    i = 0
    while i < n:
        tok, s0, _ = toks[i]
        word = _name_token(tok)
        if tok in TITLES:
            j = i + 1
            while j < n and j - i <= 3 and _is_namelike(toks[j][0]):
                j += 1
            if j > i + 1:
                j = _with_suffixes(toks, j)
                ops.append((s0, _end(toks, j), SCORES["person_title"], _ALWAYS))
                i = j
                continue
            i += 1
            continue
        if word in PLACE_PREFIXES and i + 1 < n:
            i += 2  # "Port Brendan", "North Kimberly": a town
            continue
        if word in FIRST and word not in NOT_NAMES:
            j = i + 1
            while j < n and j - i <= 3 and _is_namelike(toks[j][0]):
                j += 1
            if j < n and _name_token(toks[j][0]) in COMPANY_WORDS:
                i = j + 1
                continue
            if j > i + 1:
                last = _name_token(toks[j - 1][0])
                known = _in_last(last)
                if last in STREET_SUFFIX_WORDS and not known:
                    i = j
                    continue
                j = _with_suffixes(toks, j)
                key = "person_full" if known else "person_first"
                ops.append((s0, _end(toks, j), SCORES[key], _ALWAYS))
                i = j
                continue
            if word not in AMBIGUOUS_FIRST and i == n - 1:
                score = SCORES["person_single_initial"]
                ops.append((s0, s0 + len(word), score, _IF_SENTENCE_START))
            i += 1
            continue
        if (
            i + 1 < n
            and len(word) > 1
            and _is_namelike(tok)
            and word not in STREET_SUFFIX_WORDS
            and _in_last(_name_token(toks[i + 1][0]))
            and not (i + 2 < n and _name_token(toks[i + 2][0]) in COMPANY_WORDS)
        ):
            j = _with_suffixes(toks, i + 2)
            ops.append((s0, _end(toks, j), SCORES["person_last"], _ALWAYS))
            i = j
            continue
        i += 1
    return tuple(ops)


_GREETINGS = frozenset({"hi", "hello", "hey", "dear", "thanks", "for", "call", "ask", "tell"})


def _after_greeting(lower: str, first: int, i: int) -> bool:
    # "Hi April," "note for Victoria": an everyday word that follows a greeting or
    # "for"/"call" is a first name (``first``: where the string starts).
    before = lower[max(first, i - 8) : i].split()
    return bool(before) and before[-1] in _GREETINGS


def _two_digit_year(y: int) -> int:
    return 1900 + y if y >= 30 else 2000 + y


def numeric_date_valid(s: str) -> bool:
    """A numeric date (y-m-d, m/d/y or d/m/y, with -, / or .) that is a real calendar date."""
    m = _DATE_YMD.fullmatch(s)
    if m:
        return date_valid(int(m.group(1)), int(m.group(3)), int(m.group(4)))
    m = _DATE_XXY.fullmatch(s)
    if m:
        a, b, y = int(m.group(1)), int(m.group(3)), m.group(4)
        if len(y) == 2 and m.group(2) == "-":
            return False  # 12-05-85 is more often a code than a date
        year = int(y) if len(y) == 4 else _two_digit_year(int(y))
        return date_valid(year, a, b) or date_valid(year, b, a)
    return False


def long_date_valid(s: str) -> bool:
    """A date written with its month's name ("March 5, 1990") that is a real date."""
    numbers = [int(x) for x in _NUMBERS.findall(s)]
    month = 0
    for word in _MONTH_WORD.findall(s):
        month = _MONTH_NUMBER.get(word.lower(), 0)
        if month:
            break
    return len(numbers) >= 2 and date_valid(numbers[-1], month, numbers[0])


def _name_token(tok: str) -> str:
    if tok.endswith(("'s", "\u2019s")):
        tok = tok[:-2]
    return tok.rstrip(".,") if tok not in TITLES and tok not in NAME_SUFFIXES else tok


def _is_namelike(tok: str) -> bool:
    # A capitalised word that can be part of a name (not a field label, not all caps).
    word = _name_token(tok)
    if not word or word in NOT_NAMES or word in COMPANY_WORDS:
        return False
    if len(word) == 1:
        return tok.endswith(".")  # a middle initial
    return not word.isupper() and word[0].isupper()


def _in_last(word: str) -> bool:
    return word in LAST or ("-" in word and all(w in LAST for w in word.split("-")))


def _with_suffixes(toks: list[tuple[str, int, int]], j: int) -> int:
    while j < len(toks) and toks[j][0].rstrip(",") in NAME_SUFFIXES:
        j += 1
    return j


def _end(toks: list[tuple[str, int, int]], j: int) -> int:
    tok, _, end = toks[j - 1]
    if tok.endswith(("'s", "\u2019s")):
        return end - 2
    if tok.endswith((".", ",")) and tok not in TITLES and tok not in NAME_SUFFIXES and len(tok) > 2:
        return end - 1  # a full stop or comma after the name
    return end


_SECRET_KINDS: tuple[tuple[str, str], ...] = (
    ("AKIA", "aws_access_key"), ("ASIA", "aws_access_key"), ("ABIA", "aws_access_key"),
    ("ACCA", "aws_access_key"), ("gh", "github_token"), ("github_pat_", "github_token"),
    ("xox", "slack_token"), ("sk_live_", "stripe_key"), ("rk_live_", "stripe_key"),
    ("AIza", "google_api_key"), ("sk-", "openai_key"), ("eyJ", "jwt"),
)  # fmt: skip


def secret_kind(token: str) -> str:
    """The issuer a token's prefix names (``aws_access_key``, ``github_token`` …)."""
    for prefix, kind in _SECRET_KINDS:
        if token.startswith(prefix):
            return kind
    return "token"


def secret_score(token: str) -> float | None:
    """The score of a prefixed token, ``None`` when its own check rejects it."""
    kind = secret_kind(token)
    if kind == "github_token":
        ok = github_token_valid(token)
        if ok is False:
            return None
        return SCORES["secret_checksum"] if ok else SCORES["secret"]
    if kind == "jwt":
        return SCORES["secret"] if jwt_valid(token) else None
    if kind == "openai_key" and sum(c.isdigit() for c in token) < 2:
        return None  # "sk-" followed by words, not a key
    return SCORES["secret"]


def find_candidates(
    text: str, lower: str, starts: list[int], wanted: frozenset[str], regions: tuple[str, ...]
) -> list[list[Candidate]]:
    """Every candidate finding in each string of a batch.

    ``text`` is the strings each between newlines (``"\n" + "\n".join(strings) + "\n"``),
    ``starts[i]`` where string ``i`` starts in it (``starts[-1]`` is ``len(text)``), and
    ``lower`` is ``text`` in lower case. Candidate offsets are in ``text``.

    Scanning the batch at once pays the regular expressions' set-up once, not per string,
    and lets the side scans look only at the strings their tests point to. The newline
    behaves as the start and end of a string for every pattern (none matches across it,
    and matches starting from a position stop at the string's end), so each string's
    candidates are those it would have alone.
    """
    scan = _Scan(text, lower, starts, wanted, regions)
    stop = -1
    for m in _SCAN.finditer(text):
        if m.start() >= stop:
            scan.at(m.start())
            stop = scan.stop
        g = m.lastindex or 0
        if g == 3:
            scan.number(*m.span())
        elif g == 18:
            scan.capitalised(*m.span())
        elif g == 1:
            ok = eth_address_valid(m.group())
            if ok is not False:
                key = "eth_checksum" if ok else "eth"
                scan.add(m.start(), m.end(), "CRYPTO", SCORES[key], "ethereum")
        elif g == 2 or g == 11:
            if btc_address_valid(m.group()):
                scan.add(m.start(), m.end(), "CRYPTO", SCORES["btc"], "bitcoin")
            elif g == 2:
                scan.number(
                    m.start(), m.start() + len(m.group()) - len(m.group().lstrip("0123456789"))
                )
        elif 4 <= g <= 9:
            scan.secret(m.start(), m.end())
        elif g == 10:
            scan.pem(m.start())
        elif g == 12 or g == 13:
            scan.url(m.start(), m.end())
        elif g == 14:
            scan.iban(m.start(), m.group())
        elif g == 15:
            if nino_valid(m.group()):
                scan.add(m.start(), m.end(), "UK_NINO", SCORES["nino"])
        elif g == 16:
            if long_date_valid(m.group()):
                scan.add(m.start(), m.end(), "DATE_TIME", SCORES["date"])
        elif g == 17:
            scan.letters_and_digits(m.start(), m.end())
    if "EMAIL_ADDRESS" in wanted:
        scan.emails()
    if "URL" in wanted:
        scan.bare_domains()
    if "MAC_ADDRESS" in wanted or "IP_ADDRESS" in wanted:
        scan.network()
    if "HIGH_ENTROPY_SECRET" in wanted:
        scan.random_strings()
    return scan.outs
