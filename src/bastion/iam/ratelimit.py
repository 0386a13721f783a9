"""Login attempts per client address, counted in a sliding window.

The per-account lockout stops guessing one password; this stops one address from
spraying guesses across many accounts. Counts live in this process: with several
replicas behind a load balancer each keeps its own (a shared Redis limiter is the
production follow-up named in DESIGN.md).
"""

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class SlidingWindowLimiter:
    """At most ``limit`` attempts per ``window`` seconds for each key.

    Parameters
    ----------
    limit
        Attempts allowed in any window.
    window
        Length of the window in seconds.
    max_keys
        Keys remembered at most; the least recently seen are forgotten first, so that a
        flood of addresses cannot grow memory without bound.
    """

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._clock = clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str) -> float | None:
        """Count an attempt; None if allowed, else the seconds until one will be."""
        now = self._clock()
        with self._lock:
            hits = self._hits.pop(key, None) or deque()
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            self._hits[key] = hits
            if len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
            if len(hits) >= self.limit:
                return hits[0] + self.window - now
            hits.append(now)
            return None
