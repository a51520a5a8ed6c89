"""Query parameters on /engine-rest: a filter Sagsflow does not apply is refused, never ignored.

Camunda 7 applies every filter it documents. A server that silently ignores one (say
`superProcessInstanceId`) answers "everything", which a client cannot tell from a real answer.
So every route of the Camunda routers checks, after authentication, that each query parameter
is one the route declares, or one of the few whose only effect is presentation (`IGNORED`).
Anything else is Camunda's 400 `InvalidRequestException`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant

from api.routing import Router
from engine.errors import InvalidVariablesError, VariableProblem

# Accepted without effect (documented in docs/camunda-compat.md): Sagsflow has its own order,
# tenants are municipalities, and values are never Java-serialised.
IGNORED = frozenset({"sortBy", "sortOrder", "tenantIdIn", "withoutTenantId", "deserializeValues"})
CHECK_PARAMETER = "camunda_query_check"


def _declared(dependant: Dependant) -> Iterator[str]:
    for param in dependant.query_params:
        yield param.alias or param.name
    for sub in dependant.dependencies:
        yield from _declared(sub)


_KNOWN: dict[int, tuple[Any, frozenset[str]]] = {}


def _known(route: Any) -> frozenset[str]:
    """The query parameters `route` declares (routes are not hashable: cached by identity)."""
    cached = _KNOWN.get(id(route))
    if cached is None or cached[0] is not route:
        cached = (route, frozenset(_declared(route.dependant)))
        _KNOWN[id(route)] = cached
    return cached[1]


async def reject_unknown_query(request: Request) -> None:
    route = request.scope.get("route")
    if route is None or not hasattr(route, "dependant"):
        return
    known = _known(route) | IGNORED
    unknown = [name for name in dict.fromkeys(request.query_params.keys()) if name not in known]
    if unknown:
        raise InvalidVariablesError(
            [VariableProblem(name, f"query parameter '{name}' is not supported") for name in unknown]
        )


def is_checked(endpoint: Callable[..., Any]) -> bool:
    return CHECK_PARAMETER in inspect.signature(endpoint).parameters


def _with_check(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """`endpoint` with a trailing dependency that checks the query: FastAPI solves parameters in
    signature order, so the check runs after the route's own (authentication first: 401 before 400)."""
    signature = inspect.signature(endpoint)
    check = inspect.Parameter(
        CHECK_PARAMETER,
        inspect.Parameter.KEYWORD_ONLY,
        default=Depends(reject_unknown_query),
        annotation=None,
    )
    if inspect.iscoroutinefunction(endpoint):

        @functools.wraps(endpoint)
        async def run_async(*args: Any, camunda_query_check: None = None, **kwargs: Any) -> Any:
            return await endpoint(*args, **kwargs)

        wrapper: Callable[..., Any] = run_async
    else:

        @functools.wraps(endpoint)
        def run(*args: Any, camunda_query_check: None = None, **kwargs: Any) -> Any:
            return endpoint(*args, **kwargs)

        wrapper = run
    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*signature.parameters.values(), check]
    )
    return wrapper


class CamundaRouter(Router):
    """The router of every /engine-rest module: each route refuses query parameters it does not apply."""

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().add_api_route(path, _with_check(endpoint), **kwargs)
