"""The background delivery both senders share: a bounded queue, one daemon worker thread,
retries with exponential back-off, and a ``close`` that drains then gives up.

:class:`bastion.notify.WebhookNotifier` and :class:`bastion.notify.EmailNotifier` each
hold a :class:`DeliveryQueue` of their own items and give it what differs: how one
attempt is made and classified (an HTTP POST, an SMTP conversation), how an item is named
in the logs, and how a final outcome is logged. The queue counts every outcome
(:class:`DeliveryStats`) and never raises to the caller: a slow or unreachable receiver
never blocks or fails the action that queued the item.
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
import threading
from collections import deque
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from bastion.errors import InvalidInput

__all__ = ["Attempt", "DeliveryQueue", "DeliveryStats", "Outcome", "backoff_delay", "is_loopback"]

ItemT = TypeVar("ItemT")

Outcome = Literal["sent", "failed", "dropped"]
"""What finally became of an item, as counted in :class:`DeliveryStats`."""

_jitter = secrets.SystemRandom()


@dataclass(frozen=True, slots=True)
class DeliveryStats:
    """Counts of notifications since the notifier was created.

    Attributes
    ----------
    sent
        Accepted by the receiver (for a webhook, a 2xx response).
    failed
        Given up: refused by the receiver in a way a retry would not change, or still
        failing after ``max_attempts`` attempts.
    dropped
        Never delivered nor given up: the queue was full, the item could not be built
        (a webhook payload that cannot be serialized), or the sender was closed before
        its turn came.
    """

    sent: int = 0
    failed: int = 0
    dropped: int = 0


@dataclass(frozen=True, slots=True)
class Attempt:
    """The result of one attempt: ``sent``, worth a ``retry``, or ``refused`` for good.

    ``reason`` is logged, so it never holds a secret, an address or the item's content;
    ``retry_after`` is the receiver's own wish (HTTP ``Retry-After``), in seconds.
    """

    outcome: Literal["sent", "retry", "refused"]
    reason: str = ""
    retry_after: float | None = None


def backoff_delay(
    attempt: int,
    *,
    base: float,
    cap: float,
    retry_after: float | None = None,
) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based).

    "Equal jitter" of the AWS Architecture Blog's *Exponential Backoff And Jitter* (2015):
    half of ``min(cap, base * 2**(attempt - 1))`` plus a uniform draw over the other half,
    so that retries are spread out yet never much sooner than the schedule. A receiver's
    ``Retry-After`` replaces the schedule, still capped at ``cap``.
    """
    if retry_after is not None:
        return max(0.0, min(retry_after, cap))
    ceiling = min(cap, base * 2.0 ** min(attempt - 1, 64))
    return ceiling / 2 + _jitter.uniform(0, ceiling / 2)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is ``localhost`` or a loopback address (``127.0.0.0/8``, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class DeliveryQueue(Generic[ItemT]):
    """Items waiting for one daemon worker thread that attempts each until it is sent,
    refused, or out of attempts.

    Parameters
    ----------
    connect
        Called at the start of each worker thread: a context manager giving the function
        that makes one attempt at one item, and holding for the thread's life whatever
        that function needs (the webhook's HTTP connection pool, which must not cross a
        fork).
    describe
        Names an item in the logs, e.g. ``"e-mail <id> to smtp.example.org:587"``.
    report
        Logs an item's final outcome with its reason; the queue has counted it already.
    sender
        What the owner is called in the logs (``"notifier"``, ``"mailer"``).
    thread_name
        The worker thread's name.
    logger
        Where retries and drops are logged: the owner's, so that records keep its name.
    max_attempts, backoff_base, backoff_max, queue_size
        As for :class:`bastion.notify.WebhookNotifier`.

    Raises
    ------
    InvalidInput
        For an out-of-range limit.
    """

    def __init__(
        self,
        connect: Callable[[], AbstractContextManager[Callable[[ItemT], Attempt]]],
        *,
        describe: Callable[[ItemT], str],
        report: Callable[[ItemT, Outcome, str], None],
        sender: str,
        thread_name: str,
        logger: logging.Logger,
        max_attempts: int,
        backoff_base: float,
        backoff_max: float,
        queue_size: int,
    ) -> None:
        for name, value, minimum in (
            ("max_attempts", max_attempts, 1),
            ("queue_size", queue_size, 1),
            ("backoff_base", backoff_base, 0),
            ("backoff_max", backoff_max, 0),
        ):
            if value < minimum:
                raise InvalidInput(f"{name} must be at least {minimum}", field=name)
        self._connect = connect
        self._describe = describe
        self._report = report
        self._sender = sender
        self._thread_name = thread_name
        self._logger = logger
        self.max_attempts = max_attempts
        self.queue_size = queue_size
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max

        self._lock = threading.Lock()
        self._wakeup = threading.Condition(self._lock)
        self._items: deque[ItemT] = deque()
        self._closing = False
        self._stop = threading.Event()  # set when close() gives up draining
        self._thread: threading.Thread | None = None
        self._sent = 0
        self._failed = 0
        self._dropped = 0

    @property
    def stats(self) -> DeliveryStats:
        """A snapshot of the sent, failed and dropped counts."""
        with self._lock:
            return DeliveryStats(sent=self._sent, failed=self._failed, dropped=self._dropped)

    def count_dropped(self) -> None:
        """Count an item the owner could not even build (and has logged why)."""
        with self._lock:
            self._dropped += 1

    def put(self, item: ItemT) -> None:
        """Queue ``item`` and return at once; if closed or full, drop it with a warning."""
        with self._lock:
            refused = f"the {self._sender} is closed" if self._closing else None
            if refused is None and len(self._items) >= self.queue_size:
                refused = f"the queue is full ({self.queue_size} waiting)"
            if refused is None:
                self._items.append(item)
                self._start_worker()
                self._wakeup.notify()
            else:
                self._dropped += 1
        if refused is not None:
            self._logger.warning("%s dropped: %s", self._describe(item), refused)

    def close(self, timeout: float) -> int:
        """Let the worker deliver what it can within ``timeout`` seconds, then stop it.

        New items are dropped from now on. Returns how many items were still queued when
        the time was up, now counted as dropped, for the owner to log. An attempt in
        flight at that moment ends in the background, and its item is counted then.
        Closing twice is harmless.
        """
        with self._wakeup:
            self._closing = True
            self._wakeup.notify_all()
            thread = self._thread
        if thread is None:
            return 0
        thread.join(max(timeout, 0.0))
        if not thread.is_alive():
            return 0
        self._stop.set()  # interrupts a back-off wait at once
        with self._wakeup:
            abandoned = len(self._items)
            self._items.clear()
            self._dropped += abandoned
        # A worker waiting between attempts wakes at once and records its item.
        thread.join(0.1)
        return abandoned

    # -- worker thread -------------------------------------------------------------

    def _start_worker(self) -> None:
        # Called with the lock held. Also restarts a worker lost in a fork().
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name=self._thread_name, daemon=True)
            self._thread.start()

    def _run(self) -> None:
        with self._connect() as attempt:
            while True:
                with self._wakeup:
                    while not self._items and not self._closing:
                        self._wakeup.wait()
                    if self._stop.is_set() or not self._items:
                        return
                    item = self._items.popleft()
                try:
                    self._deliver(attempt, item)
                except Exception as exc:  # keep the worker alive for the next ones
                    self._finish(item, "failed", f"internal error ({type(exc).__name__})")

    def _deliver(self, attempt: Callable[[ItemT], Attempt], item: ItemT) -> None:
        for number in range(1, self.max_attempts + 1):
            result = attempt(item)
            if result.outcome == "sent":
                self._finish(item, "sent", result.reason)
                return
            if result.outcome == "refused":
                self._finish(item, "failed", f"{result.reason}, not retried")
                return
            if number == self.max_attempts:
                break
            delay = backoff_delay(
                number,
                base=self._backoff_base,
                cap=self._backoff_max,
                retry_after=result.retry_after,
            )
            self._logger.info(
                "%s: attempt %d of %d failed (%s); retrying in %.1f s",
                self._describe(item),
                number,
                self.max_attempts,
                result.reason,
                delay,
            )
            if self._stop.wait(delay):
                self._finish(item, "dropped", f"the {self._sender} closed first")
                return
        self._finish(item, "failed", f"{result.reason}, after {self.max_attempts} attempt(s)")

    def _finish(self, item: ItemT, outcome: Outcome, reason: str) -> None:
        with self._lock:
            if outcome == "sent":
                self._sent += 1
            elif outcome == "failed":
                self._failed += 1
            else:
                self._dropped += 1
        self._report(item, outcome, reason)
