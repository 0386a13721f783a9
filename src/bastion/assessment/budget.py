"""Budgets for long assessments: a wall-clock deadline and a progress callback.

Attacks and model-agnostic explanations can run for hours on a large sample; every long
assessment takes a time budget and stops cleanly when it is spent, saying in its result
how much it got through. ``progress`` lets a caller (the CLI's progress bar, a notebook)
watch: it is called with the units done and the units in all.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bastion.assessment.errors import AssessmentInputError

__all__ = ["Deadline", "Progress", "report"]

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each unit of work (a row, an attack, …)."""


class Deadline:
    """A wall-clock budget, started when created; ``None`` seconds means no limit."""

    def __init__(self, seconds: float | None) -> None:
        if seconds is not None and seconds <= 0:
            raise AssessmentInputError(
                f"a time budget must be positive, got {seconds}", field="time_budget"
            )
        self.seconds = seconds
        self._start = time.monotonic()

    @property
    def elapsed(self) -> float:
        """Seconds since the budget started."""
        return time.monotonic() - self._start

    def expired(self) -> bool:
        """Whether the budget is spent."""
        return self.seconds is not None and self.elapsed >= self.seconds

    def remaining(self) -> float | None:
        """Seconds left (never negative), or ``None`` without a limit."""
        return None if self.seconds is None else max(0.0, self.seconds - self.elapsed)


def report(progress: Progress | None, done: int, total: int) -> None:
    """Call ``progress`` if there is one."""
    if progress is not None:
        progress(done, total)
