"""Timer start events of deployed process definitions: when they start instances, as Camunda 7.

Deploying a process version with timer start events cancels the pending start timers of the
previous versions of its key (in its municipality) and schedules the new version's: one
`start_timer` row per start event, with its next due instant. The timer tick (engine/tick.py)
fires due rows: in one transaction it locks the row, re-checks that it is still pending and
due, starts an instance at that start event (for the definition's municipality, by the system
actor) and moves the row to its next slot or ends it. So each due instant starts exactly one
instance, with several workers too, and a row due during downtime fires once after it (a cycle
then continues from its next future slot, as boundary timer cycles do).

What the timer says (Camunda 7 semantics, read from the diagram as text):
* timeDate: an ISO instant (without an offset: Copenhagen time); one start.
* timeDuration: an ISO duration counted from the deployment; one start (Camunda repeats only
  cycles, so 'R10/PT5S' as a duration starts once, after 5 s).
* timeCycle: 'R[n]/[start/]duration' (n starts; without n, forever) or a Quartz cron expression.
Expressions (`${...}`) are refused at deploy: there are no variables to evaluate them against.
A shared definition (national content) has no municipality to start cases for: refused.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from lxml import etree

from engine import cron
from engine.bpmn.xml import BPMN_NS
from engine.calendar import add_iso_duration, next_cycle_slot, to_utc
from engine.errors import DefinitionProblem
from engine.store.tables import SHARED, StartTimer

_NS = {"bpmn": BPMN_NS}
_LOCAL = ZoneInfo("Europe/Copenhagen")
_KINDS = {"timeDate": "date", "timeDuration": "duration", "timeCycle": "cycle"}


@dataclass(frozen=True)
class Declared:
    """A timer start event as the diagram declares it."""

    element_id: str
    kind: str  # date, duration, cycle
    expression: str
    line: int | None


def declared(root: etree._Element, process_key: str) -> list[Declared]:
    """The top-level timer start events of process `process_key` in a parsed BPMN document."""
    found = []
    path = "./bpmn:process[@id=$key]/bpmn:startEvent/bpmn:timerEventDefinition/*"
    for body in root.xpath(path, namespaces=_NS, key=process_key):
        kind = _KINDS.get(etree.QName(body).localname)
        start = body.getparent().getparent()
        if kind is not None:
            found.append(Declared(str(start.get("id")), kind, (body.text or "").strip(), start.sourceline))
    return found


def first_due(timer: Declared, anchor: datetime) -> datetime:
    """When the timer first starts an instance, counted from `anchor` (the deployment). Raises
    ValueError saying what is wrong with the timer."""
    text = timer.expression
    if not text or text.startswith(("$", "#")):
        raise ValueError(
            "a timer start event's value is evaluated without variables here: write the "
            "instant, duration or cycle itself, not an expression"
        )
    if timer.kind == "date":
        return _instant(text)
    if timer.kind == "duration":
        return add_iso_duration(anchor, text.split("/")[-1])
    if cron.is_cron(text):
        found = cron.next_after(text, anchor)
        if found is None:
            raise ValueError(f"the cron expression {text!r} has no future slot")
        return found
    repeats, start, period = _cycle(text)
    if repeats == 0:
        raise ValueError(f"the cycle {text!r} repeats zero times")
    return start if start is not None and start > anchor else next_cycle_slot(start or anchor, period, anchor)


def next_due(row: StartTimer, now: datetime) -> datetime | None:
    """The slot after a firing at `now` (row.fired already counts it), or None: no slot left."""
    if row.kind != "cycle":
        return None
    if cron.is_cron(row.expression):
        return cron.next_after(row.expression, max(now, row.due_at))
    repeats, start, period = _cycle(row.expression)
    if 0 <= repeats <= row.fired:
        return None
    return next_cycle_slot(start or row.anchor, period, after=max(now, row.due_at))


def problems(root: etree._Element, resource: str, scope: str, now: datetime) -> list[DefinitionProblem]:
    """Why the timer start events of the document's processes cannot be scheduled (empty: they can)."""
    found = []
    keys = [str(p.get("id")) for p in root.xpath("./bpmn:process", namespaces=_NS)]
    for timer in (t for key in keys for t in declared(root, key)):
        message = None
        if scope == SHARED:
            message = (
                "a shared (national) definition cannot start cases on a timer: it has no "
                "municipality; deploy it for a municipality (with its tenant id)"
            )
        else:
            try:
                first_due(timer, now)
            except ValueError as err:
                message = f"timer start event: {err}"
        if message:
            found.append(DefinitionProblem(message, resource, timer.element_id, timer.line))
    return found


def new_rows(
    root: etree._Element, definition_id: str, process_key: str, municipality: str, now: datetime
) -> list[StartTimer]:
    return [
        StartTimer(
            id=str(uuid.uuid4()),
            definition_id=definition_id,
            process_key=process_key,
            municipality=municipality,
            element_id=timer.element_id,
            kind=timer.kind,
            expression=timer.expression[:500],
            anchor=now,
            due_at=first_due(timer, now),
            status="pending",
            created_at=now,
        )
        for timer in declared(root, process_key)
    ]


def _instant(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return to_utc(parsed if parsed.tzinfo else parsed.replace(tzinfo=_LOCAL))


def _cycle(text: str) -> tuple[int, datetime | None, str]:
    """(repeats, -1: forever; start or None; period) of 'R[n]/[start/]duration'."""
    parts = text.split("/")
    if not parts[0].startswith("R") or len(parts) not in (2, 3):
        raise ValueError(f"the cycle {text!r} is neither R[n]/[start/]duration nor a Quartz cron expression")
    repeats = int(parts[0][1:]) if parts[0][1:] else -1
    start = _instant(parts[1]) if len(parts) == 3 else None
    add_iso_duration(start or datetime(2000, 1, 1, tzinfo=_LOCAL), parts[-1])  # checks the period
    return repeats, start, parts[-1]
