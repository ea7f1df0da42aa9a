"""Delivery through a faulty channel at scale: the API and 2 worker processes on Postgres,
part A's recording fake channel answering 10% of sends with 500, 10% with 429 and timing
out 5% after delivering. Items that need a person are approved through the review service
(as the console does: it records the decision and defers the delivery job, never calling
the channel itself). Then every approved or automated reply must have reached its customer
exactly once (the fake's per-customer counts against our rows, duplicates 0) and no reply
is left pending or sending, also when a worker is SIGKILLed mid-delivery."""

from __future__ import annotations

import asyncio
import subprocess
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

import tests.test_service_faults as service_faults
from assistant.app import open_assistant
from assistant.channels.recording_server import FakeChannelServer, Faults
from assistant.db import database_url, make_engine
from assistant.jobs.delivery import ProcrastinateDelivery
from assistant.jobs.engine import apply_schema
from assistant.review.decisions import Approve
from assistant.review.models import DeliveryState, ItemStatus, OutboxMessage, ReviewItem
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR
from tests.service_support import ASSISTANT, service_env, serving, wait_until

MESSAGES = 48 if service_faults.MESSAGES == 120 else service_faults.MESSAGES
SLOWER = max(1.0, MESSAGES / 48)
UNFINISHED = (DeliveryState.pending, DeliveryState.sending)
FAULTS = Faults(
    latency_s=0.05, failing=0.1, rate_limited=0.1, retry_after_s=0.5, timing_out=0.05, hang_s=8
)


@pytest.fixture
def layout(settings: Settings, tmp_path: Path) -> Iterator[tuple[Settings, dict[str, str], str]]:
    """Postgres with the job tables, a Chroma server of the test's own with the brand in it,
    and the fake channel every worker sends to."""
    engine = make_engine(database_url(settings), auto_upgrade=False)
    apply_schema(engine)
    engine.dispose()
    chroma = service_faults.Chroma(tmp_path)
    chroma.start()
    with FakeChannelServer(FAULTS) as fake:
        env = service_env(
            ASSISTANT_CHROMA_URL=chroma.url,
            ASSISTANT_CHANNEL_URL=fake.url,
            ASSISTANT_STALLED_JOBS_CRON="* * * * * */5",  # croniter: seconds are the 6th field
            ASSISTANT_DELIVERY_SWEEP_CRON="* * * * * */5",  # a killed send is found in 5 s
            ASSISTANT_INGEST_CRON="0 0 1 1 *",
            ASSISTANT_EVAL_CRON="0 0 1 1 *",
        )
        subprocess.run([*ASSISTANT, "ingest"], env=env, check=True, capture_output=True)
        try:
            yield settings.model_copy(update={"chroma_url": chroma.url}), env, fake.url
        finally:
            chroma.stop()


def _rows(settings: Settings) -> tuple[list[ReviewItem], list[OutboxMessage]]:
    """On a fresh connection each time, giving up after 10 s (a worker may be dying)."""
    engine = create_engine(
        database_url(settings), connect_args={"options": "-c statement_timeout=10000"}
    )
    try:
        with Session(engine) as session:
            return list(session.exec(select(ReviewItem)).all()), list(
                session.exec(select(OutboxMessage)).all()
            )
    finally:
        engine.dispose()


def _delivered_all(settings: Settings) -> bool:
    try:
        items, rows = _rows(settings)
    except DBAPIError:
        return False
    return not any(i.status in (ItemStatus.processing, ItemStatus.approved) for i in items) and (
        not any(r.state in UNFINISHED for r in rows)
    )


async def _approve_waiting(settings: Settings) -> list[int]:
    """What a person approves in the console: every item waiting for one."""
    async with open_assistant(settings) as assistant:
        assert isinstance(assistant.services.scheduler, ProcrastinateDelivery)
        open_items = assistant.queue.items([ItemStatus.pending, ItemStatus.escalated], MESSAGES)
        waiting = [i.id for i in open_items if i.id is not None]
        for item_id in waiting:
            await assistant.review.decide(SYSTEM_ACTOR, item_id, Approve(actor="alice"))
    return waiting


def _received(url: str) -> dict[str, object]:
    stats: dict[str, object] = httpx.get(f"{url}/stats", timeout=10).json()
    return stats


def _reached(url: str, count: int) -> Callable[[], bool]:
    return lambda: int(str(_received(url)["received"])) >= count


def test_every_reply_reaches_its_customer_once_through_channel_faults_and_kills(
    layout: tuple[Settings, dict[str, str], str], tmp_path: Path
) -> None:
    """One run (the suite's time budget): the faulty channel throughout, and a worker
    SIGKILLed twice while replies are on their way to it."""
    settings, env, fake_url = layout
    ids = [f"m-{n}" for n in range(MESSAGES)]
    with serving(tmp_path / "serve.log", env) as base:
        workers = service_faults.Workers(tmp_path / "workers.log", env)
        try:
            service_faults._post_all(base, ids)
            wait_until(
                lambda: len(_rows(settings)[0]) == MESSAGES, 120 * SLOWER, "every message stored"
            )
            wait_until(
                lambda: all(i.status != ItemStatus.processing for i in _rows(settings)[0]),
                120 * SLOWER,
                "every message to be drafted",
            )
            approving = threading.Thread(target=asyncio.run, args=(_approve_waiting(settings),))
            approving.start()
            # While replies are on their way to the channel; each kill waits for the
            # restart, or the next could hit the worker just killed, not yet replaced.
            for kills, share in enumerate((0.4, 0.7), start=1):
                wait_until(
                    _reached(fake_url, int(share * MESSAGES)),
                    90 * SLOWER,
                    f"{share:.0%} of the replies to reach the channel",
                )
                workers.kill_one()
                wait_until(lambda k=kills: workers.restarts >= k, 30, "the restart")
            approving.join()
            wait_until(
                lambda: _delivered_all(settings), 150 * SLOWER, "every reply to be delivered"
            )
            assert workers.restarts >= 2
        finally:
            workers.close()
    items, rows = _rows(settings)
    stats = _received(fake_url)
    assert [r.id for r in rows if r.state != DeliveryState.delivered] == []
    assert stats["duplicates"] == 0, stats
    assert stats["per_customer"] == dict(Counter(r.customer_key for r in rows)), stats
    assert stats["received"] == len(rows)
    replied = {r.item_id for r in rows if r.kind == "reply"}
    assert {i.id for i in items if i.status in (ItemStatus.sent, ItemStatus.approved)} <= replied
    assert any(r.automated for r in rows) and any(not r.automated for r in rows)
    assert sum(stats["requests"].values()) > len(rows)  # type: ignore[attr-defined]
