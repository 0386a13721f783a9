"""Alerts on monitor metrics: rules (pure, in ``rules``), their state per monitor, and the
notifications, incidents and risks that a firing alert leads to. See
docs/alerts-and-incidents.md.

Kept free of imports: the monitoring schemas validate rules through ``bastion.alerts.rules``,
which must not pull in the platform services.
"""
