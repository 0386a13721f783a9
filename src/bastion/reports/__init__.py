"""Compliance reports and evidence packs of AI systems.

``bastion.reports.verify`` is pure (it checks a pack offline, with no server); the rest
assembles reports and packs from the platform's records.
"""
