# Staging needs a current EU AI Act classification, and no prohibited tier.
package bastion.gates.staging

import rego.v1

import data.bastion.lib

decision := decide(input)

decide(doc) := lib.decision(reasons(doc), [])

reasons(doc) := lib.prohibited_reasons(doc) | lib.classification_reasons(doc)
