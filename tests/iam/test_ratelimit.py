"""Login attempts per client address: one address cannot spray guesses across accounts."""

from fastapi.testclient import TestClient

from bastion.iam.ratelimit import SlidingWindowLimiter
from tests.iam.conftest import entries, login, make_user
from tests.inventory.conftest import app_runtime, assert_problem


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limit_per_key_in_a_sliding_window() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(3, 10, clock=clock)
    assert [limiter.hit("a") for _ in range(3)] == [None, None, None]
    assert limiter.hit("a") == 10
    assert limiter.hit("b") is None  # another address has its own count
    clock.now += 4
    assert limiter.hit("a") == 6
    clock.now += 6.5  # the first attempts have left the window
    assert limiter.hit("a") is None


def test_memory_is_bounded_by_forgetting_the_oldest_keys() -> None:
    limiter = SlidingWindowLimiter(1, 60, max_keys=2, clock=FakeClock())
    limiter.hit("a")
    limiter.hit("b")
    limiter.hit("c")  # forgets "a"
    assert limiter.hit("a") is None
    assert limiter.hit("c") is not None


def test_login_from_one_address_is_limited_and_recorded(client: TestClient) -> None:
    make_user(client, "alice")
    make_user(client, "bob")
    app_runtime(client).login_limiter = SlidingWindowLimiter(3, 60)
    for name in ("alice", "bob", "carol"):
        assert_problem(login(client, username=name, password="guess-guess-1"), 401)
    limited = login(client, username="alice")  # even the right password waits
    assert_problem(limited, 429)
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    (recorded,) = entries(client, "auth.rate_limited")
    assert recorded.outcome == "denied"
    assert recorded.details == {}
