package bastion.gates.register

import rego.v1

import data.bastion.fixtures

test_allows_a_high_risk_system if {
	d := decide(fixtures.high)
	d.allow
	d.reasons == []
	d.approvals == []
}

test_allows_a_model_version_without_system if {
	d := decide({"system": null, "evidence": {}})
	d.allow
}

test_denies_a_prohibited_system if {
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/system/risk_tier", "value": "prohibited"}]))
	not d.allow
	fixtures.has_reason(d, "eu_ai_act:art5", "classification.eu_ai_act")
}
