"""Deploy-time checks: what compiles, what is refused, and that refusals name the element."""

from pathlib import Path

import pytest

from engine.bpmn.parser import Resource, compile_resources
from engine.errors import InvalidDefinitionError

from support import bpmn

BPMN_DIR = Path(__file__).resolve().parent.parent / "bpmn"


def compile_one(content: bytes, name: str = "test.bpmn"):
    return compile_resources([Resource(name, content)])


def refusal(content: bytes, name: str = "test.bpmn") -> InvalidDefinitionError:
    with pytest.raises(InvalidDefinitionError) as caught:
        compile_one(content, name)
    return caught.value


def test_modeler_file_with_juel_conditions_and_iso_timers_compiles() -> None:
    bundle = compile_one((BPMN_DIR / "modeler_simple.bpmn").read_bytes())
    process = bundle.processes["simple"]
    assert process.name == "Simpel sag"
    task = process.spec.task_specs["vurdering"]
    assert task.extensions["camunda:candidateGroups"] == "raadgiver"
    assert task.extensions["phase"] == "screening"
    assert [f.id for f in task.form.fields] == ["outcome", "note"]


def test_broken_condition_is_refused_with_its_element_id() -> None:
    error = refusal(bpmn.gateway_process("p", "${outcome === 'x'}"))
    assert [p.element_id for p in error.problems] == ["yes"]


def test_method_call_in_condition_is_refused_with_its_element_id() -> None:
    error = refusal(bpmn.gateway_process("p", "${execution.getVariable('x') == 1}"))
    assert error.problems[0].element_id == "yes"
    assert "method calls" in error.problems[0].message


@pytest.mark.parametrize(
    "script",
    ["__import__('os').system('id')", "().__class__.__base__.__subclasses__()", "import os"],
)
def test_script_escape_is_refused_at_deploy(script: str) -> None:
    error = refusal(bpmn.script_process("p", script))
    assert error.problems[0].element_id == "run_script"


def test_naive_timer_date_is_refused() -> None:
    error = refusal(bpmn.timer_process("p", "2026-03-01T09:00:00", kind="timeDate"))
    assert error.problems[0].element_id == "wait"
    assert "offset" in error.problems[0].message


def test_invalid_duration_is_refused() -> None:
    error = refusal(bpmn.timer_process("p", "P1.5M"))
    assert error.problems[0].element_id == "wait"


def test_service_task_must_be_external() -> None:
    content = bpmn.document(
        "p",
        """
      <bpmn:startEvent id="s"><bpmn:outgoing>a</bpmn:outgoing></bpmn:startEvent>
      <bpmn:serviceTask id="svc" camunda:class="dk.Foo"><bpmn:incoming>a</bpmn:incoming><bpmn:outgoing>b</bpmn:outgoing></bpmn:serviceTask>
      <bpmn:endEvent id="e"><bpmn:incoming>b</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="svc" /><bpmn:sequenceFlow id="b" sourceRef="svc" targetRef="e" />""",
    )
    assert refusal(content).problems[0].element_id == "svc"


def test_link_events_are_refused() -> None:
    content = bpmn.document(
        "p",
        """
      <bpmn:startEvent id="s"><bpmn:outgoing>a</bpmn:outgoing></bpmn:startEvent>
      <bpmn:intermediateThrowEvent id="jump"><bpmn:incoming>a</bpmn:incoming><bpmn:linkEventDefinition name="x" /></bpmn:intermediateThrowEvent>
      <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="jump" />""",
    )
    assert refusal(content).problems[0].element_id == "jump"


def test_non_executable_process_is_refused() -> None:
    content = bpmn.user_task_process("p").replace(b'isExecutable="true"', b'isExecutable="false"')
    assert "executable" in refusal(content).problems[0].message


def test_all_problems_are_reported_together() -> None:
    first = bpmn.gateway_process("p1", "${a === b}")
    second = bpmn.script_process("p2", "import os")
    with pytest.raises(InvalidDefinitionError):
        compile_resources([Resource("one.bpmn", first), Resource("two.bpmn", second)])


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
<bpmn:process id="p" isExecutable="true"><bpmn:scriptTask id="s"><bpmn:script>&xxe;</bpmn:script></bpmn:scriptTask></bpmn:process>
</bpmn:definitions>"""
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol2;</bpmn:definitions>"""
QUADRATIC = (
    b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "' + b"x" * 50_000 + b'">]>'
    b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
    + b"&a;" * 1000
    + b"</bpmn:definitions>"
)


def _deep(levels: int) -> bytes:
    return (
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
        + b"<x>" * levels
        + b"</x>" * levels
        + b"</bpmn:definitions>"
    )


NOT_BPMN = b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>'
XINCLUDE = (
    b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    b'xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file:///etc/passwd" parse="text"/>'
    b"</bpmn:definitions>"
)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (XXE, "DOCTYPE"),
        (BILLION_LAUGHS, "DOCTYPE"),
        (QUADRATIC, "DOCTYPE"),
        (_deep(100), "deeper than 64"),
        (_deep(5000), "depth"),
        (NOT_BPMN, "not BPMN"),
        (XINCLUDE, "BPMN"),
        (b"<bpmn:definitions", "well-formed"),
        (b"", "well-formed"),
        (b"x" * 3_000_000, "limit"),
    ],
)
def test_hostile_xml_is_refused(content: bytes, expected: str) -> None:
    error = refusal(content)
    assert expected in error.message
    assert "root:" not in error.message  # nothing from /etc/passwd leaks into the message
