"""What every way of signing in shares: rights from the configuration, the session and its
cookie, the refusal (logged, nothing created), the landing page, and single logout."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from api.auth import claim
from api.deps import in_request
from api.settings import ApiSettings
from api.signin import cookies, rights
from api.signin.oidc import OidcRefused, OidcSignIn
from api.signin.saml import SamlRefused, SamlSignIn
from engine.errors import SignInRefusedError
from engine.model import Actor, AssertionUse, Role, WebSessionInfo
from engine.service import Engine

REFUSED = "/ui/login?error=refused"


def safe_next(value: str | None) -> str | None:
    """A page of this app to return to (never another site, never the login page)."""
    if not value or len(value) > 500:
        return None
    safe = value.startswith("/ui/") and not value.startswith("//") and "\\" not in value
    return value if safe and not value.startswith("/ui/login") else None


def home(actor: Actor) -> str:
    """Where a person lands: leaders and admins on Overblik, caseworkers on their inbox."""
    if actor.has(Role.LEADER, Role.ADMIN):
        return "/ui/"
    if actor.has(Role.CASEWORKER):
        return "/ui/tasks"
    return "/ui/cases" if actor.has(Role.INTEGRATOR) else "/ui/"


class SignIn:
    def __init__(self, settings: ApiSettings) -> None:
        self.settings = settings
        self.rights = rights.load(settings.rights_file)
        wants_oidc = settings.login_oidc_issuer and settings.login_oidc_client_id
        self.oidc = OidcSignIn(settings) if wants_oidc else None
        saml_keys = settings.saml_key_file and settings.saml_cert_file
        self.saml = SamlSignIn(settings) if settings.saml_idp_metadata_file and saml_keys else None

    def problems(self) -> list[str]:
        found = []
        s = self.settings
        wanted = s.login_oidc_issuer or s.saml_idp_metadata_file
        if wanted and not s.public_url:
            found.append("sign-in to the pages needs SAGSFLOW_PUBLIC_URL (the address browsers use)")
        if wanted and not s.rights_file:
            found.append("sign-in to the pages needs SAGSFLOW_RIGHTS_FILE (who gets which role)")
        if s.saml_idp_metadata_file and not (s.saml_key_file and s.saml_cert_file):
            found.append(
                "SAML sign-in needs SAGSFLOW_SAML_KEY_FILE and SAGSFLOW_SAML_CERT_FILE (signing keys)"
            )
        if s.login_oidc_issuer and not s.login_oidc_client_id:
            found.append("OIDC sign-in needs SAGSFLOW_LOGIN_OIDC_CLIENT_ID")
        return found

    @property
    def lifetime(self) -> timedelta:
        return timedelta(hours=self.settings.session_max_hours)

    def provider_of(self, request: Request, secret: str) -> str:
        found = request.app.state.engine.web_session(
            secret, idle=timedelta(minutes=self.settings.session_idle_minutes)
        )
        return str(found.provider) if found else "none"

    def open(
        self,
        request: Request,
        engine: Engine,
        actor: Actor,
        *,
        provider: str,
        subject: str,
        next_page: str | None,
        provider_session: str | None = None,
        assertion: AssertionUse | None = None,
    ) -> Response:
        """Start the session and send the browser on (to `next_page`, or the role's page)."""
        secret = cookies.new_secret()
        try:
            engine.open_session(
                secret,
                actor,
                provider=provider,
                subject=subject,
                lifetime=self.lifetime,
                provider_session=provider_session,
                assertion=assertion,
            )
        except SignInRefusedError as err:
            return self.refuse(request, engine, provider, err.reason, subject)
        response = RedirectResponse(next_page or home(actor), 303)
        cookies.set_session(response, secret, self.settings)
        cookies.clear_attempt(response, self.settings)
        return response

    def refuse(
        self, request: Request, engine: Engine, provider: str, reason: str, subject: str | None
    ) -> Response:
        who = in_request(Actor((subject or "anonymous")[:200], "-", frozenset()), request)
        engine.refuse_sign_in(who, provider=provider, reason=reason)
        response = RedirectResponse(REFUSED, 303)
        cookies.clear_attempt(response, self.settings)
        return response

    def finish_oidc(self, request: Request, engine: Engine, params: dict[str, str]) -> Response:
        assert self.oidc is not None
        attempt = self._attempt(request, engine, "oidc")
        if attempt is None:
            return self.refuse(request, engine, "oidc", "no sign-in under way in this browser", None)
        try:
            identity = self.oidc.finish(attempt.secrets, params)
        except OidcRefused as err:
            return self.refuse(request, engine, "oidc", err.reason, None)
        user = claim(identity.claims, self.rights.oidc.user_claim)
        try:
            grant = rights.oidc_grant(self.rights.oidc, identity.claims)
        except rights.RightsError as err:
            return self.refuse(request, engine, "oidc", str(err), identity.subject)
        if not isinstance(user, str) or not 0 < len(user) <= 200:
            return self.refuse(request, engine, "oidc", "no usable user claim", identity.subject)
        actor = in_request(Actor(user, grant.municipality, grant.roles, grant.teams), request)
        return self.open(
            request,
            engine,
            actor,
            provider="oidc",
            subject=identity.subject,
            next_page=attempt.next_page,
            provider_session=json.dumps({"id_token": identity.id_token}),
        )

    def finish_saml(self, request: Request, engine: Engine, saml_response: str) -> Response:
        assert self.saml is not None
        attempt = self._attempt(request, engine, "saml")
        if attempt is None:
            return self.refuse(request, engine, "saml", "no sign-in under way in this browser", None)
        try:
            identity = self.saml.finish(saml_response, attempt.state, engine.clock.now())
            grant = rights.saml_grant(self.rights.saml, identity.privileges)
        except SamlRefused as err:
            return self.refuse(request, engine, "saml", err.reason, err.subject)
        except rights.RightsError as err:
            return self.refuse(request, engine, "saml", str(err), None)
        actor = in_request(Actor(identity.subject, grant.municipality, grant.roles, grant.teams), request)
        return self.open(
            request,
            engine,
            actor,
            provider="saml",
            subject=identity.subject,
            next_page=attempt.next_page,
            provider_session=identity.provider_session,
            assertion=AssertionUse(identity.assertion_id, identity.issuer, identity.expires_at),
        )

    def idp_logout(self, request: Request, engine: Engine, query: dict[str, str]) -> Response:
        """The IdP signs a person out everywhere: end their sessions here, and answer it."""
        assert self.saml is not None
        try:
            subject, answer = self.saml.logout_request(query)
        except SamlRefused as err:
            who = in_request(Actor("anonymous", "-", frozenset()), request)
            engine.refuse_sign_in(who, provider="saml", reason=err.reason)
            return RedirectResponse(REFUSED, 303)
        engine.end_provider_sessions(
            "saml", subject, actor=in_request(Actor("saml-idp", "-", frozenset()), request)
        )
        return RedirectResponse(answer, 303)

    def _attempt(self, request: Request, engine: Engine, provider: str) -> Any:
        secret = cookies.read_attempt(request, self.settings)
        attempt = engine.take_sign_in(secret) if secret else None
        return attempt if attempt is not None and attempt.provider == provider else None

    def logout_redirect(self, ended: WebSessionInfo) -> str | None:
        """Single logout at the provider that signed the person in, where it offers one."""
        after = f"{(self.settings.public_url or '').rstrip('/')}/ui/login?signed_out=1"
        stored = ended.provider_session
        if ended.provider == "oidc" and self.oidc is not None and stored:
            return self.oidc.logout_url(json.loads(stored)["id_token"], after)
        if ended.provider == "saml" and self.saml is not None and stored:
            return self.saml.logout_redirect(stored, relay_state="")
        return None
