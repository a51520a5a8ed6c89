"""The router every Sagsflow router module uses.

FastAPI runs a plain `def` endpoint in a worker thread and then, in a second hop, validates its
answer in a worker thread again. Endpoints here are plain functions (they call the blocking
engine), so `Router` wraps each one in an `async def` that runs it in a single hop; the answer is
then validated on the event loop, which is cheap. The endpoint's signature is kept, so FastAPI
reads its parameters and dependencies as written.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool


class Router(APIRouter):
    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _in_one_hop(endpoint)
        super().add_api_route(path, endpoint, **kwargs)


def _in_one_hop(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)
    async def run(*args: Any, **kwargs: Any) -> Any:
        return await run_in_threadpool(endpoint, *args, **kwargs)

    return run
