package bastion.gates.staging

import rego.v1

import data.bastion.fixtures

test_allows_a_current_classification_high if {
	d := decide(fixtures.high)
	d.allow
}

test_allows_a_current_classification_minimal if {
	d := decide(fixtures.minimal)
	d.allow
}

test_denies_a_missing_classification if {
	d := decide(json.patch(fixtures.minimal, [{"op": "add", "path": "/system/classification", "value": {"present": false, "stale": false, "age_days": null}}]))
	not d.allow
	fixtures.has_message(d, "the system has no EU AI Act classification")
}

test_denies_a_stale_classification if {
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/system/classification/stale", "value": true}]))
	not d.allow
	fixtures.has_message(d, "the system's EU AI Act classification is stale (3 days old): its purpose, intended use or deployment context changed since")
}

test_denies_a_model_version_without_system if {
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/system", "value": null}]))
	not d.allow
	fixtures.has_message(d, "the model version belongs to no AI system, so it has no EU AI Act classification")
}

test_denies_a_prohibited_system if {
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/system/risk_tier", "value": "prohibited"}]))
	not d.allow
	fixtures.has_message(d, "the system is classified as a prohibited AI practice (EU AI Act Art. 5)")
}
