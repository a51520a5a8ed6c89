"""Call activities bind the process they call when a token reaches them, as Camunda 7 does
(camunda:calledElementBinding latest, deployment, version, versionTag); a running case keeps
the version it entered; any subset of files deploys."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from engine.bootstrap import build_engine
from engine.clock import FakeClock
from engine.definitions import DeployRequest
from engine.errors import InvalidDefinitionError, ProcessError
from engine.model import InstanceInfo
from engine.service import Engine
from engine.store.tables import Definition, Instance

from support import bpmn
from support.actors import CASEWORKER, PROCESS_OWNER
from support.settings import engine_settings


def deploy(engine: Engine, *files: tuple[str, bytes]) -> list[tuple[str, int]]:
    """Deploy `files` in one deployment; the (key, version) of every definition it holds."""
    result = engine.deploy(DeployRequest(list(files), name=files[0][0]), actor=PROCESS_OWNER)
    return sorted((d.key, d.version) for d in result.definitions)


def child(task_name: str, tag: str | None = None) -> tuple[str, bytes]:
    return ("child.bpmn", bpmn.called_process("child", task_name, version_tag=tag))


def caller(attributes: str = "") -> tuple[str, bytes]:
    return ("parent.bpmn", bpmn.caller_process("parent", "child", attributes=attributes))


def open_names(engine: Engine, case_id: str) -> list[str]:
    return [t.name for t in engine.get_case(case_id, actor=CASEWORKER).tasks if t.state == "open"]


def complete(
    engine: Engine, case: InstanceInfo, name: str, variables: dict[str, object] | None = None
) -> InstanceInfo:
    [task] = [
        t for t in engine.get_case(case.id, actor=CASEWORKER).tasks if t.state == "open" and t.name == name
    ]
    return engine.complete_task(task.id, variables or {}, actor=CASEWORKER)


def test_latest_binding_takes_the_version_deployed_when_the_call_is_reached(engine: Engine) -> None:
    deploy(engine, child("Version 1"), caller())
    inside = engine.start_instance(actor=CASEWORKER, key="parent")
    complete(engine, inside, "Før")  # enters child version 1
    waiting = engine.start_instance(actor=CASEWORKER, key="parent")  # started, not yet at the call

    assert deploy(engine, child("Version 2")) == [("child", 2)]  # the one changed file, alone

    assert open_names(engine, inside.id) == ["Version 1"]  # what it entered, also after a reload
    complete(engine, waiting, "Før")
    assert open_names(engine, waiting.id) == ["Version 2"]
    fresh = engine.start_instance(actor=CASEWORKER, key="parent")
    complete(engine, fresh, "Før")
    assert open_names(engine, fresh.id) == ["Version 2"]
    assert fresh.definition_id == inside.definition_id  # the caller did not get a new version
    complete(engine, inside, "Version 1")
    assert complete(engine, inside, "Efter").status == "completed"


def test_any_subset_of_files_deploys_and_an_unchanged_caller_keeps_its_version(engine: Engine) -> None:
    assert deploy(engine, child("Version 1"), caller()) == [("child", 1), ("parent", 1)]
    assert deploy(engine, caller()) == [("parent", 1)]  # no "Duplicate process ID"
    assert deploy(engine, caller(), child("Version 2")) == [("child", 2), ("parent", 1)]


def test_a_call_to_a_process_that_is_nowhere_is_refused_at_deploy(engine: Engine) -> None:
    with pytest.raises(InvalidDefinitionError) as refused:
        deploy(engine, caller())
    [problem] = refused.value.problems
    assert (problem.resource, problem.element_id) == ("parent.bpmn", "call")
    assert "'child'" in problem.message and "neither in this deployment nor deployed" in problem.message
    assert engine.list_definitions(actor=PROCESS_OWNER).total == 0


def test_deployment_binding_takes_the_version_of_the_callers_deployment(engine: Engine) -> None:
    deploy(engine, caller('camunda:calledElementBinding="deployment"'), child("Version 1"))
    deploy(engine, child("Version 2"))
    case = engine.start_instance(actor=CASEWORKER, key="parent")
    complete(engine, case, "Før")
    assert open_names(engine, case.id) == ["Version 1"]
    with pytest.raises(InvalidDefinitionError, match="child"):  # deployed alone: nothing to bind
        deploy(
            engine,
            (
                "other.bpmn",
                bpmn.caller_process("other", "child", attributes='camunda:calledElementBinding="deployment"'),
            ),
        )


def test_deployment_binding_finds_an_unchanged_called_process_reused_by_the_deployment(
    engine: Engine,
) -> None:
    deploy(engine, child("Version 1"))
    deploy(engine, child("Version 2"))
    # the caller's deployment holds child version 2 unchanged (reused, not created)
    assert deploy(engine, caller('camunda:calledElementBinding="deployment"'), child("Version 2")) == [
        ("child", 2),
        ("parent", 1),
    ]
    deploy(engine, child("Version 3"))
    case = engine.start_instance(actor=CASEWORKER, key="parent")
    complete(engine, case, "Før")
    assert open_names(engine, case.id) == ["Version 2"]


def test_version_binding_takes_that_version(engine: Engine) -> None:
    deploy(engine, child("Version 1"))
    deploy(engine, child("Version 2"))
    deploy(engine, caller('camunda:calledElementBinding="version" camunda:calledElementVersion="1"'))
    case = engine.start_instance(actor=CASEWORKER, key="parent")
    complete(engine, case, "Før")
    assert open_names(engine, case.id) == ["Version 1"]
    with pytest.raises(InvalidDefinitionError, match="version 7"):
        deploy(engine, caller('camunda:calledElementBinding="version" camunda:calledElementVersion="7"'))


def test_version_tag_binding_takes_the_tagged_version_and_refuses_an_ambiguous_tag(engine: Engine) -> None:
    deploy(engine, child("Version 1", tag="a"))
    deploy(engine, child("Version 2", tag="b"))
    binding = 'camunda:calledElementBinding="versionTag" camunda:calledElementVersionTag="a"'
    deploy(engine, caller(binding))
    case = engine.start_instance(actor=CASEWORKER, key="parent")
    complete(engine, case, "Før")
    assert open_names(engine, case.id) == ["Version 1"]

    deploy(engine, child("Version 3", tag="a"))  # Camunda refuses to choose between two
    second = engine.start_instance(actor=CASEWORKER, key="parent")
    with pytest.raises(ProcessError) as failed:
        complete(engine, second, "Før")
    assert failed.value.element_id == "call" and "versionTag 'a'" in failed.value.message
    assert open_names(engine, second.id) == ["Før"]  # nothing was saved


def test_a_case_saved_before_bindings_were_recorded_continues_in_what_it_entered(
    engine: Engine, database_url: str, clock: FakeClock
) -> None:
    """Before this change a caller's definition held the called files and a child's state named
    no definition: such a case must load and finish on the called spec frozen into its caller."""
    deploy(engine, child("Version 1"), caller())
    case = engine.start_instance(actor=CASEWORKER, key="parent")
    complete(engine, case, "Før")
    deploy(engine, child("Version 2"))
    with engine.store.write() as session:  # make it look as an older release saved it
        row = session.get(Instance, case.id)
        parent = session.get(Definition, row.definition_id)
        frozen = session.exec(
            select(Definition).where(Definition.key == "child", Definition.version == 1)
        ).one()
        parent.resource_ids = json.dumps(json.loads(parent.resource_ids) + json.loads(frozen.resource_ids))
        parent.calls_pass_all = True
        state = json.loads(row.state)
        for subprocess in state["subprocesses"].values():
            del subprocess["definition_id"]
        row.state = json.dumps(state, separators=(",", ":"))
    restarted = build_engine(engine_settings(database_url), clock, migrate=False)  # nothing cached
    try:
        assert open_names(restarted, case.id) == ["Version 1"]
        complete(restarted, case, "Version 1", {"answer": 42})
        assert open_names(restarted, case.id) == ["Efter"]
        # its call activity still passes everything back, as when it was entered
        assert restarted.get_case(case.id, actor=CASEWORKER).variables == {"answer": 42}
    finally:
        restarted.store.dispose()
