"""Report latency over 100,000 cases and about a million history entries.

The data are real: template cases are driven through the barnets lov diagrams in workflows/
(the scenario tests' `CaseFlow`, on a fake clock), then cloned with fresh ids, times shifted back
by up to a year, and random teams and caseworkers. Clones keep their templates' saved state, so
they are for reading: the server that answers the reports runs without the timer tick.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import Table, insert, select
from sqlmodel import SQLModel

from api.app import create_app
from api.settings import ApiSettings
from benchmarks.servers import TOKEN
from engine.bootstrap import build_engine
from engine.clock import FakeClock
from engine.config import EngineSettings
from engine.model import Actor, Role
from engine.service import Engine
from engine.store.database import Store
from engine.store.tables import CaseFact, Event, Instance, Subscription, Task, Timer

from support.lifecycle import CaseFlow, deploy_workflows  # type: ignore[import-not-found]  # tests' driver

CPH = ZoneInfo("Europe/Copenhagen")
START = datetime(2026, 3, 2, 9, 0, tzinfo=CPH)
TEAMS = [f"team-{i}" for i in range(12)]
CASEWORKERS = [f"cw-{i}" for i in range(240)]
OTHER_MUNICIPALITY_SHARE = 0.05  # cases that belong elsewhere and must not be counted
BATCH = 1000
TABLES: list[type[SQLModel]] = [Instance, Task, Timer, Subscription, Event, CaseFact]


def _screened(outcome: str, **extra: Any) -> Callable[[CaseFlow], None]:
    def run(flow: CaseFlow) -> None:
        flow.open(reporter="professional")
        flow.through_screening(outcome, **extra)

    return run


def _new(flow: CaseFlow) -> None:
    flow.open(reporter="professional")


def _in_screening(flow: CaseFlow) -> None:
    flow.open(reporter="professional")
    flow.complete("assess_report", {"child_in_danger": False, "acute_measures": False})
    flow.complete("send_receipt", {"receipt_sent_at": flow.today()})
    flow.complete("first_talks", {"child_talk_held_at": flow.today(2)})


def _closed_at_screening(flow: CaseFlow) -> None:
    _screened("close")(flow)
    flow.complete("closing", {"closing_method": "letter", "contact_info_given": True})


def _investigation_breached(flow: CaseFlow) -> None:
    flow.open()
    flow.through_screening("investigation", investigation_started_at=flow.today(-1))
    flow.advance(timedelta(days=125))


def _in_follow_up(flow: CaseFlow) -> None:
    _screened("assessment")(flow)
    flow.complete("assessment", {"assessment_summary": "Behov for støtte", "assessment_outcome": "support"})
    flow.decide(child_plan_decided=False, child_plan_reason="Kortvarig indsats")
    flow.kickoff(next_date_days=30)
    flow.advance(timedelta(days=28))
    flow.follow_up("continue", next_date_days=45)


def _late_follow_up(flow: CaseFlow) -> None:
    _screened("early_support")(flow)
    flow.decide(child_plan_decided=False, child_plan_reason="Ikke relevant", child_perspective_obtained=False,
                child_perspective="Barnet ønskede ikke at tale med os")  # fmt: skip
    flow.kickoff(next_date_days=20)
    flow.advance(timedelta(days=30))
    flow.follow_up("continue", next_date_days=40, child_talk_alone=False)


def _placed(flow: CaseFlow) -> None:
    flow.open()
    flow.through_screening("investigation", investigation_started_at=flow.today())
    flow.advance(timedelta(days=60))
    flow.complete(
        "investigation", {"investigation_summary": "Anbringelse", "investigation_completed_at": flow.today()}
    )
    flow.decide(measure_type="placement_s46", measure_paragraph="§ 46", placement_started_at=flow.today())
    flow.complete("child_plan", {"child_plan_made_at": flow.today(20)})
    flow.kickoff()


def _closed_after_support(flow: CaseFlow) -> None:
    _in_follow_up(flow)
    flow.advance(timedelta(days=40))
    flow.follow_up("close", next_date_days=None)
    flow.complete("closing", {"closing_method": "meeting", "contact_info_given": True})


# (name, share of the cases, how the template case is driven)
TEMPLATES: list[tuple[str, float, Callable[[CaseFlow], None]]] = [
    ("new", 0.06, _new),
    ("screening", 0.10, _in_screening),
    ("closed_at_screening", 0.22, _closed_at_screening),
    ("investigation", 0.10, _screened("investigation", investigation_started_at="2026-03-01")),
    ("investigation_breached", 0.04, _investigation_breached),
    ("follow_up", 0.22, _in_follow_up),
    ("late_follow_up", 0.06, _late_follow_up),
    ("placed", 0.08, _placed),
    ("closed_after_support", 0.12, _closed_after_support),
]


@dataclass(frozen=True)
class Seeded:
    cases: int
    events: int
    now: datetime


def build_templates(url: str) -> tuple[dict[str, str], datetime]:
    """Drive one case per template through the real diagrams; (template -> case id, clock at end)."""
    clock = FakeClock(START)
    settings = EngineSettings(database_url=url, run_scheduler=False, deploy_workflows_on_start=False)
    app = create_app(
        ApiSettings(dev_mode=True, dev_token=TOKEN, dev_municipality="0101"), settings, clock=clock
    )
    ids = {}
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        deploy_workflows(client)
        for name, _, drive in TEMPLATES:
            flow = CaseFlow(client, clock)
            drive(flow)
            ids[name] = flow.case_id
    return ids, clock.now()


def seed(url: str, cases: int, *, rng_seed: int = 2026) -> Seeded:
    """A database at `url` with `cases` cases cloned from the templates (built in the same database)."""
    templates, now = build_templates(url)
    store = Store(url)
    rows = _template_rows(store, templates)
    rng = random.Random(rng_seed)
    names = [name for name, _, _ in TEMPLATES]
    weights = [share for _, share, _ in TEMPLATES]
    events = 0
    for start in range(0, cases - len(templates), BATCH):
        batch: dict[str, list[dict[str, Any]]] = {_table(m).name: [] for m in TABLES}
        for k in range(start, min(start + BATCH, cases - len(templates))):
            template = rows[rng.choices(names, weights)[0]]
            for name, new_rows in _clone(template, k, rng).items():
                batch[name] += new_rows
        events += len(batch["event"])
        with store.write() as session:
            for table in map(_table, TABLES):
                if batch[table.name]:
                    session.connection().execute(insert(table), batch[table.name])
    store.dispose()
    return Seeded(cases, events, now)


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def _template_rows(store: Store, templates: dict[str, str]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    found: dict[str, dict[str, list[dict[str, Any]]]] = {}
    with store.read() as session:
        for name, case_id in templates.items():
            found[name] = {}
            for model in TABLES:
                table = _table(model)
                key = table.c.id if model is Instance else table.c.instance_id
                result = session.connection().execute(select(table).where(key == case_id))
                found[name][table.name] = [dict(r._mapping) for r in result]
    return found


def _clone(
    template: dict[str, list[dict[str, Any]]], k: int, rng: random.Random
) -> dict[str, list[dict[str, Any]]]:
    shift = timedelta(days=rng.uniform(0, 365))
    case_id = str(uuid.uuid4())
    municipality = "0202" if rng.random() < OTHER_MUNICIPALITY_SHARE else "0101"
    caseworker, team = rng.choice(CASEWORKERS), rng.choice(TEAMS)
    task_ids = {r["id"]: str(uuid.uuid4()) for r in template["task"]}

    def moved(row: dict[str, Any], **changes: Any) -> dict[str, Any]:
        out = {key: (value - shift if isinstance(value, datetime) else value) for key, value in row.items()}
        out.update(changes)
        if "municipality" in out:
            out["municipality"] = municipality
        return out

    [case] = template["instance"]
    return {
        "instance": [moved(case, id=case_id, business_key=f"BK-{k:06d}", caseworker=caseworker, team=team)],
        "task": [
            moved(
                r,
                id=task_ids[r["id"]],
                instance_id=case_id,
                assignee=caseworker if r["state"] == "open" else None,
            )
            for r in template["task"]
        ],
        "timer": [moved(r, id=str(uuid.uuid4()), instance_id=case_id) for r in template["timer"]],
        "subscription": [
            moved(r, id=str(uuid.uuid4()), instance_id=case_id) for r in template["subscription"]
        ],
        "casefact": [
            {
                k: v
                for k, v in moved(r, instance_id=case_id, team=team, caseworker=caseworker).items()
                if k != "id"
            }
            for r in template["casefact"]
        ],
        "event": [  # without "id": the database numbers history entries in insertion order
            {
                k: v
                for k, v in moved(
                    r, instance_id=case_id, task_id=task_ids.get(r["task_id"], r["task_id"])
                ).items()
                if k != "id"
            }
            for r in template["event"]
        ],
    }


LEADER = Actor("leader-bench", "0101", frozenset({Role.LEADER}), frozenset())

# (name, call) for every report the dashboard shows, plain and filtered
QUERIES: list[tuple[str, Callable[[Engine, datetime], Any]]] = [
    ("overview", lambda e, now: e.report_overview(actor=LEADER)),
    ("overview, one team", lambda e, now: e.report_overview(actor=LEADER, team="team-3")),
    ("overview, one caseworker", lambda e, now: e.report_overview(actor=LEADER, caseworker="cw-7")),
    (
        "overview, last 90 days",
        lambda e, now: e.report_overview(actor=LEADER, period=(now - timedelta(days=90), now)),
    ),
    ("case standings, first page", lambda e, now: e.report_standings(actor=LEADER, limit=100)),
    (
        "case standings, one phase",
        lambda e, now: e.report_standings(actor=LEADER, phase="opfoelgning", limit=100),
    ),
    ("deadlines, next 14 days", lambda e, now: e.report_deadlines(actor=LEADER, days=14)),
    ("deadlines, one team", lambda e, now: e.report_deadlines(actor=LEADER, days=14, team="team-3")),
]


def measure(url: str, now: datetime, repeats: int) -> dict[str, list[float]]:
    """Seconds per call of each report, through the engine (the queries and their shaping)."""
    settings = EngineSettings(database_url=url, run_scheduler=False, deploy_workflows_on_start=False)
    engine = build_engine(settings, FakeClock(now), migrate=False)
    samples: dict[str, list[float]] = {}
    try:
        for name, call in QUERIES:
            call(engine, now)  # warm the caches once
            samples[name] = []
            for _ in range(repeats):
                started = time.perf_counter()
                call(engine, now)
                samples[name].append(time.perf_counter() - started)
    finally:
        engine.store.dispose()
    return samples
