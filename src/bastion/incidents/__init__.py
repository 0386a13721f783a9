"""Incidents: what went wrong with an AI system in operation, from the moment an alert
fires (or someone reports it) to its closing, with a timeline and links to the alerts,
evidence and risks involved. See docs/alerts-and-incidents.md."""
