"""A real HTTP receiver on 127.0.0.1 whose answers each test scripts, and notifiers that
are always closed (their worker thread holds an httpx client)."""

import http.server
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import pytest

from bastion.notify import WebhookNotifier

SECRET = b"whsec-4f1c9d0e-test-only"


@dataclass
class Received:
    headers: Message  # case-insensitive .get(), like a web framework's headers
    body: bytes
    at: float


@dataclass
class Receiver:
    url: str = ""
    requests: list[Received] = field(default_factory=list)
    # Answers in order (status, extra headers); 200 once they run out.
    script: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)
    delay: float = 0.0  # seconds before answering, for timeouts
    gate: threading.Event | None = None  # when set, requests wait for it before answering
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        with self.arrived:
            ok = self.arrived.wait_for(lambda: len(self.requests) >= count, timeout)
        assert ok, f"{len(self.requests)} request(s) arrived, expected {count}"
        return self.requests


class _Handler(http.server.BaseHTTPRequestHandler):
    server: "_Server"

    def do_POST(self) -> None:
        receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with receiver.arrived:
            receiver.requests.append(Received(self.headers, body, time.monotonic()))
            status, headers = receiver.script.popleft() if receiver.script else (200, {})
            receiver.arrived.notify_all()
        if receiver.gate is not None:
            receiver.gate.wait(10)
        if receiver.delay:
            time.sleep(receiver.delay)
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
        except OSError:  # the notifier timed out and hung up
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    receiver: Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.receiver = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hooks/bastion")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server.receiver
    if server.receiver.gate is not None:
        server.receiver.gate.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def make_notifier() -> Iterator[Callable[..., WebhookNotifier]]:
    made: list[WebhookNotifier] = []

    def make(url: str, **options: Any) -> WebhookNotifier:
        options = {"backoff_base": 0.01, "backoff_max": 0.05, **options}
        notifier = WebhookNotifier(url, options.pop("secret", SECRET), **options)
        made.append(notifier)
        return notifier

    yield make
    for notifier in made:
        notifier.close(timeout=2)


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.005)
