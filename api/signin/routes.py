"""Routes of the pages' sign-in under /auth: who is signed in, sign-out, and the providers' flows.

Redirect flows (OIDC, SAML) answer a refusal by sending the browser to the login page with
`?error=refused`, after an access-log row that says why; nothing else is created.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

import httpx
from fastapi import FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from api.deps import AnyActor, EngineDep, in_request, public
from api.routing import Router
from api.schemas.session import ProvidersOut, SessionOut, SignedOut
from api.settings import ApiSettings
from api.signin import cookies
from api.signin.flows import SignIn, home, safe_next
from api.signin.oidc import OidcRefused
from engine.model import SignInAttemptInfo

router = Router(prefix="/auth", tags=["sign-in"])
ATTEMPT_LIFETIME = timedelta(minutes=10)


def _signin(request: Request) -> SignIn:
    found: SignIn = request.app.state.signin
    return found


def _settings(request: Request) -> ApiSettings:
    found: ApiSettings = request.app.state.settings
    return found


@router.get("/providers", dependencies=[public()])
def providers(request: Request) -> ProvidersOut:
    """Which ways of signing in this service offers (the login page shows those)."""
    signin = _signin(request)
    return ProvidersOut(
        dev=signin.settings.dev_mode, oidc=signin.oidc is not None, saml=signin.saml is not None
    )


@router.get("/session")
def session(request: Request, actor: AnyActor) -> SessionOut:
    """Who is calling; with the session cookie, also the CSRF token its state-changing calls need."""
    secret = (
        None if request.headers.get("authorization") else cookies.read_session(request, _settings(request))
    )
    provider = _signin(request).provider_of(request, secret) if secret else "bearer"
    return SessionOut(
        user=actor.user_id,
        municipality=actor.municipality,
        roles=sorted(actor.roles),
        teams=sorted(actor.teams),
        provider=provider,
        csrf_token=cookies.csrf_token(secret) if secret else None,
        home=home(actor),
    )


@router.post("/logout")
def logout(request: Request, actor: AnyActor, engine: EngineDep) -> JSONResponse:
    """End the session (and the cookie), and say where single logout at the provider goes."""
    settings = _settings(request)
    secret = None if request.headers.get("authorization") else cookies.read_session(request, settings)
    ended = engine.end_session(secret, actor=actor) if secret else None
    redirect = _signin(request).logout_redirect(ended) if ended else None
    body = SignedOut(redirect=redirect or "/ui/login?signed_out=1")
    response = JSONResponse(body.model_dump())
    cookies.clear(response, settings)
    return response


def _dev_sign_in(
    request: Request,
    engine: EngineDep,
    token: Annotated[str, Form(max_length=500)] = "",
    next: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:
    """Dev mode only: the printed dev token (posted by the login page's form) starts a session of
    the dev admin."""
    signin = _signin(request)
    authenticator = request.app.state.authenticator
    if not authenticator.is_dev_token(token):
        response = signin.refuse(request, engine, "dev", "wrong dev token", None)
        back = safe_next(next)
        response.headers["location"] = "/ui/login?error=token" + (f"&next={quote(back)}" if back else "")
        return response
    who = in_request(authenticator.dev_actor(), request)
    return signin.open(request, engine, who, provider="dev", subject=who.user_id, next_page=safe_next(next))


def oidc_login(request: Request, engine: EngineDep, next: str | None = None) -> Response:
    signin = _signin(request)
    assert signin.oidc is not None
    try:
        url, expected = signin.oidc.start()
    except (httpx.HTTPError, ValueError, KeyError, OidcRefused):  # discovery failed
        return signin.refuse(
            request, engine, "oidc", "the provider's discovery document cannot be read", None
        )
    attempt = SignInAttemptInfo("oidc", expected["state"], expected, safe_next(next))
    return _to_provider(request, engine, attempt, url, cross_site_post=False)


def oidc_callback(request: Request, engine: EngineDep) -> Response:
    return _signin(request).finish_oidc(request, engine, dict(request.query_params))


def saml_metadata(request: Request) -> Response:
    """This service provider's metadata, to register with KOMBIT's Context Handler."""
    saml = _signin(request).saml
    assert saml is not None
    return Response(saml.metadata, media_type="application/samlmetadata+xml")


def saml_login(request: Request, engine: EngineDep, next: str | None = None) -> Response:
    saml = _signin(request).saml
    assert saml is not None
    request_id, url = saml.start()
    attempt = SignInAttemptInfo("saml", request_id, {}, safe_next(next))
    return _to_provider(request, engine, attempt, url, cross_site_post=True)


def saml_acs(
    request: Request,
    engine: EngineDep,
    saml_response: Annotated[str, Form(alias="SAMLResponse", max_length=1_000_000)] = "",
) -> Response:
    """The Context Handler posts the signed (and encrypted) assertion here."""
    return _signin(request).finish_saml(request, engine, saml_response)


def saml_slo(request: Request, engine: EngineDep) -> Response:
    """Single logout with the IdP: its answer to ours (the session here has ended already), or its
    own signed LogoutRequest, which ends every session of that person here."""
    saml = _signin(request).saml
    assert saml is not None
    query = dict(request.query_params)
    if "SAMLRequest" in query:
        return _signin(request).idp_logout(request, engine, query)
    done = saml.logout_answer(query)
    return RedirectResponse("/ui/login?signed_out=1" if done else "/ui/login?signed_out=partly", 303)


def _to_provider(
    request: Request, engine: EngineDep, attempt: SignInAttemptInfo, url: str, *, cross_site_post: bool
) -> Response:
    secret = cookies.new_secret()
    engine.start_sign_in(secret, attempt, lifetime=ATTEMPT_LIFETIME)
    response = RedirectResponse(url, 303)
    cookies.set_attempt(response, secret, _settings(request), cross_site_post=cross_site_post)
    return response


def mount(app: FastAPI, signin: SignIn) -> None:
    """The sign-in routes this configuration offers (a provider's flow only when it is configured)."""
    app.state.signin = signin
    app.include_router(router)
    flows = Router(prefix="/auth", tags=["sign-in"], include_in_schema=False, dependencies=[public()])
    flows.add_api_route("/dev", _dev_sign_in, methods=["POST"])  # refuses every token outside dev mode
    if signin.oidc is not None:
        flows.add_api_route("/oidc/login", oidc_login, methods=["GET"])
        flows.add_api_route("/oidc/callback", oidc_callback, methods=["GET"])
    if signin.saml is not None:
        flows.add_api_route("/saml/metadata", saml_metadata, methods=["GET"])
        flows.add_api_route("/saml/login", saml_login, methods=["GET"])
        flows.add_api_route("/saml/acs", saml_acs, methods=["POST"])
        flows.add_api_route("/saml/slo", saml_slo, methods=["GET"])
    app.include_router(flows)
