package bastion.gates.retired

import rego.v1

import data.bastion.fixtures

test_allows_anything if {
	d := decide({})
	d == {"allow": true, "reasons": [], "approvals": []}
}

test_allows_a_prohibited_system if {
	d := decide(json.patch(fixtures.high, [{"op": "add", "path": "/system/risk_tier", "value": "prohibited"}]))
	d.allow
}
