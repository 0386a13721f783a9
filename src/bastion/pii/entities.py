"""The entities PII discovery finds, what kind of identifier each is, and how a score in
[0, 1] reads as a likelihood level.

Names follow Presidio's where Presidio has the entity (``EMAIL_ADDRESS``, ``US_SSN`` …) so
that results compare and feed tools built for it; STREET_ADDRESS and the three secret
entities are Bastion's own. Each entity belongs to one category, and the categories drive
the classification a scan suggests (see :mod:`bastion.pii.result`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bastion.pii.errors import UnknownEntityError

__all__ = [
    "CATEGORIES",
    "ENTITIES",
    "LIKELIHOODS",
    "LIKELIHOOD_CUTS",
    "Category",
    "Entity",
    "Likelihood",
    "likelihood",
    "select_entities",
]

Category = Literal["government_id", "financial", "secret", "direct", "online", "quasi"]
Likelihood = Literal["VERY_UNLIKELY", "UNLIKELY", "POSSIBLE", "LIKELY", "VERY_LIKELY"]

CATEGORIES: dict[str, str] = {
    "government_id": "government-issued identifier",
    "financial": "financial account number",
    "secret": "credential or key",
    "direct": "direct identifier of a person",
    "online": "online or device identifier",
    "quasi": "quasi-identifier (identifies a person only combined with other data)",
}


@dataclass(frozen=True)
class Entity:
    """One kind of personal data or secret.

    Attributes
    ----------
    name : str
        Presidio's name where Presidio has the entity.
    category : str
        One of :data:`CATEGORIES`.
    description : str
        What it is.
    validated_by : str
        What confirms a candidate beyond its pattern (shown in the docs and reports).
    """

    name: str
    category: Category
    description: str
    validated_by: str


_ENTITIES = [
    Entity("EMAIL_ADDRESS", "direct", "e-mail address", "syntax and a known top-level domain"),
    Entity("PHONE_NUMBER", "direct", "telephone number",
           "phonenumbers' metadata: number patterns of the region or country code"),
    Entity("PERSON", "direct", "name of a person",
           "first- and last-name dictionaries (SSA and US Census via Faker), titles, context"),
    Entity("STREET_ADDRESS", "direct", "postal street address",
           "building number, street name and a USPS street suffix; city, state, ZIP"),
    Entity("DATE_TIME", "quasi", "calendar date (a date of birth when the context says so)",
           "a real calendar date; 'born', 'DOB', 'date of birth' nearby make it a date of "
           "birth (a direct identifier)"),
    Entity("CREDIT_CARD", "financial", "payment card number",
           "issuer prefix, length and the Luhn checksum"),
    Entity("IBAN_CODE", "financial", "international bank account number",
           "country length (SWIFT IBAN registry) and the ISO 13616 mod 97 check"),
    Entity("US_SSN", "government_id", "US Social Security number",
           "SSA issuing rules: no 000, 666 or 9xx area, no 00 group, no 0000 serial, "
           "no published example numbers"),
    Entity("US_PASSPORT", "government_id", "US passport number", "pattern and context only"),
    Entity("US_DRIVER_LICENSE", "government_id", "US driver's license number",
           "state formats and context (required)"),
    Entity("UK_NINO", "government_id", "UK National Insurance number",
           "HMRC prefix and suffix rules"),
    Entity("UK_NHS", "government_id", "UK NHS number", "modulus 11 check digit"),
    Entity("IP_ADDRESS", "online", "IPv4 or IPv6 address", "Python's ipaddress"),
    Entity("MAC_ADDRESS", "online", "network hardware (MAC) address",
           "six hexadecimal octets; broadcast excluded"),
    Entity("CRYPTO", "online", "cryptocurrency wallet address",
           "Bitcoin Base58Check or Bech32/Bech32m checksum; Ethereum EIP-55 checksum"),
    Entity("URL", "quasi", "web address", "scheme or a known top-level domain"),
    Entity("SECRET_TOKEN", "secret", "API key or access token with a known prefix",
           "issuer format (AWS, GitHub with its CRC32, Slack, Stripe, Google, OpenAI, JWT)"),
    Entity("PRIVATE_KEY", "secret", "PEM private key block", "BEGIN/END armour lines"),
    Entity("HIGH_ENTROPY_SECRET", "secret", "random-looking string next to secret words",
           "Shannon entropy over a minimum length, and context (required)"),
]  # fmt: skip

ENTITIES: dict[str, Entity] = {e.name: e for e in _ENTITIES}
"""Every entity, by name, in the order the docs list them."""

LIKELIHOODS: tuple[Likelihood, ...] = (
    "VERY_UNLIKELY",
    "UNLIKELY",
    "POSSIBLE",
    "LIKELY",
    "VERY_LIKELY",
)
"""Google Cloud DLP's likelihood levels, from the highest chance of a false positive to
the lowest (``google.privacy.dlp.v2.Likelihood``)."""

LIKELIHOOD_CUTS: tuple[float, float, float, float] = (0.2, 0.4, 0.6, 0.85)
"""Lowest score of UNLIKELY, POSSIBLE, LIKELY and VERY_LIKELY."""


def likelihood(score: float) -> Likelihood:
    """The likelihood level of a score in [0, 1] (cut points in :data:`LIKELIHOOD_CUTS`).

    A pattern alone lands in UNLIKELY or POSSIBLE, a passing checksum or supporting context
    in LIKELY, both together in VERY_LIKELY.
    """
    a, b, c, d = LIKELIHOOD_CUTS
    if score >= d:
        return "VERY_LIKELY"
    if score >= c:
        return "LIKELY"
    if score >= b:
        return "POSSIBLE"
    if score >= a:
        return "UNLIKELY"
    return "VERY_UNLIKELY"


def select_entities(entities: Iterable[str] | str | None) -> frozenset[str]:
    """The entities asked for (all of them for ``None``), refusing unknown names.

    Raises
    ------
    UnknownEntityError
        If a name is not in :data:`ENTITIES`; the message lists the valid ones.
    """
    if entities is None:
        return frozenset(ENTITIES)
    names = [entities] if isinstance(entities, str) else list(entities)
    unknown = [n for n in names if n not in ENTITIES]
    if unknown:
        raise UnknownEntityError(
            f"unknown entit{'y' if len(unknown) == 1 else 'ies'} {', '.join(map(repr, unknown))}"
            f"; valid entities: {', '.join(ENTITIES)}",
            field="entities",
        )
    return frozenset(names)
