"""The timing helpers every benchmark shares."""

import time
from collections.abc import Sequence

from benchmarks.common import timed_slices


def test_timed_slices_returns_every_result_in_order_from_each_round() -> None:
    calls: list[list[int]] = []

    def double(part: Sequence[int]) -> list[int]:
        calls.append(list(part))
        return [x * 2 for x in part]

    seconds, out = timed_slices(double, list(range(10)), 4, repeat=3)
    assert out == [x * 2 for x in range(10)]
    assert calls == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]] * 3
    assert seconds >= 0


def test_timed_slices_keeps_each_slices_best_round() -> None:
    # Each slice is slow in a different round: the sum of bests misses every slow pass.
    rounds = iter(range(9))

    def slow_once(part: Sequence[int]) -> list[int]:
        call = next(rounds)
        if call in (0, 4, 8):  # slice 0 in round 0, slice 1 in round 1, slice 2 in round 2
            time.sleep(0.2)
        return list(part)

    seconds, _ = timed_slices(slow_once, list(range(6)), 2, repeat=3)
    assert seconds < 0.2


def test_timed_slices_spreads_its_rounds_over_min_seconds() -> None:
    rounds: list[float] = []

    def note(part: Sequence[int]) -> list[int]:
        rounds.append(time.perf_counter())
        time.sleep(0.01)
        return list(part)

    timed_slices(note, [1], 1, repeat=2, min_seconds=0.3)
    assert len(rounds) > 2  # more rounds than asked, until 0.3 s had passed
    assert rounds[-1] - rounds[0] >= 0.25
