"""HTTP-side settings (authentication, limits, dev mode). Read when the app is created."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def is_loopback(host: str | None) -> bool:
    """True for `localhost` and any address in 127.0.0.0/8 or ::1."""
    if host is None:
        return False
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAGSFLOW_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8080
    dev_mode: bool = Field(default=False, description="loopback-only quick start with a printed token")
    dev_token: str | None = Field(default=None, description="fixed dev token (random if unset)")
    dev_municipality: str = "0101"
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None
    oidc_jwks_file: Path | None = None
    oidc_algorithms: str = "RS256,ES256"
    oidc_required_claims: str = Field(
        default="exp,nbf,iss,aud,sub",
        description="claims a token must carry (drop nbf for identity providers that never set it)",
    )
    oidc_leeway_seconds: int = Field(default=30, ge=0, le=300)
    claim_municipality: str = "municipality"
    claim_roles: str = Field(
        default="roles", description="claim name; dotted paths such as realm_access.roles"
    )
    claim_teams: str = "teams"
    basic_users_file: Path | None = Field(
        default=None, description="JSON file of Basic-auth service accounts"
    )
    # Sign-in to the pages (server-side sessions); see api/signin/.
    public_url: str | None = Field(
        default=None, description="the service's address as browsers see it (https://…), for sign-in"
    )
    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_max_hours: int = Field(default=10, ge=1, le=7 * 24)
    secure_cookies: bool | None = Field(
        default=None, description="Secure cookies (default: on outside dev mode)"
    )
    rights_file: Path | None = Field(
        default=None, description="YAML file mapping the providers' roles and data limits to Sagsflow"
    )
    login_oidc_issuer: str | None = None
    login_oidc_client_id: str | None = None
    login_oidc_client_secret: str | None = None
    login_oidc_scopes: str = "openid profile"
    saml_idp_metadata_file: Path | None = None
    saml_entity_id: str | None = Field(default=None, description="default: <public_url>/auth/saml/metadata")
    saml_key_file: Path | None = None
    saml_cert_file: Path | None = None
    saml_encryption_key_file: Path | None = None
    saml_encryption_cert_file: Path | None = None
    saml_require_encryption: bool = False
    saml_nsis_level: str = Field(default="Substantial", description="Low, Substantial or High")
    saml_max_skew_seconds: int = Field(default=60, ge=0, le=300)
    xmlsec_binary: str | None = Field(default=None, description="path of xmlsec1 (default: found on PATH)")
    max_body_bytes: int = 5_000_000
    max_page_size: int = 500
    dev_clock: bool = Field(default=False, description="allow moving the clock through /dev/clock")
    log_level: str = Field(default="INFO", description="level of the service's own log output")

    @property
    def cookies_secure(self) -> bool:
        return (not self.dev_mode) if self.secure_cookies is None else self.secure_cookies
