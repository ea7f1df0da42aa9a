"""Governance at scale: the retention purge of a million rows while the console reads the
queue, and one customer's export and erasure in a 100,000-customer database.

1. Purge: ``--rows`` closed items (with one sent reply and one audit event each) received
   two years ago, plus ``--open`` open items received today (the queue). The console's
   queue read is timed alone (the baseline), then again while ``assistant retention run``'s
   function purges in another process (as the nightly job would): ratio = during p50 /
   baseline p50 (target <= 2.0). Two reads are timed: ``worklist()`` as the console calls
   it, and a plain uncached read of the open items (``Queue.items``).
2. Data-subject requests: ``--customers`` customers, each with two messages, a reply, an
   audit event and a consent record; ``export_customer`` and ``erase_customer`` (with
   SQLite's secure delete and WAL truncation) for ``--samples`` customers (target <= 1 s).

Usage: python bench/governance.py [--rows 1000000] [--customers 100000] [--database-url URL]
(the last line is one JSON object)."""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _common import ROOT, emit, machine, stats_ms, workspace
from sqlalchemy import insert
from sqlalchemy.engine import Engine

from assistant.checkpoints import open_checkpointer, setup_postgres_checkpoints
from assistant.db import _cached_engine, database_url, make_engine
from assistant.governance.models import ConsentRecord
from assistant.governance.retention import run_retention
from assistant.governance.subject_requests import erase_customer, export_customer
from assistant.knowledge.policy import Retention
from assistant.migrations import upgrade
from assistant.review.models import AuditEvent, ItemStatus, OutboxMessage, ReviewItem
from assistant.review.queue import Queue
from assistant.review.worklist import worklist
from assistant.settings import Settings

NOW = datetime.now(UTC)
CHUNK = 20_000
TEXT = "Hi, my order never arrived and I need it for Saturday. Reach me at sam@example.com"


def _insert(engine: Engine, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        with engine.begin() as conn:
            conn.execute(insert(model.__table__), rows[start : start + CHUNK])


def _item(n: int, key: str, received: datetime, status: ItemStatus) -> dict[str, Any]:
    return {
        "message_id": f"m-{n}",
        "thread_id": f"t-{n}",
        "channel": key.split(":")[0],
        "customer_key": key,
        "author_name": f"Customer {n}",
        "text": f"{TEXT} #{n}",
        "content_hash": str(n),
        "message": {"id": f"m-{n}", "text": TEXT},
        "received_at": received,
        "due_at": received + timedelta(hours=4),
        "status": status,
        "route": "human_review",
        "topics": ["order_problem"],
        "reasons": ["reports a problem with an order"],
        "needs_attention": False,
        "draft": "So sorry, Sam: we are looking into it.",
        "draft_kind": "template",
        "sources": [],
        "priority": 2,
        "version": 1,
        "created_at": received,
        "updated_at": received,
    }


def _side_rows(
    first: int, ids: range, keys: list[str], at: datetime
) -> tuple[list[Any], list[Any]]:
    """One sent reply and one audit event per item (audit rows unlinked: seeding a million
    chain links one by one would take longer than the purge)."""
    replies = [
        {
            "message_id": f"m-{n}",
            "item_id": first + i,
            "channel": keys[i].split(":")[0],
            "customer_key": keys[i],
            "text": "So sorry, Sam: we are looking into it.",
            "automated": False,
            "sent_by": "ann",
            "kind": "reply",
            "sent_at": at,
        }
        for i, n in enumerate(ids)
    ]
    audit = [
        {
            "item_id": first + i,
            "actor": "ann",
            "action": "approve",
            "at": at,
            "after_text": "So sorry, Sam: we are looking into it.",
            "text_digest": "-",
            "prev_hash": "-",
            "hash": "-",
        }
        for i in range(len(ids))
    ]
    return replies, audit


def seed_purge(engine: Engine, rows: int, open_items: int) -> None:
    old = NOW - timedelta(days=730)
    for start in range(0, rows, CHUNK):
        ids = range(start, min(start + CHUNK, rows))
        keys = [f"instagram:user{n % 50_000}" for n in ids]
        items = [_item(n, k, old, ItemStatus.sent) for n, k in zip(ids, keys, strict=True)]
        _insert(engine, ReviewItem, items)
        replies, audit = _side_rows(start + 1, ids, keys, old)
        _insert(engine, OutboxMessage, replies)
        _insert(engine, AuditEvent, audit)
    fresh = [
        _item(rows + n, f"web_chat:open{n}", NOW - timedelta(minutes=n), ItemStatus.pending)
        for n in range(open_items)
    ]
    _insert(engine, ReviewItem, fresh)


def _purge(settings: Settings, result: Any) -> None:
    """In its own process, as the scheduled job runs."""

    async def go() -> dict[str, Any]:
        engine = make_engine(database_url(settings))
        async with open_checkpointer(settings) as saver:
            started = time.perf_counter()
            report = await run_retention(
                engine, Retention(), saver, actor="bench", now=datetime.now(UTC)
            )
            return {"seconds": time.perf_counter() - started, **report.as_json()}

    result.update(asyncio.run(go()))


def page_reads(engine: Engine, seconds: float) -> tuple[list[float], list[float]]:
    """The console's queue read, over and over for ``seconds``."""
    cached, plain = [], []
    queue = Queue(engine)
    open_ = [ItemStatus.pending, ItemStatus.escalated]
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(plain) < 5:
        start = time.perf_counter()
        worklist(engine)
        cached.append(time.perf_counter() - start)
        start = time.perf_counter()
        queue.items(open_, limit=500)
        plain.append(time.perf_counter() - start)
    return cached, plain


def bench_purge(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    engine = make_engine(database_url(settings))
    started = time.perf_counter()
    seed_purge(engine, args.rows, args.open)
    print(
        f"seeded {args.rows:,} old rows (+ replies, audit) in {time.perf_counter() - started:.0f} s"
    )
    base_cached, base_plain = page_reads(engine, 10)
    manager = multiprocessing.Manager()
    result = manager.dict()
    job = multiprocessing.get_context("spawn").Process(target=_purge, args=(settings, result))
    job.start()
    during_cached: list[float] = []
    during_plain: list[float] = []
    while job.is_alive():
        cached, plain = page_reads(engine, 2)
        during_cached += cached
        during_plain += plain
    job.join()
    purged = dict(result)
    figures = {
        "rows": args.rows,
        "purge_s": round(purged["seconds"], 1),
        "rows_per_s": round(args.rows / purged["seconds"]),
        "counts": purged["counts"],
        "queue_read_baseline": stats_ms(base_cached),
        "queue_read_during": stats_ms(during_cached),
        "queue_read_ratio": round(
            stats_ms(during_cached)["p50_ms"] / stats_ms(base_cached)["p50_ms"], 2
        ),
        "open_items_read_baseline": stats_ms(base_plain),
        "open_items_read_during": stats_ms(during_plain),
        "open_items_read_ratio": round(
            stats_ms(during_plain)["p50_ms"] / stats_ms(base_plain)["p50_ms"], 2
        ),
    }
    print(f"purge: {figures['purge_s']} s ({figures['rows_per_s']:,} rows/s)")
    print(
        f"  console queue read p50 {figures['queue_read_baseline']['p50_ms']} ms alone, "
        f"{figures['queue_read_during']['p50_ms']} ms during the purge "
        f"(ratio {figures['queue_read_ratio']}, target <= 2)"
    )
    print(
        f"  open items read p50 {figures['open_items_read_baseline']['p50_ms']} ms alone, "
        f"{figures['open_items_read_during']['p50_ms']} ms during (ratio "
        f"{figures['open_items_read_ratio']})"
    )
    return figures


def seed_customers(engine: Engine, customers: int) -> None:
    recent = NOW - timedelta(days=3)
    for start in range(0, customers, CHUNK // 2):
        people = range(start, min(start + CHUNK // 2, customers))
        keys = [f"instagram:person{p}" for p in people for _ in (0, 1)]
        ids = range(2 * start, 2 * start + len(keys))
        items = [_item(n, k, recent, ItemStatus.sent) for n, k in zip(ids, keys, strict=True)]
        _insert(engine, ReviewItem, items)
        replies, audit = _side_rows(2 * start + 1, ids, keys, recent)
        _insert(engine, OutboxMessage, replies[::2])
        _insert(engine, AuditEvent, audit[::2])
        consent = [
            {
                "customer_key": f"instagram:person{p}",
                "channel": "instagram",
                "kind": "given",
                "source": "import",
                "wording": "Restock alerts",
                "at": recent,
                "recorded_by": "bench",
            }
            for p in people
        ]
        _insert(engine, ConsentRecord, consent)


def bench_requests(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    engine = make_engine(database_url(settings))
    started = time.perf_counter()
    seed_customers(engine, args.customers)
    print(f"seeded {args.customers:,} customers in {time.perf_counter() - started:.0f} s")
    step = max(1, args.customers // args.samples)
    keys = [f"instagram:person{p}" for p in range(7, args.customers, step)][: args.samples]
    exports, erasures = [], []
    for key in keys:
        start = time.perf_counter()
        document = export_customer(engine, key, settings.evals_dir, actor="bench", now=NOW)
        exports.append(time.perf_counter() - start)
        assert len(document["messages"]) == 2, document["counts"]

    async def erase_all() -> None:
        async with open_checkpointer(settings) as saver:
            for key in keys:
                start = time.perf_counter()
                await erase_customer(engine, key, settings.evals_dir, saver, actor="bench", now=NOW)
                erasures.append(time.perf_counter() - start)

    asyncio.run(erase_all())
    figures = {
        "customers": args.customers,
        "export": stats_ms(exports),
        "erase": stats_ms(erasures),
    }
    print(f"export of one customer: p50 {figures['export']['p50_ms']} ms (target <= 1000)")
    print(f"erasure of one customer: p50 {figures['erase']['p50_ms']} ms (target <= 1000)")
    return figures


def _settings(base: Path, name: str, url: str | None) -> Settings:
    if url:
        engine = make_engine(url, auto_upgrade=False)
        upgrade(engine)
        engine.dispose()
        setup_postgres_checkpoints(url)
    return Settings(
        data_dir=base / name,
        knowledge_dir=base / "knowledge",
        database_url=url,
        evals_dir=base / "evals",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=2_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--database-url", default=None, help="Postgres: an empty database.")
    args = parser.parse_args()
    with workspace("governance") as base:
        os.chdir(ROOT)
        purge = bench_purge(_settings(base, "purge", args.database_url), args)
        _cached_engine.cache_clear()
        if args.database_url:  # a clean database for the second part
            from sqlalchemy import text

            engine = make_engine(args.database_url, auto_upgrade=False)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            engine.dispose()
        requests = bench_requests(_settings(base, "requests", args.database_url), args)
    emit(
        {
            "bench": "governance",
            "backend": "postgres" if args.database_url else "sqlite",
            "purge": purge,
            "requests": requests,
            "machine": machine(),
        }
    )


if __name__ == "__main__":
    main()
