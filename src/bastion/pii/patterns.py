"""Regular expressions shared by the text finders and the column scans.

The ``*_CORE`` patterns are written in the subset that both Python's ``re`` and RE2
(pyarrow.compute) accept — no look-around, no back-references — so that a column scan
(RE2, anchored with ``^…$``) and a text scan (``re``, with boundaries added) agree on what
an identifier looks like.
"""

from __future__ import annotations

from bastion.pii.names import STREET_SUFFIX_WORDS

__all__ = [
    "ADDRESS_CORE",
    "API_KEY_CORE",
    "AWS_CORE",
    "BTC_LEGACY_CORE",
    "BTC_SEGWIT_CORE",
    "CC_CORE",
    "DATE_DMY_CORE",
    "DATE_ISO_CORE",
    "DATE_LONG_CORE",
    "DL_CORE",
    "EMAIL_CORE",
    "ETH_CORE",
    "IBAN_CORE",
    "IPV4_CORE",
    "MAC_CORE",
    "MILITARY_CORE",
    "MONTHS",
    "NHS_CORE",
    "NINO_CORE",
    "PASSPORT_CORE",
    "PEM_BEGIN",
    "PHONE_CORE",
    "SSN_CORE",
    "TIMESTAMP_CORE",
    "TLDS",
    "UK_POSTCODE_CORE",
    "URL_CORE",
]

# Common generic and country top-level domains (IANA root zone). Presidio's URL pattern
# lists more; a URL with a scheme needs none of them.
TLDS = (
    "com|org|net|edu|gov|mil|int|info|biz|io|ai|app|dev|co|me|tv|us|uk|de|fr|es|it|nl|be|"
    "ch|at|se|no|dk|fi|ie|pt|pl|cz|gr|hu|ro|ru|ua|tr|il|in|cn|jp|kr|au|nz|ca|br|mx|ar|za|"
    "eu|name|pro|online|site|tech|store|cloud|email|xyz|shop|blog|news|biz"
)

EMAIL_CORE = (
    r"[A-Za-z0-9][A-Za-z0-9._%+'-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}"
)
URL_CORE = (
    r"(?:(?:[Hh][Tt][Tt][Pp][Ss]?|[Ff][Tt][Pp])://[^\s<>\"'{}|\\^`\[\]]+"
    r"|[Ww][Ww][Ww]\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:[/?#][^\s<>\"'{}|\\^`\[\]]*)?"
    rf"|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.(?:{TLDS})"
    r"(?:[/?#][^\s<>\"'{}|\\^`\[\]]*)?)"
)
IPV4_CORE = r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
MAC_CORE = (
    r"(?:[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}"
    r"|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})"
)
SSN_CORE = r"(?:\d{3}-\d{2}-\d{4}|\d{3} \d{2} \d{4}|\d{3}\.\d{2}\.\d{4}|\d{9})"
# Issuer prefixes (ISO/IEC 7812 IINs): 2 (Mastercard 2-series), 3 (Amex, Diners, JCB),
# 4 (Visa), 5 (Mastercard, Maestro), 6 (Discover, UnionPay, Maestro), and the few 12- and
# 15-digit ranges below. Written as one block, or in the groups issuers print:
# 4-4-4-4(-1..3), 4-6-5 (Amex), 4-6-4 (Diners).
CC_CORE = (
    r"(?:[2-6]\d{12,18}|(?:1800|2131)\d{11}"  # JCB's 15-digit legacy ranges
    # Maestro's 12-digit cards (IINs 5018, 5020, 5038, 56-58, 6304, 6390, 6759, 6761-6763, 0604)
    r"|(?:50(?:18|20|38)|5[6-8]\d\d|6304|6390|6759|676[1-3]|0604)\d{8}"
    r"|[2-6]\d{3}(?: \d{4}){3}(?: \d{1,3})?|[2-6]\d{3}(?:-\d{4}){3}(?:-\d{1,3})?"
    r"|3\d{3} \d{6} \d{4,5}|3\d{3}-\d{6}-\d{4,5})"
)
IBAN_CORE = r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?"
NHS_CORE = r"(?:\d{3} \d{3} \d{4}|\d{3}-\d{3}-\d{4}|\d{10})"
NINO_CORE = r"[A-Za-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d]"
PASSPORT_CORE = r"(?:[A-Z]\d{8}|\d{9})"
# US state licence formats (as the states publish them; the ones Presidio lists).
DL_CORE = (
    r"(?:[A-Z]\d{3,14}|[A-Z]{2}\d{3,8}|\d{7,12}|WDL[A-Z0-9*]{9}|\d{2}[A-Z]{3}\d{5,6}"
    r"|\d{8}[A-Z]{2}|\d{9}[A-Z]|\d{3}[A-Z]{2}\d{4}|[A-Z]\d[A-Z]\d[A-Z]|[A-Z]\d{6}R)"
)
PHONE_CORE = (
    r"(?:\+|00|011)?[ .-]?(?:\(\+?\d{1,4}\)|\d{1,5})(?:[ .-]?(?:\(\d{1,5}\)|\d{1,5})){1,5}"
    r"(?: ?(?:[xX#]|[eE][xX][tT]\.?) ?\d{1,7})?"
)
BTC_LEGACY_CORE = r"[13][1-9A-HJ-NP-Za-km-z]{25,34}"
BTC_SEGWIT_CORE = r"(?:bc1[02-9ac-hj-np-z]{6,87}|BC1[02-9AC-HJ-NP-Z]{6,87})"
ETH_CORE = r"0x[0-9a-fA-F]{40}"
AWS_CORE = r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}"
API_KEY_CORE = (
    r"(?:(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}"
    r"|gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,255}"
    r"|xox[bpars]-[A-Za-z0-9-]{10,250}"
    r"|sk_live_[A-Za-z0-9]{20,99}|rk_live_[A-Za-z0-9]{20,99}"
    r"|AIza[0-9A-Za-z_-]{35}"
    r"|sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,200}"
    r"|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})"
)
PEM_BEGIN = r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"

MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
DATE_ISO_CORE = r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
DATE_DMY_CORE = r"\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})"
DATE_LONG_CORE = (
    rf"(?:{MONTHS}\.? \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?: of)? {MONTHS}\.?,? \d{{4}})"
)
TIMESTAMP_CORE = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"

_SUFFIXES = "|".join(sorted(STREET_SUFFIX_WORDS, key=len, reverse=True))
UK_POSTCODE_CORE = r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}"
_WORD = r"[A-Z][a-z]+(?:['-][A-Za-z]+)?"
_UNIT = (
    r"(?:(?:Apartment|Suite|Unit|Flat|Studio|Room|Floor)\b|(?:Apt|Ste|Rm|Fl)\b\.?|#)"
    r" ?[A-Za-z0-9-]{1,6}"
)
_STREET = (
    r"(?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.? )?"
    rf"(?:(?:{_WORD}|\d{{1,3}}(?:st|nd|rd|th)) ){{1,3}}"
    rf"(?:{_SUFFIXES})\b\.?(?: (?:N|S|E|W|NE|NW|SE|SW)\b\.?)?"
)
_CITY = r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2}"
_TAIL = (
    rf"(?:,? {_UNIT})?"
    rf"(?:(?:,? |,?\n){_CITY}(?:,? [A-Z]{{2}},? \d{{5}}(?:-\d{{4}})?|,? {UK_POSTCODE_CORE}))?"
)
ADDRESS_CORE = (
    rf"(?:\d{{1,6}}[A-Za-z]?(?:-\d{{1,4}})? {_STREET}{_TAIL}"
    rf"|{_UNIT}(?:,? |,?\n){_STREET}{_TAIL})"
)
MILITARY_CORE = (
    r"(?:(?:USNS|USS|USNV|USCGC) [A-Z][a-z]+(?:,? |\n)FPO|PSC \d{4}, Box \d{4}(?:,? |\n)APO"
    r"|Unit \d{4} Box \d{4}(?:,? |\n)DPO) A[AEP] \d{5}"
)
