"""The queue list agents see: order, faceted counts, and a refresh that stays exact while
items are added, claimed and decided between two reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col

from assistant.app import open_records
from assistant.review.decisions import Reject
from assistant.review.models import ReviewItem
from assistant.review.queue import Queue
from assistant.review.worklist import UNASSIGNED, Filters, worklist
from assistant.settings import Settings
from assistant.users.roles import Role

NOW = datetime.now(UTC)
HOUR = timedelta(hours=1)


def add(
    queue: Queue,
    n: int,
    *,
    topics: list[str],
    channel: str = "web_chat",
    priority: int = 3,
    due_in: int = 60,
) -> int:
    item, _ = queue.enqueue(
        ReviewItem(
            message_id=f"m{n}",
            thread_id=f"t{n}",
            channel=channel,
            customer_key=f"{channel}:c{n}",
            author_name=f"Customer {n}",
            text=f"message {n}",
            received_at=NOW - timedelta(minutes=n),
            due_at=NOW + timedelta(minutes=due_in),
            status="pending",
            topics=topics,
            reasons=[f"because {topics[0]}"],
            priority=priority,
            draft="Hi!",
            draft_kind="template",
        )
    )
    assert item.id is not None
    return item.id


def fresh(queue: Queue, filters: Filters = Filters()) -> list[tuple[int, str | None, int]]:
    """What a full read shows, for comparing with the incremental one."""
    from assistant.review import worklist as module

    module._SNAPSHOTS._items.clear()
    module._RECENT._items.clear()
    return [(r.id, r.assignee, r.version) for r in worklist(queue.engine, filters).rows]


def test_order_counts_and_filters(settings: Settings) -> None:
    with open_records(settings) as records:
        q = records.queue
        refund = add(q, 1, topics=["refund"], priority=2, due_in=300)
        legal = add(q, 2, topics=["legal", "complaint"], channel="instagram", priority=1)
        soon = add(q, 3, topics=["refund"], priority=2, due_in=10)
        work = worklist(q.engine)
        assert [r.id for r in work.rows] == [legal, soon, refund]  # risk, then deadline
        assert work.counts["channel"] == {"web_chat": 2, "instagram": 1}
        assert work.counts["assignee"] == {UNASSIGNED: 3}
        picked = worklist(q.engine, Filters(channels=("instagram",)))
        assert [r.id for r in picked.rows] == [legal]
        # Counts keep the other facets' filters but not their own: picking instagram
        # still shows web_chat (2) as a choice, and only instagram's topics.
        assert picked.counts["channel"] == {"web_chat": 2, "instagram": 1}
        assert picked.counts["topic"] == {"legal": 1, "complaint": 1}


def test_refresh_after_changes_matches_a_full_read(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.review import worklist as module

    reads: list[str] = []
    real_read = module._read

    def counting(engine: Any, query: Any) -> Any:
        rows = real_read(engine, query)
        reads.append(f"{'all' if query is module._QUERY else 'changed'}:{len(rows)}")
        return rows

    monkeypatch.setattr(module, "_read", counting)
    with open_records(settings) as records:
        q = records.queue
        ids = [
            add(q, n, topics=["refund" if n % 2 else "price"], priority=1 + n % 3)
            for n in range(1, 40)
        ]
        with q.engine.begin() as conn:  # written an hour ago, the last one 10 minutes ago
            for n, item_id in enumerate(ids):
                ago = timedelta(minutes=10) if n == len(ids) - 1 else HOUR
                stamp = update(ReviewItem).where(col(ReviewItem.id) == item_id)
                conn.execute(stamp.values(updated_at=NOW - ago))
        assert len(worklist(q.engine).rows) == 39
        q.assign(ids[5], "ann")
        q.decide(ids[7], Reject(actor="bea", reason="duplicate"), None, Role.agent)
        new = add(q, 99, topics=["legal"], priority=0)
        q.update(ids[9], priority=0)
        after = [(r.id, r.assignee, r.version) for r in worklist(q.engine).rows]
        # Only the four changed items were read again (and the newest one seen before, as
        # the margin for late commits asks).
        assert reads == ["all:39", "changed:5"]
        assert after == fresh(q)
        assert {after[0][0], after[1][0]} == {new, ids[9]}
        assert ids[7] not in [a[0] for a in after]
        assert (ids[5], "ann", 2) in after
