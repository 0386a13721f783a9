"""Evidence documents for the policy tests, shaped as docs/policy.md describes them: a
credit-scoring model trained on UCI Statlog German Credit (its columns are the model's
features; ``status_sex`` is the special-category column a PII scan flags), high risk
under EU AI Act Annex III 5(b)."""

import copy
from typing import Any

# German Credit's attributes, in order (shared/data/README.md), without the label.
GERMAN_CREDIT_FEATURES = [
    "status", "duration", "credit_history", "purpose", "credit_amount", "savings",
    "present_employment", "installment_rate", "status_sex", "other_debtors",
    "present_residence_since", "property", "age", "installment_plans", "housing",
    "number_of_existing_credits", "job", "number_of_people_liable_for", "telephone",
    "foreign_worker",
]  # fmt: skip

HIGH_RISK_EVIDENCE = (
    "assessment.fairness",
    "assessment.performance",
    "assessment.robustness",
    "assessment.explainability",
    "questionnaire.dpia",
    "classification.eu_ai_act",
)


def evidence(
    kind: str, verdict: str = "pass", *, age_days: int = 3, expired: bool = False
) -> dict[str, Any]:
    return {
        "id": f"0b7c1a52-0000-4000-8000-{abs(hash(kind)) % 10**12:012d}",
        "verdict": verdict,
        "age_days": age_days,
        "expired": expired,
        "validity_days": 180 if kind.startswith("assessment") else 365,
        "subject_type": "model_version" if kind.startswith("assessment") else "ai_system",
        "summary": f"{kind}: {verdict}",
    }


def approval(
    principal: str,
    *,
    current: bool = True,
    roles: tuple[str, ...] = ("risk_officer",),
    decision: str = "approve",
) -> dict[str, Any]:
    return {
        "principal": principal,
        "roles": list(roles),
        "decision": decision,
        "age_days": 0,
        "current": current,
        "comment": "reviewed",
    }


def german_credit(
    tier: str = "high", *, approvals: int = 2, complete: bool = True
) -> dict[str, Any]:
    """The production-gate document; ``complete`` gives every piece of evidence the
    built-in bundle asks of a high-risk system, otherwise only the classification."""
    kinds = HIGH_RISK_EVIDENCE if complete else ("classification.eu_ai_act",)
    return copy.deepcopy(
        {
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
                "risk_tier": tier,
                "role": "provider",
                "facts": {"personal_data": True, "profiling": True},
                "classification": {"present": True, "stale": False, "age_days": 3},
            },
            "evidence": {
                kind: evidence(kind, "warn" if kind == "assessment.fairness" else "pass")
                for kind in kinds
            },
            "datasets": [
                {
                    "id": "3a5b0000-0000-4000-8000-000000000001",
                    "name": "german credit",
                    "version": "train",
                    "role": "training",
                    "pii_scan": {
                        "verdict": "warn",
                        "age_days": 3,
                        "personal_data": True,
                        "special_category_columns": ["status_sex"],
                    },
                },
                {
                    "id": "3a5b0000-0000-4000-8000-000000000002",
                    "name": "german credit",
                    "version": "test",
                    "role": "evaluation",
                    "pii_scan": None,
                },
            ],
            "minimization": {
                "verdict": "warn",
                "special_category_features": ["status_sex"],
                "justified": ["status_sex"] if complete else [],
                "age_days": 3,
            }
            if complete
            else None,
            "model_card": {
                "intended_use": True,
                "training_data": complete,
                "performance": complete,
            },
            "risks": [
                {
                    "number": "R-1",
                    "title": "Lower approval rate for applicants under 25",
                    "category": "bias_fairness",
                    "level": "high",
                    "treatment": "mitigate" if complete else None,
                    "status": "open",
                    "residual_level": None,
                }
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
            "request": {
                "id": "r-1",
                "requester": "ml-engineer",
                "created_at": "2026-11-26T11:00:00.000000Z",
            },
            "approvals": [approval(f"risk-officer-{i + 1}") for i in range(approvals)],
        }
    )
