"""FastAPI dependencies: the engine, and the authenticated actor with the route's role policy.

Every route declares who may call it with `allow(...)` (or `public()`); the authorization
matrix test walks the route table and fails on a route without a declared policy.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from api.auth import Authenticator
from engine.errors import ForbiddenError
from engine.model import Actor, Role
from engine.service import Engine

POLICY_ATTRIBUTE = "sagsflow_roles"


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]


def allow(*roles: Role) -> Any:
    """The authenticated actor, if it has one of `roles`; 401 without credentials, 403 without role."""

    def actor(request: Request) -> Actor:
        authenticator: Authenticator = request.app.state.authenticator
        found = authenticator.authenticate(request)
        if not found.has(*roles):
            raise ForbiddenError(f"this route requires one of the roles: {', '.join(r.value for r in roles)}")
        route = request.scope.get("route")
        path = getattr(route, "path", request.url.path)
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        return dataclasses.replace(found, route=f"{request.method} {path}", request_id=request_id[:64])

    setattr(actor, POLICY_ATTRIBUTE, frozenset(roles))
    return Depends(actor)


def public() -> Any:
    """Marks a route as deliberately open (health checks)."""

    def nobody() -> None:
        return None

    setattr(nobody, POLICY_ATTRIBUTE, frozenset())
    return Depends(nobody)


def route_policy(dependency: Callable[..., Any]) -> frozenset[Role] | None:
    return getattr(dependency, POLICY_ATTRIBUTE, None)


CASE_ROLES = (Role.CASEWORKER, Role.LEADER, Role.ADMIN, Role.INTEGRATOR)
TASK_ROLES = (Role.CASEWORKER, Role.LEADER, Role.ADMIN)
DEPLOY_ROLES = (Role.PROCESS_OWNER, Role.ADMIN)
DEFINITION_READERS = (Role.PROCESS_OWNER, Role.ADMIN, Role.INTEGRATOR, Role.LEADER, Role.CASEWORKER)

CaseActor = Annotated[Actor, allow(*CASE_ROLES)]
TaskActor = Annotated[Actor, allow(*TASK_ROLES, Role.INTEGRATOR)]
Deployer = Annotated[Actor, allow(*DEPLOY_ROLES)]
DefinitionReader = Annotated[Actor, allow(*DEFINITION_READERS)]
AdminActor = Annotated[Actor, allow(Role.ADMIN)]
