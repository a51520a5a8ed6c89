"""Named crash points in the step pipeline, for the crash tests (tests/faults/).

A process started with SAGSFLOW_TEST_CRASH_AT=<point> dies at once (`os._exit(137)`, no cleanup,
like a power cut or kill -9) the first time it reaches that point. Unset, `reach` compares two
strings and returns. The points, in the order a step passes them:

- `step.after_run`: the engine ran to the next wait state; nothing of the step is written yet
- `step.after_mirror`: task, subscription and timer rows and the history are written; the
  instance row is not
- `step.after_save`: the instance row is saved; the transaction is not committed
- `step.after_commit`: the step is committed; the caller has not been answered
- `timer.after_claim`: the tick claimed due timers (committed) and fired none of them yet
- `migration.after_rows`: a case's migration wrote its state and mirror rows; not committed
- `migration.after_case`: a case's migration is committed; the next case is not begun
"""

from __future__ import annotations

import os

POINTS = (
    "step.after_run",
    "step.after_mirror",
    "step.after_save",
    "step.after_commit",
    "timer.after_claim",
    "migration.after_rows",
    "migration.after_case",
)
ENVIRONMENT = "SAGSFLOW_TEST_CRASH_AT"
_ARMED = os.environ.get(ENVIRONMENT, "")

if _ARMED and _ARMED not in POINTS:
    raise RuntimeError(f"{ENVIRONMENT}={_ARMED!r} is not a crash point; the points are {', '.join(POINTS)}")


def reach(point: str) -> None:
    if point == _ARMED:
        os._exit(137)
