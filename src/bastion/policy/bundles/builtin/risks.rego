# The risk register of a high-risk production release: no open high or critical risk
# may be left without a chosen treatment (ISO 31000 §6.5).
package bastion.checks.risks

import rego.v1

import data.bastion.lib

reasons(doc) := {r |
	some risk in lib.risks(doc)
	risk.status != "closed"
	risk.level in {"high", "critical"}
	object.get(risk, "treatment", null) == null
	msg := concat("", [
		"the ", risk.level, " risk ", lib.text(object.get(risk, "number", "?")),
		" \"", lib.text(object.get(risk, "title", "")), "\" is open without a treatment",
	])
	r := lib.reason("eu_ai_act:art9", "risk.register", msg)
}
