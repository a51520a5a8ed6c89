"""The parts a benchmark runs against: a throwaway PostgreSQL on loopback (the test suite's own)
and Sagsflow itself as real uvicorn processes."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.live import LiveServer, free_port  # type: ignore[import-not-found]  # noqa: E402
from support.postgres import PostgresServer  # type: ignore[import-not-found]  # noqa: E402

TOKEN = "bench-token"

__all__ = ["TOKEN", "PostgresServer", "Sagsflow", "free_port", "sqlite_url"]


def sqlite_url(directory: Path, name: str) -> str:
    return f"sqlite:///{directory / name}"


class Sagsflow(LiveServer):  # type: ignore[misc]
    """The test suite's live server as a benchmark runs it: production tick (1 s), no access log,
    `workers` processes, dev mode on 127.0.0.1."""

    def __init__(self, database_url: str, *, workers: int = 1, env: dict[str, str] | None = None) -> None:
        defaults = {"SAGSFLOW_TICK_SECONDS": "1", "SAGSFLOW_LOG_LEVEL": "warning"}
        super().__init__(
            database_url, token=TOKEN, workers=workers, env={**defaults, **(env or {})}, access_log=False
        )

    def start(self, timeout: float = 60) -> Sagsflow:
        super().start(timeout)
        if self.workers > 1:
            time.sleep(0.5)  # let every worker finish starting
        return self

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        found = [int(p) for p in children.read_text().split()] if children.exists() else []
        return found or [self.process.pid]

    def peak_rss_mb(self) -> float:
        """The largest peak resident set (VmHWM) of the server's worker processes."""
        peaks = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return max(peaks) if peaks else 0.0

    def stop(self) -> None:
        super().stop()
        Path(self.log.name).unlink(missing_ok=True)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time consumed so far by `pids` (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) CPU time of the whole machine so far, all cores, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)
