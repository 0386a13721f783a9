"""Benchmark of a whole release-gate decision on the platform: assemble the evidence
document of a model version with 50 pieces of evidence from the database, and evaluate
the built-in bundle's production gate on it.

Goal (the release-gates issue): under 50 ms at the median. The database is the embedded
SQLite default, in a temporary data directory; the model version belongs to a high-risk
credit-scoring system (classified from docs/examples), trained on one dataset version and
carrying 50 current pieces of evidence, with ten risks in its system's register. Also
reported: recording the decision (evidence and ledger entry), which a gate does too.

No anchor library: no other governance tool evaluates release gates in-process (OPA, the
reference Rego engine, is a Go service), so the figure stands against the goal alone.

Usage: ``python -m benchmarks.bench_gate [--decisions N]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from bastion.compliance import service as compliance_service
from bastion.evidence import service as evidence_service
from bastion.evidence.schemas import EvidenceCreate
from bastion.gates import document as gate_document
from bastion.gates import service as gates_service
from bastion.inventory import schemas as inventory_schemas
from bastion.inventory import service as inventory_service
from bastion.ledger import service as ledger_service
from bastion.policy import evaluate
from bastion.risks import schemas as risk_schemas
from bastion.risks import service as risks_service
from bastion.runtime import Runtime
from bastion.settings import Settings
from bastion.storage.base import utcnow
from benchmarks.bench_policy import EVIDENCE_KINDS
from benchmarks.common import machine

GOAL_MS = 50.0
ANSWERS = (
    Path(__file__).resolve().parents[1] / "docs/examples/classification/german_credit_provider.yaml"
)


@contextmanager
def _runtime() -> Iterator[Runtime]:
    with tempfile.TemporaryDirectory(prefix="bastion-bench-gate-") as data_dir:
        runtime = Runtime.start(Settings(data_dir=Path(data_dir), checkpoint_interval_seconds=0))
        try:
            yield runtime
        finally:
            runtime.close()


def _world(runtime: Runtime, pieces: int) -> tuple[uuid.UUID, uuid.UUID]:
    """A high-risk system's model version with ``pieces`` pieces of current evidence."""
    with runtime.unit_of_work() as session:
        ledger_service.bind(session, ledger_service.SYSTEM)
        project = inventory_service.create_project(
            session=session, data=inventory_schemas.ProjectCreate(name="Gate benchmark")
        )
        system = inventory_service.create_system(
            session=session,
            project_id=project.id,
            data=inventory_schemas.SystemCreate(
                name="credit scoring", intended_use="Rank applications for a credit officer."
            ),
        )
        compliance_service.classify_system(
            session=session,
            catalog=runtime.catalog,
            project_id=project.id,
            system_id=system.id,
            answers=yaml.safe_load(ANSWERS.read_text()),
        )
        model = inventory_service.create_model(
            session=session,
            project_id=project.id,
            data=inventory_schemas.ModelCreate(name="credit-scorer", system_id=system.id),
        )
        dataset = inventory_service.create_dataset(
            session=session,
            project_id=project.id,
            data=inventory_schemas.DatasetCreate(name="german"),
        )
        train = inventory_service.create_dataset_version(
            session=session,
            project_id=project.id,
            data=inventory_schemas.DatasetVersionCreate(dataset_id=dataset.id, version="train"),
        )
        version = inventory_service.create_model_version(
            session=session,
            project_id=project.id,
            data=inventory_schemas.ModelVersionCreate(
                model_id=model.id,
                version="1.0",
                datasets=[{"dataset_version_id": train.id, "role": "training"}],
            ),
        )
        for i in range(pieces - 1):  # the classification is the first piece
            kind = EVIDENCE_KINDS[i % len(EVIDENCE_KINDS)]
            subject = (
                (version.id, "model_version")
                if i < len(EVIDENCE_KINDS)
                else (train.id, "dataset_version")
            )
            evidence_service.record_evidence(
                session=session,
                project_id=project.id,
                data=EvidenceCreate(
                    kind=kind,
                    subject_type=subject[1],
                    subject_id=subject[0],
                    verdict="pass",
                    summary=f"{kind}: benchmark evidence",
                    result={"schema_version": 1, "columns": [], "special_categories": []},
                ),
            )
        for i in range(10):
            risks_service.create_risk(
                session=session,
                project_id=project.id,
                data=risk_schemas.RiskCreate(
                    system_id=system.id,
                    title=f"risk {i}",
                    category="performance_operational",
                    likelihood=2,
                    impact=2,
                ),
            )
        return project.id, version.id


def _summary(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {
        "median_ms": statistics.median(ordered),
        "p95_ms": ordered[max(0, int(len(ordered) * 0.95) - 1)],
    }


def run(decisions: int = 200, pieces: int = 50) -> dict[str, Any]:
    with _runtime() as runtime:
        project_id, version_id = _world(runtime, pieces)
        compiled = gates_service.bundle_in_force(
            session=runtime.sessions(), project_id=project_id
        ).compiled
        timings: list[float] = []
        recorded: list[float] = []
        # Assembling and evaluating only read: a read-only session, as a pipeline's check
        # would be if it did not record its decision.
        with runtime.read_sessions() as session:
            compiled = gates_service.bundle_in_force(
                session=session, project_id=project_id
            ).compiled
            for _ in range(decisions + 1):  # the first warms the caches
                start = time.perf_counter()
                document = gate_document.assemble(
                    session=session, catalog=runtime.catalog, project_id=project_id,
                    version_id=version_id, gate="production", now=utcnow(),
                )  # fmt: skip
                decision = evaluate(compiled, "production", document)
                timings.append((time.perf_counter() - start) * 1000)
        for _ in range(max(1, decisions // 10)):
            start = time.perf_counter()
            with runtime.unit_of_work() as session:
                ledger_service.bind(session, ledger_service.SYSTEM)
                gates_service.decide(
                    session=session, catalog=runtime.catalog, project_id=project_id,
                    version_id=version_id, gate="production",
                )  # fmt: skip
            recorded.append((time.perf_counter() - start) * 1000)
        timings = timings[1:]
    return {
        "evidence_records": pieces,
        "evidence_kinds": len(document["evidence"]),
        "allow": decision.allow,
        "decision": _summary(timings),
        "decision_recorded": _summary(recorded),
        "goal_ms": GOAL_MS,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=200)
    args = parser.parse_args(argv)
    result = run(decisions=args.decisions)
    print(machine())
    print(
        f"evidence: {result['evidence_records']} current records, "
        f"{result['evidence_kinds']} kinds in the document (allow: {result['allow']})"
    )
    d, r = result["decision"], result["decision_recorded"]
    print(f"assemble + evaluate: median {d['median_ms']:.1f} ms, p95 {d['p95_ms']:.1f} ms")
    print(f"... and record it:   median {r['median_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms")
    ratio = GOAL_MS / d["median_ms"]
    print(f"goal {GOAL_MS:.0f} ms median: {'met' if ratio >= 1 else 'missed'} ({ratio:.1f}x under)")
    return 0 if ratio >= 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
