"""Assessments run on the server, on a registered model version and dataset version: the
model and data never leave the platform, and the result is recorded as evidence."""
