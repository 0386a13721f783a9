"""Password guessing: every failure recorded, lockout with doubling back-off, recorded."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from bastion.iam.models import User
from bastion.storage.base import utcnow
from tests.iam.conftest import PASSWORD, entries, login, make_user
from tests.inventory.conftest import app_runtime, assert_problem


@pytest.fixture
def alice(client: TestClient) -> dict:
    return make_user(client)


def _unlock_clock(client: TestClient, user_id: str) -> None:
    """As if the lock had run out."""
    with app_runtime(client).sessions() as session, session.begin():
        user = session.get(User, __import__("uuid").UUID(user_id))
        assert user is not None
        assert user.locked_until is not None
        user.locked_until = utcnow() - timedelta(seconds=1)


def test_login_success_and_failure_are_recorded_without_the_username(
    client: TestClient, alice: dict
) -> None:
    assert login(client).status_code == 200
    assert_problem(login(client, password="wrong password!"), 401)
    assert_problem(login(client, username="mallory"), 401)
    recorded = entries(client, "auth.login")
    assert [(e.outcome, e.resource_id) for e in recorded] == [
        ("success", alice["id"]),
        ("failure", alice["id"]),
        ("failure", None),
    ]
    assert recorded[0].actor_id == alice["id"]
    for entry in recorded:
        text = str(entry.details) + str(entry.actor_id)
        assert "alice" not in text
        assert "mallory" not in text
        assert PASSWORD not in text


def test_repeated_failures_lock_the_account_with_doubling_back_off(
    client: TestClient, alice: dict
) -> None:
    settings = app_runtime(client).settings
    for _ in range(settings.login_max_failures - 1):
        assert_problem(login(client, password="guess guess guess"), 401)
    assert entries(client, "auth.lockout") == []

    assert_problem(login(client, password="guess guess guess"), 401)  # the N-th failure
    body = assert_problem(login(client), 429)  # even the right password, while locked
    assert body["retry_after"] <= settings.login_lockout_seconds
    lockouts = entries(client, "auth.lockout")
    assert [e.details["seconds"] for e in lockouts] == [settings.login_lockout_seconds]
    assert [e.details.get("reason") for e in entries(client, "auth.login")][-1] == "locked"

    _unlock_clock(client, alice["id"])
    assert_problem(login(client, password="guess guess guess"), 401)
    assert [e.details["seconds"] for e in entries(client, "auth.lockout")] == [
        settings.login_lockout_seconds,
        2 * settings.login_lockout_seconds,
    ]

    _unlock_clock(client, alice["id"])
    assert login(client).status_code == 200  # success resets the count
    assert_problem(login(client, password="guess guess guess"), 401)
    assert len(entries(client, "auth.lockout")) == 2


def test_disabled_user_cannot_log_in(client: TestClient, alice: dict) -> None:
    assert client.post(f"/api/v1/users/{alice['id']}/disable").status_code == 200
    assert_problem(login(client), 401)
    assert entries(client, "principal.disable")[0].resource_id == alice["id"]
