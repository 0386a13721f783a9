"""Presidio's side of the PII benchmark. Runs inside Presidio's own virtualenv
(``benchmarks/.venvs/presidio``, made by ``bench_pii``): its pins clash with Bastion's,
so it imports nothing from Bastion or the benchmarks, only the standard library and
presidio-analyzer.

Presidio is configured as the issue asks: its predefined recognizers with the no-op NLP
engine (``NoOpNlpEngine``, Presidio 2.2's engine for pattern-only use: no spaCy model,
no NER, so no PERSON or LOCATION), plus ``UkNinoRecognizer``, which the default registry
leaves disabled, so that UK_NINO can be compared too. The score threshold is Presidio's
default (0): every pattern match is returned, as Bastion's ``min_score=0.0`` does.

Input (JSON): ``{"texts": [str], "tables": {name: {column: [value]}}, "warmup": int,
"repeat": int, "slice": int, "min_seconds": float}`` (the texts are timed in slices of
``slice`` strings over at least ``repeat`` rounds and ``min_seconds``, the sum of each
slice's best time; a table, minutes long, once).
Each table is what ``DataFrame.to_dict(orient="list")`` gives, the form Presidio's
documentation passes to ``BatchAnalyzerEngine.analyze_dict`` for a DataFrame.
Output (JSON): versions, the supported entities, for texts the spans of each string and
the seconds for all, for tables per column and per cell ``[[entity, score], ...]`` (the
best score of each entity in that cell) and the seconds for each table.

Usage: ``python presidio_runner.py INPUT.json OUTPUT.json``
"""

from __future__ import annotations

import json
import logging
import sys
import time
from importlib.metadata import version
from typing import Any


def _offline_tldextract() -> None:
    # EmailRecognizer validates domains with tldextract, whose default extractor first
    # tries to download the public suffix list and then falls back to the snapshot it
    # ships. The benchmark makes no network calls: use the snapshot from the start.
    import tldextract
    import tldextract.tldextract as module

    module.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())


def build_engine() -> Any:
    """Presidio's AnalyzerEngine with its pattern recognizers and the no-op NLP engine."""
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_analyzer.predefined_recognizers import UkNinoRecognizer

    nlp_engine = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "no_op",
            "models": [{"lang_code": "en", "model_name": "no_op"}],
        }
    ).create_engine()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp_engine)
    registry.add_recognizer(UkNinoRecognizer())
    return AnalyzerEngine(nlp_engine=nlp_engine, registry=registry, supported_languages=["en"])


def _best_by_entity(results: list[Any]) -> list[list[Any]]:
    best: dict[str, float] = {}
    for r in results:
        best[r.entity_type] = max(best.get(r.entity_type, 0.0), r.score)
    return [[entity, round(score, 4)] for entity, score in best.items()]


def run(job: dict[str, Any]) -> dict[str, Any]:
    """Analyze the job's texts and tables; the results and timings as a dict."""
    from presidio_analyzer import BatchAnalyzerEngine

    engine = build_engine()
    batch = BatchAnalyzerEngine(analyzer_engine=engine)
    texts: list[str] = job["texts"]
    # Warm-up: the first calls compile patterns and load phone metadata.
    for text in texts[: job.get("warmup", 20)]:
        engine.analyze(text=text, language="en")

    # As benchmarks.common.timed_slices (this runner imports nothing from the benchmarks):
    # each slice of the texts timed in each round, the time the sum of each slice's best.
    size = job.get("slice", len(texts)) or 1
    slices = [texts[i : i + size] for i in range(0, len(texts), size)]
    best = [float("inf")] * len(slices)
    spans: list[Any] = []
    rounds, began = 0, time.perf_counter()
    while rounds < job.get("repeat", 1) or time.perf_counter() - began < job.get("min_seconds", 0):
        spans = []
        for k, part in enumerate(slices):
            start = time.perf_counter()
            spans += [engine.analyze(text=text, language="en") for text in part]
            best[k] = min(best[k], time.perf_counter() - start)
        rounds += 1
    text_seconds = sum(best)

    tables: dict[str, Any] = {}
    for name, columns in job["tables"].items():
        start = time.perf_counter()
        analyzed = list(batch.analyze_dict(columns, language="en"))
        seconds = time.perf_counter() - start
        tables[name] = {
            "seconds": seconds,
            "cells": sum(len(v) for v in columns.values()),
            "columns": {
                item.key: [_best_by_entity(cell) for cell in item.recognizer_results]
                for item in analyzed
            },
        }
    return {
        "presidio_version": version("presidio-analyzer"),
        "spacy_version": version("spacy"),
        "python": sys.version.split()[0],
        "entities": sorted(engine.get_supported_entities("en")),
        "recognizers": sorted({r.name for r in engine.get_recognizers("en")}),
        "text": {
            "seconds": text_seconds,
            "spans": [
                [[r.start, r.end, r.entity_type, round(r.score, 4)] for r in found]
                for found in spans
            ],
        },
        "tables": tables,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.ERROR)
    _offline_tldextract()
    with open(argv[0], encoding="utf-8") as f:
        job = json.load(f)
    result = run(job)
    with open(argv[1], "w", encoding="utf-8") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
