"""FastAPI dependencies: the engine, and the authenticated actor with the route's role policy.

Every route declares who may call it with `allow(...)` (or `public()`); the authorization
matrix test walks the route table and fails on a route without a declared policy.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from api.auth import Authenticator, SessionRefusedError
from engine import access
from engine.errors import ForbiddenError
from engine.model import Actor, Role
from engine.service import Engine

POLICY_ATTRIBUTE = "sagsflow_roles"
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


async def get_engine(request: Request) -> Engine:
    # async on purpose: FastAPI runs each sync dependency in its own threadpool hop, which costs
    # more than this whole function (the same holds for `allow` below).
    engine: Engine = request.app.state.engine
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]


def allow(*roles: Role) -> Any:
    """The authenticated actor, if it has one of `roles`; 401 without credentials, 403 without role."""

    if not roles:
        raise ValueError("allow() needs at least one role; use public() for open routes")

    async def actor(request: Request) -> Actor:
        authenticator: Authenticator = request.app.state.authenticator
        try:
            if authenticator.is_quick(request):
                found = authenticator.authenticate(request)
            else:  # PBKDF2, a JWKS download or a session read: never on the event loop
                found = await run_in_threadpool(authenticator.authenticate, request)
        except SessionRefusedError:
            nobody = in_request(Actor("anonymous", "-", frozenset()), request)
            await run_in_threadpool(
                request.app.state.engine.refuse_sign_in, nobody, provider="session", reason="no live session"
            )
            raise
        if not found.has(*roles):
            raise ForbiddenError(f"this route requires one of the roles: {', '.join(r.value for r in roles)}")
        return in_request(found, request)

    setattr(actor, POLICY_ATTRIBUTE, frozenset(roles))
    return Depends(actor)


def in_request(found: Actor, request: Request) -> Actor:
    """`found` with the route and request id the access log records."""
    given = request.headers.get("x-request-id", "")
    request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
    return dataclasses.replace(
        found, route=f"{request.method} {route_template(request)}", request_id=request_id
    )


def public() -> Any:
    """Marks a route as deliberately open (health checks)."""

    def nobody() -> None:
        return None

    setattr(nobody, POLICY_ATTRIBUTE, frozenset())
    return Depends(nobody)


def route_policy(dependency: Callable[..., Any]) -> frozenset[Role] | None:
    return getattr(dependency, POLICY_ATTRIBUTE, None)


def _policies(dependant: Dependant) -> Iterator[frozenset[Role]]:
    for sub in dependant.dependencies:
        found = route_policy(sub.call) if sub.call is not None else None
        if found is not None:
            yield found
        yield from _policies(sub)


def _combined(dependant: Dependant) -> frozenset[Role] | None:
    """The roles allowed (empty: public), or None without any declaration.

    With several `allow(...)` declarations a caller needs a role from each (the intersection).
    """
    declared = list(_policies(dependant))
    if not declared:
        return None
    restricting = [roles for roles in declared if roles]
    return frozenset.intersection(*restricting) if restricting else frozenset()


@dataclass(frozen=True)
class RoutePolicy:
    """One served route as a client sees it (prefixes applied) and the roles it allows.

    `roles` is None when the route declares nothing (the app refuses to start then), empty when
    it is deliberately public. `route` is the APIRoute, or None for other routes (docs, mounts).
    """

    path: str
    methods: frozenset[str]
    roles: frozenset[Role] | None
    route: APIRoute | None
    kind: str


def route_policies(app: FastAPI) -> list[RoutePolicy]:
    """Every route of `app`, with included routers' prefixes and dependencies applied."""
    framework = _framework_paths(app)
    found = []
    for context in iter_route_contexts(app.routes):
        original = context.original_route
        path = str(context.path or getattr(original, "path", "?"))
        methods = frozenset(context.methods or ())
        if isinstance(original, APIRoute):
            dependant = getattr(context, "dependant", None) or original.dependant
            found.append(RoutePolicy(path, methods, _combined(dependant), original, "api"))
        elif _is_framework_route(original, path, framework):
            found.append(RoutePolicy(path, methods, frozenset(), None, "framework"))
        else:
            found.append(RoutePolicy(path, methods, None, None, type(original).__name__))
    return found


def routes_without_policy(app: FastAPI) -> list[str]:
    """Every route that neither declares `allow(...)` nor `public()` (FastAPI's own docs excepted)."""
    return [
        f"{','.join(sorted(p.methods)) or p.kind} {p.path}" for p in route_policies(app) if p.roles is None
    ]


def route_template(request: Request) -> str:
    """The matched route's path template with prefixes ("/cases/{case_id}"), never the raw URL."""
    effective = request.scope.get("fastapi", {}).get("effective_route_context")
    path = getattr(effective, "path_format", None) or getattr(request.scope.get("route"), "path", None)
    return str(path or "(unmatched)")[:250]


def _framework_paths(app: FastAPI) -> set[str]:
    paths = {app.openapi_url, app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
    return {p for p in paths if p}


def _is_framework_route(route: BaseRoute, path: str, framework: set[str]) -> bool:
    """FastAPI's OpenAPI and docs pages, and static assets (which hold no case data)."""
    if isinstance(route, Mount):
        return isinstance(route.app, StaticFiles)
    return path in framework


# The same role sets the engine enforces (engine/access.py), so route and engine never disagree.
CaseActor = Annotated[Actor, allow(*access.CASE_WRITERS)]
TaskActor = Annotated[Actor, allow(*access.TASK_ASSIGNERS, Role.INTEGRATOR)]
Assigner = Annotated[Actor, allow(*access.TASK_ASSIGNERS)]
Deployer = Annotated[Actor, allow(*access.DEPLOYERS)]
Migrator = Annotated[Actor, allow(*access.MIGRATORS)]
DefinitionReader = Annotated[Actor, allow(*access.DEFINITION_READERS)]
AdminActor = Annotated[Actor, allow(Role.ADMIN)]
LeaderActor = Annotated[Actor, allow(Role.LEADER, Role.ADMIN)]
Operator = Annotated[Actor, allow(Role.INTEGRATOR, Role.LEADER, Role.ADMIN)]
AnyActor = Annotated[Actor, allow(*Role)]
