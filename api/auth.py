"""Turning request credentials into an `engine.model.Actor`.

- Bearer: an OIDC access token (JWT) verified against the configured issuer, audience and
  JWKS (file or URL), algorithms from an allow-list (never `none`, never HMAC with a public key).
- Basic: service accounts from a JSON file, only on the Camunda-compatible routes, for clients
  that speak nothing else.
- Dev mode (loopback only): the printed dev token, or no credentials at all, is a dev admin.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

import jwt
from fastapi import Request

from api.problems import CAMUNDA_PREFIX, AuthError
from api.settings import ApiSettings
from engine.model import Actor, Role

PBKDF2_ITERATIONS = 200_000
ALLOWED_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "ES256", "ES384", "PS256"})


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


def _verify_password(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    computed = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(iterations))
    return hmac.compare_digest(computed.hex(), digest)


def _roles(value: Any) -> frozenset[Role]:
    names = value.split() if isinstance(value, str) else list(value or [])
    return frozenset(Role(n) for n in names if n in Role._value2member_map_)


class Authenticator:
    def __init__(self, settings: ApiSettings) -> None:
        self.settings = settings
        # The dev token exists only in dev mode, even when SAGSFLOW_DEV_TOKEN is set.
        self.dev_token = (settings.dev_token or secrets.token_urlsafe(24)) if settings.dev_mode else None
        self._jwks_client = jwt.PyJWKClient(settings.oidc_jwks_url) if settings.oidc_jwks_url else None
        self._jwks = self._load_jwks()
        self._accounts = self._load_accounts()
        allowed = {a.strip() for a in settings.oidc_algorithms.split(",")}
        self._algorithms = sorted(allowed & ALLOWED_ALGORITHMS)

    @property
    def configured(self) -> bool:
        return bool(self.settings.dev_mode or self._jwks_client or self._jwks or self._accounts)

    def dev_actor(self) -> Actor:
        return Actor("dev", self.settings.dev_municipality, frozenset(Role), frozenset({"dev"}))

    def authenticate(self, request: Request) -> Actor:
        header = request.headers.get("authorization", "")
        scheme, _, credentials = header.partition(" ")
        scheme = scheme.lower()
        actor: Actor | None = None
        if scheme == "bearer" and credentials:
            actor = self._bearer(credentials.strip())
        elif scheme == "basic" and credentials and request.url.path.startswith(CAMUNDA_PREFIX):
            actor = self._basic(credentials.strip())
        elif self.settings.dev_mode:
            actor = self.dev_actor()  # no or unparseable credentials (Modeler sends "undefined")
        if actor is None:
            raise AuthError("authentication required", "Basic" if scheme == "basic" else "Bearer")
        return actor

    def _bearer(self, token: str) -> Actor:
        if self.dev_token and hmac.compare_digest(token, self.dev_token):
            return self.dev_actor()
        key = self._signing_key(token)
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=self._algorithms,
                audience=self.settings.oidc_audience,
                issuer=self.settings.oidc_issuer,
                leeway=30,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as err:
            raise AuthError(f"invalid token: {type(err).__name__}") from None
        return self._actor_from_claims(claims)

    def _signing_key(self, token: str) -> Any:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthError("invalid token: malformed") from None
        if header.get("alg") not in self._algorithms:
            raise AuthError("invalid token: algorithm not allowed")
        if self._jwks is not None:
            key = self._jwks.get(header.get("kid") or "")
            if key is None:
                raise AuthError("invalid token: unknown key")
            return key
        if self._jwks_client is not None:
            try:
                return self._jwks_client.get_signing_key_from_jwt(token).key
            except jwt.PyJWTError:
                raise AuthError("invalid token: unknown key") from None
        raise AuthError("bearer tokens are not configured")

    def _actor_from_claims(self, claims: dict[str, Any]) -> Actor:
        municipality = claims.get(self.settings.claim_municipality)
        if not isinstance(municipality, str) or not municipality:
            raise AuthError("invalid token: no municipality claim")
        teams = claims.get(self.settings.claim_teams) or []
        teams = teams.split() if isinstance(teams, str) else teams
        return Actor(
            str(claims["sub"]),
            municipality,
            _roles(claims.get(self.settings.claim_roles)),
            frozenset(str(t) for t in teams),
        )

    def _basic(self, credentials: str) -> Actor:
        try:
            username, _, password = base64.b64decode(credentials, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise AuthError("invalid Basic credentials", "Basic") from None
        account = self._accounts.get(username)
        if account is None or not _verify_password(password, account.password_hash):
            raise AuthError("invalid Basic credentials", "Basic")
        return Actor(account.username, account.municipality, account.roles, account.teams)

    def _load_jwks(self) -> dict[str, Any] | None:
        path = self.settings.oidc_jwks_file
        if path is None:
            return None
        keys = json.loads(path.read_text())["keys"]
        return {k.get("kid", ""): jwt.PyJWK(k).key for k in keys}

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
