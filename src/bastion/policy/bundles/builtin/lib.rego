# Shared rules of the built-in bundle: the tier a system is held to, the evidence and
# approval checks the gates reuse, and the shape of a gate decision (docs/policy.md).
#
# Every check is a function of the evidence document, and each gate's `decision` is
# `decide(input)`: the unit tests call `decide(doc)` on their own documents. (The usual
# `decision with input as doc` makes rego-cpp 1.5 abort the process when the rule calls
# any builtin; see docs/policy.md, "Writing policies".) Checks return sets of reasons,
# empty when the check passes, so a gate's reasons are the union of its checks.
package bastion.lib

import rego.v1

# Tiers with the lighter rules of the table's first column.
light_tiers := {"minimal", "limited", "out_of_scope"}

# The tier as classified; no system, or no tier, is "unclassified".
declared_tier(doc) := t if {
	t := doc.system.risk_tier
	is_string(t)
} else := "unclassified"

classification_current(doc) if {
	doc.system.classification.present == true
	not doc.system.classification.stale == true
}

# The tier the gates apply. A stale classification no longer vouches for a lighter tier
# (docs/compliance.md: until the system is classified again, every tier's requirements
# apply), but a prohibited one stays prohibited.
tier(doc) := declared_tier(doc) if {
	classification_current(doc)
} else := "prohibited" if {
	declared_tier(doc) == "prohibited"
} else := "unclassified"

prohibited(doc) if tier(doc) == "prohibited"

light(doc) if tier(doc) in light_tiers

# Unclassified systems, and tiers the table does not name (e.g. gpai), get the high-risk
# rules: a gap in the classification must never make a gate easier.
high_risk(doc) if {
	not prohibited(doc)
	not light(doc)
}

# Parts of the document when they have the expected type, else the empty value: a
# missing or malformed part counts as nothing given, never as an error that passes.
# (Plain references: object.get(doc, path, …) on a function argument copies the
# document in rego-cpp 1.5, milliseconds per call.)
array_or_empty(x) := x if is_array(x) else := []

object_or_empty(x) := x if is_object(x) else := {}

approvals(doc) := array_or_empty(doc.approvals) if doc.approvals else := []

datasets(doc) := array_or_empty(doc.datasets) if doc.datasets else := []

risks(doc) := array_or_empty(doc.risks) if doc.risks else := []

features(doc) := array_or_empty(doc.model_version.features) if doc.model_version.features else := []

minimization(doc) := object_or_empty(doc.minimization) if doc.minimization else := {}

requester(doc) := doc.request.requester if doc.request.requester else := null

# A value as message text. Messages are joined with concat: rego-cpp 1.5's sprintf keeps
# the quotes of a string that was passed into a function (and its output is then not
# valid JSON), while numbers format fine.
text(x) := x if is_string(x) else := sprintf("%v", [x])

reason(requirement, kind, message) := {
	"requirement": requirement,
	"evidence": kind,
	"message": message,
}

labels := {
	"assessment.fairness": "fairness assessment",
	"assessment.performance": "performance assessment",
	"assessment.robustness": "robustness assessment",
	"assessment.explainability": "explainability assessment",
	"classification.eu_ai_act": "EU AI Act classification",
	"check.data_minimization": "data minimization check",
	"questionnaire.dpia": "data protection impact assessment (DPIA)",
	"scan.pii": "PII scan",
}

label(kind) := object.get(labels, kind, kind)

# The current evidence of a kind, when the document has it as an object. (object.get:
# in rego-cpp 1.5, `doc.evidence[kind]` with `kind` a function argument scans the whole
# map, half a millisecond per lookup on 50 pieces of evidence.)
evidence_of(doc, kind) := e if {
	is_object(doc.evidence)
	e := object.get(doc.evidence, kind, null)
	is_object(e)
}

# Why the current evidence of one kind does not count: missing, expired or failing.
# Undefined when it counts; a warning counts (it is for people to read, not a blocker).
evidence_problem(doc, kind) := concat(" ", ["no", label(kind)]) if {
	not evidence_of(doc, kind)
} else := msg if {
	e := evidence_of(doc, kind)
	e.expired == true
	msg := concat("", [
		"the ", label(kind), " has expired (",
		text(object.get(e, "age_days", "?")), " days old, valid for ",
		text(object.get(e, "validity_days", "?")), " days)",
	])
} else := msg if {
	e := evidence_of(doc, kind)
	e.verdict == "fail"
	msg := concat("", ["the ", label(kind), " fails: ", text(object.get(e, "summary", "no summary"))])
}

evidence_reasons(doc, kind, requirement) := {r |
	r := reason(requirement, kind, evidence_problem(doc, kind))
}

# Art. 5 practices may not be placed on the market: every gate but retired denies them.
prohibited_reasons(doc) := {r |
	prohibited(doc)
	r := reason(
		"eu_ai_act:art5",
		"classification.eu_ai_act",
		"the system is classified as a prohibited AI practice (EU AI Act Art. 5)",
	)
}

classification_problem(doc) := "the model version belongs to no AI system, so it has no EU AI Act classification" if {
	not is_object(doc.system)
} else := "the system has no EU AI Act classification" if {
	not doc.system.classification.present == true
} else := msg if {
	doc.system.classification.stale == true
	msg := concat("", [
		"the system's EU AI Act classification is stale (",
		text(object.get(doc.system.classification, "age_days", "?")),
		" days old): its purpose, intended use or deployment context changed since",
	])
}

# A current classification: present and not stale.
classification_reasons(doc) := {r |
	r := reason("eu_ai_act:art5", "classification.eu_ai_act", classification_problem(doc))
}

# Distinct principals with the role whose approval counts: an approval of the model
# version as it is now (`current`), by someone other than the requester.
approvers(doc, role) := {a.principal |
	some a in approvals(doc)
	a.decision == "approve"
	a.current == true
	role in a.roles
	a.principal != requester(doc)
}

approval_reasons(doc, role, needed) := {r |
	given := count(approvers(doc, role))
	given < needed
	msg := concat("", [text(given), " of ", text(needed), " required ", role, " approvals"])
	r := reason("eu_ai_act:art14", "approval.promotion", msg)
}

# The decision document of docs/policy.md: allowed when no reason denies it. (The
# reasons are sorted as an array: rego-cpp 1.5's sort of a set gives a value that
# compares unequal to the same array.)
decision(reasons, approvals) := {
	"allow": count(reasons) == 0,
	"reasons": sort([r | some r in reasons]),
	"approvals": approvals,
}
