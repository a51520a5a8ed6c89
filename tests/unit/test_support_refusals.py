"""Nothing is skipped silently: what Sagsflow does not run is refused at deploy, all at once,
each problem with its file, line and element id (engine/bpmn/support.py)."""

from pathlib import Path

import pytest

from engine.bpmn import support
from engine.bpmn.parser import Resource, compile_resources
from engine.errors import DefinitionProblem, InvalidDefinitionError

from support import bpmn

INVOICE = Path(__file__).resolve().parent.parent / "thirdparty" / "camunda-invoice"


def problems_of(*files: tuple[str, bytes]) -> list[DefinitionProblem]:
    with pytest.raises(InvalidDefinitionError) as caught:
        compile_resources([Resource(name, content) for name, content in files])
    return caught.value.problems


def with_task(extension: str = "", attributes: str = "", tag: str = "userTask") -> bytes:
    """start -> <tag id="work"> (with `extension` in its extensionElements) -> end."""
    body = f"<bpmn:extensionElements>{extension}</bpmn:extensionElements>" if extension else ""
    return bpmn.document(
        "p",
        f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:{tag} id="work" {attributes}>{body}
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:{tag}>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />""",
    )


EXTERNAL = 'camunda:type="external" camunda:topic="t"'


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            with_task('<camunda:taskListener event="create" class="dk.kommune.Listener" />'),
            "camunda:taskListener (event 'create', class 'dk.kommune.Listener'): task listeners are not run",
        ),
        (
            with_task('<camunda:taskListener event="complete" expression="${audit.log(task)}" />'),
            "camunda:taskListener (event 'complete', expression '${audit.log(task)}')",
        ),
        (
            with_task(
                '<camunda:executionListener event="start">'
                '<camunda:script scriptFormat="groovy">println "x"</camunda:script></camunda:executionListener>'
            ),
            "camunda:executionListener (event 'start', a groovy script): execution listeners are not run",
        ),
        (
            with_task(
                '<camunda:inputOutput><camunda:outputParameter name="total">'
                '<camunda:script scriptFormat="javascript">a + b</camunda:script>'
                "</camunda:outputParameter></camunda:inputOutput>"
            ),
            "camunda:inputOutput (a javascript script): camunda:inputOutput is not run",
        ),
        (
            with_task(
                '<camunda:inputOutput><camunda:inputParameter name="x">${y}</camunda:inputParameter>'
                "</camunda:inputOutput>"
            ),
            "camunda:inputOutput: camunda:inputOutput is not run",
        ),
        (
            with_task(attributes='camunda:class="dk.kommune.Archive"', tag="serviceTask"),
            "camunda:class='dk.kommune.Archive': Java classes and beans cannot run",
        ),
        (
            with_task(attributes='camunda:delegateExpression="${archive}"', tag="serviceTask"),
            "camunda:delegateExpression='${archive}': Java classes and beans cannot run",
        ),
        (
            with_task(attributes='camunda:expression="${archive.run()}"', tag="serviceTask"),
            "camunda:expression='${archive.run()}': expressions that call Java beans cannot run",
        ),
        (
            with_task(attributes='scriptFormat="groovy"', tag="scriptTask").replace(
                b"<bpmn:incoming>f1",
                b"<bpmn:incoming>f1</bpmn:incoming><bpmn:script>x = 1</bpmn:script><bpmn:incoming>f1",
                1,
            ),
            "scriptFormat='groovy'",
        ),
        (with_task(tag="serviceTask"), "a service task needs camunda:type='external'"),
        (
            with_task(
                "<camunda:connector><camunda:connectorId>http-connector</camunda:connectorId></camunda:connector>",
                tag="serviceTask",
            ),
            "camunda:connector: Camunda Connect connectors are not available",
        ),
        (
            with_task(attributes='foo="1"'),
            "foo='1': not known to Sagsflow on bpmn:userTask",
        ),
        (
            with_task('<zeebe:taskDefinition xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" type="x" />'),
            "(namespace http://camunda.org/schema/zeebe/1.0) is not known to Sagsflow",
        ),
        (
            with_task(attributes='camunda:asyncBefore="true" camunda:unheardOf="1"'),
            "camunda:unheardOf='1': not known",
        ),
        (with_task(tag="complexGateway"), "bpmn:complexGateway: complex gateways are not supported"),
    ],
)
def test_what_does_not_run_is_refused_naming_it(content: bytes, expected: str) -> None:
    found = problems_of(("p.bpmn", content))
    assert any(expected in p.message for p in found), [p.message for p in found]
    assert all(
        p.resource == "p.bpmn" and p.element_id == "work" and p.line for p in found if expected in p.message
    )


def test_a_javascript_condition_is_refused() -> None:
    content = bpmn.gateway_process("p", "${x}").replace(
        b'xsi:type="bpmn:tFormalExpression"', b'xsi:type="bpmn:tFormalExpression" language="javascript"'
    )
    found = problems_of(("p.bpmn", content))
    assert [(p.element_id, p.message) for p in found] == [
        ("yes", "language='javascript': 'javascript' is not supported")
    ]


def test_what_has_no_effect_is_accepted() -> None:
    content = (
        with_task(
            attributes='camunda:asyncBefore="true" camunda:jobPriority="3"',
        )
        .replace(b'<bpmn:process id="p"', b'<bpmn:process id="p" camunda:historyTimeToLive="P30D"')
        .replace(
            b"<bpmn:startEvent", b"<bpmn:documentation>Om processen</bpmn:documentation><bpmn:startEvent"
        )
    )
    assert compile_resources([Resource("p.bpmn", content)]).processes["p"]


def test_problems_of_all_files_come_in_one_answer() -> None:
    listener = with_task('<camunda:taskListener event="create" class="dk.A" />')
    broken = bpmn.gateway_process("q", "${a === b}")
    java = with_task(attributes='camunda:class="dk.B"', tag="serviceTask").replace(b'id="p"', b'id="r"')
    found = problems_of(("one.bpmn", listener), ("two.bpmn", broken), ("three.bpmn", java))
    assert [(p.resource, p.element_id) for p in found] == [
        ("one.bpmn", "work"),
        ("two.bpmn", "yes"),
        ("three.bpmn", "work"),
    ]
    assert all(p.line for p in found)


def test_flipping_an_entry_to_runs_lifts_the_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    content = with_task(attributes='camunda:asyncBefore="true"', tag="userTask")
    monkeypatch.setitem(support.CAMUNDA_ATTRIBUTES, "*@asyncBefore", support.refused("not here"))
    assert [p.message for p in problems_of(("p.bpmn", content))] == ["camunda:asyncBefore='true': not here"]
    monkeypatch.setitem(support.CAMUNDA_ATTRIBUTES, "*@asyncBefore", support.no_effect("fine"))
    assert compile_resources([Resource("p.bpmn", content)]).processes["p"]


def test_the_unchanged_invoice_example_is_refused_with_every_part_named() -> None:
    files = [(path.name, path.read_bytes()) for path in sorted(INVOICE.glob("*.*"))]
    found = {(p.resource, p.element_id, p.line, p.message.split(":")[0]) for p in problems_of(*files)}
    expected_parts = {
        ("invoice.v2.bpmn", "approveInvoice", 33, "camunda"),  # JavaScript task listener on create
        ("invoice.v2.bpmn", "approveInvoice", 38, "camunda"),  # JavaScript task listener on assignment
        ("invoice.v2.bpmn", "ServiceTask_1", 79, "camunda"),  # camunda:class ArchiveInvoiceService
    }
    assert expected_parts <= found
    messages = [p.message for p in problems_of(*files)]
    assert sum("a javascript script" in m for m in messages) == 2
    assert any("ArchiveInvoiceService" in m for m in messages)
