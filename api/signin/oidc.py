"""OpenID Connect sign-in for the pages: authorization code flow with PKCE (S256), `state` and
`nonce`, against an issuer found by discovery. The ID token is checked by the same rules as the
API's bearer tokens (api/auth.JwtVerifier: allowed algorithms fitting the key, signature, issuer,
audience = our client id, required claims, leeway), and its nonce must be this browser's."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlparse

import httpx
import jwt

from api.auth import ALLOWED_ALGORITHMS, JwtVerifier
from api.settings import ApiSettings, is_loopback

ID_TOKEN_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]


class OidcRefused(Exception):
    """The answer signs nobody in; `reason` is short, holds no personal data, and is logged."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class OidcIdentity:
    subject: str
    claims: dict[str, Any]
    id_token: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def check_issuer(issuer: str) -> None:
    parsed = urlparse(issuer)
    if parsed.scheme != "https" and not (parsed.scheme == "http" and is_loopback(parsed.hostname)):
        raise ValueError("SAGSFLOW_LOGIN_OIDC_ISSUER must be an https:// address")


class OidcSignIn:
    def __init__(self, settings: ApiSettings) -> None:
        assert settings.login_oidc_issuer and settings.login_oidc_client_id
        check_issuer(settings.login_oidc_issuer)
        self.settings = settings
        self.issuer = settings.login_oidc_issuer
        self.client_id = settings.login_oidc_client_id
        self.redirect_uri = f"{(settings.public_url or '').rstrip('/')}/auth/oidc/callback"
        allowed = {a.strip() for a in settings.oidc_algorithms.split(",")}
        self.algorithms = sorted(allowed & ALLOWED_ALGORITHMS)
        self._metadata: dict[str, Any] | None = None
        self._verifier: JwtVerifier | None = None

    def metadata(self) -> dict[str, Any]:
        """The issuer's discovery document (fetched once); its `issuer` must be the configured one."""
        if self._metadata is None:
            url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
            found = httpx.get(url, timeout=10).raise_for_status().json()
            if found.get("issuer") != self.issuer:
                raise OidcRefused("the discovery document names another issuer")
            self._metadata = found
        return self._metadata

    def verifier(self) -> JwtVerifier:
        if self._verifier is None:
            self._verifier = JwtVerifier(
                issuer=self.issuer,
                audience=self.client_id,
                algorithms=self.algorithms,
                required_claims=ID_TOKEN_CLAIMS,
                leeway=self.settings.oidc_leeway_seconds,
                jwks_client=jwt.PyJWKClient(self.metadata()["jwks_uri"], timeout=10),
            )
        return self._verifier

    def start(self) -> tuple[str, dict[str, str]]:
        """The provider's authorization URL and what its answer must match (state, nonce, verifier)."""
        state, nonce, verifier = (
            secrets.token_urlsafe(32),
            secrets.token_urlsafe(32),
            secrets.token_urlsafe(48),
        )
        challenge = _b64(hashlib.sha256(verifier.encode()).digest())
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.settings.login_oidc_scopes,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        url = f"{self.metadata()['authorization_endpoint']}?{urlencode(query)}"
        return url, {"state": state, "nonce": nonce, "verifier": verifier}

    def finish(self, expected: dict[str, str], params: dict[str, str]) -> OidcIdentity:
        """Exchange the code of an answer matching `expected` and check the ID token."""
        if "error" in params:
            raise OidcRefused("the provider answered with an error")
        state, code = params.get("state", ""), params.get("code", "")
        if not code or not hmac.compare_digest(state.encode(), expected["state"].encode()):
            raise OidcRefused("the answer is not to this browser's request (state)")
        id_token = self._exchange(code, expected["verifier"])
        try:
            claims = self.verifier().claims(id_token)
        except Exception as err:  # AuthError and the key client's errors
            raise OidcRefused(
                f"the ID token was refused ({getattr(err, 'message', type(err).__name__)})"
            ) from None
        nonce = claims.get("nonce")
        if not isinstance(nonce, str) or not hmac.compare_digest(nonce.encode(), expected["nonce"].encode()):
            raise OidcRefused("the ID token's nonce is not this browser's")
        if isinstance(claims.get("aud"), list) and claims.get("azp") != self.client_id:
            raise OidcRefused("the ID token was issued to another client (azp)")
        subject = claims["sub"]
        if not isinstance(subject, str) or not 0 < len(subject) <= 200:
            raise OidcRefused("the ID token has no usable sub")
        return OidcIdentity(subject, claims, id_token)

    def _exchange(self, code: str, verifier: str) -> str:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": verifier,
        }
        secret = self.settings.login_oidc_client_secret
        auth = (self.client_id, secret) if secret else None
        if not secret:
            form["client_id"] = self.client_id
        try:
            response = httpx.post(self.metadata()["token_endpoint"], data=form, auth=auth, timeout=10)
        except httpx.HTTPError:
            raise OidcRefused("the provider's token endpoint cannot be reached") from None
        body = (
            response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
        )
        token = body.get("id_token") if response.status_code == 200 else None
        if not isinstance(token, str):
            raise OidcRefused("the provider refused the code")
        return token

    def logout_url(self, id_token: str, after: str) -> str | None:
        """RP-initiated logout at the provider, if it offers it."""
        endpoint = self.metadata().get("end_session_endpoint")
        if not isinstance(endpoint, str):
            return None
        query = {"id_token_hint": id_token, "post_logout_redirect_uri": after, "client_id": self.client_id}
        return f"{endpoint}?{urlencode(query)}"
