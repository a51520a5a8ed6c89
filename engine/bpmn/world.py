"""The world a deployment is checked in, and the case process's family within it.

The world is the deployment's BPMN and DMN files plus, for every process or decision the case
process reaches that the deployment does not contain, the newest deployed file (for `sagsflow
validate`: a file of the folder standing for the server). The family is the case process and
everything it calls, through call activities and business rule tasks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from lxml import etree

from engine.bpmn import variable_flow as flow
from engine.bpmn.variable_flow import NS, camunda
from engine.bpmn.xml import kind_of, parse_xml
from engine.errors import InvalidDefinitionError

BPMN = flow.BPMN


@dataclass(frozen=True)
class Diagram:
    """One BPMN or DMN file of the world; `new` if it is part of the deployment."""

    name: str
    root: etree._Element
    new: bool


@dataclass
class World:
    processes: dict[str, tuple[Diagram, etree._Element]] = field(default_factory=dict)
    decisions: dict[str, tuple[Diagram, etree._Element]] = field(default_factory=dict)

    @classmethod
    def of(cls, diagrams: Sequence[Diagram]) -> World:
        world = cls()
        for diagram in sorted(diagrams, key=lambda d: d.new):  # the deployment's own files win
            for process in diagram.root.iterfind("bpmn:process", NS):
                world.processes[str(process.get("id"))] = (diagram, process)
            namespace = etree.QName(diagram.root).namespace
            for decision in diagram.root.iterfind(f"{{{namespace}}}decision"):
                world.decisions[str(decision.get("id"))] = (diagram, decision)
        return world


@dataclass
class Family:
    processes: list[tuple[Diagram, etree._Element]]
    decisions: list[tuple[Diagram, etree._Element]]
    complete: bool  # every process and decision the family calls exists

    def elements(self) -> Iterator[tuple[Diagram, etree._Element]]:
        for diagram, process in self.processes:
            for element in flow.flow_elements(process):
                yield diagram, element

    @property
    def touched(self) -> bool:
        return any(d.new for d, _ in self.processes + self.decisions)


Fetch = Callable[[str, str], Diagram | None]  # (kind "process"/"decision", key) -> the deployed file


def diagram_of(name: str, content: bytes, *, new: bool) -> Diagram | None:
    """A file of the world, or None if it is not readable BPMN/DMN (the compile stage says why)."""
    try:
        tree = parse_xml(content, name)
    except InvalidDefinitionError:
        return None
    return Diagram(name, tree.getroot(), new) if kind_of(tree) in ("bpmn", "dmn") else None


def resolve_world(new: Sequence[Diagram], fetch: Fetch, case_process: str) -> list[Diagram]:
    """The deployment's files plus the deployed files of the family members they do not contain."""
    world = list(new)
    index = World.of(world)
    queue, asked = [("process", case_process)], set()
    while queue:
        kind, key = queue.pop()
        if (kind, key) in asked:
            continue
        asked.add((kind, key))
        table = index.processes if kind == "process" else index.decisions
        if key not in table:
            fetched = fetch(kind, key)
            if fetched is None:
                continue
            world.append(fetched)
            index = World.of(world)
            table = index.processes if kind == "process" else index.decisions
            if key not in table:
                continue
        if kind == "process":
            queue += references(table[key][1])
    return world


def references(process: etree._Element) -> list[tuple[str, str]]:
    found = []
    for element in process.iter(f"{{{BPMN}}}callActivity", f"{{{BPMN}}}businessRuleTask"):
        if element.get("calledElement"):
            found.append(("process", str(element.get("calledElement"))))
        if camunda(element, "decisionRef"):
            found.append(("decision", str(camunda(element, "decisionRef"))))
    return found


def family_of(world: World, case_process: str) -> Family | None:
    if case_process not in world.processes:
        return None
    seen, decisions, queue, complete = [case_process], [], [case_process], True
    while queue:
        _, process = world.processes[queue.pop()]
        for kind, key in references(process):
            table = world.processes if kind == "process" else world.decisions
            complete = complete and (key in table or "{" in key)
            if kind == "process" and key in world.processes and key not in seen:
                seen.append(key)
                queue.append(key)
            if kind == "decision" and key in world.decisions and key not in decisions:
                decisions.append(key)
    processes = [world.processes[p] for p in seen]
    return Family(processes, [world.decisions[d] for d in decisions], complete)
