"""Who is signed in to the pages, and how to sign in or out."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SessionOut(BaseModel):
    user: str
    municipality: str
    roles: list[str]
    teams: list[str]
    provider: str = Field(description="oidc, saml, dev, or bearer (a token, not a session)")
    csrf_token: str | None = Field(
        description="send as X-CSRF-Token on every state-changing call made with the session cookie"
    )
    home: str = Field(description="the page this person lands on")


class ProvidersOut(BaseModel):
    dev: bool
    oidc: bool
    saml: bool


class SignedOut(BaseModel):
    redirect: str = Field(description="where the browser goes next (the provider's single logout, or login)")
