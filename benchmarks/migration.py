"""Migrating running cases to a new version (issue 16): how many cases per second, and what the
rest of the service feels meanwhile.

Per database: the real diagrams in workflows/ (shared, as at start-up), 10,000 cases opened from
an underretning (each waits in its called `underretning` process with its 24-hour and receipt
deadlines pending), then a new version of `boernesag` (the same diagram with another version tag) and
its generated plan. `Engine.migrate` moves every case (each in its own transaction, progress per
batch of 100) while a second thread completes tasks of other cases as fast as it can; its step
latency during the migration is reported beside the same thread's latency before it. A migration
blocks other writers for one case's transaction at a time, never for a batch or the whole run.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.diagrams import PROCESS_KEY, VARIABLES, linear_process
from benchmarks.stats import summarise
from engine.bootstrap import build_engine
from engine.clock import FakeClock
from engine.config import EngineSettings
from engine.definitions import DeployRequest
from engine.instances import ReportOfConcern
from engine.model import Actor, MigrationSelection, Role
from engine.service import Engine

WORKFLOWS = Path(__file__).resolve().parents[1] / "workflows"
ADMIN = Actor("bench", "0101", frozenset({Role.ADMIN}), frozenset({"team-a"}))
START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
BATCH = 100


@dataclass(frozen=True)
class Load:
    cases: int  # cases migrated
    traffic: int  # cases the concurrent thread steps through
    baseline_seconds: float  # the thread's steps measured before the migration


FULL = Load(cases=10_000, traffic=200, baseline_seconds=5)
QUICK = Load(cases=300, traffic=20, baseline_seconds=2)


def run(database_url: str, load: Load) -> dict[str, Any]:
    clock = FakeClock(START)
    settings = EngineSettings(database_url=database_url, run_scheduler=False, deploy_workflows_on_start=False)
    engine = build_engine(settings, clock, migrate=False)
    try:
        source = engine.deploy_directory(WORKFLOWS, actor=ADMIN)
        assert source is not None
        engine.deploy(DeployRequest([("bench.bpmn", linear_process())], name="bench"), actor=ADMIN)
        seeded = time.perf_counter()
        for number in range(load.cases):
            received = clock.now() - timedelta(minutes=30)
            engine.open_case(ReportOfConcern(received, "professional", f"B-{number}", ""), actor=ADMIN)
        seed_seconds = time.perf_counter() - seeded
        plan = _plan(engine, {d.key: d.id for d in source.definitions}["boernesag"])
        traffic = _Traffic(engine, load.traffic)
        baseline = traffic.measure(load.baseline_seconds)
        report, during, batches = _migrate_under_traffic(engine, plan, traffic)
    finally:
        engine.store.dispose()
    migrated = report.count("migrated")
    return {
        "cases": load.cases,
        "seed_seconds": round(seed_seconds, 1),
        "migrated": migrated,
        "outcomes": {o: report.count(o) for o in {i.outcome for i in report.instances}},
        "seconds": round(report.seconds, 2),
        "cases_per_second": round(migrated / report.seconds, 1) if report.seconds else 0.0,
        "batch_seconds": summarise(batches, scale=1, unit="s").as_dict(),
        "traffic_before": summarise(baseline).as_dict(),
        "traffic_during": summarise(during).as_dict(),
    }


def _plan(engine: Engine, source_id: str) -> Any:
    """Version 2 of boernesag (another version tag, the same flow) and the plan generated for it."""
    content = (WORKFLOWS / "boernesag.bpmn").read_bytes()
    changed = content.replace(b'camunda:versionTag="1"', b'camunda:versionTag="2"', 1)
    assert changed != content, 'boernesag.bpmn has no camunda:versionTag="1" to change'
    deployed = engine.deploy(
        DeployRequest([("boernesag.bpmn", changed)], name="v2", shared=True), actor=ADMIN
    )
    target = next(d.id for d in deployed.new_definitions if d.key == "boernesag")
    return engine.generate_migration(source_id, target, actor=ADMIN)


class _Traffic:
    """Normal work on other cases: a linear process's tasks completed one after another."""

    def __init__(self, engine: Engine, cases: int) -> None:
        self.engine = engine
        self.tasks = [
            engine.start_instance(actor=ADMIN, key=PROCESS_KEY, business_key=f"t-{i}").tasks[0].id
            for i in range(cases)
        ]
        self.stop = threading.Event()

    def step(self, index: int) -> float:
        slot = index % len(self.tasks)
        started = time.perf_counter()
        case = self.engine.complete_task(self.tasks[slot], dict(VARIABLES), actor=ADMIN)
        elapsed = time.perf_counter() - started
        if not case.tasks:  # the case ended: start another in its place
            case = self.engine.start_instance(actor=ADMIN, key=PROCESS_KEY, business_key=f"t-{index}")
        self.tasks[slot] = case.tasks[0].id
        return elapsed

    def measure(self, seconds: float) -> list[float]:
        samples: list[float] = []
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            samples.append(self.step(len(samples)))
        return samples

    def run_until_stopped(self, samples: list[float]) -> None:
        while not self.stop.is_set():
            samples.append(self.step(len(samples)))


def _migrate_under_traffic(
    engine: Engine, plan: Any, traffic: _Traffic
) -> tuple[Any, list[float], list[float]]:
    during: list[float] = []
    batches: list[float] = []
    last = [time.perf_counter()]

    def batch_done(_: int) -> None:
        now = time.perf_counter()
        batches.append(now - last[0])
        last[0] = now

    worker = threading.Thread(target=traffic.run_until_stopped, args=(during,), daemon=True)
    worker.start()
    try:
        report = engine.migrate(
            plan, MigrationSelection(), actor=ADMIN, batch_size=BATCH, progress=batch_done
        )
    finally:
        traffic.stop.set()
        worker.join()
    return report, during, batches


def table(results: dict[str, Any]) -> list[str]:
    lines = []
    for kind, r in results.items():
        lines.append(
            f"Migration of {r['cases']:,} running cases to a new version, {kind}: "
            f"{r['cases_per_second']:.0f} cases/s ({r['seconds']:.1f} s; {r['outcomes']})"
        )
        batch = r["batch_seconds"]
        lines.append(
            f"  {'batch of ' + str(BATCH) + ' cases (s)':42s} {batch['median']:.2f} "
            f"(p5 {batch['p5']:.2f}, p95 {batch['p95']:.2f}, max {batch['maximum']:.2f})"
        )
        for name in ("traffic_before", "traffic_during"):
            s = r[name]
            lines.append(
                f"  {'other cases, step ' + name.split('_')[1]:42s} {s['median']:.2f} "
                f"(p5 {s['p5']:.2f}, p95 {s['p95']:.2f}, p99 {s['p99']:.2f}, max {s['maximum']:.2f}) ms"
            )
    return lines
