package bastion.lib

import rego.v1

test_no_system_is_unclassified_and_held_to_high_risk if {
	tier({"system": null}) == "unclassified"
	high_risk({"system": null})
}

test_a_current_classification_sets_the_tier if {
	doc := {"system": {"risk_tier": "limited", "classification": {"present": true, "stale": false}}}
	tier(doc) == "limited"
	light(doc)
}

test_a_stale_classification_is_unclassified if {
	doc := {"system": {"risk_tier": "minimal", "classification": {"present": true, "stale": true}}}
	tier(doc) == "unclassified"
}

test_prohibited_stays_prohibited_when_stale if {
	doc := {"system": {"risk_tier": "prohibited", "classification": {"present": true, "stale": true}}}
	prohibited(doc)
	not high_risk(doc)
}

test_gpai_is_held_to_high_risk if {
	high_risk({"system": {"risk_tier": "gpai", "classification": {"present": true, "stale": false}}})
}

test_missing_or_malformed_evidence_is_no_evidence if {
	evidence_problem({}, "assessment.fairness") == "no fairness assessment"
	evidence_problem({"evidence": null}, "assessment.fairness") == "no fairness assessment"
	evidence_problem({"evidence": {"assessment.fairness": "yes"}}, "assessment.fairness") == "no fairness assessment"
}

test_an_unlabelled_kind_is_named_as_is if {
	evidence_problem({"evidence": {}}, "document.logging") == "no document.logging"
}

test_a_warning_counts if {
	not evidence_problem({"evidence": {"scan.pii": {"verdict": "warn", "expired": false}}}, "scan.pii")
}

test_approvers_are_distinct_current_and_not_the_requester if {
	doc := {
		"request": {"requester": "a"},
		"approvals": [
			{"principal": "a", "roles": ["risk_officer"], "decision": "approve", "current": true},
			{"principal": "b", "roles": ["risk_officer"], "decision": "approve", "current": true},
			{"principal": "b", "roles": ["risk_officer"], "decision": "approve", "current": true},
			{"principal": "c", "roles": ["risk_officer"], "decision": "approve", "current": false},
			{"principal": "d", "roles": ["auditor"], "decision": "approve", "current": true},
			{"principal": "e", "roles": ["risk_officer"], "decision": "reject", "current": true},
		],
	}
	approvers(doc, "risk_officer") == {"b"}
}

test_malformed_approvals_count_as_none if {
	count(approvers({"approvals": "all of them"}, "risk_officer")) == 0
}
