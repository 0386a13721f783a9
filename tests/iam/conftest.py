"""Helpers for identity tests: users with passwords, ledger entries by action."""

from fastapi.testclient import TestClient
from sqlalchemy import select

from bastion.ledger.models import LedgerEntry
from tests.inventory.conftest import app_runtime

PASSWORD = "a long test password"


def make_user(client: TestClient, username: str = "alice", **fields: object) -> dict:
    body = {"username": username, "password": PASSWORD, "display_name": "Alice A."} | fields
    response = client.post("/api/v1/users", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def entries(client: TestClient, action: str) -> list[LedgerEntry]:
    with app_runtime(client).sessions() as session:
        return list(
            session.scalars(
                select(LedgerEntry).where(LedgerEntry.action == action).order_by(LedgerEntry.seq)
            )
        )


def login(client: TestClient, username: str = "alice", password: str = PASSWORD):  # type: ignore[no-untyped-def]
    # A client without the admin header, so that only the cookie authenticates.
    return client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password},
        headers={"Authorization": ""},
    )
