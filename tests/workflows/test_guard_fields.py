"""Every completion guard in workflows/ names the form field its message belongs beside, so a
refusal is shown at that field in the pages."""

import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"


def guarded_tasks() -> list[tuple[str, dict[str, str], set[str]]]:
    found = []
    for path in sorted((ROOT / "workflows").glob("*.bpmn")):
        for task in ET.parse(path).iter(f"{BPMN}userTask"):
            properties = {p.get("name", ""): p.get("value", "") for p in task.iter(f"{CAMUNDA}property")}
            fields = {f.get("id", "") for f in task.iter(f"{CAMUNDA}formField")}
            if any(name.startswith("guard:") for name in properties):
                found.append((f"{path.name}#{task.get('id')}", properties, fields))
    return found


def test_every_guard_declares_a_field_of_its_tasks_form_and_a_danish_message() -> None:
    tasks = guarded_tasks()
    assert len(tasks) >= 4  # screening, assessment, decision, follow-up
    for where, properties, fields in tasks:
        guards = [n for n in properties if n.startswith("guard:") and n.count(":") == 1]
        for guard in guards:
            assert properties.get(f"{guard}:field") in fields, f"{where}: {guard} names no field of its form"
            assert properties.get(f"{guard}:message"), f"{where}: {guard} has no message"
