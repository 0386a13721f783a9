# Registering a model version is always allowed, except for a prohibited system.
package bastion.gates.register

import rego.v1

import data.bastion.lib

decision := decide(input)

decide(doc) := lib.decision(lib.prohibited_reasons(doc), [])
