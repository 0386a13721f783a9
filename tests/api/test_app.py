"""The application shell: health checks, authentication on every route, request ids, errors."""

import logging
import re
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bastion import __version__
from bastion.runtime import Runtime
from bastion.storage.database import create_db_engine, session_factory
from tests.inventory.conftest import assert_problem

# Nothing listens on port 1: connections are refused at once.
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/bastion"


def runtime_of(client: TestClient) -> Runtime:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


@pytest.fixture
def database_down(anonymous: TestClient, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The app's database becomes unreachable after start-up."""
    engine = create_db_engine(UNREACHABLE)
    runtime = runtime_of(anonymous)
    monkeypatch.setattr(runtime, "engine", engine)
    monkeypatch.setattr(runtime, "sessions", session_factory(engine))
    yield
    engine.dispose()


def test_health_and_readiness_are_public(anonymous: TestClient) -> None:
    health = anonymous.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "version": __version__}
    ready = anonymous.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}


@pytest.mark.usefixtures("database_down")
def test_readiness_fails_when_the_database_is_unreachable(anonymous: TestClient) -> None:
    body = assert_problem(anonymous.get("/readyz"), 503)
    assert body["detail"] == "the database cannot be reached"
    assert "127.0.0.1" not in str(body)
    # Liveness does not depend on the database.
    assert anonymous.get("/healthz").status_code == 200


@pytest.mark.usefixtures("database_down")
def test_requests_fail_with_503_when_the_database_is_unreachable(anonymous: TestClient) -> None:
    response = anonymous.get("/api/v1/projects", headers={"Authorization": "Bearer bst_x_y"})
    body = assert_problem(response, 503)
    assert body["type"].endswith("/storage-unavailable")
    assert "127.0.0.1" not in str(body)


# Routes that answer without a credential (besides /healthz and /readyz).
PUBLIC_OPERATIONS = {("post", "/api/v1/auth/login")}


def _operations(client: TestClient) -> list[tuple[str, str]]:
    document = client.get("/api/v1/openapi.json").json()
    return [
        (method, path)
        for path, item in document["paths"].items()
        for method in item
        if path.startswith("/api/v1/")
    ]


def test_every_api_route_needs_a_credential(anonymous: TestClient) -> None:
    operations = _operations(anonymous)
    assert len(operations) >= 30
    record_id = str(uuid.uuid4())
    values = {"project": "credit", "role": "viewer", "seq": "1"}
    for method, template in operations:
        if (method, template) in PUBLIC_OPERATIONS:
            continue
        path = re.sub(r"\{(\w+)\}", lambda m: values.get(m[1], record_id), template)
        response = anonymous.request(method, path)
        assert response.status_code == 401, (method, template, response.text)
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("offered", "kept"),
    [
        ("abc-123.X_y", True),
        ("7f9c2ba4e88f827d616045507605853e", True),
        ("has spaces", False),
        ("x" * 65, False),
        ("semi;colon", False),
        ("", False),
    ],
)
def test_request_id_is_echoed_only_when_sane(
    anonymous: TestClient, offered: str, kept: bool
) -> None:
    response = anonymous.get("/healthz", headers={"X-Request-ID": offered})
    returned = response.headers["x-request-id"]
    if kept:
        assert returned == offered
    else:
        assert re.fullmatch(r"[0-9a-f]{32}", returned)


def test_every_response_gets_a_fresh_request_id(anonymous: TestClient) -> None:
    seen = {anonymous.get("/healthz").headers["x-request-id"] for _ in range(3)}
    assert len(seen) == 3


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/projects", 401),
        ("GET", "/api/v1/nothing-here", 404),
        ("DELETE", "/healthz", 405),
    ],
)
def test_problems_carry_the_request_id(
    anonymous: TestClient, method: str, path: str, status: int
) -> None:
    response = anonymous.request(method, path, headers={"X-Request-ID": "trace-42"})
    assert assert_problem(response, status)["request_id"] == "trace-42"
    assert response.headers["x-request-id"] == "trace-42"


def test_unexpected_error_is_500_without_internals(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    def explode() -> None:
        raise RuntimeError("secret detail at /srv/bastion/keys")

    client.app.add_api_route("/api/v1/explode", explode)  # type: ignore[attr-defined]
    with caplog.at_level(logging.ERROR, logger="bastion.api"):
        response = client.get("/api/v1/explode", headers={"X-Request-ID": "boom-1"})

    body = assert_problem(response, 500)
    assert "secret" not in response.text
    assert "RuntimeError" not in response.text
    assert body["request_id"] == "boom-1"
    assert response.headers["x-request-id"] == "boom-1"
    # The details go to the log, for the operator.
    logged = [r for r in caplog.records if r.exc_info and "secret detail" in str(r.exc_info[1])]
    assert len(logged) == 1
