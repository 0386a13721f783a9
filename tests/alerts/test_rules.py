"""Alert rules: validation (each error names its field) and the pure firing decision."""

import math

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bastion.alerts.rules import (
    AlertRule,
    AlertRules,
    AlertState,
    Severity,
    breaches,
    breaching_streak,
    next_state,
    value_of,
)

OK, FIRING, RESOLVED = AlertState.OK, AlertState.FIRING, AlertState.RESOLVED


def rule(**fields: object) -> AlertRule:
    values: dict[str, object] = {
        "name": "drift-high",
        "metric": "drift.share",
        "condition": "above",
        "threshold": 0.3,
        **fields,
    }
    return AlertRule.model_validate(values)


def test_defaults() -> None:
    made = rule()
    assert (made.for_windows, made.severity) == (1, Severity.HIGH)


@pytest.mark.parametrize(
    ("fields", "location"),
    [
        ({"name": "Drift High"}, "name"),
        ({"name": ""}, "name"),
        ({"metric": "  "}, "metric"),
        ({"condition": "over"}, "condition"),
        ({"threshold": math.nan}, "threshold"),
        ({"threshold": math.inf}, "threshold"),
        ({"for_windows": 0}, "for_windows"),
        ({"severity": "urgent"}, "severity"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_rules_name_the_field(fields: dict[str, object], location: str) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        rule(**fields)
    assert [error["loc"] for error in caught.value.errors()] == [(location,)]


def test_rule_names_are_unique_per_monitor() -> None:
    adapter = pydantic.TypeAdapter(AlertRules)
    one = {"name": "a", "metric": "drift.share", "condition": "above", "threshold": 0.3}
    with pytest.raises(pydantic.ValidationError, match="alert rule name 'a' is used twice"):
        adapter.validate_python([one, one])
    assert len(adapter.validate_python([one, one | {"name": "b"}])) == 2


def test_comparisons_are_strict() -> None:
    above, below = rule(), rule(condition="below", threshold=0.8)
    assert breaches(above, 0.31) is True
    assert breaches(above, 0.3) is False
    assert breaches(below, 0.79) is True
    assert breaches(below, 0.8) is False
    assert breaches(above, None) is None
    assert breaches(above, math.nan) is None


def test_value_of_treats_absent_and_nan_as_unknown() -> None:
    metrics = {"drift.share": 0.4, "performance.accuracy": math.nan}
    assert value_of(metrics, "drift.share") == 0.4
    assert value_of(metrics, "performance.accuracy") is None
    assert value_of(metrics, "quality.missing.age") is None


def test_fires_after_for_windows_breaches_in_a_row() -> None:
    made = rule(for_windows=3)
    assert next_state(made, OK, [0.5, 0.5]) == OK
    assert next_state(made, OK, [0.1, 0.5, 0.5]) == OK
    assert next_state(made, OK, [0.5, 0.5, 0.5]) == FIRING
    assert next_state(made, RESOLVED, [0.4, 0.5, 0.6]) == FIRING


def test_a_missing_value_breaks_the_streak() -> None:
    made = rule(for_windows=2)
    assert breaching_streak(made, [0.5, None, 0.5]) == 1
    assert next_state(made, OK, [0.5, None, 0.5]) == OK


def test_a_firing_alert_resolves_only_on_a_value_seen_within() -> None:
    made = rule(for_windows=2)
    assert next_state(made, FIRING, [0.5, 0.5]) == FIRING
    assert next_state(made, FIRING, [0.5, None]) == FIRING  # unknown is not recovery
    assert next_state(made, FIRING, [0.5, 0.2]) == RESOLVED
    assert next_state(made, FIRING, []) == FIRING


values = st.lists(st.one_of(st.none(), st.floats(-1, 2)), max_size=12)


@given(values, st.integers(1, 5))
def test_firing_means_the_newest_windows_all_breach(recent: list[float | None], n: int) -> None:
    made = rule(for_windows=n)
    fires = next_state(made, OK, recent) == FIRING
    newest = recent[-n:]
    assert fires == (len(newest) == n and all(v is not None and v > 0.3 for v in newest))
