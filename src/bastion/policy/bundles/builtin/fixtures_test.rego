# Evidence documents for the bundle's unit tests: a German Credit scoring model (UCI
# Statlog German Credit's columns) that is high risk under EU AI Act Annex III 5(b), with
# every piece of evidence the production gate asks for. Tests change one thing at a time.
#
# The gates' tests call `decide(doc)` with these documents rather than using
# `decision with input as doc`, which makes rego-cpp 1.5 abort the process.
package bastion.fixtures

import rego.v1

assessment(verdict) := {
	"id": "0b7c1a52-0000-4000-8000-00000000000a",
	"verdict": verdict,
	"age_days": 3,
	"expired": false,
	"validity_days": 180,
	"subject_type": "model_version",
	"summary": concat(" ", ["assessment", verdict]),
}

approval(principal) := {
	"principal": principal,
	"roles": ["risk_officer"],
	"decision": "approve",
	"age_days": 0,
	"current": true,
	"comment": "reviewed the evidence pack",
}

high := {
	"schema_version": 1,
	"gate": "production",
	"evaluated_at": "2026-11-26T12:00:00.000000Z",
	"model_version": {
		"id": "5d0f4a8e-0000-4000-8000-000000000001",
		"model": "credit-scorer",
		"version": "1.0",
		"stage": "staging",
		"task_type": "binary_classification",
		"artifact_sha256": "9f2c…",
		"features": ["status", "duration", "credit_history", "purpose", "credit_amount", "savings", "status_sex", "age", "foreign_worker"],
		"digest": "c41d…",
	},
	"system": {
		"id": "7d3e9a10-0000-4000-8000-000000000002",
		"name": "credit scoring",
		"risk_tier": "high",
		"role": "provider",
		"facts": {"personal_data": true, "profiling": true},
		"classification": {"present": true, "stale": false, "age_days": 3},
	},
	"evidence": {
		"assessment.fairness": assessment("warn"),
		"assessment.performance": assessment("pass"),
		"assessment.robustness": assessment("pass"),
		"assessment.explainability": assessment("info"),
		"questionnaire.dpia": assessment("pass"),
		"classification.eu_ai_act": assessment("info"),
	},
	"datasets": [
		{
			"id": "3a5b…", "name": "german credit", "version": "train", "role": "training",
			"pii_scan": {"verdict": "warn", "age_days": 3, "personal_data": true, "special_category_columns": ["status_sex"]},
		},
		{
			"id": "3a5c…", "name": "german credit", "version": "test", "role": "evaluation",
			"pii_scan": null,
		},
	],
	"minimization": {"verdict": "warn", "special_category_features": ["status_sex"], "justified": ["status_sex"], "age_days": 3},
	"model_card": {"intended_use": true, "training_data": true, "performance": true},
	"risks": [
		{"number": "R-1", "title": "Lower approval rate for young applicants", "category": "bias_fairness", "level": "high", "treatment": "mitigate", "status": "in_treatment", "residual_level": "medium"},
		{"number": "R-2", "title": "Drift after a change in lending policy", "category": "performance_operational", "level": "medium", "treatment": null, "status": "open", "residual_level": null},
	],
	"compliance": {"eu_ai_act": {"satisfied": 9, "missing": 4, "expired": 0, "failing": 0, "not_applicable": 15}},
	"request": {"id": "r-1", "requester": "ml-engineer", "created_at": "2026-11-26T11:00:00.000000Z"},
	"approvals": [approval("risk-officer-1"), approval("risk-officer-2")],
}

# The same model for a minimal-risk system: only what the lighter column asks for.
minimal := {
	"schema_version": 1,
	"gate": "production",
	"model_version": high.model_version,
	"system": json.patch(high.system, [{"op": "add", "path": "/risk_tier", "value": "minimal"}]),
	"evidence": {"assessment.performance": assessment("pass")},
	"datasets": [],
	"minimization": null,
	"model_card": {"intended_use": true, "training_data": false, "performance": false},
	"risks": [],
	"request": high.request,
	"approvals": [approval("risk-officer-1")],
}

has_reason(decision, requirement, kind) if {
	some r in decision.reasons
	r.requirement == requirement
	r.evidence == kind
}

has_message(decision, message) if {
	some r in decision.reasons
	r.message == message
}
