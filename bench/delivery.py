"""Delivering approved replies to the recording fake channel.

    python bench/delivery.py [--replies 1000] [--in-flight 16] [--latency 0.1]
                             [--rate-limited 0.05] [--retry-after 0.5] [--database-url URL]

The fake channel runs as its own process (``python -m assistant.channels.recording_server``)
answering each send after ``--latency`` seconds, ``--rate-limited`` of them with 429 and
Retry-After. ``--replies`` approved replies are recorded as pending rows (not timed), then
handed to a ``DeliveryPool`` with ``--in-flight`` attempts at once and timed until every row
is delivered. Ideal = replies x latency / in-flight (every send pipelined, 429s free);
target wall / ideal <= 1.3. The fake counts what each customer received: duplicates must
be 0. ``run_delivery_bench`` is the importable entry (bench/service.py folds it in).

The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit, machine, workspace

from assistant.app import open_assistant
from assistant.channels.adapter import OutboundReply, SendOutcome
from assistant.channels.recording import RecordingChannelClient
from assistant.delivery import DeliveryPool, ReplyStore
from assistant.intake.messages import Channel
from assistant.review.models import DeliveryState, ItemStatus, OutboxMessage, ReviewItem
from assistant.settings import Settings

TARGET = 1.3


def start_fake(latency: float, rate_limited: float, retry_after: float) -> tuple[Any, str]:
    """The fake channel in its own process; returns (process, URL)."""
    fake = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "assistant.channels.recording_server",
            f"--latency-s={latency}",
            f"--rate-limited={rate_limited}",
            f"--retry-after-s={retry_after}",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert fake.stdout is not None
    return fake, fake.stdout.readline().strip()


def seed(store: ReplyStore, queue: Any, count: int) -> list[int]:
    """``count`` approved items, each with its pending reply (what approvals leave)."""
    now = datetime.now(UTC)
    reply_ids = []
    for n in range(count):
        customer = f"bench-{n % 100}"
        item, _ = queue.enqueue(
            ReviewItem(
                message_id=f"d-{n}",
                thread_id=f"t-{n}",
                channel=Channel.web_chat,
                customer_key=f"web_chat:{customer}",
                text=f"question {n}",
                message={"id": f"d-{n}", "author": {"id": customer}, "metadata": {}},
                received_at=now,
                due_at=now + timedelta(hours=1),
                status=ItemStatus.approved,
                decided_by="alice",
                final_text="Thanks!",
            )
        )
        requested = store.request(
            OutboxMessage(
                message_id=item.message_id,
                item_id=item.id,
                channel=Channel.web_chat,
                customer_key=item.customer_key,
                text="Automated reply: Thanks!",
                sent_by="alice",
                requested_at=now,
            ),
            None,
        )
        assert requested.reply.id is not None
        reply_ids.append(requested.reply.id)
    return reply_ids


async def deliver_all(settings: Settings, url: str, count: int, in_flight: int) -> dict[str, Any]:
    async with open_assistant(settings, channel=RecordingChannelClient(url)) as assistant:
        store = ReplyStore(assistant.queue.engine)
        reply_ids = seed(store, assistant.queue, count)
        pool = DeliveryPool(assistant.services, in_flight)
        assistant.services.scheduler = pool
        started = time.perf_counter()
        for reply_id in reply_ids:
            await pool.schedule(reply_id, None)
        await pool.drain()
        wall = time.perf_counter() - started
        rows = [store.get(r) for r in reply_ids]
    states = Counter(str(r.state) for r in rows)
    return {
        "wall_s": round(wall, 3),
        "states": dict(states),
        "attempts": sum(r.attempts for r in rows),
        "all_delivered": states == Counter({DeliveryState.delivered.value: count}),
    }


async def channel_only(url: str, count: int, in_flight: int) -> float:
    """Baseline in the same run: the same sends straight through the adapter, no database
    and no state machine (429s retried after Retry-After); what the machine itself allows."""
    channel = RecordingChannelClient(url)
    slots = asyncio.Semaphore(in_flight)

    async def one(n: int) -> None:
        reply = OutboundReply(
            reply_id=n,
            item_id=n,
            channel=Channel.web_chat,
            customer_key=f"web_chat:baseline-{n % 100}",
            recipient_id=f"baseline-{n % 100}",
            in_reply_to=f"b-{n}",
            text="Automated reply: Thanks!",
            idempotency_key=f"baseline-{n}",
            human_approved=True,
        )
        while True:
            async with slots:
                result = await channel.send(reply)
            if result.outcome is SendOutcome.delivered:
                return
            await asyncio.sleep(result.retry_after or 0)

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(count)))
    return time.perf_counter() - started


def run_delivery_bench(
    replies: int = 1000,
    in_flight: int = 16,
    latency: float = 0.1,
    rate_limited: float = 0.05,
    retry_after: float = 0.5,
    database_url: str | None = None,
) -> dict[str, Any]:
    fake, url = start_fake(latency, rate_limited, retry_after)
    faults = {"latency_s": latency, "rate_limited": rate_limited, "retry_after_s": retry_after}
    try:
        with workspace("delivery") as base:
            settings = Settings(
                data_dir=base / "data",
                knowledge_dir=base / "knowledge",
                database_url=database_url,
            )
            baseline = asyncio.run(channel_only(url, replies, in_flight))
            httpx.post(f"{url}/faults", json=faults)  # a fresh ledger for the real run
            figures = asyncio.run(deliver_all(settings, url, replies, in_flight))
        received = httpx.get(f"{url}/stats").json()
    finally:
        fake.terminate()
        fake.wait(timeout=10)
    ideal = replies * latency / in_flight
    return {
        "benchmark": "delivery",
        "replies": replies,
        "in_flight": in_flight,
        "latency_s": latency,
        "rate_limited": rate_limited,
        "retry_after_s": retry_after,
        "database": "postgres" if database_url else "sqlite",
        **figures,
        "ideal_s": round(ideal, 3),
        "wall_over_ideal": round(figures["wall_s"] / ideal, 3),
        "channel_only_s": round(baseline, 3),
        "channel_only_over_ideal": round(baseline / ideal, 3),
        "wall_over_channel_only": round(figures["wall_s"] / baseline, 3),
        "target": TARGET,
        "received": received["received"],
        "duplicates": received["duplicates"],
        "fake_answers": received["requests"],
        "meets_target": figures["wall_s"] / ideal <= TARGET and received["duplicates"] == 0,
        "machine": machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--rate-limited", type=float, default=0.05)
    parser.add_argument("--retry-after", type=float, default=0.5)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    result = run_delivery_bench(
        args.replies,
        args.in_flight,
        args.latency,
        args.rate_limited,
        args.retry_after,
        args.database_url,
    )
    print(
        f"{result['replies']} replies, {result['in_flight']} in flight, "
        f"{result['latency_s'] * 1000:.0f} ms per send, {result['rate_limited']:.0%} 429s "
        f"({result['database']}): wall {result['wall_s']:.2f} s, ideal {result['ideal_s']:.2f} s, "
        f"ratio {result['wall_over_ideal']:.2f} (target <= {TARGET}); the same sends without "
        f"the database or state machine: {result['channel_only_s']:.2f} s "
        f"(ratio {result['channel_only_over_ideal']:.2f}); "
        f"received {result['received']}, duplicates {result['duplicates']}, "
        f"states {result['states']}"
    )
    emit(result)


if __name__ == "__main__":
    main()
