"""OIDC bearer tokens against a real JWKS served over HTTP on 127.0.0.1: RS256 and ES256,
forged, expired, not-yet-valid, wrong audience or issuer, key rotation, claim mapping."""

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.testclient import TestClient
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from bastion.api.app import create_app
from bastion.settings import Settings
from tests.iam.conftest import entries
from tests.inventory.conftest import Inventory, assert_problem

AUDIENCE = "bastion"


class Issuer:
    """An identity provider's JWKS endpoint, and its signing keys."""

    def __init__(self) -> None:
        self.published: dict[str, Any] = {}
        self.fetches = 0
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                issuer.fetches += 1
                body = json.dumps({"keys": list(issuer.published.values())}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.keys: dict[str, Any] = {}

    def add_key(self, kid: str, kind: str, *, publish: bool = True) -> None:
        if kind == "RS256":
            private: Any = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
        else:
            private = ec.generate_private_key(ec.SECP256R1())
            jwk = json.loads(ECAlgorithm.to_jwk(private.public_key()))
        self.keys[kid] = (kind, private)
        if publish:
            self.publish(kid, jwk | {"kid": kid, "use": "sig"})
        else:
            self._unpublished = {kid: jwk | {"kid": kid, "use": "sig"}}

    def publish(self, kid: str, jwk: dict[str, Any] | None = None) -> None:
        self.published[kid] = jwk or self._unpublished[kid]

    def token(self, kid: str, *, sign_with: str | None = None, **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": self.url, "aud": AUDIENCE, "sub": "user-1", "iat": now, "exp": now + 300}
        body |= claims
        algorithm, private = self.keys[sign_with or kid]
        return jwt.encode(body, private, algorithm=algorithm, headers={"kid": kid})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    issuer = Issuer()
    issuer.add_key("rsa-1", "RS256")
    issuer.add_key("ec-1", "ES256")
    issuer.add_key("attacker", "RS256", publish=False)
    yield issuer
    issuer.close()


@pytest.fixture
def oidc_client(tmp_path: Path, database_url: str, issuer: Issuer) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        oidc_issuer=issuer.url,
        oidc_audience=AUDIENCE,
        oidc_jwks_url=issuer.url + "/jwks",
        oidc_jwks_refresh_seconds=0,
        oidc_roles_claim="groups",
        oidc_admin_values=["bastion-admins"],
        oidc_role_mapping={"ml-team": {"credit": "data_scientist"}, "audit": {"credit": "auditor"}},
    )
    admin_key: list[str] = []
    app = create_app(settings, on_start=lambda rt: admin_key.append(rt.bootstrap_admin_key() or ""))
    with TestClient(app, raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {admin_key[0]}"
        yield client


def _me(client: TestClient, token: str) -> Any:
    return client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("kid", ["rsa-1", "ec-1"])
def test_valid_rs256_and_es256_tokens_are_accepted(
    oidc_client: TestClient, issuer: Issuer, kid: str
) -> None:
    response = _me(oidc_client, issuer.token(kid, preferred_username="Ada"))
    assert response.status_code == 200, response.text
    me = response.json()
    assert me["credential"] == "oidc"
    assert me["kind"] == "user"
    assert me["name"] == "Ada"
    # The same (issuer, subject) is the same principal next time.
    assert _me(oidc_client, issuer.token(kid)).json()["id"] == me["id"]
    created = entries(oidc_client, "principal.create")
    assert created[-1].resource_id == me["id"]
    assert created[-1].details["source"] == "oidc"
    assert "Ada" not in str(created[-1].details)


@pytest.mark.parametrize(
    ("make", "detail"),
    [
        (lambda i: i.token("rsa-1", sign_with="attacker"), "invalid token"),
        (lambda i: i.token("rsa-1", exp=int(time.time()) - 120), "invalid token: expired"),
        (lambda i: i.token("rsa-1", nbf=int(time.time()) + 120), "invalid token: not valid yet"),
        (lambda i: i.token("rsa-1", aud="someone-else"), "invalid token: wrong audience"),
        (lambda i: i.token("rsa-1", iss="https://evil.example"), "invalid token: wrong issuer"),
        (lambda i: i.token("attacker"), "invalid token: unknown signing key"),
        (
            lambda i: i.token("ec-1", sign_with="rsa-1"),
            "invalid token: algorithm does not match the key",
        ),
    ],
)
def test_bad_tokens_are_401(
    oidc_client: TestClient, issuer: Issuer, make: Any, detail: str
) -> None:
    response = _me(oidc_client, make(issuer))
    assert assert_problem(response, 401)["detail"] == detail


def test_unsigned_and_hmac_tokens_are_401(oidc_client: TestClient, issuer: Issuer) -> None:
    claims = {"iss": issuer.url, "aud": AUDIENCE, "sub": "x", "exp": int(time.time()) + 60}
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": "rsa-1"})
    hmac = jwt.encode(
        claims, "secret-secret-secret-secret-32b!", algorithm="HS256", headers={"kid": "rsa-1"}
    )
    for token in (unsigned, hmac):
        assert_problem(_me(oidc_client, token), 401)


def test_small_clock_skew_is_tolerated(oidc_client: TestClient, issuer: Issuer) -> None:
    token = issuer.token("rsa-1", nbf=int(time.time()) + 5, exp=int(time.time()) - 5)
    assert _me(oidc_client, token).status_code == 200


def test_rotated_keys_are_fetched_when_a_token_names_them(
    oidc_client: TestClient, issuer: Issuer
) -> None:
    assert _me(oidc_client, issuer.token("rsa-1")).status_code == 200
    fetched = issuer.fetches
    assert _me(oidc_client, issuer.token("rsa-1")).status_code == 200
    assert issuer.fetches == fetched  # cached
    issuer.add_key("rsa-2", "RS256")  # the issuer rotates
    assert _me(oidc_client, issuer.token("rsa-2")).status_code == 200
    assert issuer.fetches == fetched + 1


def test_unknown_key_refetches_are_rate_limited(issuer: Issuer) -> None:
    from bastion.iam.oidc import JwksCache

    cache = JwksCache(
        jwks_url=issuer.url + "/jwks", issuer=issuer.url, refresh_seconds=60, max_age_seconds=3600
    )
    cache.key("rsa-1")
    for _ in range(5):
        with pytest.raises(Exception, match="unknown signing key"):
            cache.key("made-up")
    assert issuer.fetches == 1


def test_claims_map_to_project_roles_and_admin(oidc_client: TestClient, issuer: Issuer) -> None:
    inv = Inventory.create(oidc_client, "Credit")
    assert inv.slug == "credit"
    scientist = {"Authorization": f"Bearer {issuer.token('rsa-1', sub='ds', groups=['ml-team'])}"}
    assert (
        oidc_client.post(inv.url("/systems"), json={"name": "s"}, headers=scientist).status_code
        == 201
    )
    auditor = {"Authorization": f"Bearer {issuer.token('ec-1', sub='au', groups=['audit'])}"}
    assert oidc_client.get(inv.url("/systems"), headers=auditor).status_code == 200
    assert_problem(oidc_client.post(inv.url("/systems"), json={"name": "t"}, headers=auditor), 403)
    nobody = {"Authorization": f"Bearer {issuer.token('rsa-1', sub='nb', groups=['other'])}"}
    assert_problem(oidc_client.get(inv.url(), headers=nobody), 404)
    admin = {"Authorization": f"Bearer {issuer.token('rsa-1', sub='ad', groups='bastion-admins')}"}
    assert oidc_client.get("/api/v1/users", headers=admin).status_code == 200
    me = oidc_client.get("/api/v1/auth/me", headers=scientist).json()
    assert me["projects"] == [{"project_id": inv.project["id"], "roles": ["data_scientist"]}]
