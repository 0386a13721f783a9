# The data-protection checks of a high-risk production release: the training data was
# scanned for PII; special-category columns are used as features only when the data
# minimization check justifies them; a DPIA exists when personal data is processed.
package bastion.checks.data_protection

import rego.v1

import data.bastion.lib

reasons(doc) := union({
	scan_reasons(doc),
	special_category_reasons(doc),
	dpia_reasons(doc),
})

training(doc) := [d |
	some d in lib.datasets(doc)
	d.role == "training"
]

dataset_name(d) := concat("", [lib.text(object.get(d, "name", "?")), " (", lib.text(object.get(d, "version", "?")), ")"])

scan_reasons(doc) := {r |
	count(training(doc)) == 0
	r := lib.reason(
		"eu_ai_act:art10",
		"scan.pii",
		"no training dataset is linked to the model version, so its training data cannot be shown to be scanned for PII",
	)
} if {
	count(training(doc)) == 0
} else := {r |
	some d in training(doc)
	not is_object(object.get(d, "pii_scan", null))
	r := lib.reason(
		"eu_ai_act:art10",
		"scan.pii",
		concat("", ["the training dataset ", dataset_name(d), " has not been scanned for PII"]),
	)
}

special_category_columns(doc) := {c |
	some d in training(doc)
	some c in lib.array_or_empty(d.pii_scan.special_category_columns)
}

# The special-category features: the columns a scan flagged that the model uses, and the
# features the minimization check itself flagged. (Functions are not memoized: bind
# what a comprehension reads before it.)
special_category_features(doc) := used | flagged if {
	columns := special_category_columns(doc)
	used := {f |
		some f in lib.features(doc)
		f in columns
	}
	flagged := {f | some f in lib.array_or_empty(lib.minimization(doc).special_category_features)}
}

special_category_reasons(doc) := {r |
	features := special_category_features(doc)
	count(features) > 0
	r := lib.reason(
		"gdpr:art25",
		"check.data_minimization",
		concat("", [
			"special-category features ", concat(", ", sort([f | some f in features])),
			" are used and there is no data minimization check",
		]),
	)
} if {
	count(lib.minimization(doc)) == 0
} else := reasons if {
	justified := {f | some f in lib.array_or_empty(lib.minimization(doc).justified)}
	features := special_category_features(doc)
	reasons := {r |
		some f in features
		not f in justified
		r := lib.reason(
			"gdpr:art9",
			"check.data_minimization",
			concat("", [
				"the special-category feature \"", lib.text(f),
				"\" is used without a justification in the data minimization check",
			]),
		)
	}
}

personal_data(doc) if doc.system.facts.personal_data == true

personal_data(doc) if {
	some d in lib.datasets(doc)
	d.pii_scan.personal_data == true
}

dpia_reasons(doc) := lib.evidence_reasons(doc, "questionnaire.dpia", "gdpr:art35") if {
	personal_data(doc)
} else := set()
