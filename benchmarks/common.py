"""What every benchmark needs: best-of-N timing and a description of the machine."""

import os
import platform
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs, and the last result."""
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def timed_slices(
    fn: Callable[[Sequence[T]], list[R]],
    items: Sequence[T],
    size: int,
    repeat: int = 1,
    min_seconds: float = 0.0,
) -> tuple[float, list[R]]:
    """``fn`` over ``items`` a slice of ``size`` at a time, in rounds (at least ``repeat``,
    and more until ``min_seconds`` have passed): the sum of each slice's best wall time,
    and the results of the last round.

    On a machine whose speed swings from one second to the next, the best time of a short
    slice is close to its time on a quiet machine, where the best of a few long passes
    still averages the swings in; the rounds are spread over ``min_seconds`` at least, so
    that a fast engine's few rounds do not all fall into one slow second.
    """
    slices = [items[i : i + size] for i in range(0, len(items), size)]
    best = [float("inf")] * len(slices)
    results: list[R] = []
    rounds, began = 0, time.perf_counter()
    while rounds < repeat or time.perf_counter() - began < min_seconds:
        results = []
        for k, part in enumerate(slices):
            start = time.perf_counter()
            results += fn(part)
            best[k] = min(best[k], time.perf_counter() - start)
        rounds += 1
    return sum(best), results


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "cpu": cpu_model(), "cpus": os.cpu_count()}
