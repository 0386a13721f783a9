# Production: the table of docs/policy.md. Minimal, limited and out-of-scope systems need a
# current classification, a performance assessment, a model card stating the intended
# use and one risk_officer approval; high-risk (and unclassified) systems need the full
# evidence, the data-protection and risk checks, and two approvals.
package bastion.gates.production

import rego.v1

import data.bastion.checks.data_protection
import data.bastion.checks.risks
import data.bastion.lib

decision := decide(input)

decide(doc) := lib.decision(reasons(doc), [{"role": approver_role, "count": required_approvals(doc)}])

approver_role := "risk_officer"

required_approvals(doc) := 1 if lib.light(doc) else := 2

# The assessments each tier needs, and the requirement each serves.
assessments(doc) := {"assessment.performance": "eu_ai_act:art15"} if {
	lib.light(doc)
} else := {
	"assessment.fairness": "eu_ai_act:art10",
	"assessment.performance": "eu_ai_act:art15",
	"assessment.robustness": "eu_ai_act:art15",
	"assessment.explainability": "eu_ai_act:art13",
}

# The model card sections each tier needs.
card_sections(doc) := {"intended_use": "the intended use"} if {
	lib.light(doc)
} else := {
	"intended_use": "the intended use",
	"training_data": "the training data",
	"performance": "the performance",
}

# (rego-cpp 1.5 does not parse `some key, value in x` inside a comprehension.)
assessment_reasons(doc) := union({reasons |
	some kind
	requirement := assessments(doc)[kind]
	reasons := lib.evidence_reasons(doc, kind, requirement)
})

card_reasons(doc) := {r |
	some section
	wording := card_sections(doc)[section]
	not object.get(doc, ["model_card", section], false) == true
	r := lib.reason("eu_ai_act:art13", null, concat(" ", ["the model card does not describe", wording]))
}

high_risk_reasons(doc) := set() if {
	lib.light(doc)
} else := data_protection.reasons(doc) | risks.reasons(doc)

reasons(doc) := union({
	lib.prohibited_reasons(doc),
	lib.classification_reasons(doc),
	assessment_reasons(doc),
	card_reasons(doc),
	high_risk_reasons(doc),
	lib.approval_reasons(doc, approver_role, required_approvals(doc)),
})
