# Retiring a model version is always allowed: taking a system out of service never
# needs evidence, and a prohibited one must be retirable.
package bastion.gates.retired

import rego.v1

import data.bastion.lib

decision := decide(input)

decide(_) := lib.decision(set(), [])
