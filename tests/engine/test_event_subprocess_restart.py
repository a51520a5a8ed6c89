"""A running event subprocess survives a restart: a service that parsed the definition afresh
(another worker, after a deploy or restart) can take the case's next step inside it and beside it.
SpiffWorkflow joins an event subprocess to its process's start only when the event arrives, in the
spec of the process that received it (engine/bpmn/workflow.py `join_triggered`)."""

from __future__ import annotations

from engine.bootstrap import build_engine
from engine.clock import FakeClock
from engine.definitions import DeployRequest
from engine.service import Engine

from support import migration_bpmn as versions
from support.actors import ADMIN
from support.consistency import problems
from support.settings import engine_settings


def test_a_step_inside_a_running_event_subprocess_after_a_restart(engine: Engine, database_url: str) -> None:
    engine.deploy(
        DeployRequest([("barn.bpmn", versions.CHILD_1), ("sag.bpmn", versions.VERSION_1)], name="x"),
        actor=ADMIN,
    )
    case = engine.start_instance(actor=ADMIN, key="sag")
    engine.correlate(versions.PONG, actor=ADMIN, instance_id=case.id)

    restarted = build_engine(engine_settings(database_url), FakeClock(), migrate=False)  # fresh specs
    try:
        open_tasks = {
            t.element_id: t.id for t in restarted.get_case(case.id, actor=ADMIN).tasks if t.state == "open"
        }
        restarted.complete_task(open_tasks["esp_task"], {}, actor=ADMIN)
        assert restarted.complete_task(open_tasks["work"], {}, actor=ADMIN).status == "active"
        assert problems(restarted, case.id) == []
    finally:
        restarted.store.dispose()
