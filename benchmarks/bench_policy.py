"""Benchmark of bastion.policy: the built-in bundle's production gate decided on an
evidence document holding 50 pieces of evidence (a high-risk credit-scoring model with
German Credit's columns, two datasets, ten risks, two approvals).

Goal (the release-gates issue): the whole gate decision in under 50 ms median. This
script measures the evaluation part — canonical-JSON digest of the document, input
conversion, rego-cpp evaluation, reading and checking the decision — after compiling
once; the platform's assembly of the document is measured by passing ``assemble`` (a
callable returning the document) to :func:`run`, which then reports assembly and the
total as well. It also reports the one-time compile and the throughput of several
threads sharing one compiled bundle (each evaluation borrows its own interpreter).

No anchor library: OPA, the reference Rego implementation, is not installed here (it is
a Go binary, not a Python package), so there is nothing to compare against in-process.

Usage: ``python -m benchmarks.bench_policy [--evaluations N] [--threads T]``
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

from bastion.policy import builtin_bundle, compile_bundle, evaluate
from bastion.policy import bundle as policy_bundle
from benchmarks.common import machine

GERMAN_CREDIT_FEATURES = [
    "status", "duration", "credit_history", "purpose", "credit_amount", "savings",
    "present_employment", "installment_rate", "status_sex", "other_debtors",
    "present_residence_since", "property", "age", "installment_plans", "housing",
    "number_of_existing_credits", "job", "number_of_people_liable_for", "telephone",
    "foreign_worker",
]  # fmt: skip

EVIDENCE_KINDS = [
    "assessment.fairness", "assessment.fairness_mitigation", "assessment.performance",
    "assessment.explainability", "assessment.robustness", "assessment.privacy_attack",
    "assessment.reidentification", "scan.pii", "scan.model", "check.data_minimization",
    "classification.eu_ai_act", "questionnaire.dpia", "questionnaire.ropa",
    "questionnaire.fria", "questionnaire.art22", "risk.register", "monitoring.window",
    "monitoring.plan", "incident.report", "policy.decision", "approval.promotion",
    "signature.artifact",
    "document.ai_policy", "document.roles_and_responsibilities", "document.ai_literacy",
    "document.technical_documentation", "document.instructions_for_use",
    "document.data_governance", "document.logging", "document.human_oversight",
    "document.quality_management_system", "document.conformity_assessment",
    "document.eu_registration", "document.post_market_monitoring_plan",
    "document.incident_procedure", "document.transparency_notice",
    "document.privacy_notice", "document.lawful_basis",
    "document.data_subject_request_procedure", "document.opt_out_mechanism",
    "document.security_controls", "document.supplier_assessment",
    "document.stakeholder_engagement", "document.impact_assessment",
    "document.decommissioning_plan", "document.gpai_documentation",
    "document.evaluation_report",
]  # fmt: skip


def evidence_document(pieces: int = 50) -> dict[str, Any]:
    """A complete high-risk production document with ``pieces`` pieces of evidence."""
    kinds = EVIDENCE_KINDS + [f"document.custom_{i}" for i in range(max(0, pieces - 47))]

    def record(i: int, kind: str) -> dict[str, Any]:
        return {
            "id": f"00000000-0000-4000-8000-{i:012d}",
            "verdict": "warn" if kind == "assessment.fairness" else "pass",
            "age_days": 3 + i % 40,
            "expired": False,
            "validity_days": 365,
            "subject_type": "model_version" if kind.startswith("assessment") else "ai_system",
            "summary": f"{kind} recorded for credit-scorer 1.0",
        }

    approval = {"roles": ["risk_officer"], "decision": "approve", "age_days": 0, "current": True}
    return {
        "schema_version": 1,
        "gate": "production",
        "evaluated_at": "2026-11-26T12:00:00.000000Z",
        "model_version": {
            "id": "5d0f4a8e-0000-4000-8000-000000000001",
            "model": "credit-scorer",
            "version": "1.0",
            "stage": "staging",
            "task_type": "binary_classification",
            "artifact_sha256": "9f" * 32,
            "features": GERMAN_CREDIT_FEATURES,
            "digest": "c4" * 32,
        },
        "system": {
            "id": "7d3e9a10-0000-4000-8000-000000000002",
            "name": "credit scoring",
            "risk_tier": "high",
            "role": "provider",
            "facts": {"personal_data": True, "profiling": True, "automated_decisions": False},
            "classification": {"present": True, "stale": False, "age_days": 3},
        },
        "evidence": {kind: record(i, kind) for i, kind in enumerate(kinds[:pieces])},
        "datasets": [
            {
                "id": f"3a5b0000-0000-4000-8000-00000000000{i}",
                "name": "german credit",
                "version": version,
                "role": role,
                "pii_scan": {
                    "verdict": "warn",
                    "age_days": 3,
                    "personal_data": True,
                    "special_category_columns": ["status_sex"],
                },
            }
            for i, (version, role) in enumerate([("train", "training"), ("test", "evaluation")])
        ],
        "minimization": {
            "verdict": "warn",
            "special_category_features": ["status_sex"],
            "justified": ["status_sex"],
            "age_days": 3,
        },
        "model_card": {"intended_use": True, "training_data": True, "performance": True},
        "risks": [
            {
                "number": f"R-{i + 1}",
                "title": f"risk {i + 1}",
                "category": "bias_fairness",
                "level": ["low", "medium", "high", "critical"][i % 4],
                "treatment": "mitigate",
                "status": "open",
                "residual_level": "low",
            }
            for i in range(10)
        ],
        "compliance": {
            "eu_ai_act": {
                "satisfied": 9,
                "missing": 4,
                "expired": 0,
                "failing": 0,
                "not_applicable": 15,
            }
        },
        "request": {"id": "r-1", "requester": "ml-engineer", "created_at": "2026-11-26T11:00Z"},
        "approvals": [
            {**approval, "principal": "risk-officer-1", "comment": "ok"},
            {**approval, "principal": "risk-officer-2", "comment": "ok"},
        ],
    }


def _summary(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {
        "median_ms": statistics.median(ordered),
        "p95_ms": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "max_ms": ordered[-1],
    }


def run(
    evaluations: int = 200,
    evidence: int = 50,
    threads: int = 4,
    assemble: Callable[[], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Compile the built-in bundle, then time ``evaluations`` production-gate decisions."""
    bundle = builtin_bundle()
    with policy_bundle._CACHE_LOCK:
        policy_bundle._CACHE.pop(bundle.digest, None)  # time a cold compile
    started = time.perf_counter()
    compiled = compile_bundle(bundle)
    compile_ms = (time.perf_counter() - started) * 1000

    document = evidence_document(evidence)
    denied = {**document, "evidence": {k: v for k, v in document["evidence"].items()
                                       if k != "assessment.fairness"}}  # fmt: skip
    for _ in range(5):  # warm up: the first evaluations fill caches
        evaluate(compiled, "production", document)

    evaluation_ms: list[float] = []
    assembly_ms: list[float] = []
    total_ms: list[float] = []
    for _ in range(evaluations):
        t0 = time.perf_counter()
        doc = assemble() if assemble else document
        t1 = time.perf_counter()
        decision = evaluate(compiled, "production", doc)
        t2 = time.perf_counter()
        assert decision.error is None, decision.error
        if not assemble:
            assert decision.allow, decision.reasons
        evaluation_ms.append((t2 - t1) * 1000)
        assembly_ms.append((t1 - t0) * 1000)
        total_ms.append((t2 - t0) * 1000)

    denied_ms: list[float] = []
    for _ in range(max(10, evaluations // 4)):
        t0 = time.perf_counter()
        decision = evaluate(compiled, "production", denied)
        denied_ms.append((time.perf_counter() - t0) * 1000)
        assert not decision.allow
        assert decision.reasons[0].requirement == "eu_ai_act:art10"

    wrong: list[str] = []
    per_thread = max(1, evaluations // threads)

    def worker(k: int) -> None:
        for i in range(per_thread):
            doc = document if (i + k) % 2 else denied
            decision = evaluate(compiled, "production", doc)
            if decision.allow != (doc is document):
                wrong.append(f"thread {k}, evaluation {i}")

    workers = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    started = time.perf_counter()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    threaded_seconds = time.perf_counter() - started
    assert not wrong, wrong[:5]

    result: dict[str, Any] = {
        "evaluations": evaluations,
        "evidence": len(document["evidence"]),
        "compile_ms": compile_ms,
        "evaluation": _summary(evaluation_ms),
        "denied_evaluation": _summary(denied_ms),
        "threads": threads,
        "threaded_decisions_per_second": threads * per_thread / threaded_seconds,
        **machine(),
    }
    if assemble:
        result["assembly"] = _summary(assembly_ms)
        result["total"] = _summary(total_ms)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--evaluations", type=int, default=200)
    parser.add_argument("--evidence", type=int, default=50)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)
    r = run(args.evaluations, args.evidence, args.threads)
    e, d = r["evaluation"], r["denied_evaluation"]
    print(
        f"policy gate (built-in bundle, production, {r['evidence']} pieces of evidence) — "
        f"Python {r['python']}, {r['cpu']} ({r['cpus']} CPUs)"
    )
    print(f"  compile the bundle (once)            {r['compile_ms']:8.1f} ms")
    print(
        f"  evaluate, allowed: median / p95      {e['median_ms']:8.2f} / {e['p95_ms']:.2f} ms"
        f" (goal < 50 ms median, over {r['evaluations']})"
    )
    print(f"  evaluate, denied:  median / p95      {d['median_ms']:8.2f} / {d['p95_ms']:.2f} ms")
    print(
        f"  {r['threads']} threads, one compiled bundle     "
        f"{r['threaded_decisions_per_second']:8.0f} decisions/s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
