"""``GET /metrics`` in the Prometheus text format: request latency (a histogram kept in
this process) and gauges read from the database (queue by status, jobs by state, reply rows
by delivery state)."""

from __future__ import annotations

import bisect
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Engine

from assistant.review.models import DeliveryState, OutboxMessage, ReviewItem

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
# A source of extra gauge lines (e.g. delivery rows by state), rendered after ours.
MetricSource = Callable[[], Iterable[str]]


@dataclass
class RequestMetrics:
    """Latency by route, updated by the HTTP middleware (threads and the loop share it)."""

    counts: dict[str, list[int]] = field(default_factory=dict)
    sums: dict[str, float] = field(default_factory=dict)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def observe(self, route: str, status: int, seconds: float) -> None:
        with self.lock:
            buckets = self.counts.setdefault(route, [0] * (len(BUCKETS) + 1))
            buckets[bisect.bisect_left(BUCKETS, seconds)] += 1
            self.sums[route] = self.sums.get(route, 0.0) + seconds
            self.statuses[(route, status)] += 1

    def lines(self) -> list[str]:
        out = [
            "# HELP assistant_request_seconds HTTP request latency.",
            "# TYPE assistant_request_seconds histogram",
        ]
        with self.lock:
            for route, buckets in sorted(self.counts.items()):
                running = 0
                for bound, count in zip((*BUCKETS, float("inf")), buckets, strict=True):
                    running += count
                    le = "+Inf" if bound == float("inf") else repr(bound)
                    out.append(
                        f'assistant_request_seconds_bucket{{route="{route}",le="{le}"}} {running}'
                    )
                out.append(
                    f'assistant_request_seconds_sum{{route="{route}"}} {self.sums[route]:.6f}'
                )
                out.append(f'assistant_request_seconds_count{{route="{route}"}} {running}')
            out.append("# TYPE assistant_requests_total counter")
            for (route, status), count in sorted(self.statuses.items()):
                out.append(f'assistant_requests_total{{route="{route}",status="{status}"}} {count}')
        return out


def queue_lines(engine: Engine) -> list[str]:
    out = [
        "# HELP assistant_queue_items Queue items by status.",
        "# TYPE assistant_queue_items gauge",
    ]
    items: Table = ReviewItem.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        rows = conn.execute(select(items.c.status, func.count()).group_by(items.c.status)).all()
    out += [f'assistant_queue_items{{status="{status}"}} {n}' for status, n in sorted(rows)]
    return out


def reply_lines(engine: Engine) -> list[str]:
    """Reply rows by delivery state (pending, sending, delivered, failed); every state is
    listed, zero included, so a dashboard sees ``failed`` appear rather than a gap."""
    outbox: Table = OutboxMessage.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        rows = conn.execute(select(outbox.c.state, func.count()).group_by(outbox.c.state)).all()
    counts = {DeliveryState(state): int(n) for state, n in rows}
    out = [
        "# HELP assistant_sends Outbound replies by delivery state.",
        "# TYPE assistant_sends gauge",
    ]
    return out + [
        f'assistant_sends{{outcome="{state.value}"}} {counts.get(state, 0)}'
        for state in DeliveryState
    ]


def job_lines(states: dict[str, int]) -> list[str]:
    out = ["# HELP assistant_jobs Jobs by state.", "# TYPE assistant_jobs gauge"]
    return out + [f'assistant_jobs{{state="{state}"}} {n}' for state, n in sorted(states.items())]
