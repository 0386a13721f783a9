"""Context: the words around a finding in text, and the name of the column it sits in,
that make a finding more (or less) likely.

Text follows Presidio's LemmaContextAwareEnhancer: a supporting word before the finding
(here within :data:`WINDOW_BEFORE` characters, or :data:`WINDOW_AFTER` after it) adds
:data:`BOOST` to the score and lifts it to at least :data:`MIN_WITH_CONTEXT`. Two things
Presidio does not do: the window never reaches back past the previous finding of the same
entity (the "DOB" before one date does not make the next date a birth date), and a few
entities have *negative* context — "order", "ticket", "version" right before a number
drop a phone-, card- or IP-shaped candidate that no supporting word backs.

Column names are split into words (``dateOfBirth``, ``date_of_birth`` and ``DOB`` all give
the date-of-birth keywords) and matched against the same keyword lists.
"""

from __future__ import annotations

import re
from functools import cache

__all__ = [
    "BOOST",
    "CONTEXT",
    "DOB_WORDS",
    "MIN_WITH_CONTEXT",
    "NEGATIVE",
    "REQUIRES_CONTEXT",
    "WINDOW_AFTER",
    "WINDOW_BEFORE",
    "boosted",
    "column_context",
    "column_words",
    "has_context",
    "is_dob_column",
]

BOOST = 0.35
"""Added to a score by supporting context (Presidio's ``context_similarity_factor``)."""
MIN_WITH_CONTEXT = 0.4
"""The least score of a finding with supporting context (Presidio's
``min_score_with_context_similarity``)."""
WINDOW_BEFORE = 48
"""Characters before a finding searched for context (about six words; Presidio: five)."""
WINDOW_AFTER = 16
"""Characters after a finding searched for context ("…, my SSN")."""

# Supporting words per entity: Presidio's lists, widened with the words forms, logs and
# support messages use. Matched as whole words (or a plural), case-insensitively.
CONTEXT: dict[str, tuple[str, ...]] = {
    "EMAIL_ADDRESS": ("email", "e-mail", "mail", "user", "owner", "contact"),
    "PHONE_NUMBER": ("phone", "telephone", "tel", "cell", "mobile", "call", "ring", "fax",
                     "sms", "reach", "whatsapp"),
    "CREDIT_CARD": ("credit", "card", "visa", "mastercard", "amex", "american express",
                    "discover", "jcb", "diners", "maestro", "payment", "charge", "cc"),
    "IBAN_CODE": ("iban", "bank", "account", "transfer", "wire", "sepa", "beneficiary",
                  "payout", "refund", "transaction"),
    "US_SSN": ("ssn", "ssns", "social security", "social sec", "ss#", "ssid", "ss no"),
    "US_PASSPORT": ("passport", "travel document"),
    "US_DRIVER_LICENSE": ("driver", "drivers", "driving", "license", "licence", "licensed",
                          "dl", "dl#", "permit", "lic", "lic#", "cdl"),
    "UK_NINO": ("national insurance", "ni number", "ni no", "nino", "insurance number"),
    "UK_NHS": ("nhs", "national health", "health service", "patient"),
    "IP_ADDRESS": ("ip", "ipv4", "ipv6", "address", "host", "src", "dst", "client",
                   "server", "firewall", "gateway", "router", "addr"),
    "MAC_ADDRESS": ("mac", "hardware address", "hw address", "physical address",
                    "ethernet", "device", "wifi", "wi-fi", "router"),
    "URL": ("url", "website", "site", "link", "web", "page", "http"),
    "CRYPTO": ("wallet", "btc", "bitcoin", "crypto", "eth", "ethereum", "coin"),
    "PERSON": ("name", "named", "mr", "mrs", "ms", "dr", "dear", "hi", "hello", "contact",
               "customer", "patient", "employee", "client", "applicant", "beneficiary",
               "holder", "i'm", "i am", "this is", "signed", "regards", "attn",
               "contractor", "called", "call", "for", "by", "from", "owner"),
    "STREET_ADDRESS": ("address", "street", "live", "lives", "living", "ship", "deliver",
                       "sent to", "send to", "home", "residence", "located", "moved"),
    "DATE_TIME": ("born", "birth", "dob", "d.o.b", "birthday", "birthdate"),
    "SECRET_TOKEN": ("key", "token", "secret", "api", "password", "credential", "auth",
                     "bearer", "export"),
    "PRIVATE_KEY": ("key",),
    "HIGH_ENTROPY_SECRET": ("key", "token", "secret", "password", "passwd", "pwd",
                            "credential", "auth", "bearer", "private", "access", "apikey"),
}  # fmt: skip

DOB_WORDS = CONTEXT["DATE_TIME"]
"""Words that make a date a date of birth."""

# Words that, right before a candidate no supporting word backs, say it is something
# else: an order or ticket number, a product code, a software version.
NEGATIVE: dict[str, tuple[str, ...]] = dict.fromkeys(
    ("PHONE_NUMBER", "CREDIT_CARD", "UK_NHS", "US_SSN", "US_PASSPORT", "US_DRIVER_LICENSE",
     "IBAN_CODE"),
    ("order", "invoice", "ticket", "tracking", "reference", "ref", "isbn", "sku", "serial",
     "version", "build", "release", "firmware", "request", "session", "commit", "memo",
     "gift card", "loyalty", "po#", "po number", "confirmation", "dummy", "placeholder",
     "sample", "fake"),
)  # fmt: skip
NEGATIVE["PHONE_NUMBER"] = (*NEGATIVE["PHONE_NUMBER"], "nhs")
NEGATIVE["IP_ADDRESS"] = ("version", "build", "release", "firmware", "upgrade", "bumped",
                          "ver", "rev")  # fmt: skip

REQUIRES_CONTEXT = frozenset({"US_PASSPORT", "US_DRIVER_LICENSE", "HIGH_ENTROPY_SECRET"})
"""Entities whose patterns are too weak to report without a supporting word (in text) or
column name (in tables). Some candidates of other entities need context too: nine bare
digits as an SSN, a version-shaped IPv4 address, a single first name."""


def _keyword_regexes(keywords: dict[str, tuple[str, ...]]) -> dict[str, re.Pattern[str]]:
    # Per entity, one alternation of the words, longest first, with no look-around in
    # front: ``re`` then skips in C to the characters the words start with.
    return {
        entity: re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
        for entity, words in keywords.items()
        if words
    }


_SUPPORTING = _keyword_regexes(CONTEXT)
_AGAINST = _keyword_regexes(NEGATIVE)


def has_context(entity: str, text: str, start: int, end: int, negative: bool = False) -> bool:
    """Whether the window ``text[start:end]`` (lower case) holds one of the entity's
    (negative) context words, as a whole word (a plural "s" allowed; "ssn#" and "dob:"
    count). The window's edges count as word boundaries."""
    rx = (_AGAINST if negative else _SUPPORTING).get(entity)
    if rx is None or start >= end:
        return False
    m = rx.search(text, start, end)
    while m is not None:
        s, e = m.start(), m.end()
        glued_before = s > start and text[s - 1].isalnum()
        glued_after = (
            e < end
            and text[e].isalnum()
            and not (text[e] == "s" and (e + 1 == end or not text[e + 1].isalnum()))
        )
        if not glued_before and not glued_after:
            return True
        m = rx.search(text, e, end)
    return False


def boosted(score: float) -> float:
    """A score raised by supporting context (Presidio's rule, capped at 1)."""
    return round(min(1.0, max(score + BOOST, MIN_WITH_CONTEXT)), 6)


# --- column names -----------------------------------------------------------------------

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPLIT = re.compile(r"[^a-z0-9#]+")

# Column-name keywords: words people name identifier columns with. A keyword of several
# words must appear as consecutive words of the column name; a single word as one word,
# or, when it is long enough not to hide in other words, inside a compound ("emailaddr").
_COLUMN_KEYWORDS: dict[str, tuple[str, ...]] = {
    "EMAIL_ADDRESS": ("email", "e mail", "mail", "emailaddress"),
    "PHONE_NUMBER": ("phone", "telephone", "tel", "mobile", "cell", "fax", "msisdn",
                     "phonenumber", "contact number"),
    "CREDIT_CARD": ("card", "cc", "ccn", "pan", "credit card", "cardnumber", "creditcard"),
    "IBAN_CODE": ("iban", "bank account", "account number"),
    "US_SSN": ("ssn", "social security", "socialsecurity", "sin"),
    "US_PASSPORT": ("passport",),
    "US_DRIVER_LICENSE": ("driver", "drivers", "driving", "license", "licence", "dl",
                          "driverlicense"),
    "UK_NINO": ("nino", "ni", "national insurance", "nationalinsurance", "ni number"),
    "UK_NHS": ("nhs", "nhsnumber"),
    "IP_ADDRESS": ("ip", "ipv4", "ipv6", "ipaddress", "ip addr", "host", "src", "dst",
                   "client ip", "remote addr"),
    "MAC_ADDRESS": ("mac", "macaddress", "hw addr", "hardware address", "bssid"),
    "URL": ("url", "website", "site", "link", "homepage", "uri", "web"),
    "CRYPTO": ("wallet", "btc", "bitcoin", "eth", "ethereum", "crypto"),
    "PERSON": ("name", "fullname", "firstname", "lastname", "surname", "forename",
               "given name", "family name", "first", "last", "customer", "patient",
               "employee", "contact", "person", "owner", "holder", "username"),
    "STREET_ADDRESS": ("address", "street", "addr", "residence", "home address",
                       "mailing address", "postal address", "streetaddress"),
    "DATE_TIME": ("dob", "birth", "birthdate", "birthday", "date of birth", "dateofbirth",
                  "born", "date", "dt"),
    "SECRET_TOKEN": ("token", "secret", "api key", "apikey", "access key", "key",
                     "password", "credential"),
    "PRIVATE_KEY": ("private key", "privatekey", "pem", "key"),
    "HIGH_ENTROPY_SECRET": ("token", "secret", "api key", "apikey", "access key",
                            "password", "passwd", "pwd", "credential", "hash", "key"),
}  # fmt: skip
_DOB_COLUMN = ("dob", "birth", "birthdate", "birthday", "date of birth", "dateofbirth", "born")
_NOT_PERSON_NAME = ("file", "filename", "host", "hostname", "domain", "company", "product",
                    "brand", "org", "organisation", "organization", "table", "column", "app",
                    "project", "city", "country", "street", "path", "model", "dataset",
                    "feature", "user agent", "event")  # fmt: skip


@cache
def column_words(name: str) -> tuple[str, ...]:
    """The lower-case words of a column name: ``dateOfBirth`` → date, of, birth."""
    spaced = _CAMEL.sub(" ", str(name)).lower()
    return tuple(w for w in _SPLIT.split(spaced) if w)


def _has_keyword(words: tuple[str, ...], keyword: str) -> bool:
    parts = keyword.split()
    if len(parts) > 1:
        n = len(parts)
        return any(words[i : i + n] == tuple(parts) for i in range(len(words) - n + 1))
    if keyword in words:
        return True
    joined = "".join(words)
    return len(keyword) >= 5 and keyword in joined


def _matches(words: tuple[str, ...], keywords: tuple[str, ...]) -> str | None:
    for k in keywords:
        if _has_keyword(words, k):
            return k
    return None


@cache
def column_context(name: str) -> dict[str, str]:
    """The entities a column's name speaks for, with the keyword that matched.

    ``product_name`` or ``hostname`` are not a person's name; a ``date`` column is
    context for DATE_TIME but not a date of birth (see :func:`is_dob_column`).
    """
    words = column_words(name)
    found: dict[str, str] = {}
    for entity, keywords in _COLUMN_KEYWORDS.items():
        hit = _matches(words, keywords)
        if hit is None:
            continue
        if entity == "PERSON" and _matches(words, _NOT_PERSON_NAME):
            continue
        found[entity] = hit
    return found


@cache
def is_dob_column(name: str) -> bool:
    """Whether a column's name says it holds dates of birth (``dob``, ``birth_date`` …)."""
    return _matches(column_words(name), _DOB_COLUMN) is not None
