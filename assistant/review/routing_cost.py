"""What each detector costs: per topic and per detector, how many messages it sent to a
person over a period, read from the sources stored with each item's reasons; and the
period's message texts, for a what-if that re-runs the detectors on them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from assistant.review.models import ReviewItem
from assistant.review.reason_sources import ReasonSource, stored_origins
from assistant.safety.topics import Route, Topic

# Messages whose text says nothing about routing (STOP, START) are left out of a what-if.
NOT_ROUTED = (Route.opted_out.value, Route.opted_in.value)


@dataclass(frozen=True)
class DetectorCost:
    topic: Topic
    detector: str
    messages: int  # went to a person with this detector's reason for this topic
    alone: int  # ... and no other detector's reason: what switching it off would free


@dataclass(frozen=True)
class RoutingCost:
    to_person: int  # messages routed to a person in the period
    detectors: list[DetectorCost] = field(default_factory=list)  # most messages first
    checks: dict[str, int] = field(default_factory=dict)  # other sources: draft check, rules
    not_recorded: int = 0  # routed before sources were stored (revision 0013)


def routing_cost(engine: Engine, start: datetime, end: datetime) -> RoutingCost:
    """Messages received in [start, end) that went to a person, counted per topic and
    detector (once per message) and per other check."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(col(ReviewItem.reasons), col(ReviewItem.reason_sources)).where(
                col(ReviewItem.received_at) >= start,
                col(ReviewItem.received_at) < end,
                col(ReviewItem.route) == Route.human_review.value,
            )
        ).all()
    pairs: Counter[tuple[Topic, str]] = Counter()
    alone: Counter[tuple[Topic, str]] = Counter()
    checks: Counter[str] = Counter()
    not_recorded = 0
    for reasons, stored in rows:
        origins = stored_origins(reasons or [], stored or [])
        if not stored and reasons:
            not_recorded += 1
        found = {(o.topic, o.source) for o in origins if o.topic is not None}
        pairs.update(found)
        if len({source for _, source in found}) == 1:
            alone.update(found)
        checks.update({o.source for o in origins if o.topic is None})
    checks.pop(ReasonSource.not_recorded, None)
    costs = [
        DetectorCost(topic, detector, n, alone[(topic, detector)])
        for (topic, detector), n in pairs.items()
    ]
    costs.sort(key=lambda c: (-c.messages, c.topic.rank, c.topic.value, c.detector))
    return RoutingCost(len(rows), costs, dict(checks.most_common()), not_recorded)


def recent_messages(
    engine: Engine, start: datetime, end: datetime, limit: int
) -> tuple[list[tuple[str, str]], int]:
    """(message id, text) of the newest ``limit`` messages received in [start, end), and
    how many there were in all."""
    where = (
        col(ReviewItem.received_at) >= start,
        col(ReviewItem.received_at) < end,
        col(ReviewItem.text) != "",
        col(ReviewItem.route).is_(None) | col(ReviewItem.route).not_in(NOT_ROUTED),
    )
    with engine.connect() as conn:
        rows = conn.execute(
            select(col(ReviewItem.message_id), col(ReviewItem.text))
            .where(*where)
            .order_by(col(ReviewItem.received_at).desc(), col(ReviewItem.id).desc())
            .limit(limit)
        ).all()
        total = conn.execute(select(func.count()).select_from(ReviewItem).where(*where))
    return [(str(m), str(t)) for m, t in rows], int(total.scalar_one())
