"""Model cards (Mitchell et al., "Model Cards for Model Reporting", 2019) generated from
the inventory and the evidence recorded about a model version: never written by hand, so
they cannot drift from what was actually measured."""
