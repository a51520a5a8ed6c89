"""Turning request credentials into an `engine.model.Actor`.

- Bearer: an OIDC access token (JWT) verified against the configured issuer, audience and
  JWKS (file or URL). The algorithm comes from an allow-list (never `none`, never HMAC) and must
  fit the type of the key it names; `exp`, `nbf`, `iss`, `aud` and `sub` are required.
- Basic: service accounts from a JSON file, only on the Camunda-compatible routes, for clients
  that speak nothing else.
- Dev mode (loopback only): the token printed at start-up, as a Bearer token or as the password
  of Basic credentials on the Camunda-compatible routes, is a dev admin. Without it: 401.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

import jwt
from fastapi import Request

from api.problems import CAMUNDA_PREFIX, AuthError
from api.settings import ApiSettings
from engine.model import Actor, Role

PBKDF2_ITERATIONS = 200_000
ALLOWED_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"})
KEY_TYPES = {"RS": "RSA", "PS": "RSA", "ES": "EC"}
MAX_TOKEN_BYTES = 16_384
MUNICIPALITY_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
MAX_SUBJECT = 200
MAX_TEAMS = 50
MAX_TEAM = 100
_BASIC_CACHE_SIZE = 1_024


@dataclass(frozen=True)
class ServiceAccount:
    username: str
    password_hash: str
    municipality: str
    roles: frozenset[Role]
    teams: frozenset[str] = frozenset()


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, PBKDF2_ITERATIONS)
    return f"pbkdf2_sha256${PBKDF2_ITERATIONS}${salt.hex()}${digest.hex()}"


_DUMMY_HASH = hash_password("not a password", salt=b"sagsflow-dummy!!")


def _verify_password(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
        computed = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(iterations))
    except ValueError:
        return False
    return scheme == "pbkdf2_sha256" and hmac.compare_digest(computed.hex(), digest)


def _roles(value: Any) -> frozenset[Role]:
    names = value.split() if isinstance(value, str) else value if isinstance(value, list) else []
    return frozenset(Role(n) for n in names if isinstance(n, str) and n in Role._value2member_map_)


def _claim(claims: dict[str, Any], path: str) -> Any:
    """A claim by name, or by dotted path into nested objects (`realm_access.roles`)."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _teams(value: Any) -> frozenset[str]:
    teams = value.split() if isinstance(value, str) else value if isinstance(value, list) else []
    if len(teams) > MAX_TEAMS or not all(isinstance(t, str) and 0 < len(t) <= MAX_TEAM for t in teams):
        raise AuthError("invalid token: teams claim")
    return frozenset(teams)


class Authenticator:
    def __init__(self, settings: ApiSettings) -> None:
        self.settings = settings
        # The dev token exists only in dev mode, even when SAGSFLOW_DEV_TOKEN is set.
        self.dev_token = (settings.dev_token or secrets.token_urlsafe(24)) if settings.dev_mode else None
        self._jwks_client = (
            jwt.PyJWKClient(settings.oidc_jwks_url, timeout=10) if settings.oidc_jwks_url else None
        )
        self._jwks = self._load_jwks()
        self._accounts = self._load_accounts()
        allowed = {a.strip() for a in settings.oidc_algorithms.split(",")}
        self.algorithms = sorted(allowed & ALLOWED_ALGORITHMS)
        self.required_claims = [c.strip() for c in settings.oidc_required_claims.split(",") if c.strip()]
        self._basic_key = secrets.token_bytes(32)
        self._basic_cache: dict[bytes, ServiceAccount] = {}

    @property
    def bearer_configured(self) -> bool:
        return self._jwks_client is not None or self._jwks is not None

    @property
    def configured(self) -> bool:
        return bool(self.settings.dev_mode or self.bearer_configured or self._accounts)

    def problems(self) -> list[str]:
        """What is wrong with the configuration for serving outside dev mode."""
        s = self.settings
        found = []
        if not self.configured:
            found.append(
                "no authentication configured: set SAGSFLOW_OIDC_ISSUER, SAGSFLOW_OIDC_AUDIENCE and "
                "SAGSFLOW_OIDC_JWKS_URL (or _FILE), and/or SAGSFLOW_BASIC_USERS_FILE; "
                "or SAGSFLOW_DEV_MODE=1 for a loopback-only quick start"
            )
        if self.bearer_configured and not (s.oidc_issuer and s.oidc_audience):
            found.append("OIDC needs both SAGSFLOW_OIDC_ISSUER and SAGSFLOW_OIDC_AUDIENCE")
        if self.bearer_configured and not self.algorithms:
            found.append(f"SAGSFLOW_OIDC_ALGORITHMS allows none of {', '.join(sorted(ALLOWED_ALGORITHMS))}")
        if self.bearer_configured and not {"exp", "iss", "aud"} <= set(self.required_claims):
            found.append("SAGSFLOW_OIDC_REQUIRED_CLAIMS must include exp, iss and aud")
        return found

    def dev_actor(self) -> Actor:
        return Actor("dev", self.settings.dev_municipality, frozenset(Role), frozenset({"dev"}))

    def authenticate(self, request: Request) -> Actor:
        header = request.headers.get("authorization", "")
        scheme, _, credentials = header.partition(" ")
        scheme = scheme.lower()
        credentials = credentials.strip()
        if scheme == "bearer" and credentials:
            return self._bearer(credentials)
        if scheme == "basic" and credentials and request.url.path.startswith(CAMUNDA_PREFIX):
            return self._basic(credentials)
        raise AuthError("authentication required", "Basic" if scheme == "basic" else "Bearer")

    def is_quick(self, request: Request) -> bool:
        """Whether `authenticate` can answer without slow work: no password hashing (an uncached
        Basic login) and no download of signing keys. Quick answers may run on the event loop."""
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        scheme, credentials = scheme.lower(), credentials.strip()
        if scheme == "basic" and credentials and request.url.path.startswith(CAMUNDA_PREFIX):
            return self._basic_is_cached(credentials)
        if scheme == "bearer" and credentials and not self._is_dev_token(credentials):
            return self._jwks is not None or not self.bearer_configured
        return True

    def _basic_is_cached(self, credentials: str) -> bool:
        try:
            username, _, password = base64.b64decode(credentials, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return True  # refused at once
        return self._is_dev_token(password) or self._fingerprint(username, password) in self._basic_cache

    def _fingerprint(self, username: str, password: str) -> bytes:
        return hmac.new(self._basic_key, f"{username}\x00{password}".encode(), "sha256").digest()

    def _is_dev_token(self, value: str) -> bool:
        return self.dev_token is not None and hmac.compare_digest(value.encode(), self.dev_token.encode())

    def _bearer(self, token: str) -> Actor:
        if self._is_dev_token(token):
            return self.dev_actor()
        if not self.bearer_configured:
            raise AuthError("bearer tokens are not configured")
        if len(token) > MAX_TOKEN_BYTES:
            raise AuthError("invalid token: too large")
        algorithm, key = self._signing_key(token)
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[algorithm],
                audience=self.settings.oidc_audience,
                issuer=self.settings.oidc_issuer,
                leeway=self.settings.oidc_leeway_seconds,
                options={"require": self.required_claims, "verify_signature": True},
            )
        except (jwt.PyJWTError, TypeError, ValueError) as err:
            raise AuthError(f"invalid token: {type(err).__name__}") from None
        return self._actor_from_claims(claims)

    def _signing_key(self, token: str) -> tuple[str, Any]:
        """The header's algorithm (allowed) and the JWKS key it names (of a fitting type)."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthError("invalid token: malformed") from None
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in self.algorithms:
            raise AuthError("invalid token: algorithm not allowed")
        jwk = self._find_key(token, header)
        declared = jwk._jwk_data.get("alg")
        if jwk.key_type != KEY_TYPES.get(algorithm[:2]) or (declared and declared != algorithm):
            raise AuthError("invalid token: the key does not fit the algorithm")
        return algorithm, jwk.key

    def _find_key(self, token: str, header: dict[str, Any]) -> jwt.PyJWK:
        kid = header.get("kid")
        if self._jwks is not None:
            key = self._jwks.get(kid if isinstance(kid, str) else "")
            if key is None:
                raise AuthError("invalid token: unknown key")
            return key
        assert self._jwks_client is not None
        try:
            return self._jwks_client.get_signing_key_from_jwt(token)
        except jwt.PyJWTError:
            raise AuthError("invalid token: unknown key") from None

    def _actor_from_claims(self, claims: dict[str, Any]) -> Actor:
        municipality = _claim(claims, self.settings.claim_municipality)
        if not isinstance(municipality, str) or not MUNICIPALITY_PATTERN.match(municipality):
            raise AuthError("invalid token: no valid municipality claim")
        subject = claims.get("sub")
        if not isinstance(subject, str) or not 0 < len(subject) <= MAX_SUBJECT:
            raise AuthError("invalid token: no valid sub claim")
        return Actor(
            subject,
            municipality,
            _roles(_claim(claims, self.settings.claim_roles)),
            _teams(_claim(claims, self.settings.claim_teams)),
        )

    def _basic(self, credentials: str) -> Actor:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise AuthError("invalid Basic credentials", "Basic") from None
        username, _, password = decoded.partition(":")
        if self._is_dev_token(password):
            return self.dev_actor()
        account = self._verified_account(username, password)
        if account is None:
            raise AuthError("invalid Basic credentials", "Basic")
        return Actor(account.username, account.municipality, account.roles, account.teams)

    def _verified_account(self, username: str, password: str) -> ServiceAccount | None:
        """The account if the password matches; recent successes are remembered (PBKDF2 is slow)."""
        fingerprint = self._fingerprint(username, password)
        cached = self._basic_cache.get(fingerprint)
        if cached is not None:
            return cached
        account = self._accounts.get(username)
        stored = account.password_hash if account else _DUMMY_HASH  # same work for unknown users
        if not _verify_password(password, stored) or account is None:
            return None
        if len(self._basic_cache) >= _BASIC_CACHE_SIZE:
            self._basic_cache.clear()
        self._basic_cache[fingerprint] = account
        return account

    def _load_jwks(self) -> dict[str, jwt.PyJWK] | None:
        path = self.settings.oidc_jwks_file
        if path is None:
            return None
        keys = json.loads(path.read_text())["keys"]
        usable = [k for k in keys if k.get("use", "sig") == "sig"]
        return {k.get("kid", ""): jwt.PyJWK(k) for k in usable}

    def _load_accounts(self) -> dict[str, ServiceAccount]:
        path = self.settings.basic_users_file
        if path is None:
            return {}
        accounts = {}
        for entry in json.loads(path.read_text()):
            accounts[entry["username"]] = ServiceAccount(
                entry["username"],
                entry["password_hash"],
                entry["municipality"],
                _roles(entry.get("roles", [])),
                frozenset(entry.get("teams", [])),
            )
        return accounts
