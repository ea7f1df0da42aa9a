"""Console render time with a big queue, against a bare ``st.dataframe`` of the same rows.

    python bench/console.py [--items 5000] [--runs 7] [--approvals 20]
                            [--database-url postgresql+psycopg://...]

1. A fresh data folder with ``--items`` pending items (varied channels, topics, reasons,
   drafts, sources and deadlines) and one signed-in agent.
2. Queue page: ``AppTest.run()`` of ``ui/app.py`` as that agent (filters with counts, the
   table, the pickers, the bulk bar; every read through the service layer, as in use).
   Between two clicks the queue usually has not changed, and the service reuses its last
   answer once a one-row query confirms that; so the page is also timed right after
   another agent claimed an item, when the changed rows are read again and the counts,
   order and table are rebuilt.
3. Baseline, interleaved with 2 in the same process: a script that only loads the same
   rows (the table the queue page draws, as JSON) and calls ``st.dataframe`` on them.
4. ``ratio = queue page p50 / baseline p50`` (target <= 2.0); the item page's p50 too.
5. Approve end to end (target <= 100 ms p50): ``--approvals`` real messages run through
   the pipeline to review, then each is approved through the console's service door
   (``ui/actions.decide``: user check, decision, graph resume, send), as a click does.

``--database-url`` runs it all on that (empty) Postgres database instead of SQLite; the
script migrates it first.

The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from _common import ROOT, emit, machine, workspace

from assistant.app import open_records
from assistant.review.models import ItemStatus, ReviewItem
from assistant.review.worklist import worklist
from assistant.settings import Settings
from assistant.users import UserStore
from assistant.users.actor import SYSTEM_ACTOR

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "ui"))
import queue_list

CHANNELS = ["web_chat", "instagram", "facebook", "whatsapp", "x", "email", "tiktok"]
TOPICS = [
    ["refund"],
    ["price"],
    ["legal", "complaint"],
    ["complaint"],
    ["order_status"],
    ["general"],
    ["cancellation", "refund"],
    ["human_requested"],
]
REASONS = [
    "mentions a refund: 'refund'",
    "asks about a price, charge or payment: 'price'",
    "mentions legal action or a dispute: 'lawyer'",
    "sounds unhappy: 'still not'",
    "similar to messages about refund (e.g. 'I want my money back')",
]
TEXTS = [
    "Hi, I ordered FH-10264 two weeks ago and it still has not arrived. Can I get a refund?",
    "How much is the waxed canvas backpack in the large size?",
    "If this isn't sorted by Monday I'm calling my lawyer.",
    "Where is my order? The tracking page has said 'in transit' for a week.",
    "Do you ship to Canada, and how long does it take?",
]
DRAFT = (
    "Hi there, thanks for reaching out. Refunds go back to the original payment method "
    "within 5 to 7 business days after we receive the return. — The Fernhill team"
)


def fill(settings: Settings, count: int) -> None:
    rng = random.Random(7)
    now = datetime.now(UTC)
    items = []
    for n in range(count):
        received = now - timedelta(minutes=rng.randint(0, 3_000))
        channel = CHANNELS[n % len(CHANNELS)]
        items.append(
            ReviewItem(
                message_id=f"bench-{n}",
                thread_id=f"t-{n}",
                channel=channel,
                customer_key=f"{channel}:user{n % 900}",
                author_name=f"Customer {n % 900}",
                text=TEXTS[n % len(TEXTS)],
                message={"id": f"bench-{n}", "text": TEXTS[n % len(TEXTS)]},
                received_at=received,
                created_at=received,
                updated_at=received,  # last changed when it arrived, as in a real queue
                due_at=received + timedelta(minutes=rng.choice([60, 240, 1440])),
                status=ItemStatus.pending if n % 9 else ItemStatus.escalated,
                escalated_to=None if n % 9 else "lead",
                route="human_review",
                topics=TOPICS[n % len(TOPICS)],
                reasons=REASONS[: 1 + n % len(REASONS)],
                draft=DRAFT,
                draft_kind="template" if n % 3 else "model",
                sources=[
                    {
                        "id": "faq:refund-timing",
                        "score": 0.71,
                        "source": "faq/refunds.md",
                        "line": 3,
                        "title": "Refund timing",
                        "text": DRAFT,
                    }
                ],
                priority=1 + n % 5,
                assignee=None if n % 11 else "bea",
            )
        )
    with open_records(settings) as records:
        from sqlmodel import Session

        with Session(records.queue.engine) as session:
            session.add_all(items)
            session.commit()
        UserStore(records.queue.engine).add("bench", "agent", "bench password 123", by="bench")


def prepare_server(url: str) -> None:
    """What ``assistant db upgrade`` does: migrations and the checkpoint tables."""
    from assistant.checkpoints import setup_postgres_checkpoints
    from assistant.db import make_engine
    from assistant.migrations import upgrade

    upgrade(make_engine(url, auto_upgrade=False))
    setup_postgres_checkpoints(url)


def time_approvals(settings: Settings, count: int) -> list[float]:
    """Approve ``count`` paused reviews through the console's door, one click each."""
    from assistant.app import open_assistant
    from assistant.intake.jsonl import parse_line
    from assistant.review.decisions import Approve
    from ui import actions

    async def to_review() -> list[int]:
        ids = []
        async with open_assistant(settings) as assistant:
            assistant.library.ingest(SYSTEM_ACTOR)
            for n in range(count):
                line = json.dumps(
                    {
                        "id": f"approve-{n}",
                        "channel": "web_chat",
                        "author": {"id": f"w{n}", "name": "Pat"},
                        "text": "How much is the waxed canvas backpack? Is it on sale?",
                    }
                )
                result = await assistant.inbox.process(SYSTEM_ACTOR, parse_line(line, "bench"))
                ids.append(result.item_id)
        return ids

    ids = asyncio.run(to_review())
    actions.decide("bench", ids[0], Approve(actor="bench"), _version(settings, ids[0]))  # warm
    times = []
    for item_id in ids[1:]:
        version = _version(settings, item_id)
        start = time.perf_counter()
        decided = actions.decide("bench", item_id, Approve(actor="bench"), version)
        times.append(time.perf_counter() - start)
        assert decided.status == ItemStatus.sent, decided.status
    return times


def _version(settings: Settings, item_id: int) -> int:
    with open_records(settings) as records:
        return records.queue.get(item_id).version


def timed_run(at: object) -> float:
    start = time.perf_counter()
    at.run()  # type: ignore[attr-defined]
    elapsed = time.perf_counter() - start
    assert not at.exception, [e.value for e in at.exception]  # type: ignore[attr-defined]
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--approvals", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from streamlit.testing.v1 import AppTest

    with workspace("console") as base:
        settings = Settings(
            data_dir=base / "data",
            knowledge_dir=base / "knowledge",
            database_url=args.database_url,
        )
        os.environ["ASSISTANT_DATA_DIR"] = str(settings.data_dir)
        os.environ["ASSISTANT_KNOWLEDGE_DIR"] = str(settings.knowledge_dir)
        if args.database_url:
            os.environ["ASSISTANT_DATABASE_URL"] = args.database_url
            prepare_server(args.database_url)
        fill(settings, args.items)
        with open_records(settings) as records:
            rows = worklist(records.queue.engine).rows
        table = queue_list.queue_table(rows, datetime.now(UTC))
        data = base / "rows.json"
        data.write_text(json.dumps(table))
        bare = base / "bare.py"
        bare.write_text(
            "import json\nimport streamlit as st\n"
            f"rows = json.loads(open({str(data)!r}).read())\n"
            "st.dataframe(rows, hide_index=True)\n"
        )

        queue_page = AppTest.from_file(str(ROOT / "ui" / "app.py"), default_timeout=300)
        queue_page.session_state["user"] = "bench"
        baseline = AppTest.from_file(str(bare), default_timeout=300)
        item_page = AppTest.from_file(str(ROOT / "ui" / "app.py"), default_timeout=300)
        item_page.session_state["user"] = "bench"
        item_page.session_state["page"] = "Item"
        item_page.session_state["item_id"] = rows[0].id
        for warm in (queue_page, baseline, item_page):  # imports, first queries
            timed_run(warm)
        shown = len(queue_page.dataframe[0].value)
        assert shown == args.items, f"the queue page shows {shown} of {args.items} rows"

        page_s, bare_s, item_s, changed_s = [], [], [], []
        for n in range(args.runs):
            page_s.append(timed_run(queue_page))
            bare_s.append(timed_run(baseline))
            item_s.append(timed_run(item_page))
            with open_records(settings) as records:  # another agent claims an item
                records.queue.assign(rows[n + 1].id, "bea")
            changed_s.append(timed_run(queue_page))

        approve_s = time_approvals(settings, args.approvals)

    page_ms = statistics.median(page_s) * 1000
    approve_ms = statistics.median(approve_s) * 1000
    bare_ms = statistics.median(bare_s) * 1000
    item_ms = statistics.median(item_s) * 1000
    changed_ms = statistics.median(changed_s) * 1000
    print(f"{args.items} pending items, {args.runs} runs each (AppTest, median):")
    print(f"  queue page        {page_ms:8.1f} ms")
    print(f"  bare st.dataframe {bare_ms:8.1f} ms   (same {args.items} rows)")
    print(f"  ratio             {page_ms / bare_ms:8.2f}      (target <= 2.0)")
    print("  queue page, right after another agent claimed an item (counts, table rebuilt)")
    print(f"                    {changed_ms:8.1f} ms   ratio {changed_ms / bare_ms:.2f}")
    print(f"  item page         {item_ms:8.1f} ms")
    print(f"  approve, end to end {approve_ms:6.1f} ms   (target <= 100, {len(approve_s)} items)")
    emit(
        {
            "bench": "console",
            "items": args.items,
            "runs": args.runs,
            "queue_page_ms": round(page_ms, 1),
            "bare_dataframe_ms": round(bare_ms, 1),
            "ratio": round(page_ms / bare_ms, 3),
            "item_page_ms": round(item_ms, 1),
            "queue_page_after_change_ms": round(changed_ms, 1),
            "ratio_after_change": round(changed_ms / bare_ms, 3),
            "approve_p50_ms": round(approve_ms, 1),
            "database": "postgresql" if args.database_url else "sqlite",
            "machine": machine(),
        }
    )


if __name__ == "__main__":
    main()
