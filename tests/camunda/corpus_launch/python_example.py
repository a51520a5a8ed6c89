"""Runs one of camunda-external-task-client-python3's own example scripts against the test server.

Usage: python python_example.py EXAMPLE_PATH ENGINE_URL USER PASSWORD

Only the URL and the credentials change: every ExternalTaskWorker and EngineClient the example
creates gets ENGINE_URL and Basic credentials instead of the client's default
http://localhost:8080/engine-rest without authentication. The example's simulated work
(`time.sleep` of up to 10 s per task, and 30 s after an error) is shortened to at most 0.2 s so
the suite stays fast; no request the example sends changes. The example runs as `__main__` with
its repository root on sys.path (for `from examples.task_handler_example import …`).
"""

from __future__ import annotations

import runpy
import sys
import time
from pathlib import Path
from typing import Any

from camunda.client.engine_client import EngineClient
from camunda.external_task.external_task_worker import ExternalTaskWorker

MAX_SLEEP_SECONDS = 0.2


def main() -> None:
    example, url, user, password = sys.argv[1:5]
    auth = {"auth_basic": {"username": user, "password": password}}
    worker_init, engine_init = ExternalTaskWorker.__init__, EngineClient.__init__

    def worker(self: Any, worker_id: Any, base_url: str = url, config: dict[str, Any] | None = None) -> None:
        worker_init(self, worker_id, url, {**(config or {}), **auth})

    def engine(self: Any, engine_base_url: str = url, config: dict[str, Any] | None = None) -> None:
        engine_init(self, url, {**(config or {}), **auth})

    ExternalTaskWorker.__init__ = worker  # type: ignore[method-assign]
    EngineClient.__init__ = engine  # type: ignore[method-assign]
    real_sleep = time.sleep
    time.sleep = lambda seconds: real_sleep(min(seconds, MAX_SLEEP_SECONDS))
    root = Path(example).resolve().parent.parent  # the repository root holding the `examples` package
    sys.path.insert(0, str(root))
    runpy.run_path(example, run_name="__main__")


if __name__ == "__main__":
    main()
