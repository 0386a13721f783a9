"""Closed vocabularies of incidents, shared by the tables, the API and the CLI."""

from collections.abc import Mapping
from enum import StrEnum


class IncidentStatus(StrEnum):
    OPEN = "open"
    INVESTIGATING = "investigating"
    MITIGATED = "mitigated"
    CLOSED = "closed"


# Forward through the handling, back from mitigated to investigating when the fix did not
# hold; closed is final (a new firing opens a new incident). Closing has its own call,
# which asks for a resolution.
TRANSITIONS: Mapping[IncidentStatus, frozenset[IncidentStatus]] = {
    IncidentStatus.OPEN: frozenset({IncidentStatus.INVESTIGATING, IncidentStatus.MITIGATED}),
    IncidentStatus.INVESTIGATING: frozenset({IncidentStatus.MITIGATED}),
    IncidentStatus.MITIGATED: frozenset({IncidentStatus.INVESTIGATING}),
    IncidentStatus.CLOSED: frozenset(),
}


class IncidentSource(StrEnum):
    """How the incident was opened."""

    ALERT = "alert"
    MANUAL = "manual"


class EventKind(StrEnum):
    """What one entry of an incident's timeline records."""

    OPENED = "opened"
    ALERT_FIRING = "alert_firing"
    ALERT_RESOLVED = "alert_resolved"
    UPDATED = "updated"
    NOTE = "note"
    CLOSED = "closed"


class LinkKind(StrEnum):
    ALERT = "alert"
    EVIDENCE = "evidence"
    RISK = "risk"
