"""Console sessions: cookie flags, CSRF on unsafe methods, logout, idle timeout."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from bastion.api.app import create_app
from bastion.iam.models import LoginSession
from bastion.settings import Settings
from bastion.storage.base import utcnow
from tests.iam.conftest import entries, login, make_user
from tests.inventory.conftest import app_runtime, assert_problem


@pytest.fixture
def browser(client: TestClient) -> TestClient:
    """A client with no bearer credential, for the cookie only, logged in as alice."""
    make_user(client, is_admin=True)
    browser = TestClient(client.app, raise_server_exceptions=False)
    response = login(browser)
    assert response.status_code == 200, response.text
    browser.headers["X-Test-CSRF"] = response.json()["csrf_token"]
    return browser


def _set_cookies(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


def test_login_sets_httponly_samesite_cookies(client: TestClient) -> None:
    make_user(client)
    response = login(TestClient(client.app))
    cookies = _set_cookies(response)
    session_cookie, csrf_cookie = cookies["bastion_session"], cookies["bastion_csrf"]
    assert "HttpOnly" in session_cookie
    assert "HttpOnly" not in csrf_cookie
    for cookie in (session_cookie, csrf_cookie):
        assert "SameSite=strict" in cookie
        assert "Path=/" in cookie
        # The test server listens on 127.0.0.1: cookies are not Secure there.
        assert "Secure" not in cookie
    body = response.json()
    assert body["principal"]["credential"].startswith("session:")
    assert csrf_cookie.startswith(f"bastion_csrf={body['csrf_token']}")
    # Only hashes are stored.
    with app_runtime(client).sessions() as session:
        stored = session.query(LoginSession).one()
        token = session_cookie.split("=", 1)[1].split(";")[0]
        assert token not in (stored.token_hash, stored.csrf_hash)


def test_cookies_are_secure_off_loopback(settings: Settings) -> None:
    secure = settings.model_copy(update={"host": "0.0.0.0"})  # noqa: S104
    keys: list[str] = []
    app = create_app(secure, on_start=lambda rt: keys.append(rt.bootstrap_admin_key() or ""))
    with TestClient(app, raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {keys[0]}"
        make_user(client)
        cookies = _set_cookies(login(client)).values()
    assert len(cookies) == 2
    assert all("Secure" in cookie for cookie in cookies)


def test_cookie_reads_need_no_csrf_token_but_writes_do(browser: TestClient) -> None:
    me = browser.get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.json()["credential"].startswith("session:")
    assert_problem(browser.post("/api/v1/projects", json={"name": "No token"}), 403)
    wrong = {"X-CSRF-Token": "not-the-token"}
    assert_problem(browser.post("/api/v1/projects", json={"name": "Bad"}, headers=wrong), 403)
    good = {"X-CSRF-Token": browser.headers["X-Test-CSRF"]}
    created = browser.post("/api/v1/projects", json={"name": "Good"}, headers=good)
    assert created.status_code == 201, created.text
    denied = entries(browser, "authz.denied")
    assert [e.details.get("reason") for e in denied] == ["csrf", "csrf"]


def test_bearer_requests_need_no_csrf_token(client: TestClient) -> None:
    assert client.post("/api/v1/projects", json={"name": "Bearer"}).status_code == 201


def test_logout_ends_the_session(browser: TestClient) -> None:
    good = {"X-CSRF-Token": browser.headers["X-Test-CSRF"]}
    assert_problem(browser.post("/api/v1/auth/logout"), 403)
    assert browser.post("/api/v1/auth/logout", headers=good).status_code == 204
    browser.cookies.clear()
    assert_problem(browser.get("/api/v1/auth/me"), 401)
    assert len(entries(browser, "auth.logout")) == 1


def test_idle_and_expired_sessions_end(browser: TestClient) -> None:
    with app_runtime(browser).sessions() as session, session.begin():
        record = session.query(LoginSession).one()
        record.last_seen_at = utcnow() - timedelta(hours=1)
    assert_problem(browser.get("/api/v1/auth/me"), 401)
