"""OIDC / JWT bearer tokens: signature checked against the issuer's JWKS, then the claims.

Keys are cached per issuer. A token that names a key id the cache lacks triggers one
refetch (the issuer rotated its keys), at most once per ``oidc_jwks_refresh_seconds`` so
that tokens with made-up key ids cannot make the server hammer the issuer. Only RS256 and
ES256 are accepted; the algorithm must match the key's type, which rules out the
"alg: none" and HMAC-with-a-public-key confusions.
"""

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt

from bastion.errors import Unauthenticated
from bastion.iam.permissions import Role
from bastion.settings import Settings

logger = logging.getLogger("bastion.iam.oidc")

ALGORITHMS: Mapping[str, str] = {"RS256": "RSA", "ES256": "EC"}
FETCH_TIMEOUT = 5.0


def looks_like_jwt(credential: str) -> bool:
    return credential.count(".") == 2 and credential.startswith("eyJ")


@dataclass
class JwksCache:
    """The signing keys of one issuer, by key id."""

    jwks_url: str | None
    issuer: str
    refresh_seconds: float
    max_age_seconds: float
    _keys: dict[str, jwt.PyJWK] = field(default_factory=dict)
    _fetched_at: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _url(self, client: httpx.Client) -> str:
        if self.jwks_url:
            return self.jwks_url
        discovery = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        response = client.get(discovery)
        response.raise_for_status()
        url = response.json()["jwks_uri"]
        if not isinstance(url, str):
            raise ValueError("jwks_uri is not a string")
        self.jwks_url = url
        return url

    def _fetch(self) -> None:
        self._fetched_at = time.monotonic()
        try:
            with httpx.Client(timeout=FETCH_TIMEOUT, follow_redirects=False) as client:
                response = client.get(self._url(client))
                response.raise_for_status()
                keyset = jwt.PyJWKSet.from_dict(response.json())
        except (httpx.HTTPError, ValueError, KeyError, jwt.PyJWTError) as exc:
            # Keep the keys we had: a flaky issuer must not log everyone out.
            logger.warning("cannot fetch the OIDC issuer's JWKS: %s", type(exc).__name__)
            return
        self._keys = {key.key_id: key for key in keyset.keys if key.key_id}

    def key(self, kid: str) -> jwt.PyJWK:
        with self._lock:
            now = time.monotonic()
            stale = self._fetched_at is None or now - self._fetched_at > self.max_age_seconds
            may_refetch = self._fetched_at is None or now - self._fetched_at >= self.refresh_seconds
            if stale or (kid not in self._keys and may_refetch):
                self._fetch()
            found = self._keys.get(kid)
        if found is None:
            raise Unauthenticated("invalid token: unknown signing key")
        return found


_caches: dict[tuple[str, str | None], JwksCache] = {}
_caches_lock = threading.Lock()


def cache_for(settings: Settings) -> JwksCache:
    assert settings.oidc_issuer is not None  # noqa: S101 - callers check oidc_enabled
    key = (settings.oidc_issuer, settings.oidc_jwks_url)
    with _caches_lock:
        cache = _caches.get(key)
        if cache is None:
            cache = _caches[key] = JwksCache(
                jwks_url=settings.oidc_jwks_url,
                issuer=settings.oidc_issuer,
                refresh_seconds=settings.oidc_jwks_refresh_seconds,
                max_age_seconds=settings.oidc_jwks_max_age_seconds,
            )
        return cache


def verify_token(token: str, settings: Settings) -> dict[str, Any]:
    """The token's claims, or Unauthenticated: forged, expired, not yet valid, wrong
    issuer or audience, unknown key, or a disallowed algorithm."""
    if not settings.oidc_issuer or not settings.oidc_audience:
        raise Unauthenticated("bearer tokens are not accepted: OIDC is not configured")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise Unauthenticated("invalid token") from None
    algorithm, kid = header.get("alg"), header.get("kid")
    if not isinstance(algorithm, str) or algorithm not in ALGORITHMS or not isinstance(kid, str):
        raise Unauthenticated("invalid token: RS256 or ES256 with a key id required")
    signing_key = cache_for(settings).key(kid)
    if signing_key.key_type != ALGORITHMS[algorithm]:
        raise Unauthenticated("invalid token: algorithm does not match the key")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key=signing_key.key,
            algorithms=[algorithm],
            audience=settings.oidc_audience,
            issuer=settings.oidc_issuer,
            leeway=settings.oidc_leeway_seconds,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("invalid token: expired") from None
    except jwt.ImmatureSignatureError:
        raise Unauthenticated("invalid token: not valid yet") from None
    except jwt.InvalidAudienceError:
        raise Unauthenticated("invalid token: wrong audience") from None
    except jwt.InvalidIssuerError:
        raise Unauthenticated("invalid token: wrong issuer") from None
    except jwt.PyJWTError:
        raise Unauthenticated("invalid token") from None
    return claims


def claim_values(claims: Mapping[str, Any], name: str) -> set[str]:
    """A claim as a set of strings: a list, a space-separated string, or nothing."""
    value: Any = claims
    # Dotted names reach into nested claims, as Keycloak's realm_access.roles.
    for part in name.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if isinstance(value, str):
        return set(value.split())
    if isinstance(value, list):
        return {item for item in value if isinstance(item, str)}
    return set()


@dataclass(frozen=True)
class ClaimRoles:
    is_admin: bool
    by_project_slug: Mapping[str, frozenset[Role]]


def roles_from_claims(claims: Mapping[str, Any], settings: Settings) -> ClaimRoles:
    values = claim_values(claims, settings.oidc_roles_claim)
    by_slug: dict[str, set[Role]] = {}
    for value in values:
        for slug, role in settings.oidc_role_mapping.get(value, {}).items():
            by_slug.setdefault(slug, set()).add(Role(role))
    return ClaimRoles(
        is_admin=bool(values & set(settings.oidc_admin_values)),
        by_project_slug={slug: frozenset(roles) for slug, roles in by_slug.items()},
    )
