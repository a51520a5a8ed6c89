"""`create_app`: the composition root of the HTTP service."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api import camunda, openapi, problems
from api.auth import Authenticator
from api.deps import routes_without_policy
from api.routers import cases, definitions, dev, health, incidents, messages, migrations, now, reports, tasks
from api.settings import ApiSettings, is_loopback
from api.signin import routes as signin_routes
from api.signin.flows import SignIn
from api.web import routes as web
from engine.bootstrap import build_engine
from engine.clock import Clock, OffsetClock
from engine.config import EngineSettings
from engine.logsafety import quiet_payload_loggers
from engine.model import Actor, Role
from engine.scheduler import start_scheduler
from engine.service import Engine

log = logging.getLogger("sagsflow")

DESCRIPTION = """
Sagsflow runs the lifecycle of Danish child-welfare cases under *barnets lov* as BPMN processes:
underretning → screening → afdækning/BFU → afgørelse → opstartsmøde → opfølgning → afslutning.

Errors are `application/problem+json`. A second or concurrent completion of the same task gets 409.
"""


class ConfigurationError(RuntimeError):
    pass


def security_problems(
    settings: ApiSettings, authenticator: Authenticator, signin: SignIn | None = None
) -> list[str]:
    """Why the service must not start with these settings (empty: it may)."""
    if settings.dev_mode and not is_loopback(settings.host):
        return [
            f"SAGSFLOW_DEV_MODE=1 only serves on loopback (127.0.0.1, ::1, localhost), not {settings.host}; "
            "configure OIDC (SAGSFLOW_OIDC_*) to serve on a network address"
        ]
    return authenticator.problems() + (signin.problems() if signin else [])


def check_security(settings: ApiSettings, authenticator: Authenticator, signin: SignIn) -> None:
    """Refuse to serve without authentication, and dev mode anywhere but loopback."""
    problems = security_problems(settings, authenticator, signin)
    if problems:
        raise ConfigurationError("refusing to start: " + "; ".join(problems))


def check_route_policies(app: FastAPI) -> None:
    """Refuse to serve a route that declares neither `allow(...)` nor `public()`."""
    missing = routes_without_policy(app)
    if missing:
        raise ConfigurationError(f"routes without an access policy: {', '.join(missing)}")


def create_app(
    settings: ApiSettings | None = None,
    engine_settings: EngineSettings | None = None,
    *,
    clock: Clock | None = None,
    engine: Engine | None = None,
) -> FastAPI:
    settings = settings or ApiSettings()
    engine_settings = engine_settings or EngineSettings()
    authenticator = Authenticator(settings)
    signin = SignIn(settings)
    check_security(settings, authenticator, signin)
    if clock is None and settings.dev_mode and settings.dev_clock:
        clock = OffsetClock()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        built = engine or build_engine(engine_settings, clock)
        app.state.engine = built
        if engine_settings.deploy_workflows_on_start:
            system = Actor("system", settings.dev_municipality, frozenset({Role.ADMIN}))
            built.deploy_directory(engine_settings.workflows_dir, actor=system)
        built.correct_legacy_deadlines()  # cases stored before due dates had a last day; a no-op after
        scheduler = (
            start_scheduler(built, engine_settings.tick_seconds) if engine_settings.run_scheduler else None
        )
        if settings.dev_mode:
            log.warning(
                "DEV MODE on http://%s:%d — token: %s",
                settings.host,
                settings.port,
                authenticator.dev_token,
            )
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=True)
            if engine is None:
                built.store.dispose()

    app = FastAPI(title="Sagsflow", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    app.state.authenticator = authenticator
    problems.install(app)
    openapi.install(app)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(NoNulInUrl)
    if settings.dev_mode:
        app.add_middleware(LoopbackOnly)
    app.add_middleware(problems.CatchAll)  # outermost: no exception reaches the server's log
    for router in (
        health.router,
        now.router,
        definitions.router,
        cases.router,
        tasks.router,
        messages.router,
        reports.router,
        incidents.router,
        migrations.router,
        dev.router,
        camunda.router,
    ):
        app.include_router(router)
    signin_routes.mount(app, signin)
    web.mount(app)
    check_route_policies(app)
    return app


class NoNulInUrl:
    """Refuse NUL characters in the path or query (422; 400 under /engine-rest, as Camunda answers an
    invalid request): PostgreSQL cannot store or compare them, SQLite can, and the same request
    must get the same answer on both."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        query = scope.get("query_string", b"").lower()
        if scope["type"] == "http" and ("\x00" in scope["path"] or b"%00" in query or b"\x00" in query):
            camunda = scope["path"].startswith(problems.CAMUNDA_PREFIX)
            response = problems.error_response(
                Request(scope),
                400 if camunda else 422,
                "invalid-request",
                "Invalid request",
                "NUL characters are not allowed in the URL",
                "InvalidRequestException",
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class LoopbackOnly:
    """Dev mode: answer only clients connecting from a loopback address (also when bound wider)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        client = scope.get("client")
        host = client[0] if client else None
        if scope["type"] == "http" and host is not None and _is_ip(host) and not is_loopback(host):
            response = problems.error_response(
                Request(scope),
                403,
                "forbidden",
                "Forbidden",
                "dev mode only answers requests from loopback addresses",
                "AuthorizationException",
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class BodyLimit:
    """Refuse request bodies over `limit` bytes (413), also when they arrive chunked.

    A body that grows past the limit is cut off: the app sees the client disconnect, whatever it
    answers is dropped, and the client gets the 413. (Raising inside `receive` would not do:
    FastAPI turns any error while reading a body into a 400.)
    """

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            await _too_large(scope, self.limit)(scope, receive, send)
            return
        await self._limited(scope, receive, send)

    async def _limited(self, scope: Any, receive: Any, send: Any) -> None:
        state = {"received": 0, "exceeded": False, "started": False}

        async def limited_receive() -> Any:
            if state["exceeded"]:
                return {"type": "http.disconnect"}
            message = await receive()
            state["received"] += len(message.get("body", b""))
            if state["received"] > self.limit:
                state["exceeded"] = True
                return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Any) -> None:
            if not state["exceeded"]:
                state["started"] = True
                await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not state["exceeded"]:
                raise
        if state["exceeded"] and not state["started"]:
            await _too_large(scope, self.limit)(scope, receive, send)


def _too_large(scope: Any, limit: int) -> JSONResponse:
    request = Request(scope)
    return problems.error_response(
        request,
        413,
        "too-large",
        "Request too large",
        f"the request body exceeds {limit} bytes",
        "InvalidRequestException",
    )


def app_factory() -> FastAPI:
    """For `uvicorn --factory` and several workers: settings come from the environment."""
    settings = ApiSettings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    quiet_payload_loggers()
    return create_app(settings)
