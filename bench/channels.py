"""Meta channels: webhook intake latency and reply delivery against the simulator.

    python bench/channels.py [--rate 200] [--seconds 10] [--replies 300] [--workers 10]

1. Intake: ``--rate`` signed webhook events a second for ``--seconds`` (one Messenger DM per
   POST) to ``/webhooks/meta`` served by uvicorn on 127.0.0.1, with a sink that stores each
   message as a queue item (the shape of the service's ``accept_messages``: store, defer the
   pipeline). Answer p50/p99 are reported against a bare endpoint on the same server that
   only reads the body (the baseline, same run). Target (issue 11): answer p99 <= 50 ms.
2. Delivery: ``--replies`` replies sent by ``--workers`` concurrent senders through the Meta
   adapter to the simulator at 100 ms latency with 5% rate-limit answers (Retry-After 0.1 s);
   each retry waits what the adapter says. Ideal = replies x 0.1 s / workers. Target: wall /
   ideal <= 1.3 and 0 duplicate sends.

The last line printed is one JSON object with every figure, the target and whether it is met.
No network; uvicorn and the simulator run on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

from assistant.channels.adapter import OutboundReply, SendOutcome
from assistant.channels.meta.adapters import meta_adapter
from assistant.channels.meta.config import Account, AccountKind, ChannelsConfig
from assistant.channels.meta.pacing import Pacer
from assistant.channels.meta.router import meta_webhook_router
from assistant.channels.meta.signature import HEADER, meta_json, sign
from assistant.channels.meta.simulator.graph_api import GraphSimulator
from assistant.channels.meta.simulator.payloads import PAGE, dm, messaging_entry, page_batch
from assistant.channels.meta.simulator.serving import serving
from assistant.db import make_engine
from assistant.intake.messages import Channel, InboundMessage
from assistant.knowledge.policy import CommentReplies
from assistant.review.models import ReviewItem
from assistant.review.queue import Queue

SECRET = "bench-secret"


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def intake_app(queue: Queue) -> FastAPI:
    def store_now(messages: Sequence[InboundMessage]) -> None:
        for m in messages:
            queue.enqueue(
                ReviewItem(
                    message_id=m.id,
                    thread_id=m.id,
                    channel=m.channel,
                    customer_key=m.customer_key,
                    text=m.text,
                    message=m.model_dump(mode="json"),
                    received_at=m.received_at,
                    due_at=m.received_at,
                )
            )

    async def store(messages: Sequence[InboundMessage]) -> object:
        return await asyncio.to_thread(store_now, messages)

    app = FastAPI()
    config = ChannelsConfig(accounts={}, app_secret=SECRET)
    app.include_router(meta_webhook_router(config, queue.engine, store))

    @app.post("/baseline")
    async def baseline(request: Request) -> PlainTextResponse:
        await request.body()
        return PlainTextResponse("ok")

    return app


async def fire(url: str, rate: int, seconds: int, path: str, start: int) -> list[float]:
    latencies: list[float] = []
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=64)) as http:

        async def one(n: int) -> None:
            body = meta_json(
                page_batch(
                    messaging_entry(
                        PAGE, dm(PAGE, f"psid-{n % 500}", f"m_bench_{n}", f"Question number {n}?")
                    )
                )
            )
            began = time.perf_counter()
            answer = await http.post(url + path, content=body, headers={HEADER: sign(body, SECRET)})
            latencies.append(time.perf_counter() - began)
            assert answer.status_code == 200, answer.text

        tasks = []
        began = time.perf_counter()
        for n in range(rate * seconds):
            delay = began + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(start + n)))
        await asyncio.gather(*tasks)
    return latencies


def bench_intake(rate: int, seconds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(Path(folder) / "bench.db")
        queue = Queue(engine)
        with serving(intake_app(queue)) as url:
            base = asyncio.run(fire(url, rate, seconds, "/baseline", 0))
            hooks = asyncio.run(fire(url, rate, seconds, "/webhooks/meta", 0))
            queued = len(queue.items(limit=rate * seconds + 10))
    figures = {
        "intake_events": rate * seconds,
        "intake_queued": queued,
        "answer_p50_ms": round(percentile(hooks, 0.5), 1),
        "answer_p99_ms": round(percentile(hooks, 0.99), 1),
        "baseline_p50_ms": round(percentile(base, 0.5), 1),
        "baseline_p99_ms": round(percentile(base, 0.99), 1),
    }
    figures["p99_ratio_to_baseline"] = round(
        figures["answer_p99_ms"] / max(figures["baseline_p99_ms"], 0.1), 2
    )
    return figures


def bench_delivery(replies: int, workers: int) -> dict[str, Any]:
    latency = 0.1
    sim = GraphSimulator(
        tokens={PAGE: "t"}, latency_s=latency, rate_limit_ratio=0.05, retry_after_s=0.1
    )
    for n in range(replies):
        sim.customer_wrote(PAGE, f"psid-{n}")
    config = ChannelsConfig(
        accounts={(AccountKind.page, PAGE): Account(token_env="T")}, env={"T": "t"}
    )
    now = datetime.now(UTC).isoformat()
    with tempfile.TemporaryDirectory() as folder, serving(sim.app()) as url:
        engine = make_engine(Path(folder) / "bench.db")

        async def run() -> tuple[float, int]:
            adapter = meta_adapter(
                config,
                engine,
                CommentReplies(),
                graph_url=url,
                http=httpx.AsyncClient(
                    base_url=url, timeout=30, limits=httpx.Limits(max_connections=64)
                ),
                pacer=Pacer(per_account_s=0.0),
            )
            todo: asyncio.Queue[int] = asyncio.Queue()
            for n in range(replies):
                todo.put_nowait(n)
            retries = 0

            async def worker() -> None:
                nonlocal retries
                while not todo.empty():
                    n = todo.get_nowait()
                    reply = OutboundReply(
                        reply_id=n,
                        item_id=n,
                        channel=Channel.facebook,
                        customer_key=f"c{n}",
                        recipient_id=f"psid-{n}",
                        in_reply_to=f"m{n}",
                        text=f"Answer {n}",
                        idempotency_key=f"k{n}",
                        human_approved=False,
                        metadata={"account_id": PAGE, "event_at": now, "kind": "dm"},
                    )
                    while (result := await adapter.send(reply)).outcome is SendOutcome.retry:
                        retries += 1
                        await asyncio.sleep(result.retry_after or 0.1)
                    assert result.outcome is SendOutcome.delivered, result.reason

            began = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(workers)))
            return time.perf_counter() - began, retries

        wall, retries = asyncio.run(run())
    ideal = replies * latency / workers
    sent = Counter(s.body["message"]["metadata"] for s in sim.sends)
    return {
        "replies": replies,
        "workers": workers,
        "delivery_wall_s": round(wall, 2),
        "delivery_ideal_s": round(ideal, 2),
        "wall_over_ideal": round(wall / ideal, 2),
        "rate_limited_answers": len(sim.refused),
        "retries": retries,
        "duplicate_sends": sum(c - 1 for c in sent.values()),
        "delivered": len(sent),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--replies", type=int, default=300)
    parser.add_argument("--workers", type=int, default=10)
    args = parser.parse_args()
    figures = bench_intake(args.rate, args.seconds)
    print(f"intake: {figures}")
    delivery = bench_delivery(args.replies, args.workers)
    print(f"delivery: {delivery}")
    target = {"answer_p99_ms": 50, "wall_over_ideal": 1.3, "duplicate_sends": 0}
    meets = (
        figures["answer_p99_ms"] <= target["answer_p99_ms"]
        and delivery["wall_over_ideal"] <= target["wall_over_ideal"]
        and delivery["duplicate_sends"] == 0
    )
    print(
        json.dumps(
            {
                **figures,
                **delivery,
                "target": target,
                "meets_target": meets,
                "at": datetime.now(UTC).isoformat(),
            }
        )
    )


if __name__ == "__main__":
    main()
