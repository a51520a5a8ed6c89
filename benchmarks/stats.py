"""Summaries of timing samples: median and spread, never a lone mean."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Summary:
    """Milliseconds unless `unit` says otherwise."""

    n: int
    median: float
    p5: float
    p95: float
    p99: float
    minimum: float
    maximum: float
    unit: str = "ms"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def short(self) -> str:
        return f"{self.median:.2f} (p5 {self.p5:.2f}, p95 {self.p95:.2f}, p99 {self.p99:.2f}) {self.unit}"


def summarise(samples: Sequence[float], *, scale: float = 1000.0, unit: str = "ms") -> Summary:
    """`samples` in seconds (scaled to ms by default)."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(s * scale for s in samples)
    return Summary(
        n=len(ordered),
        median=statistics.median(ordered),
        p5=_quantile(ordered, 0.05),
        p95=_quantile(ordered, 0.95),
        p99=_quantile(ordered, 0.99),
        minimum=ordered[0],
        maximum=ordered[-1],
        unit=unit,
    )


def _quantile(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank quantile of sorted values."""
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def spread(values: Sequence[float]) -> tuple[float, float, float]:
    """(median, min, max) of repeated runs, e.g. throughput per run."""
    return statistics.median(values), min(values), max(values)
