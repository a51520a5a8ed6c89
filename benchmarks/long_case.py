"""A case that lives 20 years: is its step as fast and its stored state as small at the end as at
the start?

One placed child's case per database runs through the real diagrams in workflows/, in-process
(`Engine` calls, no HTTP) on a fake clock that moves a week per round: 1,000 follow-ups, 500
tilsyn visits and 100 new underretninger correlated into the case by its business key (message
`ny_underretning`), each assessed. The driver is the long-case test's (tests/support/long_case.py).

Reported for the first, middle and last 50 follow-ups: the follow-up step's wall-clock latency
(`Engine.complete_task`: lock, load, complete, engine steps, mirror, save, commit) and this
process's CPU time for it (not the database server's, not waiting for the disk), and the stored
state's size at the end of the window. The machine is shared and its speed swings within a
minute, so each measured window also steps a control: a fresh case, placed when the window starts
and followed up alternately with the old one (same database, same seconds). The state is compared
with a fresh case's at the same stage (just placed, before its first follow-up: the same parts
active) and with a case just opened (its underretning being assessed, no measure yet).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
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


@dataclass
class Window:
    """Samples (seconds) of one measured window: the old case's follow-ups and the control's."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    control_wall: list[float] = field(default_factory=list)
    control_cpu: list[float] = field(default_factory=list)


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
        opened = _size(case)  # a case just opened
        case.to_the_loops(placement=True)
        placed = _size(case)  # a fresh case in its measure: what the old case is compared with
        windows = _windows(life.follow_ups)
        samples = {name: Window() for name in windows}
        sizes: dict[int, tuple[int, int]] = {}
        control: LongCase | None = None
        for number in range(1, life.follow_ups + 1):
            window = next((n for n, last in windows.items() if last - WINDOW < number <= last), None)
            if window and number == windows[window] - WINDOW + 1:
                control = LongCase(engine, clock)
                control.open(placement=True)
            if case.advance(timedelta(days=life.days_per_round)) and control:
                control.refresh()
            if window and control:
                _paired(case, control, samples[window], first=number % 2 == 0)
            else:
                case.follow_up()
            if number % life.visits_every == 0:
                case.visit()
            if number % life.reports_every == 0:
                case.new_report()
            if number % WINDOW == 0:
                sizes[number] = _size(case)
            if window and number == windows[window]:
                control = None
        years = (clock.now() - START).days / 365.25
    finally:
        engine.store.dispose()
    return _report(samples, windows, sizes, opened, placed, life, years)


def _windows(follow_ups: int) -> dict[str, int]:
    """The last follow-up of each measured window."""
    return {"start": WINDOW, "middle": (follow_ups // 2 // WINDOW) * WINDOW, "end": follow_ups}


def _paired(case: LongCase, control: LongCase, into: Window, *, first: bool) -> None:
    """One follow-up of the old case and one of the control, in alternating order."""
    for which in (case, control) if first else (control, case):
        wall, cpu = _timed(which)
        if which is case:
            into.wall.append(wall)
            into.cpu.append(cpu)
        else:
            into.control_wall.append(wall)
            into.control_cpu.append(cpu)


def _timed(case: LongCase) -> tuple[float, float]:
    started, started_cpu = time.perf_counter(), time.thread_time()
    case.follow_up()
    return time.perf_counter() - started, time.thread_time() - started_cpu


def _size(case: LongCase) -> tuple[int, int]:
    return len(case.stored_state()), case.stored_tasks()


def _report(
    samples: dict[str, Window],
    windows: dict[str, int],
    sizes: dict[int, tuple[int, int]],
    opened: tuple[int, int],
    placed: tuple[int, int],
    life: Life,
    years: float,
) -> dict[str, Any]:
    n = life.follow_ups
    result: dict[str, Any] = {
        "follow_ups": n,
        "visits": n // life.visits_every,
        "new_reports": n // life.reports_every,
        "years": round(years, 1),
        "fresh_state": {"bytes": placed[0], "tasks": placed[1]},
        "opened_state": {"bytes": opened[0], "tasks": opened[1]},
    }
    for name, last in windows.items():
        state_bytes, tasks = sizes[last]
        w = samples[name]
        latency = summarise(w.wall)
        control = summarise(w.control_wall)
        result[name] = {
            "follow_ups": f"{last - WINDOW + 1}-{last}",
            "latency": latency.as_dict(),
            "cpu": summarise(w.cpu).as_dict(),
            "control_latency": control.as_dict(),
            "control_cpu": summarise(w.control_cpu).as_dict(),
            "over_control": round(latency.median / control.median, 2),
            "state_bytes": state_bytes,
            "state_tasks": tasks,
        }
    start, end = result["start"], result["end"]
    result["last_over_first"] = round(end["latency"]["median"] / start["latency"]["median"], 2)
    result["last_over_first_cpu"] = round(end["cpu"]["median"] / start["cpu"]["median"], 2)
    result["end_state_over_fresh"] = round(end["state_bytes"] / placed[0], 2)
    result["end_state_over_opened"] = round(end["state_bytes"] / opened[0], 2)
    return result


def table(results: dict[str, Any]) -> list[str]:
    lines = []
    for kind, r in results.items():
        lines.append(
            f"A {r['years']}-year case, {kind}: {r['follow_ups']:,} follow-ups, {r['visits']} tilsyn visits, "
            f"{r['new_reports']} new underretninger; fresh placed case's state "
            f"{r['fresh_state']['bytes']:,} B ({r['fresh_state']['tasks']} tasks), "
            f"just opened {r['opened_state']['bytes']:,} B"
        )
        for name in ("start", "middle", "end"):
            w = r[name]
            lat, cpu, ctl = w["latency"], w["cpu"], w["control_latency"]
            lines.append(
                f"  {name:6s} follow-ups {w['follow_ups']:>9s}  step {lat['median']:.2f} ms "
                f"(p5 {lat['p5']:.2f}, p95 {lat['p95']:.2f}), CPU {cpu['median']:.2f} ms; "
                f"fresh control {ctl['median']:.2f} ms, CPU {w['control_cpu']['median']:.2f} ms "
                f"(old / control {w['over_control']:.2f}x); "
                f"state {w['state_bytes']:,} B, {w['state_tasks']} tasks"
            )
        lines.append(
            f"  last/first step {r['last_over_first']:.2f}x (CPU {r['last_over_first_cpu']:.2f}x); "
            f"end state / fresh placed case {r['end_state_over_fresh']:.2f}x "
            f"(/ just opened {r['end_state_over_opened']:.2f}x)"
        )
    return lines
