"""A case that lives 20 years: is its step as fast and its stored state as small at the end as at
the start?

One placed child's case per database runs through the real diagrams in workflows/, in-process
(`Engine` calls, no HTTP) on a fake clock that moves a week per round: 1,000 follow-ups, 500
tilsyn visits and 100 new underretninger correlated into the case by its business key (message
`ny_underretning`), each assessed. The driver is the long-case test's (tests/support/long_case.py).

Reported for the first, middle and last 50 follow-ups: the follow-up step's wall-clock latency
(`Engine.complete_task`: lock, load, complete, engine steps, mirror, save, commit) and the stored
state's size at the end of the window, beside a fresh case's state (just opened, its
underretning being assessed).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.stats import summarise
from engine.bootstrap import build_engine
from engine.clock import FakeClock
from engine.config import EngineSettings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.long_case import LongCase  # type: ignore[import-not-found]

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
WINDOW = 50  # follow-ups per measured window


@dataclass(frozen=True)
class Life:
    follow_ups: int = 1_000
    visits_every: int = 2  # a tilsyn visit every 2nd round: 500
    reports_every: int = 10  # a new underretning every 10th round: 100
    days_per_round: int = 7  # 1,000 rounds ≈ 19.2 years


FULL = Life()
QUICK = Life(follow_ups=200)


def run(database_url: str, life: Life, **settings: Any) -> dict[str, Any]:
    clock = FakeClock(START)
    engine = build_engine(
        EngineSettings(
            database_url=database_url, run_scheduler=False, deploy_workflows_on_start=False, **settings
        ),
        clock,
        migrate=False,
    )
    try:
        case = LongCase(engine, clock)
        case.deploy()
        case.report()
        fresh = _size(case)  # a case just opened
        case.to_the_loops(placement=True)
        latencies: list[float] = []
        sizes: dict[int, tuple[int, int]] = {}
        for number in range(1, life.follow_ups + 1):
            case.advance(timedelta(days=life.days_per_round))
            started = time.perf_counter()
            case.follow_up()
            latencies.append(time.perf_counter() - started)
            if number % life.visits_every == 0:
                case.visit()
            if number % life.reports_every == 0:
                case.new_report()
            if number % WINDOW == 0:
                sizes[number] = _size(case)
        years = (clock.now() - START).days / 365.25
    finally:
        engine.store.dispose()
    return _report(latencies, sizes, fresh, life, years)


def _size(case: LongCase) -> tuple[int, int]:
    return len(case.stored_state()), case.stored_tasks()


def _report(
    latencies: list[float],
    sizes: dict[int, tuple[int, int]],
    fresh: tuple[int, int],
    life: Life,
    years: float,
) -> dict[str, Any]:
    n = life.follow_ups
    windows = {"start": WINDOW, "middle": (n // 2 // WINDOW) * WINDOW, "end": n}
    result: dict[str, Any] = {
        "follow_ups": n,
        "visits": n // life.visits_every,
        "new_reports": n // life.reports_every,
        "years": round(years, 1),
        "fresh_state": {"bytes": fresh[0], "tasks": fresh[1]},
    }
    for name, last in windows.items():
        state_bytes, tasks = sizes[last]
        result[name] = {
            "follow_ups": f"{last - WINDOW + 1}-{last}",
            "latency": summarise(latencies[last - WINDOW : last]).as_dict(),
            "state_bytes": state_bytes,
            "state_tasks": tasks,
        }
    result["last_over_first"] = round(
        result["end"]["latency"]["median"] / result["start"]["latency"]["median"], 2
    )
    result["end_state_over_fresh"] = round(result["end"]["state_bytes"] / fresh[0], 2)
    return result


def table(results: dict[str, Any]) -> list[str]:
    lines = []
    for kind, r in results.items():
        lines.append(
            f"A {r['years']}-year case, {kind}: {r['follow_ups']:,} follow-ups, {r['visits']} tilsyn visits, "
            f"{r['new_reports']} new underretninger; fresh case state {r['fresh_state']['bytes']:,} B"
        )
        for name in ("start", "middle", "end"):
            w = r[name]
            lat = w["latency"]
            lines.append(
                f"  {name:6s} follow-ups {w['follow_ups']:>9s}  step {lat['median']:.2f} ms "
                f"(p5 {lat['p5']:.2f}, p95 {lat['p95']:.2f})  "
                f"state {w['state_bytes']:,} B, {w['state_tasks']} tasks"
            )
        lines.append(
            f"  last/first step {r['last_over_first']:.2f}x; "
            f"end state / fresh case {r['end_state_over_fresh']:.2f}x"
        )
    return lines
