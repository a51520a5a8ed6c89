"""Settings every test engine and app share (see support/actors.py on why not in conftest)."""

from __future__ import annotations

from engine.config import EngineSettings

DEV_TOKEN = "test-dev-token"


def engine_settings(url: str, **overrides: object) -> EngineSettings:
    values: dict[str, object] = {
        "database_url": url,
        "run_scheduler": False,
        "deploy_workflows_on_start": False,
        "pool_size": 40,
    }
    values.update(overrides)
    return EngineSettings(**values)  # type: ignore[arg-type]
