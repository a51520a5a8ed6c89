"""The diagram contract is enforced at deploy: each silent break of issue 20 is refused with the
broken item, the element and the consumer named, and `sagsflow validate` gives the same answer."""

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from api.cli import main as cli
from engine import contract
from engine.deadlines import DEADLINE_RULES
from engine.definitions import DeployRequest
from engine.errors import InvalidDefinitionError
from engine.service import Engine

from support import bpmn
from support.actors import CASEWORKER, PROCESS_OWNER

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


def workflow_files(**changed: bytes) -> list[tuple[str, bytes]]:
    files = sorted(p for p in WORKFLOWS.iterdir() if p.suffix in (".bpmn", ".dmn"))
    return [(p.name, changed.get(p.stem, p.read_bytes())) for p in files]


def text(name: str) -> str:
    return (WORKFLOWS / name).read_text()


def without_guard(content: str, guard: str) -> str:
    return re.sub(rf'\s*<camunda:property name="guard:{guard}(:[a-z]+)?" value="[^"]*"\s*/>', "", content)


def in_element(content: str, element_id: str, old: str, new: str) -> str:
    """Replace `old` by `new` inside the element with `element_id` only."""
    start = content.index(f'id="{element_id}"')
    end = content.index("</bpmn:boundaryEvent>", start)
    return content[:start] + content[start:end].replace(old, new) + content[end:]


Break = Callable[[], tuple[str, str]]
BREAKS: dict[str, tuple[Break, str, str | None, str]] = {
    # name: (changed file, expected item, element, words the message must contain)
    "child_talk_held_at renamed": (
        lambda: (
            "boernesag",
            text("boernesag.bpmn").replace('id="child_talk_held_at"', 'id="child_talk_date"'),
        ),
        "field:first_talks.child_talk_held_at",
        "first_talks",
        "the report *Fra underretning til første samtale* reads 'child_talk_held_at'",
    ),
    "child_perspective_obtained renamed": (
        lambda: (
            "indsats",
            text("indsats.bpmn").replace("child_perspective_obtained", "child_view_obtained"),
        ),
        "field:decision.child_perspective_obtained",
        "decision",
        "the report *Andel afgørelser med barnets perspektiv* reads 'child_perspective_obtained', "
        "which no form field of 'decision' sets any more",
    ),
    "candidate group raadgiver renamed": (
        lambda: (
            "indsats",
            text("indsats.bpmn").replace('candidateGroups="raadgiver"', 'candidateGroups="rådgiver"'),
        ),
        "group:rådgiver",
        "decision",
        "candidate group 'rådgiver' is not one of the configured groups",
    ),
    "guard bfu_before_placement deleted": (
        lambda: ("indsats", without_guard(text("indsats.bpmn"), "bfu_before_placement")),
        "guard:bfu_before_placement",
        None,
        "is enforced by the guard 'guard:bfu_before_placement', which no user task of the case processes carries",
    ),
    "timer rule renamed": (
        lambda: (
            "indsats",
            in_element(text("indsats.bpmn"), "child_plan_breach", 'value="child_plan"', 'value="plan"'),
        ),
        "deadline:child_plan",
        None,
        "the report *Frister overholdt* (rule child_plan: Barnets plan udarbejdes inden 3 måneder) counts the rule 'child_plan'",
    ),
    "timer purpose removed": (
        lambda: (
            "indsats",
            in_element(
                text("indsats.bpmn"),
                "child_plan_breach",
                '<camunda:property name="purpose" value="breach"/>',
                "",
            ),
        ),
        "timer:child_plan_breach",
        "child_plan_breach",
        "this deadline timer has no property 'purpose'",
    ),
    "element kickoff_meeting renamed": (
        lambda: ("indsats", text("indsats.bpmn").replace("kickoff_meeting", "kickoff")),
        "field:kickoff_meeting.intervention_started_at",
        None,
        "there is no element 'kickoff_meeting' in the case processes any more",
    ),
    "typo in a deadline expression": (
        lambda: (
            "indsats",
            in_element(text("indsats.bpmn"), "child_plan_breach", "${child_plan_due}", "${child_plan_deu}"),
        ),
        "variable:child_plan_deu",
        "child_plan_breach",
        "reads 'child_plan_deu', which nothing in the case processes sets",
    ),
}


def refusal(engine: Engine, files: list[tuple[str, bytes]]) -> InvalidDefinitionError:
    with pytest.raises(InvalidDefinitionError) as caught:
        engine.deploy(DeployRequest(files, name="workflows"), actor=PROCESS_OWNER)
    return caught.value


def validate(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: str) -> list[str]:
    changed = tmp_path / f"{name}.bpmn"
    changed.write_text(content)
    with pytest.raises(SystemExit) as exited:
        cli(["validate", str(changed), "--deployed", str(WORKFLOWS)])
    assert exited.value.code == 1
    return [
        line.removeprefix("error: ")
        for line in capsys.readouterr().err.splitlines()
        if line.startswith("error: ")
    ]


@pytest.mark.parametrize("case", list(BREAKS))
def test_a_silent_break_is_refused_naming_item_element_and_consumer(
    case: str, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change, item, element, words = BREAKS[case]
    name, content = change()
    problems = refusal(engine, workflow_files(**{name: content.encode()})).problems
    named = [p for p in problems if p.item == item]
    assert named, [p.describe() for p in problems]
    assert any(words in p.message for p in named), [p.message for p in named]
    if element is not None:
        assert element in {p.element_id for p in named}
        assert all(p.resource == f"{name}.bpmn" and p.line for p in named)
    assert engine.list_definitions(actor=PROCESS_OWNER).total == 0
    assert validate(tmp_path, capsys, name, content) == [p.describe() for p in problems]


def test_the_shipped_workflows_keep_the_contract_and_validate_one_by_one(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    deployed = engine.deploy(DeployRequest(workflow_files(), name="workflows"), actor=PROCESS_OWNER)
    assert deployed.warnings == ()
    for path in sorted(WORKFLOWS.glob("*.bpmn")):
        with pytest.raises(SystemExit) as exited:
            cli(["validate", str(path)])
        assert exited.value.code == 0, capsys.readouterr().err


def test_a_waived_item_deploys_with_a_warning(engine: Engine) -> None:
    waiver = (
        "<bpmn:extensionElements><camunda:properties><camunda:property "
        'name="waive:field:decision.child_perspective_obtained" value="the share is counted by hand this year"/>'
        "</camunda:properties></bpmn:extensionElements>"
    )
    content = re.sub(
        r'(<bpmn:process id="indsats"[^>]*>)', lambda m: m.group(1) + waiver, text("indsats.bpmn")
    )
    content = content.replace("child_perspective_obtained", "child_view_obtained").replace(
        "waive:field:decision.child_view_obtained", "waive:field:decision.child_perspective_obtained"
    )
    deployed = engine.deploy(
        DeployRequest(workflow_files(indsats=content.encode()), name="w"), actor=PROCESS_OWNER
    )
    assert [w.item for w in deployed.warnings] == ["field:decision.child_perspective_obtained"]
    assert deployed.warnings[0].message.startswith("waived (the share is counted by hand this year): ")


def test_a_waiver_needs_a_reason(engine: Engine) -> None:
    waiver = (
        '<bpmn:extensionElements><camunda:properties><camunda:property name="waive:group:rådgiver" value=""/>'
        "</camunda:properties></bpmn:extensionElements>"
    )
    content = re.sub(
        r'(<bpmn:process id="indsats"[^>]*>)', lambda m: m.group(1) + waiver, text("indsats.bpmn")
    )
    problems = refusal(engine, workflow_files(indsats=content.encode())).problems
    assert [p.message for p in problems] == [
        "the waiver 'waive:group:rådgiver' needs a reason as its value [group:rådgiver]"
    ]


def test_processes_outside_the_case_family_keep_their_own_groups_and_variables(engine: Engine) -> None:
    other = bpmn.gateway_process("invoice", "${approved}").replace(
        b'<bpmn:userTask id="decide"', b'<bpmn:userTask id="decide" camunda:candidateGroups="accounting"'
    )
    deployed = engine.deploy(DeployRequest([("invoice.bpmn", other)], name="invoice"), actor=PROCESS_OWNER)
    assert [d.key for d in deployed.new_definitions] == ["invoice"]


def timer_process(properties: str, body: str = "<bpmn:timeDate>${deadline_at}</bpmn:timeDate>") -> bytes:
    return bpmn.document(
        "timed",
        f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="work"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="late" cancelActivity="false" attachedToRef="work">
      <bpmn:extensionElements><camunda:properties>{properties}</camunda:properties></bpmn:extensionElements>
      <bpmn:outgoing>f3</bpmn:outgoing><bpmn:timerEventDefinition>{body}</bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="late_end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="late_end" />""",
    )


@pytest.mark.parametrize(
    ("properties", "expected"),
    [
        ('<camunda:property name="purpose" value="breach"/>', "a breach timer needs the property 'deadline'"),
        ('<camunda:property name="purpose" value="late"/>', "purpose 'late' is not one of breach, reminder"),
        ('<camunda:property name="deadline" value="x"/>', "this deadline timer has no property 'purpose'"),
        (
            '<camunda:property name="guard:x:message" value="Nej"/>',
            "'guard:x:message' is set but there is no guard 'guard:x'",
        ),
    ],
)
def test_timer_and_guard_properties_are_checked_in_every_process(
    engine: Engine, properties: str, expected: str
) -> None:
    content = timer_process(properties)
    if "guard:" in properties:
        content = content.replace(
            b'<bpmn:userTask id="work">',
            f'<bpmn:userTask id="work"><bpmn:extensionElements><camunda:properties>{properties}</camunda:properties></bpmn:extensionElements>'.encode(),
        ).replace(properties.encode(), b"", 1)
    problems = refusal(engine, [("timed.bpmn", content)]).problems
    assert [expected in p.message for p in problems] == [True]


def test_a_deadline_duration_without_a_start_fact_deploys_with_a_warning(engine: Engine) -> None:
    content = timer_process(
        '<camunda:property name="purpose" value="reminder"/><camunda:property name="deadline" value="x"/>',
        "<bpmn:timeDuration>P30D</bpmn:timeDuration>",
    )
    deployed = engine.deploy(DeployRequest([("timed.bpmn", content)], name="t"), actor=PROCESS_OWNER)
    assert [(w.element_id, w.item) for w in deployed.warnings] == [("late", "timer:late")]
    assert "P30D counts from when the timer started (the task opened)" in deployed.warnings[0].message


def test_a_duration_with_a_start_fact_counts_from_that_day_to_the_end_of_its_last_day(engine: Engine) -> None:
    content = bpmn.document(
        "planned",
        """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="decide"><bpmn:extensionElements><camunda:formData>
      <camunda:formField id="decision_date" type="date" /></camunda:formData></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="plan"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="plan_late" cancelActivity="false" attachedToRef="plan">
      <bpmn:extensionElements><camunda:properties><camunda:property name="purpose" value="breach" />
        <camunda:property name="deadline" value="plan_x" /><camunda:property name="start_fact" value="decision_date" />
      </camunda:properties></bpmn:extensionElements>
      <bpmn:outgoing>f4</bpmn:outgoing><bpmn:timerEventDefinition><bpmn:timeDuration>P3M</bpmn:timeDuration>
      </bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:endEvent id="late_end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="plan" />
    <bpmn:sequenceFlow id="f3" sourceRef="plan" targetRef="end" />
    <bpmn:sequenceFlow id="f4" sourceRef="plan_late" targetRef="late_end" />""",
    )
    deployed = engine.deploy(DeployRequest([("planned.bpmn", content)], name="p"), actor=PROCESS_OWNER)
    assert deployed.warnings == ()
    case = engine.start_instance(actor=CASEWORKER, key="planned")
    engine.complete_task(case.tasks[0].id, {"decision_date": "2026-11-30"}, actor=CASEWORKER)
    after = engine.get_case(case.id, actor=CASEWORKER)
    # 30 November + 3 months = 28 February (the month has no 30th); met any time that day,
    # so the breach falls due when 28 February 2027 has ended in Copenhagen (23:00 UTC).
    assert [(t.element_id, t.due_at) for t in after.timers] == [
        ("plan_late", datetime(2027, 2, 28, 23, 0, tzinfo=UTC))
    ]


def test_every_deadline_counts_from_a_fact_the_contract_names() -> None:
    assert {rule.trigger for rule in DEADLINE_RULES} <= set(contract.START_FACTS)
