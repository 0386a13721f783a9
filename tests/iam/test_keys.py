"""API keys: shown once, stored hashed, scopes, expiry, revocation at once, rotation."""

import hashlib
import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from bastion.iam.models import ApiKey
from bastion.storage.base import utcnow
from tests.conftest import PrincipalFactory
from tests.iam.conftest import entries
from tests.inventory.conftest import Inventory, app_runtime, assert_problem


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_key_is_shown_once_and_stored_hashed(client: TestClient) -> None:
    created = client.post("/api/v1/keys", json={"name": "ci"})
    assert created.status_code == 201, created.text
    secret, key = created.json()["secret"], created.json()["key"]
    assert secret.startswith(f"bst_{key['prefix']}_")
    assert "secret" not in client.get(f"/api/v1/keys/{key['id']}").json()
    with app_runtime(client).sessions() as session:
        stored = session.scalar(select(ApiKey).where(ApiKey.id == uuid.UUID(key["id"])))
        assert stored is not None
        assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    me = client.get("/api/v1/auth/me", headers=_bearer(secret)).json()
    assert me["credential"] == f"api_key:{key['id']}"
    assert me["is_admin"] is True  # the key acts for its principal, the bootstrap admin
    recorded = entries(client, "api_key.create")[-1]
    assert recorded.resource_id == key["id"]
    assert secret not in str(recorded.details)


def test_revocation_takes_effect_at_once(client: TestClient, principals: PrincipalFactory) -> None:
    inv = Inventory.create(client, "Revocation")
    member = principals("owner", inv.slug)
    assert client.get(inv.url(), headers=member.headers).status_code == 200
    key_id = client.get("/api/v1/keys", headers=member.headers).json()[0]["id"]
    revoked = client.post(f"/api/v1/keys/{key_id}/revoke", headers=member.headers)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert_problem(client.get(inv.url(), headers=member.headers), 401)
    assert [e.resource_id for e in entries(client, "api_key.revoke")] == [key_id]


def test_rotation_issues_a_new_key_and_revokes_the_old(
    client: TestClient, principals: PrincipalFactory
) -> None:
    member = principals()
    key_id = client.get("/api/v1/keys", headers=member.headers).json()[0]["id"]
    rotated = client.post(f"/api/v1/keys/{key_id}/rotate", headers=member.headers)
    assert rotated.status_code == 201, rotated.text
    new = rotated.json()
    assert new["key"]["rotated_from"] == key_id
    assert_problem(client.get("/api/v1/auth/me", headers=member.headers), 401)
    me = client.get("/api/v1/auth/me", headers=_bearer(new["secret"]))
    assert me.json()["id"] == member.principal_id
    again = client.post(f"/api/v1/keys/{key_id}/rotate", headers=_bearer(new["secret"]))
    assert_problem(again, 409)
    assert [e.resource_id for e in entries(client, "api_key.rotate")] == [key_id]


def test_others_keys_are_invisible(client: TestClient, principals: PrincipalFactory) -> None:
    alice, bob = principals(), principals()
    bobs_key = client.get("/api/v1/keys", headers=bob.headers).json()[0]["id"]
    for method, path in [
        ("GET", f"/api/v1/keys/{bobs_key}"),
        ("POST", f"/api/v1/keys/{bobs_key}/revoke"),
        ("POST", f"/api/v1/keys/{bobs_key}/rotate"),
    ]:
        assert_problem(client.request(method, path, headers=alice.headers), 404)
    body = {"name": "for bob", "principal_id": bob.principal_id}
    assert_problem(client.post("/api/v1/keys", json=body, headers=alice.headers), 404)
    assert_problem(client.get("/api/v1/keys?all=true", headers=alice.headers), 404)
    # Admins manage anyone's keys.
    assert client.post("/api/v1/keys", json=body).status_code == 201
    assert len(client.get("/api/v1/keys", params={"principal_id": bob.principal_id}).json()) == 2


def test_expired_key_is_refused_and_past_expiry_is_invalid(client: TestClient) -> None:
    soon = (utcnow() + timedelta(hours=1)).isoformat()
    created = client.post("/api/v1/keys", json={"name": "short", "expires_at": soon}).json()
    assert client.get("/api/v1/auth/me", headers=_bearer(created["secret"])).status_code == 200
    with app_runtime(client).sessions() as session, session.begin():
        key = session.get(ApiKey, uuid.UUID(created["key"]["id"]))
        assert key is not None
        key.expires_at = utcnow() - timedelta(seconds=1)
    assert_problem(client.get("/api/v1/auth/me", headers=_bearer(created["secret"])), 401)
    past = (utcnow() - timedelta(hours=1)).isoformat()
    assert_problem(
        client.post("/api/v1/keys", json={"name": "x", "expires_at": past}), 422, "expires_at"
    )


def test_last_used_time_is_kept(client: TestClient, principals: PrincipalFactory) -> None:
    member = principals()
    before = client.get("/api/v1/keys", headers=member.headers).json()[0]
    assert before["last_used_at"] is not None  # the listing itself used the key


def test_disabling_a_principal_stops_its_keys(
    client: TestClient, principals: PrincipalFactory
) -> None:
    member = principals()
    assert client.get("/api/v1/auth/me", headers=member.headers).status_code == 200
    assert client.post(f"/api/v1/users/{member.principal_id}/disable").status_code == 200
    assert_problem(client.get("/api/v1/auth/me", headers=member.headers), 401)
