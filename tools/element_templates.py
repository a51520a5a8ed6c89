"""Write the Camunda Modeler element templates of workflows/.camunda/element-templates/ from the code.

The templates give a process owner the recurring building blocks of the case processes with the
ids the diagram contract needs already filled in (engine/contract.py, engine/rules.py): a legal
deadline timer, a reminder, a leader escalation and a decision with the law's guards (copied from
the decision task of workflows/indsats.bpmn). tests/workflows/test_element_templates.py fails when
the shipped file differs from what this writes, and scripts/lint-bpmn validates it with
@bpmn-io/element-templates-validator. Run after changing the contract, the rules or the guards:

    .venv/bin/python -m tools.element_templates
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from lxml import etree

from engine import contract

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "workflows" / ".camunda" / "element-templates" / "sagsflow.json"
SCHEMA = "https://unpkg.com/@camunda/element-templates-json-schema/resources/schema.json"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "camunda": "http://camunda.org/schema/1.0/bpmn"}
GUARDED_TASK = ("indsats.bpmn", "decision")


def _extension(name: str, label: str, kind: str, value: str, **extra: Any) -> dict[str, Any]:
    return {
        "label": label,
        "type": kind,
        "value": value,
        "binding": {"type": "camunda:property", "name": name},
        **extra,
    }


def _attribute(name: str, label: str, kind: str, value: str, **extra: Any) -> dict[str, Any]:
    return {
        "label": label,
        "type": kind,
        "value": value,
        "binding": {"type": "property", "name": name},
        **extra,
    }


def _choices(table: dict[str, str]) -> list[dict[str, str]]:
    return [{"name": f"{label} ({key})", "value": key} for key, label in table.items()]


def _rules() -> dict[str, str]:
    return {d.rule: d.title for d in contract.DEADLINES}


def _timer(purpose: str) -> list[dict[str, Any]]:
    rules, facts = _rules(), contract.START_FACTS
    return [
        _attribute("cancelActivity", "Afbryder opgaven", "Hidden", "false"),
        _extension(contract.PURPOSE, "Formål", "Hidden", purpose),
        _extension(
            contract.DEADLINE,
            "Regel (tælles i Frister overholdt)",
            "Dropdown",
            next(iter(rules)),
            choices=_choices(rules),
        ),
        _extension(
            contract.START_FACT,
            "Tælles fra",
            "Dropdown",
            next(iter(facts)),
            choices=_choices(facts),
            description="Angiv varigheden under Timer som Duration, fx P3M eller P14D.",
        ),
    ]


def legal_deadline() -> dict[str, Any]:
    return {
        "name": "Lovbestemt frist (overskridelse)",
        "id": "dk.sagsflow.legal-deadline",
        "version": 1,
        "description": (
            "En frist efter barnets lov på en opgave: talt fra en registreret dato (Tælles fra) med "
            "varigheden under Timer (Duration, fx P3M). Fristen er overholdt hele den sidste dag og "
            "overskrides, når dagen er slut; så registreres 'deadline_breached', og reglen tælles i "
            "Frister overholdt. Lad stien efter timeren kaste signalet frist_overskredet, så lederen får "
            "en eskalation."
        ),
        "appliesTo": ["bpmn:BoundaryEvent"],
        "properties": _timer(contract.BREACH),
    }


def reminder() -> dict[str, Any]:
    return {
        "name": "Påmindelse før en frist",
        "id": "dk.sagsflow.reminder",
        "version": 1,
        "description": (
            "En påmindelse til rådgiveren, talt fra en registreret dato med varigheden under Timer "
            "(fx P2M). Den registreres som 'deadline_reminder' for reglen, den minder om."
        ),
        "appliesTo": ["bpmn:BoundaryEvent"],
        "properties": _timer(contract.REMINDER),
    }


def leader_escalation() -> dict[str, Any]:
    return {
        "name": "Eskalation til leder",
        "id": "dk.sagsflow.leader-escalation",
        "version": 1,
        "description": (
            "En opgave i ledernes indbakke (kandidatgruppe leder). Giv den et formularfelt til lederens "
            "notat, fx escalation_note."
        ),
        "appliesTo": ["bpmn:UserTask"],
        "properties": [_attribute("camunda:candidateGroups", "Kandidatgruppe", "Hidden", contract.LEADERS)],
    }


def guarded_decision() -> dict[str, Any]:
    guards = _guards(*GUARDED_TASK)
    properties = [
        _attribute("camunda:candidateGroups", "Kandidatgruppe", "Hidden", contract.CASEWORKERS),
        _extension(contract.PHASE, "Fase", "Hidden", "afgoerelse"),
    ]
    for name, values in guards.items():
        key = f"{contract.GUARD_PREFIX}{name}"
        properties.append(_extension(key, f"Regel {name}", "Hidden", values[""]))
        properties.append(
            _extension(
                f"{key}{contract.GUARD_MESSAGE}",
                f"Besked, når {name} ikke er opfyldt",
                "String",
                values[":message"],
            )
        )
        properties.append(
            _extension(f"{key}{contract.GUARD_FIELD}", f"Felt for {name}", "Hidden", values[":field"])
        )
    return {
        "name": "Afgørelse med lovkrav",
        "id": "dk.sagsflow.guarded-decision",
        "version": 1,
        "description": (
            "Rådgiverens afgørelse med barnets lovs regler for anbringelse og barnets plan som vagter "
            f"({', '.join(guards)}). Formularen skal have felterne, vagterne læser."
        ),
        "appliesTo": ["bpmn:UserTask"],
        "properties": properties,
    }


def _guards(resource: str, element_id: str) -> dict[str, dict[str, str]]:
    """{guard name: {"": expression, ":message": …, ":field": …}} of a task of the shipped diagrams."""
    root = etree.parse(str(ROOT / "workflows" / resource)).getroot()
    task = root.find(f".//bpmn:userTask[@id='{element_id}']", NS)
    assert task is not None, f"{resource} has no user task {element_id}"
    found: dict[str, dict[str, str]] = {}
    for prop in task.iterfind("bpmn:extensionElements/camunda:properties/camunda:property", NS):
        name = str(prop.get("name") or "")
        if not name.startswith(contract.GUARD_PREFIX):
            continue
        rest = name[len(contract.GUARD_PREFIX) :]
        suffix = next((s for s in (contract.GUARD_MESSAGE, contract.GUARD_FIELD) if rest.endswith(s)), "")
        found.setdefault(rest.removesuffix(suffix) if suffix else rest, {})[suffix] = str(
            prop.get("value") or ""
        )
    return found


def templates() -> list[dict[str, Any]]:
    return [
        {"$schema": SCHEMA, **t}
        for t in (legal_deadline(), reminder(), leader_escalation(), guarded_decision())
    ]


def text() -> str:
    return json.dumps(templates(), ensure_ascii=False, indent=2) + "\n"


def main() -> int:
    TEMPLATES.parent.mkdir(exist_ok=True)
    TEMPLATES.write_text(text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
