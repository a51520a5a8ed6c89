"""The people the browser tests act as: a caseworker and a leader of the dev municipality, signed
in with bearer tokens from a test identity provider (an RSA key and its JWKS file, which the
server trusts next to dev mode). The pages behave the same whichever way a person signed in; the
sign-in itself (dev token, OIDC, SAML, sessions and CSRF) is tested in test_login.py and
tests/signin."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from playwright.sync_api import Page

ISSUER = "https://idp.browser.test/realms/kommune"
AUDIENCE = "sagsflow"
KID = "browser-tests"
MUNICIPALITY = "0101"  # the LiveServer's dev municipality, where the dev admin opens the cases


@dataclass(frozen=True)
class Persona:
    user: str
    roles: tuple[str, ...]
    teams: tuple[str, ...] = ("team-a",)


CASEWORKER = Persona("anna.raadgiver", ("caseworker",))
COLLEAGUE = Persona("bo.raadgiver", ("caseworker",))
LEADER = Persona("lise.leder", ("leader",))


class IdentityProvider:
    def __init__(self, directory: Path) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        self.jwks = directory / "jwks.json"
        self.jwks.write_text(json.dumps({"keys": [{**public, "kid": KID, "use": "sig", "alg": "RS256"}]}))

    def environment(self) -> dict[str, str]:
        return {
            "SAGSFLOW_OIDC_ISSUER": ISSUER,
            "SAGSFLOW_OIDC_AUDIENCE": AUDIENCE,
            "SAGSFLOW_OIDC_JWKS_FILE": str(self.jwks),
        }

    def token(self, who: Persona) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": who.user,
            "iat": now,
            "nbf": now - 5,
            "exp": now + 3600,
            "municipality": MUNICIPALITY,
            "roles": list(who.roles),
            "teams": list(who.teams),
        }
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KID})

    def sign_in(self, page: Page, who: Persona) -> None:
        """Every request of this tab carries `who`'s token from now on."""
        page.set_extra_http_headers({"Authorization": f"Bearer {self.token(who)}"})
