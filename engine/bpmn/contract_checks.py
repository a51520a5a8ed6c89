"""Checking a deployment against the diagram contract (engine/contract.py).

The checks read the Modeler XML of a *world*: the files being deployed plus, for every process or
decision they do not contain, the newest deployed version (for `sagsflow validate`: the files of
the workflows folder). From the case process they follow call activities and business rule tasks
to its *family*. If the deployment changes a member of the family, the family must keep every
item of the contract: the form fields the reports read, the guards the law needs, a breach timer
per reported deadline, the messages and signals integrators and leaders rely on, known candidate
groups, and expressions that only read variables something in the family can set. Guards and
timer properties are checked in every deployed process. A family process may waive an item with
the property `waive:<item>` (its value is the reason): the problem becomes a warning.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from lxml import etree

from engine import contract
from engine.bpmn import variable_flow as flow
from engine.bpmn.expressions import is_juel
from engine.bpmn.variable_flow import NS, camunda, local, properties
from engine.bpmn.world import Diagram, Family, World, family_of
from engine.contract import ContractSettings
from engine.deadlines import DEADLINE_RULES, DEADLINE_VARIABLES
from engine.errors import DefinitionProblem

BPMN = flow.BPMN
CATCH_EVENTS = ("startEvent", "intermediateCatchEvent", "boundaryEvent", "receiveTask")
THROW_EVENTS = ("intermediateThrowEvent", "endEvent")
REPORTS = contract.Consumer(
    "the deadline reports and the case's deadline timeline", "engine/timers.py, engine/reports.py"
)


@dataclass
class Findings:
    errors: list[DefinitionProblem] = field(default_factory=list)
    warnings: list[DefinitionProblem] = field(default_factory=list)


def check_contract(diagrams: Sequence[Diagram], settings: ContractSettings) -> Findings:
    """All contract problems of the world; waived ones come back as warnings."""
    world = World.of(diagrams)
    findings = Findings()
    for diagram, process in world.processes.values():
        if diagram.new:
            findings.errors += _guard_properties(diagram, process)
            _timer_properties(diagram, process, findings)
    family = family_of(world, settings.case_process)
    # A family that calls something that exists nowhere is refused for that already; what it
    # lacks would only repeat it.
    if family is not None and family.touched and family.complete:
        findings.errors += _family_problems(family, settings)
        _apply_waivers(family, findings)
    return findings


# --- generic rules: guards and timers ---------------------------------------------------------


def _problem(
    diagram: Diagram | None, element: etree._Element | None, message: str, item: str
) -> DefinitionProblem:
    owner = None if element is None else element.get("id")
    line = None if element is None else element.sourceline
    return DefinitionProblem(f"{message} [{item}]", diagram.name if diagram else None, owner, line, item=item)


def _guard_properties(diagram: Diagram, process: etree._Element) -> Iterator[DefinitionProblem]:
    for element in flow.flow_elements(process):
        props = properties(element)
        for key in props:
            if not key.startswith(contract.GUARD_PREFIX):
                continue
            for suffix in (contract.GUARD_MESSAGE, contract.GUARD_FIELD):
                guard = key.removesuffix(suffix)
                if key.endswith(suffix) and guard not in props:
                    yield _problem(
                        diagram,
                        element,
                        f"'{key}' is set but there is no guard '{guard}' on this task, so nothing is checked",
                        f"guard:{guard[len(contract.GUARD_PREFIX) :]}",
                    )


def _timers(process: etree._Element) -> Iterator[tuple[etree._Element, etree._Element]]:
    """(event, its timer body) for every timer event of the process."""
    for event in process.iter(
        f"{{{BPMN}}}boundaryEvent", f"{{{BPMN}}}intermediateCatchEvent", f"{{{BPMN}}}startEvent"
    ):
        for body in event.iterfind("bpmn:timerEventDefinition/*", NS):
            yield event, body


def _timer_properties(diagram: Diagram, process: etree._Element, findings: Findings) -> None:
    for event, body in _timers(process):
        props = properties(event)
        purpose, rule, item = (
            props.get(contract.PURPOSE),
            props.get(contract.DEADLINE),
            f"timer:{event.get('id')}",
        )
        if purpose is not None and purpose not in contract.PURPOSES:
            findings.errors.append(
                _problem(diagram, event, f"purpose '{purpose}' is not one of breach, reminder", item)
            )
        elif purpose == contract.BREACH and not rule:
            findings.errors.append(
                _problem(
                    diagram,
                    event,
                    f"a breach timer needs the property '{contract.DEADLINE}', the rule {REPORTS} "
                    "count it by",
                    item,
                )
            )
        elif purpose is None and _is_deadline_timer(process, event):
            findings.errors.append(
                _problem(
                    diagram,
                    event,
                    f"this deadline timer has no property '{contract.PURPOSE}' (breach or "
                    "reminder): when it fires "
                    f"nothing is recorded, and {REPORTS} never count it",
                    item,
                )
            )
        if purpose is not None:
            _duration_start(diagram, event, body, props, findings)


def _duration_start(
    diagram: Diagram, event: etree._Element, body: etree._Element, props: dict[str, str], findings: Findings
) -> None:
    fact, item = props.get(contract.START_FACT), f"timer:{event.get('id')}"
    if local(body) != "timeDuration":
        if fact:
            findings.errors.append(
                _problem(diagram, event, f"'{contract.START_FACT}' applies to durations only", item)
            )
        return
    if not fact:
        findings.warnings.append(
            _problem(
                diagram,
                event,
                f"the duration {(body.text or '').strip()} counts from when the timer started (the "
                "task opened), "
                f"not from the legal start; set the property '{contract.START_FACT}' to the recorded fact it "
                "counts from, or write the due date as a date (timeDate)",
                item,
            )
        )


def _is_deadline_timer(process: etree._Element, event: etree._Element) -> bool:
    if properties(event).get(contract.DEADLINE):
        return True
    if any(read.name in DEADLINE_VARIABLES for read in flow.reads_of(event)):
        return True
    return contract.DEADLINE_BREACHED in _signals_thrown_after(process, event)


def _signals_thrown_after(process: etree._Element, start: etree._Element, depth: int = 4) -> set[str]:
    """Signal names thrown within `depth` flow steps after `start`."""
    by_id = {e.get("id"): e for e in process.iter() if isinstance(e.tag, str)}
    flows = [(f.get("sourceRef"), f.get("targetRef")) for f in process.iter(f"{{{BPMN}}}sequenceFlow")]
    names, frontier = set(), {start.get("id")}
    for _ in range(depth):
        frontier = {target for source, target in flows if source in frontier}
        for identifier in frontier:
            element = by_id.get(identifier)
            if element is not None and local(element) in THROW_EVENTS:
                names |= _signal_names(element)
    return names


def _signal_names(event: etree._Element) -> set[str]:
    return _referenced_names(event, "signal", event.iterfind("bpmn:signalEventDefinition", NS))


def _message_names(event: etree._Element) -> set[str]:
    referring = list(event.iterfind("bpmn:messageEventDefinition", NS))
    if local(event) == "receiveTask" and event.get("messageRef"):
        referring.append(event)
    return _referenced_names(event, "message", referring)


def _referenced_names(event: etree._Element, kind: str, referring: Iterable[etree._Element]) -> set[str]:
    """The names (else ids) of the `kind` (signal or message) root elements that the `referring`
    elements name in their `<kind>Ref`, where the document declares them."""
    root = event.getroottree().getroot()
    names = set()
    for element in referring:
        declared = root.find(f"bpmn:{kind}[@id='{element.get(f'{kind}Ref')}']", NS)
        if declared is not None:
            names.add(str(declared.get("name") or declared.get("id")))
    return names


# --- the family -------------------------------------------------------------------------------


def _family_problems(family: Family, settings: ContractSettings) -> list[DefinitionProblem]:
    return [
        *_groups(family, settings.groups),
        *_fields(family),
        *_required_guards(family),
        *_required_deadlines(family),
        *_messages(family),
        *_signals(family),
        *_variables(family),
    ]


def _case_diagram(family: Family) -> Diagram | None:
    """Where a problem about something missing from the whole family is filed: nowhere in particular."""
    return None


def _user_tasks(family: Family) -> Iterator[tuple[Diagram, etree._Element]]:
    return ((d, e) for d, e in family.elements() if local(e) == "userTask")


def _groups(family: Family, groups: frozenset[str]) -> Iterator[DefinitionProblem]:
    known = ", ".join(sorted(groups))
    for diagram, task in _user_tasks(family):
        value = camunda(task, "candidateGroups") or ""
        if is_juel(value):
            continue
        for group in (g.strip() for g in value.split(",")):
            if group and group not in groups:
                yield _problem(
                    diagram,
                    task,
                    f"candidate group '{group}' is not one of the configured groups ({known}; "
                    "SAGSFLOW_CANDIDATE_GROUPS): no inbox shows the task, and "
                    f"{contract.CASEWORKER_GROUP.what} "
                    f"go by '{contract.CASEWORKERS}' ({contract.CASEWORKER_GROUP.code})",
                    f"group:{group}",
                )


def _fields(family: Family) -> Iterator[DefinitionProblem]:
    for needed in contract.FIELDS:
        found = [(d, e) for d, e in family.elements() if e.get("id") == needed.element_id]
        tasks = [(d, e) for d, e in found if local(e) == "userTask"]
        if not found:
            yield _problem(
                _case_diagram(family),
                None,
                f"{needed.consumer.what} reads '{needed.variable}' when the step "
                f"'{needed.element_id}' completes, "
                f"and there is no element '{needed.element_id}' in the case processes any more "
                f"({needed.consumer.code})",
                needed.item,
            )
        elif not tasks:
            yield _problem(
                found[0][0],
                found[0][1],
                f"{needed.consumer.what} reads '{needed.variable}' when the user task '{needed.element_id}' "
                f"completes, and '{needed.element_id}' is no longer a user task ({needed.consumer.code})",
                needed.item,
            )
        elif not any(needed.variable in flow.form_fields(task) for _, task in tasks):
            yield _problem(
                tasks[0][0],
                tasks[0][1],
                f"{needed.consumer.what} reads '{needed.variable}', which no form field of "
                f"'{needed.element_id}' sets any more ({needed.consumer.code})",
                needed.item,
            )


def _required_guards(family: Family) -> Iterator[DefinitionProblem]:
    present = {name for _, task in _user_tasks(family) for name in properties(task)}
    for guard in contract.GUARDS:
        if f"{contract.GUARD_PREFIX}{guard.name}" not in present:
            yield _problem(
                _case_diagram(family),
                None,
                f"{guard.consumer.what} is enforced by the guard "
                f"'{contract.GUARD_PREFIX}{guard.name}', which no "
                f"user task of the case processes carries any more ({guard.consumer.code})",
                guard.item,
            )


def _breach_rules(family: Family) -> set[str]:
    rules = set()
    for _, process in family.processes:
        for event, _body in _timers(process):
            props = properties(event)
            if props.get(contract.PURPOSE) == contract.BREACH and props.get(contract.DEADLINE):
                rules.add(props[contract.DEADLINE])
    return rules


def _required_deadlines(family: Family) -> Iterator[DefinitionProblem]:
    carried = _breach_rules(family)
    for deadline in contract.DEADLINES:
        if deadline.rule not in carried:
            yield _problem(
                _case_diagram(family),
                None,
                f"{deadline.consumer.what} counts the rule '{deadline.rule}', which no breach "
                "timer of the case "
                f"processes carries any more (property {contract.DEADLINE}='{deadline.rule}' with "
                f"{contract.PURPOSE}='breach'; {deadline.consumer.code})",
                deadline.item,
            )


def _events(family: Family, tags: Iterable[str]) -> Iterator[etree._Element]:
    wanted = set(tags)
    return (e for _, e in family.elements() if local(e) in wanted)


def _messages(family: Family) -> Iterator[DefinitionProblem]:
    caught = {name for event in _events(family, CATCH_EVENTS) for name in _message_names(event)}
    for message in contract.MESSAGES:
        if message.name not in caught:
            yield _problem(
                _case_diagram(family),
                None,
                f"{message.consumer.what} correlates the message '{message.name}', which no event "
                "of the case "
                f"processes catches any more ({message.consumer.code})",
                message.item,
            )


def _signals(family: Family) -> Iterator[DefinitionProblem]:
    thrown = {n for event in _events(family, THROW_EVENTS) for n in _signal_names(event)}
    caught = {n for event in _events(family, CATCH_EVENTS) for n in _signal_names(event)}
    for signal in contract.SIGNALS:
        for needed, present, verb in ((signal.thrown, thrown, "throws"), (signal.caught, caught, "catches")):
            if needed and signal.name not in present:
                yield _problem(
                    _case_diagram(family),
                    None,
                    f"{signal.consumer.what} needs the signal '{signal.name}', which no event of the case "
                    f"processes {verb} any more ({signal.consumer.code})",
                    signal.item,
                )


# --- variables --------------------------------------------------------------------------------


def settable(family: Family) -> set[str]:
    """Every variable something in the family can set, computed deadlines included."""
    outputs = {d.get("id"): flow.decision_outputs(d) for _, d in family.decisions}
    names = set(contract.START_VARIABLES)
    for _, element in family.elements():
        names |= flow.set_by(element, outputs)
        messages = _message_names(element) if local(element) in CATCH_EVENTS else set()
        for message in contract.MESSAGES:
            if message.name in messages:
                names.update(message.payload)
    names.update(rule.output for rule in DEADLINE_RULES if rule.trigger in names)
    names |= DEADLINE_VARIABLES - {rule.output for rule in DEADLINE_RULES}  # derived without a trigger
    return names


def _variables(family: Family) -> Iterator[DefinitionProblem]:
    known = settable(family)
    reads = [(d, r) for d, e in family.elements() for r in flow.reads_of(e)]
    reads += [(d, r) for d, decision in family.decisions for r in flow.decision_reads(decision)]
    reported: set[tuple[str | None, str]] = set()
    for diagram, read in reads:
        key = (read.element.get("id"), read.name)
        if read.name in known or key in reported:
            continue
        reported.add(key)
        close = difflib.get_close_matches(read.name, sorted(known), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        yield _problem(
            diagram,
            read.element,
            f"{read.what} ('{read.text.strip()}') reads '{read.name}', which nothing in the case "
            "processes sets "
            "(no form field, start variable, computed deadline, DMN output, script or message "
            f"payload){hint}",
            f"variable:{read.name}",
        )


# --- waivers ----------------------------------------------------------------------------------


def _apply_waivers(family: Family, findings: Findings) -> None:
    waivers: dict[str, str] = {}
    for diagram, process in family.processes:
        for key, reason in properties(process).items():
            if not key.startswith(contract.WAIVER_PREFIX):
                continue
            item = key[len(contract.WAIVER_PREFIX) :]
            if not reason.strip():
                findings.errors.append(
                    _problem(diagram, process, f"the waiver '{key}' needs a reason as its value", item)
                )
            else:
                waivers[item] = reason.strip()
    kept: list[DefinitionProblem] = []
    for problem in findings.errors:
        waived = waivers.get(problem.item or "")
        if waived is None:
            kept.append(problem)
        else:
            findings.warnings.append(replace(problem, message=f"waived ({waived}): {problem.message}"))
    findings.errors = kept
