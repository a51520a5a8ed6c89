"""Turning request credentials into an `engine.model.Actor`.

- Bearer: an OIDC access token (JWT) verified against the configured issuer, audience and
  JWKS (file or URL). The algorithm comes from an allow-list (never `none`, never HMAC) and must
  fit the type of the key it names; `exp`, `nbf`, `iss`, `aud` and `sub` are required.
- Basic: service accounts from a JSON file, only on the Camunda-compatible routes, for clients
  that speak nothing else.
- Session cookie: a person signed in to the pages (api/signin/); state-changing calls must also
  carry the session's CSRF token. Never on the Camunda-compatible routes.
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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
from fastapi import Request

from api.problems import CAMUNDA_PREFIX, AuthError
from api.settings import ApiSettings
from api.signin import cookies
from engine.errors import ForbiddenError
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
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SessionRefusedError(AuthError):
    """A session cookie that names no live session (ended, expired, or forged): 401, logged."""


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


def claim(claims: Mapping[str, Any], path: str) -> Any:
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


class JwtVerifier:
    """Checks a signed JWT: the algorithm from an allow-list (never `none`, never HMAC) fitting the
    type of the key it names, the signature, issuer, audience, required claims and times. Used for
    the API's bearer tokens and for the ID tokens of the pages' OIDC sign-in alike."""

    def __init__(
        self,
        *,
        issuer: str | None,
        audience: str | None,
        algorithms: list[str],
        required_claims: list[str],
        leeway: int,
        jwks: dict[str, jwt.PyJWK] | None = None,
        jwks_client: jwt.PyJWKClient | None = None,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.algorithms = algorithms
        self.required_claims = required_claims
        self.leeway = leeway
        self._jwks = jwks
        self._jwks_client = jwks_client

    @property
    def needs_download(self) -> bool:
        return self._jwks is None

    def claims(self, token: str) -> dict[str, Any]:
        if len(token) > MAX_TOKEN_BYTES:
            raise AuthError("invalid token: too large")
        algorithm, key = self._signing_key(token)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": self.required_claims, "verify_signature": True},
            )
        except (jwt.PyJWTError, TypeError, ValueError) as err:
            raise AuthError(f"invalid token: {type(err).__name__}") from None
        return claims

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
        if self._jwks_client is None:
            raise AuthError("invalid token: no signing keys")
        try:
            return self._jwks_client.get_signing_key_from_jwt(token)
        except jwt.PyJWTError:
            raise AuthError("invalid token: unknown key") from None


def jwks_keys(document: dict[str, Any]) -> dict[str, jwt.PyJWK]:
    """The signing keys of a JWKS document, by `kid` (keys for encryption are left out)."""
    usable = [k for k in document.get("keys", []) if isinstance(k, dict) and k.get("use", "sig") == "sig"]
    return {k.get("kid", ""): jwt.PyJWK(k) for k in usable}


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
        self.verifier = JwtVerifier(
            issuer=settings.oidc_issuer,
            audience=settings.oidc_audience,
            algorithms=self.algorithms,
            required_claims=self.required_claims,
            leeway=settings.oidc_leeway_seconds,
            jwks=self._jwks,
            jwks_client=self._jwks_client,
        )
        self._basic_key = secrets.token_bytes(32)
        self._basic_cache: dict[bytes, ServiceAccount] = {}

    @property
    def bearer_configured(self) -> bool:
        return self._jwks_client is not None or self._jwks is not None

    @property
    def configured(self) -> bool:
        s = self.settings
        sign_in = s.login_oidc_issuer or s.saml_idp_metadata_file
        return bool(s.dev_mode or self.bearer_configured or self._accounts or sign_in)

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
        secret = self._session_secret(request) if not header else None
        if secret is not None:
            return self._session(request, secret)
        raise AuthError("authentication required", "Basic" if scheme == "basic" else "Bearer")

    def _session_secret(self, request: Request) -> str | None:
        """The pages' session cookie (never on the Camunda-compatible routes)."""
        if request.url.path.startswith(CAMUNDA_PREFIX):
            return None
        return cookies.read_session(request, self.settings)

    def is_quick(self, request: Request) -> bool:
        """Whether `authenticate` can answer without slow work: no password hashing (an uncached
        Basic login) and no download of signing keys. Quick answers may run on the event loop."""
        header = request.headers.get("authorization", "")
        if not header and self._session_secret(request) is not None:
            return False  # a database read
        scheme, _, credentials = header.partition(" ")
        scheme, credentials = scheme.lower(), credentials.strip()
        if scheme == "basic" and credentials and request.url.path.startswith(CAMUNDA_PREFIX):
            return self._basic_is_cached(credentials)
        if scheme == "bearer" and credentials and not self._is_dev_token(credentials):
            return not self.verifier.needs_download or not self.bearer_configured
        return True

    def _basic_is_cached(self, credentials: str) -> bool:
        try:
            username, _, password = base64.b64decode(credentials, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return True  # refused at once
        return self._is_dev_token(password) or self._fingerprint(username, password) in self._basic_cache

    def _fingerprint(self, username: str, password: str) -> bytes:
        return hmac.new(self._basic_key, f"{username}\x00{password}".encode(), "sha256").digest()

    def is_dev_token(self, value: str) -> bool:
        return self._is_dev_token(value)

    def _is_dev_token(self, value: str) -> bool:
        return self.dev_token is not None and hmac.compare_digest(value.encode(), self.dev_token.encode())

    def _bearer(self, token: str) -> Actor:
        if self._is_dev_token(token):
            return self.dev_actor()
        if not self.bearer_configured:
            raise AuthError("bearer tokens are not configured")
        return self._actor_from_claims(self.verifier.claims(token))

    def _session(self, request: Request, secret: str) -> Actor:
        """A signed-in person of the pages; state-changing calls must carry the session's CSRF token."""
        engine = request.app.state.engine
        idle = timedelta(minutes=self.settings.session_idle_minutes)
        found = engine.web_session(secret, idle=idle)
        if found is None:
            raise SessionRefusedError("the session has ended or is unknown; sign in again")
        if request.method not in SAFE_METHODS:
            given = request.headers.get(cookies.CSRF_HEADER, "")
            if not hmac.compare_digest(given.encode(), cookies.csrf_token(secret).encode()):
                raise ForbiddenError("the request lacks this session's CSRF token (X-CSRF-Token)")
        actor: Actor = found.actor
        return actor

    def _actor_from_claims(self, claims: dict[str, Any]) -> Actor:
        municipality = claim(claims, self.settings.claim_municipality)
        if not isinstance(municipality, str) or not MUNICIPALITY_PATTERN.match(municipality):
            raise AuthError("invalid token: no valid municipality claim")
        subject = claims.get("sub")
        if not isinstance(subject, str) or not 0 < len(subject) <= MAX_SUBJECT:
            raise AuthError("invalid token: no valid sub claim")
        return Actor(
            subject,
            municipality,
            _roles(claim(claims, self.settings.claim_roles)),
            _teams(claim(claims, self.settings.claim_teams)),
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
        return jwks_keys(json.loads(path.read_text()))

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
