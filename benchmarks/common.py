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
    fn: Callable[[Sequence[T]], list[R]], items: Sequence[T], size: int, repeat: int = 1
) -> tuple[float, list[R]]:
    """``fn`` over ``items`` a slice of ``size`` at a time, in ``repeat`` rounds: the sum
    of each slice's best wall time, and the results of the last round.

    On a machine whose speed swings from one second to the next, the best time of a short
    slice is close to its time on a quiet machine, where the best of a few long passes
    still averages the swings in.
    """
    slices = [items[i : i + size] for i in range(0, len(items), size)]
    best = [float("inf")] * len(slices)
    results: list[R] = []
    for _ in range(repeat):
        results = []
        for k, part in enumerate(slices):
            start = time.perf_counter()
            results += fn(part)
            best[k] = min(best[k], time.perf_counter() - start)
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
