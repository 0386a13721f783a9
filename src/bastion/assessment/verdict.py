"""Verdicts and the threshold checks behind them, shared by every assessment.

A result's verdict is the worst outcome of its checks; each check compares one figure
with a warn and a fail threshold. A figure that is undefined (NaN) cannot be shown to
pass, so it warns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

__all__ = ["Check", "Verdict", "judge", "plain", "summarize", "verdict_of", "worst"]

Verdict = Literal["pass", "warn", "fail", "info"]
_SEVERITY: dict[str, int] = {"info": 0, "pass": 1, "warn": 2, "fail": 3}


def worst(*verdicts: Verdict) -> Verdict:
    """The most severe of the verdicts (fail > warn > pass > info)."""
    return max(verdicts, key=lambda v: _SEVERITY[v])


def plain(value: Any) -> Any:
    """A value as plain JSON: NaN and infinities become ``None``, tuples lists."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True)
class Check:
    """One threshold check behind a verdict.

    ``method`` says how the figure was computed where there is more than one way
    (fairlearn's ``between_groups`` or ``to_overall``, an attack's name, …).
    """

    metric: str
    method: str | None
    value: float
    warn_at: float
    fail_at: float
    higher_is_better: bool
    outcome: Verdict

    def to_dict(self) -> dict[str, Any]:
        """The check as plain JSON."""
        return plain(self.__dict__)  # type: ignore[no-any-return]

    def describe(self) -> str:
        """The check in a few words, for summaries: ``accuracy 0.812``."""
        shown = "undefined" if not math.isfinite(self.value) else f"{self.value:.3g}"
        name = self.metric.replace("_", " ")
        return f"{name} ({self.method}) {shown}" if self.method else f"{name} {shown}"


def judge(
    metric: str,
    value: float,
    *,
    warn_at: float,
    fail_at: float,
    higher_is_better: bool,
    method: str | None = None,
) -> Check:
    """Compare ``value`` with the thresholds: fail beyond ``fail_at``, warn beyond ``warn_at``.

    For a figure where higher is better, "beyond" means below; otherwise above. The
    thresholds themselves pass (a ratio of exactly 0.8 meets the four-fifths rule).
    """
    value = float(value)
    outcome: Verdict
    if not math.isfinite(value):
        outcome = "warn"  # undefined: cannot be shown to pass
    elif higher_is_better:
        outcome = "fail" if value < fail_at else "warn" if value < warn_at else "pass"
    else:
        outcome = "fail" if value > fail_at else "warn" if value > warn_at else "pass"
    return Check(metric, method, value, warn_at, fail_at, higher_is_better, outcome)


def verdict_of(checks: tuple[Check, ...] | list[Check], *extra: Verdict) -> Verdict:
    """The worst outcome of the checks and any extra verdicts; ``info`` with neither."""
    outcomes: list[Verdict] = [c.outcome for c in checks] + list(extra)
    return worst(*outcomes) if outcomes else "info"


def summarize(title: str, verdict: Verdict, checks: tuple[Check, ...] | list[Check]) -> str:
    """One sentence for an evidence record: the verdict and the checks that decided it."""
    if not checks:
        return f"{verdict}: {title}"
    deciding = [c for c in checks if c.outcome == verdict] or list(checks)
    return f"{verdict}: {', '.join(c.describe() for c in deciding)} ({title})"
