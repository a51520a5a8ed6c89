"""The migration routes: native /migrations/plan, /validate, /execute and Camunda's
/engine-rest/migration/generate, /validate, /execute, shaped as Camunda 7's REST reference
(MigrationPlanDto, MigrationPlanReportDto, MigrationExecutionDto and its two exceptions)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.cli import main
from engine.bootstrap import build_engine
from engine.clock import FakeClock
from engine.definitions import DeployRequest
from engine.service import Engine

from support import migration_bpmn as versions
from support.actors import ADMIN
from support.settings import engine_settings


def _setup(client: TestClient) -> tuple[str, str, str]:
    """Version 1 with a running case, version 2 deployed: (source id, target id, case id)."""
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    first = engine.deploy(
        DeployRequest([("barn.bpmn", versions.CHILD_1), ("sag.bpmn", versions.VERSION_1)], name="v1"),
        actor=ADMIN,
    )
    case = engine.start_instance(actor=ADMIN, key="sag")
    second = engine.deploy(DeployRequest([("sag.bpmn", versions.VERSION_2)], name="v2"), actor=ADMIN)
    source = next(d.id for d in first.definitions if d.key == "sag")
    return source, second.new_definitions[0].id, case.id


def _renamed(plan: dict[str, Any]) -> dict[str, Any]:
    extra = [{"source": "work", "target": "review"}, {"source": "late", "target": "late2"}]
    return {**plan, "instructions": plan["instructions"] + extra}


def test_native_plan_validate_and_execute(client: TestClient) -> None:
    source, target, case = _setup(client)
    generated = client.post(
        "/migrations/plan", json={"source_definition_id": source, "target_definition_id": target}
    )
    assert generated.status_code == 200, generated.text
    plan = generated.json()
    assert {"source": "ext", "target": "ext", "update_event_trigger": False} in plan["instructions"]
    assert not any(i["source"] == "work" for i in plan["instructions"])  # renamed: for the owner to map

    unmapped = client.post("/migrations/validate", json={"plan": plan}).json()
    assert unmapped["counts"] == {"refused": 1}
    [instance] = unmapped["instances"]
    assert instance["case_id"] == case and {p["element_id"] for p in instance["problems"]} == {"work"}

    checked = client.post("/migrations/validate", json={"plan": _renamed(plan)}).json()
    assert checked["counts"] == {"migratable": 1} and checked["plan_failures"] == []
    done = client.post(
        "/migrations/execute", json={"plan": _renamed(plan), "selection": {"process_instance_ids": [case]}}
    )
    assert done.status_code == 200 and done.json()["counts"] == {"migrated": 1}
    again = client.post(
        "/migrations/execute", json={"plan": _renamed(plan), "selection": {"process_instance_ids": [case]}}
    )
    assert again.json()["counts"] == {"already migrated": 1}
    assert client.get(f"/cases/{case}").json()["definition_id"] == target


def test_native_refusals_are_problems(client: TestClient) -> None:
    source, target, _ = _setup(client)
    broken = {
        "source_definition_id": source,
        "target_definition_id": target,
        "instructions": [{"source": "x", "target": "ext"}],
    }
    refused = client.post("/migrations/execute", json={"plan": broken})
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"] == [
        {
            "index": 0,
            "plan": source,
            "source": "x",
            "target": "ext",
            "failures": ["the source version has no activity 'x'"],
        }
    ]
    report = client.post("/migrations/validate", json={"plan": broken}).json()
    assert report["plan_failures"][0]["failures"] == ["the source version has no activity 'x'"]
    unknown = client.post(
        "/migrations/plan", json={"source_definition_id": source, "target_definition_id": target, "x": 1}
    )
    assert unknown.status_code == 422


def test_camunda_generate_validate_and_execute(client: TestClient) -> None:
    source, target, case = _setup(client)
    generated = client.post(
        "/engine-rest/migration/generate",
        json={
            "sourceProcessDefinitionId": source,
            "targetProcessDefinitionId": target,
            "updateEventTriggers": True,
        },
    )
    assert generated.status_code == 200, generated.text
    plan = generated.json()
    assert set(plan) == {
        "sourceProcessDefinitionId",
        "targetProcessDefinitionId",
        "instructions",
        "variables",
    }
    assert {"sourceActivityIds": ["ext"], "targetActivityIds": ["ext"], "updateEventTrigger": False} in plan[
        "instructions"
    ]

    report = client.post(
        "/engine-rest/migration/validate",
        json={
            **plan,
            "instructions": [
                *plan["instructions"],
                {"sourceActivityIds": ["ext"], "targetActivityIds": ["review"]},
            ],
        },
    )
    assert report.status_code == 200
    assert report.json() == {
        "instructionReports": [
            {
                "instruction": {
                    "sourceActivityIds": ["ext"],
                    "targetActivityIds": ["review"],
                    "updateEventTrigger": False,
                },
                "failures": [
                    "'ext' (ServiceTask) and 'review' (UserTask) are not the same kind of activity",
                    "there are several instructions for the source activity 'ext'",
                ],
            }
        ],
        "variableReports": {},
    }

    refused = client.post(
        "/engine-rest/migration/execute", json={"migrationPlan": plan, "processInstanceIds": [case]}
    )
    assert refused.status_code == 400
    body = refused.json()
    assert body["type"] == "MigratingProcessInstanceValidationException"
    assert body["validationReport"]["processInstanceId"] == case
    [activity] = body["validationReport"]["activityInstanceValidationReports"]
    assert activity["sourceScopeId"] == "work"
    assert activity["failures"] == ["the active activity 'work' has no migration instruction"]
    assert client.get(f"/cases/{case}").json()["definition_id"] == source  # nothing migrated

    mapped = {
        **plan,
        "instructions": [
            *plan["instructions"],
            {"sourceActivityIds": ["work", "late"], "targetActivityIds": ["review", "late2"]},
        ],
    }
    done = client.post(
        "/engine-rest/migration/execute",
        json={
            "migrationPlan": mapped,
            "processInstanceQuery": {"processDefinitionId": source},
            "skipCustomListeners": True,
        },
    )
    assert done.status_code == 204, done.text
    assert client.get(f"/cases/{case}").json()["definition_id"] == target


def test_camunda_refusals(client: TestClient) -> None:
    source, target, case = _setup(client)
    broken = {
        "sourceProcessDefinitionId": source,
        "targetProcessDefinitionId": target,
        "instructions": [{"sourceActivityIds": ["x"], "targetActivityIds": ["ext"]}],
    }
    refused = client.post(
        "/engine-rest/migration/execute", json={"migrationPlan": broken, "processInstanceIds": [case]}
    )
    assert refused.status_code == 400
    assert refused.json()["type"] == "MigrationPlanValidationException"
    assert refused.json()["validationReport"]["instructionReports"][0]["failures"] == [
        "the source version has no activity 'x'"
    ]
    query = {
        "migrationPlan": broken,
        "processInstanceQuery": {"variables": [{"name": "a", "operator": "eq", "value": 1}]},
    }
    unsupported = client.post("/engine-rest/migration/execute", json=query)
    assert (
        unsupported.status_code == 400 and "processInstanceQuery.variables" in unsupported.json()["message"]
    )
    nowhere = client.post(
        "/engine-rest/migration/generate",
        json={"sourceProcessDefinitionId": source, "targetProcessDefinitionId": "sag:9:nowhere"},
    )
    assert nowhere.status_code == 404


def test_the_command_line_dry_run_reports_each_refusal_and_changes_nothing(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = build_engine(engine_settings(sqlite_url), FakeClock(), migrate=False)
    try:
        engine.deploy(
            DeployRequest([("barn.bpmn", versions.CHILD_1), ("sag.bpmn", versions.VERSION_1)], name="v1"),
            actor=ADMIN,
        )
        case = engine.start_instance(actor=ADMIN, key="sag")
        engine.deploy(DeployRequest([("sag.bpmn", versions.VERSION_2)], name="v2"), actor=ADMIN)
    finally:
        engine.store.dispose()
    monkeypatch.setenv("SAGSFLOW_DATABASE_URL", sqlite_url)
    arguments = ["migrate", "--from", "sag:1", "--to", "sag:2", "--municipality", ADMIN.municipality]

    with pytest.raises(SystemExit) as refused:
        main([*arguments, "--dry-run"])
    assert refused.value.code == 1
    out = capsys.readouterr().out
    assert f"{case.id} refused: work: the active activity 'work' has no migration instruction" in out
    assert "dry run: 1 refused (1 case(s)" in out

    with pytest.raises(SystemExit) as checked:
        main([*arguments, "--dry-run", "--map", "work=review", "--map", "late=late2"])
    assert checked.value.code == 0 and "dry run: 1 migratable" in capsys.readouterr().out
    unknown = ["migrate", "--from", "sag:1", "--to", "sag:9", "--municipality", ADMIN.municipality]
    with pytest.raises(SystemExit) as missing:
        main(unknown)
    assert missing.value.code == 2 and "process definition 'sag:9' does not exist" in capsys.readouterr().err
