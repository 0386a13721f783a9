"""The scan of a batch of strings behind :func:`bastion.pii.analyze_texts`: candidates
from :mod:`bastion.pii.finders`, then context (:mod:`bastion.pii.context`) raises,
confirms or drops each, and overlapping candidates are resolved: the higher score wins,
then the longer span, then the earlier.

Compiled to C by mypyc when the package is built (``setup.py``), with the finders,
context, validators and phone checks. Compiled functions reject an argument of the wrong
type with a bare TypeError, so the public functions in front of them
(:mod:`bastion.pii.text` for free text) check their arguments first.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, partial
from itertools import accumulate, islice
from operator import itemgetter

from bastion.pii.context import NEGATIVE, WINDOW_AFTER, WINDOW_BEFORE, boosted, has_context
from bastion.pii.entities import LIKELIHOOD_CUTS, likelihood
from bastion.pii.finders import SCORES, Candidate, find_candidates
from bastion.pii.span import Span

__all__ = ["scan_batch"]

_NEGATIVE_WINDOW = 40
_START = itemgetter(0)
_SETTLED = LIKELIHOOD_CUTS[-1]

# A handful of distinct scores: each raised or levelled once.
_boosted = cache(boosted)
_likelihood = cache(likelihood)


def _with_context(cands: list[Candidate], lower: str, first: int, stop: int) -> list[Candidate]:
    # ``lower[first:stop]`` is the string. Context is read in text order, so that the
    # window of a finding starts no earlier than the end of the previous finding of the
    # same entity.
    cands.sort(key=_START)
    previous_end: dict[str, int] = {}
    out: list[Candidate] = []
    for start, end, entity, score, subtype, needs in cands:
        before = previous_end.get(entity, first)
        lo = start - WINDOW_BEFORE
        if lo < before:
            lo = before
        if end > before:
            previous_end[entity] = end
        if score >= _SETTLED and entity != "DATE_TIME":
            # Validated and VERY_LIKELY already: context could not change its level.
            out.append((start, end, entity, score, subtype, False))
            continue
        supported = has_context(entity, lower, lo, start)
        if entity == "DATE_TIME":
            if supported:
                out.append((start, end, entity, SCORES["date_of_birth"], "date_of_birth", False))
            else:
                out.append((start, end, entity, score, subtype, False))
            continue
        if supported or has_context(entity, lower, end, min(end + WINDOW_AFTER, stop)):
            out.append((start, end, entity, _boosted(score), subtype, False))
            continue
        if needs:
            continue
        if entity in NEGATIVE and has_context(
            entity, lower, max(first, start - _NEGATIVE_WINDOW), start, negative=True
        ):
            continue
        out.append((start, end, entity, score, subtype, False))
    return out


def _resolve(cands: list[Candidate]) -> list[Candidate]:
    # The higher score wins, then the longer span, then the earlier one.
    if len(cands) < 2:
        return cands
    # Most strings hold a few findings apart from each other: nothing to resolve.
    previous_end = cands[0][1]
    for c in islice(cands, 1, None):
        if c[0] < previous_end:
            break
        previous_end = c[1]
    else:
        return cands
    ranked = sorted(cands, key=lambda c: (-c[3], c[0] - c[1], c[0]))
    kept: list[Candidate] = []
    for c in ranked:
        s, e = c[0], c[1]
        if all(e <= k[0] or s >= k[1] for k in kept):
            kept.append(c)
    kept.sort(key=_START)
    return kept


def _ascii_digits(text: str) -> str:
    """``text`` with every decimal digit (Arabic-Indic, Devanagari, full-width …) written
    as its ASCII digit: one character for one, so offsets do not move."""
    if text.isascii():
        return text
    return _OTHER_DIGIT.sub(lambda m: str(unicodedata.decimal(m[0])), text)


_OTHER_DIGIT = re.compile(r"[^\x00-\x7f0-9](?<=\d)")


def scan_batch(
    texts: list[str],
    wanted: frozenset[str],
    regions: tuple[str, ...],
    min_score: float,
    include_text: bool,
) -> list[list[Span]]:
    """The spans of each of ``texts``, scanned as one batch: candidates (``wanted``
    entities; phone numbers of ``regions``), context, overlaps resolved, then those
    scoring ``min_score`` or more, with their text if ``include_text``."""
    joined = _ascii_digits("\n" + "\n".join(texts) + "\n")
    starts = list(accumulate((len(t) + 1 for t in texts), initial=1))
    lower = joined.lower()
    if len(lower) != len(joined):  # a few characters lower-case to two ("İ"): keep offsets
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in joined)
    found = find_candidates(joined, lower, starts, wanted, regions)
    out: list[list[Span]] = []
    for text, first, cands in zip(texts, starts, found, strict=False):
        if not cands:
            out.append([])
            continue
        kept = _resolve(_with_context(cands, lower, first, first + len(text)))
        spans = []
        for s, e, entity, score, sub, _ in kept:
            if score >= min_score and entity in wanted:
                s, e = s - first, e - first
                found_text = text[s:e] if include_text else None
                spans.append(_make_span((s, e, entity, score, _likelihood(score), found_text, sub)))
        out.append(spans)
    return out


_make_span = partial(tuple.__new__, Span)  # Span._make without its length check
