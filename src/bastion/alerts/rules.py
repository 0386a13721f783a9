"""Alert rules on monitor metrics and the pure decision of when they fire or resolve.

A monitor stores its rules as a JSON list (validated by ``AlertRules``); after each window
the alert service feeds the recent values of a rule's metric to ``next_state``. Nothing
here touches the database, so the firing logic can be tested and reused on its own.

Missing values: a window that has no value for the metric (the metric was not computed,
the window had too few rows, or the value is NaN) is *unknown*. Unknown is neither a
breach nor a recovery: it **breaks a breaching streak** (``for_windows`` counts windows
that were seen to breach, back to back) and it **does not resolve** a firing alert (only
a window seen to be within the threshold does).
"""

import math
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from bastion.schemas import Input

MAX_RULES = 50
MAX_FOR_WINDOWS = 1000

RuleName = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")
]
# Flat metric names embed column names ("quality.missing.age"), which may contain almost
# anything, so only emptiness and length are checked here.
MetricName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class AlertState(StrEnum):
    OK = "ok"
    FIRING = "firing"
    RESOLVED = "resolved"


class AlertRule(Input):
    """Fire when ``metric`` is ``condition`` ``threshold`` for ``for_windows`` windows in a row.

    The comparison is strict: with ``condition="above"`` a value equal to the threshold
    does not breach.
    """

    name: RuleName = Field(description="Slug, unique among the rules of one monitor.")
    metric: MetricName = Field(
        description='Flat metric name of a window, e.g. "drift.share", '
        '"drift.wasserstein.age", "performance.accuracy".'
    )
    condition: Literal["above", "below"]
    threshold: float = Field(allow_inf_nan=False)
    for_windows: int = Field(default=1, ge=1, le=MAX_FOR_WINDOWS)
    severity: Severity = Severity.HIGH


def _unique_names(rules: list[AlertRule]) -> list[AlertRule]:
    seen: set[str] = set()
    for rule in rules:
        if rule.name in seen:
            raise ValueError(f"alert rule name {rule.name!r} is used twice")
        seen.add(rule.name)
    return rules


AlertRules = Annotated[list[AlertRule], Field(max_length=MAX_RULES), AfterValidator(_unique_names)]
"""The rules of one monitor: names are unique."""


def value_of(metrics: dict[str, float], metric: str) -> float | None:
    """The value of ``metric`` in one window's metrics, ``None`` when unknown (absent or NaN)."""
    value = metrics.get(metric)
    if value is None or math.isnan(value):
        return None
    return float(value)


def breaches(rule: AlertRule, value: float | None) -> bool | None:
    """Whether ``value`` breaches the rule; ``None`` when the value is unknown."""
    if value is None or math.isnan(value):
        return None
    return value > rule.threshold if rule.condition == "above" else value < rule.threshold


def breaching_streak(rule: AlertRule, values: Sequence[float | None]) -> int:
    """How many of the newest windows breach back to back (``values`` oldest first)."""
    streak = 0
    for value in reversed(values):
        if not breaches(rule, value):
            break
        streak += 1
    return streak


def next_state(rule: AlertRule, current: AlertState, values: Sequence[float | None]) -> AlertState:
    """The rule's state after the newest window, given the values oldest first.

    Only the newest ``rule.for_windows`` values matter; pass at least that many when
    available. A firing alert stays firing while the newest value breaches or is unknown.
    """
    if current == AlertState.FIRING:
        newest = values[-1] if values else None
        return AlertState.RESOLVED if breaches(rule, newest) is False else AlertState.FIRING
    if breaching_streak(rule, values) >= rule.for_windows:
        return AlertState.FIRING
    return current
