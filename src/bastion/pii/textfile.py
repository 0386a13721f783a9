"""PII in plain-text files, streamed line by line (:func:`scan_text_file`).

Lines go through :func:`bastion.pii.analyze_texts` a batch at a time (each line analyzed
as a string of its own); findings keep their line number and offsets within the line,
never the text. A PEM private key spans lines, so a ``-----BEGIN … PRIVATE KEY-----`` line
opens a block that the matching END line closes (one PRIVATE_KEY finding, on the BEGIN
line). Memory is bounded by a batch of lines (:data:`BATCH_CHARS`) and ``max_spans`` kept
findings; counts cover every finding.
"""

from __future__ import annotations

import codecs
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from bastion.assessment.digests import file_digest
from bastion.assessment.verdict import verdict_of
from bastion.pii.entities import ENTITIES, likelihood, select_entities
from bastion.pii.errors import PiiInputError
from bastion.pii.finders import SCORES
from bastion.pii.phones import phone_regions
from bastion.pii.result import LineSpan, TextScanResult, judge_findings, suggest_classification
from bastion.pii.text import analyze_texts

__all__ = ["BATCH_CHARS", "scan_text_file"]

BATCH_CHARS = 1 << 20
"""Characters of lines analyzed together (a batch is scanned in one pass)."""

_PEM_BEGIN = re.compile(r"-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----")


def scan_text_file(
    path: str | os.PathLike[str],
    *,
    encoding: str = "utf-8",
    entities: Iterable[str] | str | None = None,
    min_score: float = 0.0,
    regions: Iterable[str] = ("US", "GB"),
    max_spans: int = 10_000,
    progress: Callable[[int, int], None] | None = None,
) -> TextScanResult:
    """Find personal data and secrets in a plain-text file, line by line.

    Parameters
    ----------
    path : path-like
        The file.
    encoding : str
        Its text encoding.
    entities, min_score, regions
        As for :func:`bastion.pii.analyze_text`.
    max_spans : int
        Findings kept with their positions (all are counted).
    progress : callable, optional
        Called every 10,000 lines as ``progress(bytes_done, total_bytes)``.

    Returns
    -------
    TextScanResult

    Raises
    ------
    PiiInputError
        If the file is missing or empty, the encoding unknown, or the file not in it
        (the message names the line).
    """
    p = Path(path)
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise PiiInputError(f"unknown encoding {encoding!r}", field="encoding") from None
    if not p.is_file():
        raise PiiInputError(f"{p}: no such file", field="file")
    total = p.stat().st_size
    if total == 0:
        raise PiiInputError(f"{p.name}: the file is empty", field="file")
    wanted = select_entities(entities)
    region_codes = tuple(phone_regions(regions))
    counts: Counter[str] = Counter()
    spans: list[LineSpan] = []
    lines = characters = done = 0
    in_key = False
    batch: list[tuple[int, str, LineSpan | None]] = []  # line number, text, key found on it
    batch_chars = 0

    def analyze_batch() -> None:
        texts = [text for _, text, _ in batch]
        found = analyze_texts(
            texts, entities=wanted, min_score=min_score, regions=region_codes, include_text=False
        )
        for (number, _, key), line_spans in zip(batch, found, strict=True):
            if key is not None:
                _keep(spans, counts, max_spans, key)
            for s in line_spans:
                span = LineSpan(number, s.start, s.end, s.entity, s.score, s.likelihood, s.subtype)
                _keep(spans, counts, max_spans, span)
        batch.clear()

    for lines, text, size in _lines(p, codec):
        characters += len(text)
        done += size
        text = text.rstrip("\r\n")
        if in_key:
            if "-----END" in text:
                in_key = False
            continue
        begin = _PEM_BEGIN.search(text) if "PRIVATE_KEY" in wanted else None
        key = None
        if begin and "-----END" not in text[begin.end() :]:
            in_key = True
            score = SCORES["private_key"]
            key = LineSpan(lines, begin.start(), len(text), "PRIVATE_KEY", score,
                           likelihood(score), "pem")  # fmt: skip
            text = text[: begin.start()]
        batch.append((lines, text, key))
        batch_chars += len(text) + 1
        if batch_chars >= BATCH_CHARS:
            analyze_batch()
            batch_chars = 0
        if progress is not None and lines % 10_000 == 0:
            progress(done, total)
    analyze_batch()
    if progress is not None:
        progress(total, total)
    categories: set[str] = {ENTITIES[e].category for e in counts}
    if any(s.entity == "DATE_TIME" and s.subtype == "date_of_birth" for s in spans):
        categories.add("direct")
    secrets = sum(n for e, n in counts.items() if ENTITIES[e].category == "secret")
    personal = sum(n for e, n in counts.items() if ENTITIES[e].category not in ("quasi", "secret"))
    checks = judge_findings(secrets, 0, personal)
    notes = []
    if len(spans) < sum(counts.values()):
        notes.append(f"{sum(counts.values()):,} findings counted, the first {max_spans:,} kept")
    return TextScanResult(
        lines=lines,
        characters=characters,
        counts=dict(counts),
        spans=tuple(spans),
        truncated=len(spans) < sum(counts.values()),
        suggested_classification=suggest_classification(categories, False),
        checks=checks,
        verdict=verdict_of(checks),
        notes=tuple(notes),
        settings={
            "encoding": codec,
            "entities": "all" if wanted == frozenset(ENTITIES) else sorted(wanted),
            "min_score": min_score,
            "regions": list(region_codes),
            "max_spans": max_spans,
        },
        inputs={"data": file_digest(p)},
    )


def _lines(path: Path, codec: str) -> Iterator[tuple[int, str, int]]:
    """(line number, text, bytes) of each line, decoding line by line so that an
    undecodable byte is reported on its own line. UTF-16 and UTF-32 are read as text
    (their newlines are not single bytes)."""
    if codec.startswith(("utf-16", "utf-32")):
        with open(path, encoding=codec, newline="") as f:
            for number, text in enumerate(f, start=1):
                yield number, text, len(text.encode(codec))
        return
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                yield number, raw.decode(codec), len(raw)
            except UnicodeDecodeError as exc:
                raise PiiInputError(
                    f"{path.name}: line {number} is not {codec} (byte {raw[exc.start]:#04x}); "
                    "pass the file's encoding, e.g. latin-1",
                    field="encoding",
                ) from None


def _keep(spans: list[LineSpan], counts: Counter[str], limit: int, span: LineSpan) -> None:
    counts[span.entity] += 1
    if len(spans) < limit:
        spans.append(span)
