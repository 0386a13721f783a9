"""WebhookNotifier against a real HTTP server on 127.0.0.1: what is sent, retries and
their limits, the queue, closing, refused URLs, and what never reaches the logs."""

import email.utils
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import astuple
from datetime import UTC, datetime
from enum import Enum

import pytest

from bastion.errors import InvalidInput
from bastion.notify import DeliveryStats, WebhookNotifier, verify
from bastion.notify.webhook import _retry_after_seconds, backoff_delay
from tests.notify.conftest import SECRET, Receiver, wait_until

MakeNotifier = Callable[..., WebhookNotifier]


class Decision(Enum):
    APPROVED = "approved"


def test_a_notification_arrives_signed_and_verifiable(
    receiver: Receiver, make_notifier: MakeNotifier
) -> None:
    notifier = make_notifier(receiver.url)
    model_id = uuid.uuid4()
    decided_at = datetime(2025, 3, 1, 12, 30, tzinfo=UTC)
    payload = {
        "gate": "prod",
        "model_id": model_id,
        "decided_at": decided_at,
        "decision": Decision.APPROVED,
    }

    delivery_id = notifier.notify("release_gate.approved", payload)

    [request] = receiver.wait_for(1)
    headers = request.headers
    assert verify(
        SECRET, request.body, headers["X-Bastion-Signature"], headers["X-Bastion-Timestamp"]
    )
    assert headers["X-Bastion-Signature"].startswith("sha256=")
    assert headers["X-Bastion-Event"] == "release_gate.approved"
    assert headers["X-Bastion-Delivery"] == delivery_id
    assert headers["Content-Type"] == "application/json"
    document = json.loads(request.body)
    assert document["id"] == delivery_id
    assert document["event"] == "release_gate.approved"
    assert datetime.fromisoformat(document["created_at"]).tzinfo is not None
    assert document["data"] == {
        "gate": "prod",
        "model_id": str(model_id),
        "decided_at": "2025-03-01T12:30:00+00:00",
        "decision": "approved",
    }
    # Canonical: sorted keys, no whitespace, UTF-8.
    assert (
        request.body
        == json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )
    wait_until(lambda: notifier.deliveries == DeliveryStats(sent=1))


def test_the_payload_is_taken_when_notify_is_called(
    receiver: Receiver, make_notifier: MakeNotifier
) -> None:
    receiver.gate = threading.Event()
    notifier = make_notifier(receiver.url)
    notifier.notify("a.first", {})
    receiver.wait_for(1)  # the worker is busy: the next one waits in the queue
    payload = {"name": "Zoë"}
    notifier.notify("a.second", payload)
    payload["name"] = "changed"
    receiver.gate.set()
    second = receiver.wait_for(2)[1]
    assert json.loads(second.body)["data"] == {"name": "Zoë"}


def test_two_server_errors_then_delivered_on_the_third_attempt(
    receiver: Receiver, make_notifier: MakeNotifier
) -> None:
    receiver.script.extend([(500, {}), (502, {})])
    notifier = make_notifier(receiver.url)
    delivery_id = notifier.notify("release_gate.approved", {"gate": "prod"})
    wait_until(lambda: notifier.deliveries.sent == 1)
    requests = receiver.wait_for(3)
    assert len(requests) == 3
    assert notifier.deliveries == DeliveryStats(sent=1)
    # The same delivery id on every attempt (receivers de-duplicate on it), each signed.
    for request in requests:
        assert request.headers["X-Bastion-Delivery"] == delivery_id
        assert verify(
            SECRET,
            request.body,
            request.headers["X-Bastion-Signature"],
            request.headers["X-Bastion-Timestamp"],
        )


def test_429_is_retried(receiver: Receiver, make_notifier: MakeNotifier) -> None:
    receiver.script.append((429, {}))
    notifier = make_notifier(receiver.url)
    notifier.notify("monitoring.alert", {})
    wait_until(lambda: notifier.deliveries.sent == 1)
    assert len(receiver.requests) == 2


def test_a_receiver_that_is_down_never_slows_the_caller(
    closed_port: int, make_notifier: MakeNotifier, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bastion.notify")
    notifier = make_notifier(f"http://127.0.0.1:{closed_port}/hook", max_attempts=4)
    ids = [notifier.notify("release_gate.approved", {"n": 0})]
    wait_until(lambda: "retrying in" in caplog.text)  # the worker has found it down
    for number in range(1, 6):
        started = time.perf_counter()
        ids.append(notifier.notify("release_gate.approved", {"n": number}))
        assert time.perf_counter() - started < 0.05
    wait_until(lambda: notifier.deliveries.failed == 6)
    assert notifier.deliveries == DeliveryStats(failed=6)
    for delivery_id in ids:
        mine = [r for r in caplog.records if delivery_id in r.getMessage()]
        retries = [r for r in mine if r.levelno == logging.INFO]
        [gave_up] = [r for r in mine if r.levelno == logging.WARNING]
        assert len(retries) == 3  # attempts 1-3 failed and were retried; the 4th was the last
        assert "ConnectError, after 4 attempt(s)" in gave_up.getMessage()


def test_a_receiver_that_hangs_times_out_and_is_retried(
    receiver: Receiver, make_notifier: MakeNotifier
) -> None:
    receiver.delay = 1.0
    notifier = make_notifier(receiver.url, timeout=0.2, max_attempts=2)
    notifier.notify("monitoring.alert", {})
    wait_until(lambda: notifier.deliveries.failed == 1, timeout=3)
    assert len(receiver.requests) == 2


@pytest.mark.parametrize(
    ("status", "headers"),
    [(400, {}), (404, {}), (302, {"Location": "/elsewhere"})],
)
def test_client_errors_and_redirects_are_not_retried(
    receiver: Receiver,
    make_notifier: MakeNotifier,
    caplog: pytest.LogCaptureFixture,
    status: int,
    headers: dict[str, str],
) -> None:
    receiver.script.append((status, headers))
    notifier = make_notifier(receiver.url)
    notifier.notify("release_gate.approved", {})
    wait_until(lambda: notifier.deliveries.failed == 1)
    time.sleep(0.1)  # longer than any back-off here: no second attempt comes
    assert len(receiver.requests) == 1
    assert f"HTTP {status}, not retried" in caplog.text


def test_retry_after_is_honoured(receiver: Receiver, make_notifier: MakeNotifier) -> None:
    receiver.script.append((503, {"Retry-After": "1"}))
    notifier = make_notifier(receiver.url, backoff_base=0.01, backoff_max=5)
    notifier.notify("monitoring.alert", {})
    wait_until(lambda: notifier.deliveries.sent == 1)
    first, second = receiver.requests
    assert 0.95 <= second.at - first.at < 2


def test_retry_after_is_capped_by_backoff_max(
    receiver: Receiver, make_notifier: MakeNotifier
) -> None:
    receiver.script.append((429, {"Retry-After": "3600"}))
    notifier = make_notifier(receiver.url, backoff_max=0.1)
    notifier.notify("monitoring.alert", {})
    wait_until(lambda: notifier.deliveries.sent == 1, timeout=2)


def test_retry_after_as_an_http_date() -> None:
    in_30_s = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= (_retry_after_seconds(in_30_s) or 0) <= 30
    assert _retry_after_seconds("yesterday-ish") is None
    assert _retry_after_seconds("7") == 7


def test_backoff_grows_with_jitter_up_to_the_cap() -> None:
    for attempt, ceiling in [(1, 1), (2, 2), (3, 4), (4, 8), (10, 300), (500, 300)]:
        delays = [backoff_delay(attempt, base=1, cap=300) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jittered: receivers are not hit in lockstep
    assert backoff_delay(1, base=1, cap=300, retry_after=12) == 12
    assert backoff_delay(1, base=1, cap=300, retry_after=9999) == 300


def test_a_full_queue_drops_with_a_warning_and_no_payload(
    receiver: Receiver, make_notifier: MakeNotifier, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.gate = threading.Event()
    notifier = make_notifier(receiver.url, queue_size=2)
    notifier.notify("release_gate.approved", {"n": 1})
    receiver.wait_for(1)  # the worker holds the first; the queue is empty again
    notifier.notify("release_gate.approved", {"n": 2})
    notifier.notify("release_gate.approved", {"n": 3})
    started = time.perf_counter()
    dropped_id = notifier.notify("release_gate.rejected", {"owner": "alice@example.com"})
    assert time.perf_counter() - started < 0.05
    assert notifier.deliveries.dropped == 1
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    message = warning.getMessage()
    assert "release_gate.rejected" in message
    assert dropped_id in message
    assert "queue is full" in message
    assert "alice" not in message
    receiver.gate.set()
    notifier.close(timeout=5)
    assert notifier.deliveries == DeliveryStats(sent=3, dropped=1)


def test_close_drains_the_queue(receiver: Receiver, make_notifier: MakeNotifier) -> None:
    receiver.script.extend([(503, {})] * 3)
    notifier = make_notifier(receiver.url)
    ids = {notifier.notify("monitoring.alert", {"n": n}) for n in range(20)}
    notifier.close(timeout=5)
    assert notifier.deliveries == DeliveryStats(sent=20)
    delivered = {json.loads(r.body)["id"] for r in receiver.requests}
    assert delivered == ids


def test_close_stops_in_time_and_counts_what_is_left(
    closed_port: int, make_notifier: MakeNotifier, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bastion.notify")
    notifier = make_notifier(
        f"http://127.0.0.1:{closed_port}/hook", backoff_base=30, backoff_max=30
    )
    for number in range(3):
        notifier.notify("monitoring.alert", {"n": number})
    wait_until(lambda: "retrying in" in caplog.text)
    started = time.perf_counter()
    notifier.close(timeout=0.2)
    assert time.perf_counter() - started < 1
    wait_until(lambda: notifier.deliveries == DeliveryStats(dropped=3), timeout=1)
    # Once closed, new notifications are dropped (and said to be).
    late = notifier.notify("monitoring.alert", {})
    assert notifier.deliveries.dropped == 4
    assert f"{late}) to http://127.0.0.1:{closed_port} dropped: the notifier is closed" in (
        caplog.text
    )
    notifier.close()  # twice is harmless


def test_closing_an_unused_notifier_is_instant() -> None:
    notifier = WebhookNotifier("https://hooks.example.com/x", SECRET)
    started = time.perf_counter()
    notifier.close()
    assert time.perf_counter() - started < 0.05


def test_an_unserializable_payload_is_dropped_not_raised(
    receiver: Receiver, make_notifier: MakeNotifier, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = make_notifier(receiver.url)

    class Secretive:
        def __repr__(self) -> str:
            return "Secretive(ssn=078-05-1120)"

    delivery_id = notifier.notify("monitoring.alert", {"x": Secretive()})
    uuid.UUID(delivery_id)
    notifier.notify("monitoring.alert", {"ratio": float("nan")})
    assert notifier.deliveries == DeliveryStats(dropped=2)
    assert "Secretive is not JSON serializable" in caplog.text
    assert "078-05" not in caplog.text


@pytest.mark.parametrize("event", ["", "has space", "new\nline", "x" * 129, ".leading"])
def test_a_malformed_event_type_is_a_programming_error(event: str) -> None:
    notifier = WebhookNotifier("https://hooks.example.com/x", SECRET)
    with pytest.raises(InvalidInput, match="event type"):
        notifier.notify(event, {})


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://hooks.example.com/x", "must be http"),
        ("file:///etc/passwd", "must be http"),
        ("hooks.example.com/x", "must be http"),
        ("https://", "no host"),
        ("http://hooks.example.com/x", "in clear"),
        ("http://10.0.0.5:8080/x", "in clear"),
        ("http://localhost.evil.example/x", "in clear"),
    ],
)
def test_urls_refused_at_construction(url: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        WebhookNotifier(url, SECRET)


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/x",
        "http://127.0.0.1:9/x",
        "http://127.8.0.1/x",
        "http://localhost:8080/x",
        "http://[::1]:8080/x",
    ],
)
def test_urls_accepted(url: str) -> None:
    WebhookNotifier(url, SECRET).close()


def test_allow_insecure_accepts_plain_http_elsewhere() -> None:
    WebhookNotifier("http://hooks.internal:8080/x", SECRET, allow_insecure=True).close()


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"secret": b""}, None),
        ({"max_attempts": 0}, "max_attempts"),
        ({"queue_size": 0}, "queue_size"),
        ({"backoff_base": -1}, "backoff_base"),
        ({"timeout": 0}, "timeout"),
    ],
)
def test_limits_refused_at_construction(options: dict[str, object], field: str | None) -> None:
    options = {"secret": SECRET, **options}
    with pytest.raises(InvalidInput) as caught:
        WebhookNotifier("https://hooks.example.com/x", **options)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_the_secret_and_the_url_path_stay_out_of_repr_and_logs(
    closed_port: int, make_notifier: MakeNotifier, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = b"s3cr3t-hmac-key-value"
    token = "T0AAA/B0BBB/xoxb-path-token"
    notifier = make_notifier(
        f"http://127.0.0.1:{closed_port}/services/{token}",
        secret=secret,
        max_attempts=2,
        queue_size=1,
    )
    for _ in range(3):  # some fail, some overflow the queue
        notifier.notify("release_gate.approved", {"approver": "alice@example.com"})
    wait_until(lambda: sum(astuple(notifier.deliveries)) == 3)
    assert "retrying in" in caplog.text  # the failures were logged ...
    assert "dropped" in caplog.text
    for shown in (repr(notifier), caplog.text):  # ... without any of these
        assert secret.decode() not in shown
        assert "xoxb" not in shown
        assert "alice" not in shown
    assert repr(notifier) == (
        f"WebhookNotifier(url='http://127.0.0.1:{closed_port}', max_attempts=2, queue_size=1)"
    )
