package bastion.gates.production

import rego.v1

import data.bastion.fixtures

# --- high risk ---------------------------------------------------------------------

test_high_complete_with_two_approvals_is_allowed if {
	d := decide(fixtures.high)
	d.allow
	d.reasons == []
	d.approvals == [{"role": "risk_officer", "count": 2}]
}

test_high_with_one_approval_is_denied if {
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/approvals", "value": [fixtures.approval("risk-officer-1")]}]))
	not d.allow
	d.reasons == [{"requirement": "eu_ai_act:art14", "evidence": "approval.promotion", "message": "1 of 2 required risk_officer approvals"}]
}

test_high_stale_approval_is_not_counted if {
	stale := json.patch(fixtures.approval("risk-officer-2"), [{"op": "add", "path": "/current", "value": false}])
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/approvals", "value": [fixtures.approval("risk-officer-1"), stale]}]))
	fixtures.has_message(d, "1 of 2 required risk_officer approvals")
}

test_high_requester_approval_is_not_counted if {
	approvals := [fixtures.approval("risk-officer-1"), fixtures.approval("ml-engineer")]
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/approvals", "value": approvals}]))
	fixtures.has_message(d, "1 of 2 required risk_officer approvals")
}

test_high_same_principal_counts_once if {
	approvals := [fixtures.approval("risk-officer-1"), fixtures.approval("risk-officer-1")]
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/approvals", "value": approvals}]))
	fixtures.has_message(d, "1 of 2 required risk_officer approvals")
}

test_high_approval_without_the_role_is_not_counted if {
	other := json.patch(fixtures.approval("data-scientist"), [{"op": "add", "path": "/roles", "value": ["ml_engineer"]}])
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/approvals", "value": [fixtures.approval("risk-officer-1"), other]}]))
	fixtures.has_message(d, "1 of 2 required risk_officer approvals")
}

test_high_rejection_is_not_an_approval if {
	rejection := json.patch(fixtures.approval("risk-officer-2"), [{"op": "add", "path": "/decision", "value": "reject"}])
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/approvals", "value": [fixtures.approval("risk-officer-1"), rejection]}]))
	fixtures.has_message(d, "1 of 2 required risk_officer approvals")
}

test_high_missing_fairness_names_art10 if {
	d := decide(json.patch(fixtures.high, [{"op": "remove", "path": "/evidence/assessment.fairness"}]))
	not d.allow
	d.reasons == [{"requirement": "eu_ai_act:art10", "evidence": "assessment.fairness", "message": "no fairness assessment"}]
}

test_high_expired_performance_names_art15 if {
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/evidence/assessment.performance/expired", "value": true}]))
	d.reasons == [{
		"requirement": "eu_ai_act:art15",
		"evidence": "assessment.performance",
		"message": "the performance assessment has expired (3 days old, valid for 180 days)",
	}]
}

test_high_failing_robustness_names_art15 if {
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/evidence/assessment.robustness", "value": fixtures.assessment("fail")}]))
	d.reasons == [{
		"requirement": "eu_ai_act:art15",
		"evidence": "assessment.robustness",
		"message": "the robustness assessment fails: assessment fail",
	}]
}

test_high_missing_explainability_names_art13 if {
	d := decide(json.patch(fixtures.high, [{"op": "remove", "path": "/evidence/assessment.explainability"}]))
	fixtures.has_reason(d, "eu_ai_act:art13", "assessment.explainability")
}

test_high_warning_verdicts_count if {
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/evidence/assessment.performance", "value": fixtures.assessment("warn")}]))
	d.allow
}

test_high_model_card_needs_every_section if {
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/model_card/training_data", "value": false}]))
	d.reasons == [{"requirement": "eu_ai_act:art13", "evidence": null, "message": "the model card does not describe the training data"}]
}

test_high_without_model_card_names_each_section if {
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/model_card", "value": null}]))
	count(d.reasons) == 3
}

test_high_unscanned_training_data_names_art10 if {
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/datasets/0/pii_scan", "value": null}]))
	d.reasons == [{
		"requirement": "eu_ai_act:art10",
		"evidence": "scan.pii",
		"message": "the training dataset german credit (train) has not been scanned for PII",
	}]
}

test_high_unscanned_evaluation_data_is_allowed if {
	# the fixture's evaluation dataset has no scan: only the training data needs one
	fixtures.high.datasets[1].pii_scan == null
	decide(fixtures.high).allow
}

test_high_without_training_dataset_is_denied if {
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/datasets", "value": []}]))
	fixtures.has_reason(d, "eu_ai_act:art10", "scan.pii")
}

test_high_unjustified_special_category_feature_names_gdpr_art9 if {
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/minimization/justified", "value": []}]))
	d.reasons == [{
		"requirement": "gdpr:art9",
		"evidence": "check.data_minimization",
		"message": "the special-category feature \"status_sex\" is used without a justification in the data minimization check",
	}]
}

test_high_special_category_column_without_minimization_names_gdpr_art25 if {
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/minimization", "value": null}]))
	d.reasons == [{
		"requirement": "gdpr:art25",
		"evidence": "check.data_minimization",
		"message": "special-category features status_sex are used and there is no data minimization check",
	}]
}

test_high_special_category_column_not_used_needs_nothing if {
	features := [f | some f in fixtures.high.model_version.features; f != "status_sex"]
	doc := json.patch(fixtures.high, [
		{"op": "add", "path": "/model_version/features", "value": features},
		{"op": "add", "path": "/minimization", "value": null},
	])
	decide(doc).allow
}

test_high_personal_data_needs_a_dpia if {
	d := decide(json.patch(fixtures.high, [{"op": "remove", "path": "/evidence/questionnaire.dpia"}]))
	d.reasons == [{
		"requirement": "gdpr:art35",
		"evidence": "questionnaire.dpia",
		"message": "no data protection impact assessment (DPIA)",
	}]
}

test_high_without_personal_data_needs_no_dpia if {
	doc := json.patch(fixtures.high, [
		{"op": "remove", "path": "/evidence/questionnaire.dpia"},
		{"op": "add", "path": "/system/facts/personal_data", "value": false},
		{"op": "add", "path": "/datasets/0/pii_scan/personal_data", "value": false},
	])
	decide(doc).allow
}

test_high_personal_data_found_by_a_scan_needs_a_dpia if {
	doc := json.patch(fixtures.high, [
		{"op": "remove", "path": "/evidence/questionnaire.dpia"},
		{"op": "add", "path": "/system/facts/personal_data", "value": false},
	])
	fixtures.has_reason(decide(doc), "gdpr:art35", "questionnaire.dpia")
}

test_high_open_high_risk_without_treatment_names_art9 if {
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/risks/0/treatment", "value": null}]))
	d.reasons == [{
		"requirement": "eu_ai_act:art9",
		"evidence": "risk.register",
		"message": "the high risk R-1 \"Lower approval rate for young applicants\" is open without a treatment",
	}]
}

test_high_closed_risk_without_treatment_is_allowed if {
	doc := json.patch(fixtures.high, [
		{"op": "add", "path": "/risks/0/treatment", "value": null},
		{"op": "add", "path": "/risks/0/status", "value": "closed"},
	])
	decide(doc).allow
}

test_high_stale_classification_is_denied if {
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/system/classification/stale", "value": true}]))
	fixtures.has_reason(d, "eu_ai_act:art5", "classification.eu_ai_act")
}

# --- unclassified, prohibited, no system ---------------------------------------------

test_unclassified_is_held_to_the_high_risk_rules if {
	d := decide(json.patch(fixtures.minimal, [{"op": "add", "path": "/system/risk_tier", "value": "unclassified"}]))
	not d.allow
	d.approvals == [{"role": "risk_officer", "count": 2}]
	fixtures.has_reason(d, "eu_ai_act:art10", "assessment.fairness")
	fixtures.has_message(d, "1 of 2 required risk_officer approvals")
}

test_stale_minimal_classification_is_held_to_the_high_risk_rules if {
	d := decide(json.patch(fixtures.minimal, [{"op": "add", "path": "/system/classification/stale", "value": true}]))
	d.approvals == [{"role": "risk_officer", "count": 2}]
}

test_gpai_is_held_to_the_high_risk_rules if {
	d := decide(json.patch(fixtures.minimal, [{"op": "add", "path": "/system/risk_tier", "value": "gpai"}]))
	d.approvals == [{"role": "risk_officer", "count": 2}]
}

test_without_system_is_denied if {
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/system", "value": null}]))
	not d.allow
	fixtures.has_reason(d, "eu_ai_act:art5", "classification.eu_ai_act")
}

test_prohibited_is_denied_even_with_everything if {
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/system/risk_tier", "value": "prohibited"}]))
	d.reasons == [{
		"requirement": "eu_ai_act:art5",
		"evidence": "classification.eu_ai_act",
		"message": "the system is classified as a prohibited AI practice (EU AI Act Art. 5)",
	}]
}

# --- minimal, limited, out of scope ---------------------------------------------------

test_minimal_with_one_approval_is_allowed if {
	d := decide(fixtures.minimal)
	d.allow
	d.approvals == [{"role": "risk_officer", "count": 1}]
}

test_limited_and_out_of_scope_are_light if {
	decide(json.patch(fixtures.minimal, [{"op": "add", "path": "/system/risk_tier", "value": "limited"}])).allow
	decide(json.patch(fixtures.minimal, [{"op": "add", "path": "/system/risk_tier", "value": "out_of_scope"}])).allow
}

test_minimal_without_approval_is_denied if {
	d := decide(json.patch(fixtures.minimal, [{"op": "add", "path": "/approvals", "value": []}]))
	d.reasons == [{"requirement": "eu_ai_act:art14", "evidence": "approval.promotion", "message": "0 of 1 required risk_officer approvals"}]
}

test_minimal_stale_approval_is_not_counted if {
	stale := json.patch(fixtures.approval("risk-officer-1"), [{"op": "add", "path": "/current", "value": false}])
	d := decide(json.patch(fixtures.minimal, [{"op": "add", "path": "/approvals", "value": [stale]}]))
	fixtures.has_message(d, "0 of 1 required risk_officer approvals")
}

test_minimal_needs_a_performance_assessment if {
	d := decide(json.patch(fixtures.minimal, [{"op": "add", "path": "/evidence", "value": {}}]))
	d.reasons == [{"requirement": "eu_ai_act:art15", "evidence": "assessment.performance", "message": "no performance assessment"}]
}

test_minimal_failing_performance_is_denied if {
	d := decide(json.patch(fixtures.minimal, [{"op": "add", "path": "/evidence/assessment.performance", "value": fixtures.assessment("fail")}]))
	fixtures.has_reason(d, "eu_ai_act:art15", "assessment.performance")
}

test_minimal_needs_the_intended_use_in_the_model_card if {
	d := decide(json.patch(fixtures.minimal, [{"op": "add", "path": "/model_card/intended_use", "value": false}]))
	d.reasons == [{"requirement": "eu_ai_act:art13", "evidence": null, "message": "the model card does not describe the intended use"}]
}

test_minimal_needs_a_current_classification if {
	d := decide(json.patch(fixtures.minimal, [{"op": "add", "path": "/system/classification/present", "value": false}]))
	fixtures.has_reason(d, "eu_ai_act:art5", "classification.eu_ai_act")
}

test_minimal_needs_no_fairness_pii_scan_or_dpia if {
	# the minimal fixture has none of them, and personal data
	fixtures.minimal.system.facts.personal_data == true
	decide(fixtures.minimal).allow
}
