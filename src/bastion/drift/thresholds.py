"""Thresholds learned from the reference's own variation: compare several reference
windows with the reference and put each statistic's band at its mean ± 3 standard
deviations (NannyML's default alert band), so a column drifts only when it moves more
than it does between ordinary windows.

Learned bands suit distances (PSI, Jensen-Shannon, Wasserstein), whose values do not
grow with the window's size; KS and chi-square statistics shrink or grow with it, so
learn them from windows of the size that will be monitored.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import mean, stdev

from bastion.drift.compare import compare
from bastion.drift.config import ColumnRule, DriftConfig
from bastion.drift.errors import DriftInputError
from bastion.drift.profile import NumericSummary, Profile

__all__ = ["learn_thresholds"]


def learn_thresholds(
    reference: Profile,
    windows: Sequence[Profile],
    config: DriftConfig | None = None,
    *,
    k: float = 3.0,
) -> DriftConfig:
    """A copy of ``config`` whose column rules carry bands learned from ``windows``.

    Each column's test is fixed first (its rule's, else the default for the reference's
    size), so every window is measured the same way; its band is mean ± ``k`` standard
    deviations (sample std) of the windows' statistics. Columns tested in fewer than two
    windows keep their fixed threshold. The multivariate error, when fitted, gets a band
    the same way.

    Raises
    ------
    DriftInputError
        With fewer than two windows or ``k`` below 0.
    """
    if len(windows) < 2:
        raise DriftInputError("learning thresholds needs at least two windows", field="windows")
    if k < 0:
        raise DriftInputError("k must be at least 0", field="k")
    config = config or DriftConfig()
    pinned = {
        name: ColumnRule(
            test=config.choose_test(
                name,
                summary.kind,
                summary.count,
                len(summary.distinct)
                if isinstance(summary, NumericSummary) and summary.distinct is not None
                else None,
            ),
            threshold=config.rule(name).threshold,
        )
        for name, summary in reference.columns.items()
    }
    measured = config.with_rules(pinned)
    reports = [compare(reference, window, measured) for window in windows]
    rules: dict[str, ColumnRule] = {}
    for name, rule in pinned.items():
        values = [
            c.statistic
            for r in reports
            for c in r.columns
            if c.column == name and c.drifted is not None and c.statistic is not None
        ]
        band = _band(values, k)
        rules[name] = rule if band is None else ColumnRule(rule.test, rule.threshold, band)
    errors = [
        r.multivariate.statistic
        for r in reports
        if r.multivariate is not None and r.multivariate.statistic is not None
    ]
    return measured.with_rules(
        rules, multivariate_band=_band(errors, k) or config.multivariate_band
    )


def _band(values: list[float], k: float) -> tuple[float, float] | None:
    if len(values) < 2:
        return None
    centre, spread = mean(values), stdev(values)
    return (centre - k * spread, centre + k * spread)
