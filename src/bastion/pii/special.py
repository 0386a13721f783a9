"""GDPR special categories of personal data (Art. 9(1)): flagged per column from its name
and from its values.

Art. 9 names: racial or ethnic origin, political opinions, religious or philosophical
beliefs, trade union membership, genetic data, biometric data processed to identify a
person, data concerning health, and data concerning a person's sex life or sexual
orientation. Processing them is prohibited unless an Art. 9(2) exception applies, so a
column holding them must be known before a model trains on it.

Two kinds of evidence, each recorded as the reason:

- the column's *name* holds a keyword of the category (English, with German, French,
  Spanish, Italian and Dutch words for the same), e.g. ``race``, ``diagnosis``,
  ``religion``, ``Gewerkschaft``;
- the column's *values* come from the category's vocabulary (ethnicity categories,
  religions, diagnoses or ICD-10 codes, sexual orientations, political parties) for at
  least :data:`VALUE_SHARE` of its values.

``sex`` or ``gender`` alone is not a special category (it is personal data, and a
protected characteristic under equality law); ``gender identity`` is read as concerning
sex life and orientation, as several supervisory authorities do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from bastion.assessment.verdict import plain
from bastion.pii.context import column_words

__all__ = [
    "SPECIAL_CATEGORIES",
    "VALUE_SHARE",
    "SpecialCategoryFinding",
    "column_findings",
    "name_categories",
    "value_categories",
    "vocabulary_counts",
]

SPECIAL_CATEGORIES: dict[str, str] = {
    "racial_or_ethnic_origin": "racial or ethnic origin",
    "political_opinions": "political opinions",
    "religious_or_philosophical_beliefs": "religious or philosophical beliefs",
    "trade_union_membership": "trade union membership",
    "genetic": "genetic data",
    "biometric": "biometric data",
    "health": "data concerning health",
    "sex_life_or_sexual_orientation": "sex life or sexual orientation",
}
"""The categories of GDPR Art. 9(1), by the key results use."""

VALUE_SHARE = 0.5
"""Least share of a column's values in a category's vocabulary to flag it from values."""

# Column-name keywords. Multi-word keywords match consecutive words of the name; single
# words match a word, or (six letters or more) part of a compound ("primarydiagnosis").
_NAME_KEYWORDS: dict[str, tuple[str, ...]] = {
    "racial_or_ethnic_origin": (
        "race", "racial", "ethnicity", "ethnic", "ethnic origin", "ethnic group",
        "ethnie", "ethnizitat", "ethnizität", "herkunft", "origine ethnique", "etnia",
        "raza", "etnicidad", "etnicità", "etniciteit", "afkomst",
    ),
    "political_opinions": (
        "political", "politics", "political party", "party affiliation", "political view",
        "voting intention", "vote intention", "partei", "parteizugehorigkeit",
        "politique", "parti politique", "partido", "politico", "político", "partito",
    ),
    "religious_or_philosophical_beliefs": (
        "religion", "religious", "faith", "belief", "beliefs", "denomination",
        "confession", "worldview", "konfession", "glaube", "religionszugehorigkeit",
        "croyance", "religión", "creencia", "religione", "geloof", "godsdienst",
    ),
    "trade_union_membership": (
        "union", "trade union", "labor union", "labour union", "union member",
        "union membership", "unionized", "gewerkschaft", "syndicat", "syndical",
        "sindicato", "sindacato", "vakbond",
    ),
    "genetic": (
        "dna", "genome", "genomic", "genetic", "genotype", "gene", "genes", "snp",
        "allele", "haplotype", "genetisch", "génétique", "genetico", "genético",
    ),
    "biometric": (
        "biometric", "biometrics", "fingerprint", "fingerprints", "face encoding",
        "faceprint", "face embedding", "face template", "iris", "retina", "voiceprint",
        "palm print", "gait", "biometrie", "biométrie", "empreinte", "huella",
        "fingerabdruck",
    ),
    "health": (
        "diagnosis", "diagnoses", "diagnostic", "icd", "icd10", "icd 10", "disease",
        "illness", "condition", "medical", "medication", "medications", "prescription",
        "treatment", "symptom", "symptoms", "disability", "disabled", "health", "hiv",
        "allergy", "allergies", "pregnancy", "pregnant", "mental health", "blood type",
        "vaccination", "vaccine", "covid", "diagnose", "krankheit", "gesundheit",
        "maladie", "santé", "sante", "enfermedad", "salud", "diagnóstico", "diagnostico",
        "malattia", "salute", "ziekte", "gezondheid",
    ),
    "sex_life_or_sexual_orientation": (
        "sexual orientation", "orientation sexuelle", "sexuality", "sexual", "sex life",
        "gender identity", "lgbt", "lgbtq", "sexuelle orientierung", "orientación sexual",
        "orientamento sessuale",
    ),
}  # fmt: skip

# Value vocabularies (lower case). Deliberately small and specific: words that, filling
# most of a column, say what the column is about.
_VOCABULARY: dict[str, frozenset[str]] = {
    "racial_or_ethnic_origin": frozenset({
        "white", "black", "asian", "hispanic", "latino", "latina", "latinx", "caucasian",
        "african american", "african-american", "black or african american",
        "native american", "american indian", "alaska native", "pacific islander",
        "native hawaiian", "asian-pac-islander", "amer-indian-eskimo", "mixed",
        "multiracial", "two or more races", "white british", "white irish", "indian",
        "pakistani", "bangladeshi", "chinese", "black african", "black caribbean", "arab",
        "hispanic or latino", "not hispanic or latino", "roma", "gypsy", "traveller",
    }),
    "religious_or_philosophical_beliefs": frozenset({
        "christian", "christianity", "catholic", "roman catholic", "protestant",
        "orthodox", "anglican", "baptist", "methodist", "lutheran", "evangelical",
        "mormon", "jehovah's witness", "muslim", "islam", "sunni", "shia", "jewish",
        "judaism", "hindu", "hinduism", "buddhist", "buddhism", "sikh", "sikhism", "jain",
        "bahai", "baha'i", "atheist", "agnostic", "no religion", "none", "humanist",
        "pagan", "shinto", "taoist", "zoroastrian",
    }),
    "political_opinions": frozenset({
        "democrat", "democratic", "republican", "libertarian", "green", "green party",
        "labour", "labor", "conservative", "liberal democrat", "liberal", "snp", "ukip",
        "reform uk", "socialist", "communist", "independent", "left", "right",
        "centre", "center", "far left", "far right", "cdu", "spd", "fdp", "afd",
    }),
    "sex_life_or_sexual_orientation": frozenset({
        "heterosexual", "straight", "homosexual", "gay", "lesbian", "bisexual", "asexual",
        "pansexual", "queer", "questioning", "gay man", "gay woman", "lgbt", "lgbtq",
    }),
    "health": frozenset({
        "diabetes", "type 1 diabetes", "type 2 diabetes", "asthma", "hypertension",
        "depression", "anxiety", "cancer", "breast cancer", "lung cancer", "hiv", "aids",
        "hepatitis", "hepatitis b", "hepatitis c", "copd", "arthritis", "epilepsy",
        "schizophrenia", "bipolar disorder", "dementia", "alzheimer's disease",
        "parkinson's disease", "multiple sclerosis", "stroke", "heart disease",
        "heart failure", "obesity", "covid-19", "tuberculosis", "migraine", "autism",
        "adhd", "pneumonia", "influenza", "chronic kidney disease", "anemia", "pregnant",
        "healthy", "no known conditions",
    }),
    "trade_union_membership": frozenset({
        "union member", "non-union", "unionized", "member", "non-member",
    }),
}  # fmt: skip
_VOCABULARY_ARRAYS = {k: pa.array(sorted(v)) for k, v in _VOCABULARY.items()}
# ICD-10 codes (WHO): a letter, two digits, an optional dot and up to four characters;
# "U" is reserved for special purposes. Read as health data only when the code pattern
# fills most of a column.
_ICD10 = r"^[A-TV-Z][0-9][0-9AB](?:\.?[0-9A-Z]{1,4})?$"
_DNA = r"^[ACGTacgt]{20,}$|^rs\d{3,}$"
# Vocabulary words too generic on their own: they count only with a category's column
# name (a "party" column of "left"/"right" is not yet political).
_NEEDS_NAME = {
    "political_opinions": frozenset({"independent", "left", "right", "centre", "center",
                                     "liberal", "green", "labor", "democratic"}),
    "trade_union_membership": _VOCABULARY["trade_union_membership"],
    "religious_or_philosophical_beliefs": frozenset({"none", "orthodox"}),
    "racial_or_ethnic_origin": frozenset({"indian", "chinese", "arab", "mixed", "white",
                                          "black"}),
}  # fmt: skip


@dataclass(frozen=True)
class SpecialCategoryFinding:
    """A column flagged as holding a special category, and why.

    Attributes
    ----------
    column : str
    category : str
        A key of :data:`SPECIAL_CATEGORIES`.
    source : {"name", "values", "name and values"}
    reason : str
        The keyword or vocabulary that decided, in a sentence (never a value of the data).
    share : float or None
        The share of examined values in the vocabulary (``None`` when only the name spoke).
    """

    column: str
    category: str
    source: str
    reason: str
    share: float | None

    def to_dict(self) -> dict[str, Any]:
        """The finding as plain JSON."""
        return plain(self.__dict__)  # type: ignore[no-any-return]


def _has(words: tuple[str, ...], keyword: str) -> bool:
    parts = tuple(keyword.split())
    n = len(parts)
    if n > 1:
        return any(words[i : i + n] == parts for i in range(len(words) - n + 1))
    return keyword in words or (len(keyword) >= 6 and keyword in "".join(words))


def name_categories(column: str) -> dict[str, str]:
    """The categories a column's name speaks for, with the keyword that matched."""
    words = column_words(column)
    found: dict[str, str] = {}
    for category, keywords in _NAME_KEYWORDS.items():
        for k in keywords:
            if _has(words, k):
                found[category] = k
                break
    return found


def vocabulary_counts(
    uniques: pa.Array,
    counts: npt.NDArray[np.int64],
    *,
    length: npt.NDArray[np.int64] | None = None,
    has_digit: npt.NDArray[np.bool_] | None = None,
) -> dict[str, int]:
    """How many values (with multiplicity) fall in each category's vocabulary.

    Keys are ``category`` (specific words), ``category#generic`` (words that need the
    column's name too), ``health#icd10`` and ``genetic#dna`` (code patterns).
    """
    out: dict[str, int] = {}
    if not len(uniques):
        return out
    if length is None:
        length = np.asarray(pc.utf8_length(uniques).to_numpy(zero_copy_only=False))
    if has_digit is None:
        has_digit = np.asarray(
            pc.match_substring_regex(uniques, r"\d").to_numpy(zero_copy_only=False)
        )
    no_digit = ~has_digit
    words_at = np.flatnonzero((length <= 40) & no_digit)
    counts_w = counts[words_at]
    lower = pc.utf8_lower(pc.take(uniques, pa.array(words_at, type=pa.int64())))
    for category, vocabulary in _VOCABULARY_ARRAYS.items():
        if not len(words_at):
            break
        hit = np.asarray(pc.is_in(lower, value_set=vocabulary).to_numpy(zero_copy_only=False))
        if not hit.any():
            continue
        generic = _NEEDS_NAME.get(category, frozenset())
        is_generic = np.zeros(len(hit), dtype=bool)
        for i in np.flatnonzero(hit):
            is_generic[i] = lower[i].as_py() in generic
        specific = hit & ~is_generic
        if specific.any():
            out[category] = int(counts_w[specific].sum())
        if is_generic.any():
            out[f"{category}#generic"] = int(counts_w[is_generic].sum())
    codes_at = np.flatnonzero((length >= 3) & (length <= 8) & ~no_digit)
    if len(codes_at):
        codes = pc.take(uniques, pa.array(codes_at, type=pa.int64()))
        icd = np.asarray(pc.match_substring_regex(codes, _ICD10).to_numpy(zero_copy_only=False))
        if icd.any():
            out["health#icd10"] = int(counts[codes_at[icd]].sum())
            dot = np.asarray(pc.match_substring(codes, ".").to_numpy(zero_copy_only=False))
            if (icd & dot).any():
                out["health#icd10_dotted"] = int(counts[codes_at[icd & dot]].sum())
    genes_at = np.flatnonzero((length >= 5) & (length <= 40_000))
    if len(genes_at):
        genes = pc.take(uniques, pa.array(genes_at, type=pa.int64()))
        dna = np.asarray(pc.match_substring_regex(genes, _DNA).to_numpy(zero_copy_only=False))
        if dna.any():
            out["genetic#dna"] = int(counts[genes_at[dna]].sum())
    return out


_VALUE_REASONS = {
    "racial_or_ethnic_origin": "ethnicity categories",
    "religious_or_philosophical_beliefs": "religions and beliefs",
    "political_opinions": "political parties and leanings",
    "sex_life_or_sexual_orientation": "sexual orientations",
    "health": "diagnoses and health conditions",
    "trade_union_membership": "union membership statuses",
}


def value_categories(
    counts: dict[str, int], examined: int, named: dict[str, str]
) -> dict[str, tuple[float, str]]:
    """Categories the values speak for: ``{category: (share, reason)}``.

    ``named`` are the categories the column's name already speaks for: generic
    vocabulary counts only with them.
    """
    if not examined:
        return {}
    out: dict[str, tuple[float, str]] = {}
    for category in SPECIAL_CATEGORIES:
        n = counts.get(category, 0)
        if category in named:
            n += counts.get(f"{category}#generic", 0)
        share = n / examined
        if share >= VALUE_SHARE:
            out[category] = (share, f"{share:.0%} of values are {_VALUE_REASONS[category]}")
    # Short letter-digit codes ("A11") are ICD-10-shaped by chance; without a health
    # column name, only the dotted form ("E11.9") counts.
    icd = counts.get("health#icd10" if "health" in named else "health#icd10_dotted", 0) / examined
    if "health" not in out and icd >= VALUE_SHARE:
        out["health"] = (icd, f"{icd:.0%} of values are ICD-10 diagnosis codes")
    dna = counts.get("genetic#dna", 0) / examined
    if dna >= VALUE_SHARE:
        out["genetic"] = (dna, f"{dna:.0%} of values are DNA sequences or SNP ids")
    return out


def column_findings(
    column: str, counts: dict[str, int], examined: int
) -> list[SpecialCategoryFinding]:
    """The special-category findings of one column, from its name and value counts."""
    named = name_categories(column)
    valued = value_categories(counts, examined, named)
    out = []
    for category in SPECIAL_CATEGORIES:
        by_name = named.get(category)
        by_values = valued.get(category)
        if by_name is None and by_values is None:
            continue
        reasons = []
        if by_name is not None:
            reasons.append(f"the column name matches the keyword {by_name!r}")
        if by_values is not None:
            reasons.append(by_values[1])
        source = "name and values" if by_name and by_values else "name" if by_name else "values"
        out.append(
            SpecialCategoryFinding(
                column=column,
                category=category,
                source=source,
                reason="; ".join(reasons),
                share=None if by_values is None else round(by_values[0], 4),
            )
        )
    return out
