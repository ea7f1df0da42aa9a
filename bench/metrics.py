"""How long the console's dashboard takes over a large queue.

    python bench/metrics.py [--items 50000] [--days 30] [--repeat 5]

Fills a temporary SQLite database (the real schema, via ``make_engine``) with ``--items``
review items spread over ``--days`` days and 7 channels, with what a real queue holds: about
60% auto-sent replies, human approvals, edits (drafts ~300 characters, a few words changed),
rejections, escalations, spam hidden and some restored, opt-outs, and 1-4 routing reasons per
reviewed item, some quoting evidence. Then times ``dashboard()`` over the whole range (best
and median of ``--repeat`` runs, after one warm-up) and over the last 7 days.
Target: the whole range in under 1 s on the 2-core development machine.

The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, machine
from sqlalchemy import insert

from assistant.db import make_engine
from assistant.review.metrics import dashboard
from assistant.review.models import (
    AuditEvent,
    CustomerState,
    OutboxMessage,
    ReviewItem,
)

TARGET_S = 1.0
CHANNELS = ["instagram", "facebook", "whatsapp", "tiktok", "x", "web_chat", "email"]
REASONS = [
    "risk topic: refund",
    "risk topic: legal",
    "asks about a price: '{n} dollars'",
    "order FH-{n} was not found",
    "confidence 0.{n} is below 0.80",
    "similar to messages about complaint (e.g. 'this is the worst {n}', 0.8{n})",
    "automatic sending is off for facebook",
    "outside the 25% rollout for facebook",
]
DRAFT = (
    "Hi Sam, thanks for reaching out! Standard shipping takes 3-5 business days and express "
    "shipping takes 1-2. You can track your parcel from the link in your confirmation email, "
    "and if anything looks off just reply here and we will sort it out. - The Fernhill team"
)


def _event(item_id: int, actor: str, action: str, at: datetime, **texts: str | None) -> dict:
    return {
        "item_id": item_id,
        "actor": actor,
        "action": action,
        "at": at,
        "before_text": None,
        "after_text": None,
        "reason": None,
        **texts,
    }


def fill(engine: object, items: int, days: int, seed: int = 7) -> datetime:
    rnd = random.Random(seed)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    rows, sent, events, states = [], [], [], []
    for n in range(1, items + 1):
        received = start + timedelta(seconds=rnd.uniform(0, days * 86400))
        channel = rnd.choice(CHANNELS)
        roll = rnd.random()
        status, route, reasons = "sent", "auto_send", []
        if roll > 0.6:
            route = "human_review"
            reasons = [
                rnd.choice(REASONS).format(n=rnd.randint(10, 99)) for _ in range(rnd.randint(1, 4))
            ]
        due = received + timedelta(minutes=60)
        rows.append(
            {
                "id": n,
                "message_id": f"m{n}",
                "thread_id": f"t{n}",
                "channel": channel,
                "customer_key": f"{channel}:u{n % 5000}",
                "text": "Where is my order? " * 3,
                "message": {"id": f"m{n}", "text": "Where is my order?"},
                "received_at": received,
                "due_at": due,
                "status": status,
                "route": route,
                "topics": ["general"],
                "reasons": reasons,
                "sources": [{"id": "faq:shipping", "text": DRAFT}],
                "draft": DRAFT,
                "draft_kind": "template",
                "priority": 5,
                "version": 2,
                "needs_attention": False,
                "created_at": received,
                "updated_at": received,
            }
        )
        reply_after = timedelta(seconds=rnd.uniform(1, 5))
        if route == "human_review":
            kind = rnd.choices(
                ["approve", "edit", "reject", "escalate", "open", "hidden", "opt"],
                [50, 15, 10, 5, 10, 7, 3],
            )[0]
            decided = received + timedelta(minutes=rnd.expovariate(1 / 40))
            reply_after = decided - received + timedelta(seconds=2)
            if kind in ("approve", "edit", "reject", "escalate"):
                after = DRAFT.replace("3-5", "2-4") if kind == "edit" else DRAFT
                events.append(
                    _event(
                        n,
                        "maya",
                        kind,
                        decided,
                        before_text=DRAFT,
                        after_text=after if kind in ("approve", "edit") else None,
                        reason="handled by phone" if kind == "reject" else None,
                    )
                )
            rows[-1]["status"] = {
                "reject": "rejected",
                "escalate": "escalated",
                "open": "pending",
                "hidden": "hidden",
                "opt": "closed",
            }.get(kind, "sent")
            if kind == "hidden":
                rows[-1]["route"] = "hidden"
                events.append(_event(n, "auto", "hidden", received))
                if rnd.random() < 0.2:
                    events.append(_event(n, "maya", "restore", decided))
            if kind == "opt":
                rows[-1]["route"] = "opted_out"
                states.append({"customer_key": f"{channel}:opt{n}", "opted_out_at": received})
            if kind not in ("approve", "edit"):
                continue
        sent.append(
            {
                "message_id": f"m{n}",
                "item_id": n,
                "channel": channel,
                "customer_key": f"{channel}:u{n % 5000}",
                "text": "Automated reply: " + DRAFT,
                "automated": route == "auto_send",
                "sent_by": "auto" if route == "auto_send" else "maya",
                "kind": "reply",
                "sent_at": received + reply_after,
            }
        )
    with engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(insert(ReviewItem), rows)
        conn.execute(insert(OutboxMessage), sent)
        conn.execute(insert(AuditEvent), events)
        if states:
            conn.execute(insert(CustomerState), states)
    return start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-metrics-") as tmp:
        engine = make_engine(Path(tmp) / "assistant.db")
        began = time.perf_counter()
        start = fill(engine, args.items, args.days)
        print(
            f"filled {args.items:,} items over {args.days} days in "
            f"{time.perf_counter() - began:.1f} s"
        )
        first, last = start.date(), (start + timedelta(days=args.days - 1)).date()
        now = start + timedelta(days=args.days + 1)
        dashboard(engine, first, last, now)  # warm-up: page cache, statement cache
        times = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            board = dashboard(engine, first, last, now)
            times.append(time.perf_counter() - began)
        week = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            dashboard(engine, last - timedelta(days=6), last, now)
            week.append(time.perf_counter() - began)
        engine.dispose()
    t = board.totals
    print(
        f"dashboard over {t.received:,} items: best {min(times):.3f} s, "
        f"median {statistics.median(times):.3f} s; last 7 days: median "
        f"{statistics.median(week):.3f} s"
    )
    print(
        f"  replies {t.replies:,}, automation {t.automation_rate:.1%}, decisions "
        f"{t.decisions.total:,}, edits measured {t.edits.count:,}, SLA breaches {t.sla.total:,}, "
        f"daily rows {len(board.daily)}"
    )
    emit(
        {
            "benchmark": "metrics",
            "items": t.received,
            "days": args.days,
            "best_s": round(min(times), 4),
            "median_s": round(statistics.median(times), 4),
            "last_7_days_median_s": round(statistics.median(week), 4),
            "target_s": TARGET_S,
            "meets_target": statistics.median(times) <= TARGET_S,
            **machine(),
        }
    )


if __name__ == "__main__":
    main()
