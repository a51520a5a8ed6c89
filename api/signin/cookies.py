"""The pages' cookies: the session, and the one-time cookie of a sign-in under way.

Both carry random secrets (the database keeps their SHA-256 only). They are HttpOnly, Secure
outside dev mode (then named `__Host-…`: no Domain, Path=/), and SameSite=Lax: sent when the
identity provider sends the browser back, never with another site's scripted requests. The
sign-in cookie of SAML is SameSite=None when Secure, because the Context Handler answers with a
cross-site POST; it is bound to one request id and lives for minutes. State-changing calls
authenticated by the session cookie must also carry the session's CSRF token in a header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from fastapi import Request, Response

from api.settings import ApiSettings

SESSION = "sagsflow-session"
ATTEMPT = "sagsflow-signin"
CSRF_HEADER = "x-csrf-token"
MAX_SECRET = 100


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def csrf_token(secret: str) -> str:
    """The session's CSRF token: derived from its secret, so nothing more is stored."""
    digest = hmac.new(secret.encode(), b"sagsflow csrf", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _name(base: str, settings: ApiSettings) -> str:
    return f"__Host-{base}" if settings.cookies_secure else base


def read_session(request: Request, settings: ApiSettings) -> str | None:
    return _read(request, _name(SESSION, settings))


def read_attempt(request: Request, settings: ApiSettings) -> str | None:
    return _read(request, _name(ATTEMPT, settings))


def _read(request: Request, name: str) -> str | None:
    value = request.cookies.get(name)
    return value if value and len(value) <= MAX_SECRET else None


def set_session(response: Response, secret: str, settings: ApiSettings) -> None:
    response.set_cookie(
        _name(SESSION, settings),
        secret,
        max_age=settings.session_max_hours * 3600,
        path="/",
        secure=settings.cookies_secure,
        httponly=True,
        samesite="lax",
    )


def set_attempt(response: Response, secret: str, settings: ApiSettings, *, cross_site_post: bool) -> None:
    same_site = "none" if cross_site_post and settings.cookies_secure else "lax"
    response.set_cookie(
        _name(ATTEMPT, settings),
        secret,
        max_age=600,
        path="/",
        secure=settings.cookies_secure,
        httponly=True,
        samesite=same_site,  # type: ignore[arg-type]
    )


def clear(response: Response, settings: ApiSettings) -> None:
    for base in (SESSION, ATTEMPT):
        response.delete_cookie(
            _name(base, settings), path="/", secure=settings.cookies_secure, httponly=True, samesite="lax"
        )


def clear_attempt(response: Response, settings: ApiSettings) -> None:
    response.delete_cookie(
        _name(ATTEMPT, settings), path="/", secure=settings.cookies_secure, httponly=True, samesite="lax"
    )
