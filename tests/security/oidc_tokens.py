"""A test identity provider: a real RSA key pair (and a stranger's), a JWKS file, and tokens.

`Issuer.token(...)` mints a valid access token; `Issuer.defective(name, ...)` mints one with a
single defect, for each of `DEFECTS`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from api.auth import hash_password
from api.settings import ApiSettings

ISSUER = "https://idp.test/realms/sagsflow"
AUDIENCE = "sagsflow-api"
KID = "test-key-1"
EC_KID = "test-ec-key"
BASIC_PASSWORD = "s3cret-basic-password"

DEFECTS = (
    "missing",
    "expired",
    "wrong_audience",
    "wrong_issuer",
    "bad_signature",
    "alg_none",
    "hs256_public_key",
    "not_yet_valid",
    "es256_with_rsa_key",
    "no_municipality",
    "garbage",
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"


@dataclass
class Issuer:
    directory: Path
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    stranger: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    ec_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )

    def __post_init__(self) -> None:
        self.jwks_file = self.directory / "jwks.json"
        self.users_file = self.directory / "basic-users.json"
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        self.jwks_file.write_text(json.dumps({"keys": [{**public, "kid": KID, "use": "sig"}]}))
        self.users_file.write_text("[]")

    def add_basic_accounts(self, accounts: list[dict[str, Any]]) -> None:
        entries = [{**a, "password_hash": hash_password(BASIC_PASSWORD)} for a in accounts]
        self.users_file.write_text(json.dumps(entries))

    def settings(self, **overrides: Any) -> ApiSettings:
        values: dict[str, Any] = {
            "oidc_issuer": ISSUER,
            "oidc_audience": AUDIENCE,
            "oidc_jwks_file": self.jwks_file,
            "basic_users_file": self.users_file,
        }
        values.update(overrides)
        return ApiSettings(**values)

    def claims(
        self, user: str, municipality: str, roles: tuple[str, ...], teams: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        now = int(time.time())
        return {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": user,
            "iat": now,
            "nbf": now - 5,
            "exp": now + 600,
            "municipality": municipality,
            "roles": list(roles),
            "teams": list(teams),
        }

    def sign(self, claims: dict[str, Any], *, key: Any = None, kid: str = KID, alg: str = "RS256") -> str:
        return jwt.encode(claims, key or self.key, algorithm=alg, headers={"kid": kid})

    def token(self, user: str, municipality: str, roles: tuple[str, ...], teams: tuple[str, ...] = ()) -> str:
        return self.sign(self.claims(user, municipality, roles, teams))

    def defective(self, defect: str, claims: dict[str, Any]) -> str | None:
        """A token with one defect (None for `missing`: no Authorization header at all)."""
        now = int(time.time())
        if defect == "missing":
            return None
        if defect == "expired":
            return self.sign({**claims, "iat": now - 7200, "nbf": now - 7200, "exp": now - 3600})
        if defect == "wrong_audience":
            return self.sign({**claims, "aud": "another-api"})
        if defect == "wrong_issuer":
            return self.sign({**claims, "iss": "https://evil.test/realms/sagsflow"})
        if defect == "bad_signature":
            return self.sign(claims, key=self.stranger)
        if defect == "alg_none":
            return _unsigned({"alg": "none", "typ": "JWT", "kid": KID}, claims) + "."
        if defect == "hs256_public_key":
            return self._hs256_with_public_key(claims)
        if defect == "not_yet_valid":
            return self.sign({**claims, "nbf": now + 3600})
        if defect == "es256_with_rsa_key":
            return self.sign(claims, key=self.ec_key, alg="ES256")
        if defect == "no_municipality":
            return self.sign({k: v for k, v in claims.items() if k != "municipality"})
        if defect == "garbage":
            return "not-a-jwt"
        raise ValueError(defect)

    def _hs256_with_public_key(self, claims: dict[str, Any]) -> str:
        """The classic key confusion: HMAC-signed with the server's public key as the secret."""
        pem = self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        signing_input = _unsigned({"alg": "HS256", "typ": "JWT", "kid": KID}, claims)
        signature = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(signature)}"


def basic(username: str, password: str = BASIC_PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
