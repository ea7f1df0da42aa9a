"""``assistant serve`` with the Meta webhooks wired in, over real HTTP on 127.0.0.1: the
simulator's customers write by signed webhook, the service drafts in the background, an
approval delivers through the Graph API adapter to the simulator exactly once, and Meta's
retried webhook makes no second item."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlmodel import Session, col, func, select

from assistant.app import open_assistant
from assistant.channels.meta.simulator.graph_api import GraphSimulator
from assistant.channels.meta.simulator.payloads import (
    IG,
    PAGE,
    dm,
    ig_comment,
    messaging_entry,
    page_batch,
)
from assistant.channels.meta.simulator.serving import serving
from assistant.channels.meta.simulator.webhooks import WebhookSender
from assistant.db import database_url, make_engine
from assistant.jobs.engine import apply_schema
from assistant.review.decisions import Approve
from assistant.review.models import DeliveryState, ItemStatus, OutboxMessage, ReviewItem
from assistant.service.serve import build_service
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR
from tests.service_support import ASSISTANT, KEY, service_env, start_worker, stop, wait_until

SECRET = "serve-app-secret"
CHANNELS = f"""
pages:
  "{PAGE}": {{token_env: PAGE_TOKEN}}
instagram:
  "{IG}": {{token_env: IG_TOKEN}}
"""


def wired(settings: Settings, graph_url: str) -> Settings:
    (settings.knowledge_dir / "channels.yaml").write_text(CHANNELS)
    return settings.model_copy(
        update={
            "intake_api_key": SecretStr(KEY),
            "meta_app_secret": SecretStr(SECRET),
            "meta_graph_url": graph_url,
        }
    )


def items_for(settings: Settings, message_id: str) -> list[ReviewItem]:
    with Session(make_engine(database_url(settings))) as session:
        query = select(ReviewItem).where(ReviewItem.message_id == message_id)
        return list(session.exec(query).all())


def drafted(settings: Settings, message_id: str) -> ReviewItem | None:
    found = items_for(settings, message_id)
    if found and found[0].status is not ItemStatus.processing:
        return found[0]
    return None


def waited_for(settings: Settings, message_id: str) -> ReviewItem:
    item: ReviewItem = wait_until(
        lambda: drafted(settings, message_id), 90, f"{message_id} drafted"
    )
    return item


@contextmanager
def jobs_running(settings: Settings, log: Path) -> Iterator[None]:
    """On Postgres, ``assistant worker`` drafts what the service stores (on SQLite the
    service runs its jobs itself)."""
    if not settings.database_url:
        yield
        return
    apply_schema(make_engine(settings.database_url))  # what 'assistant db upgrade' adds
    worker = start_worker(log, env=service_env())
    try:
        yield
    finally:
        stop(worker)


def test_webhook_dm_and_comment_are_drafted_and_approved_replies_reach_meta_once(
    ingested: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PAGE_TOKEN", "page-token")
    monkeypatch.setenv("IG_TOKEN", "ig-token")
    sim = GraphSimulator(tokens={PAGE: "page-token", IG: "ig-token"})
    now = time.time()
    direct = page_batch(
        messaging_entry(
            PAGE,
            dm(PAGE, "psid-9", "m_refund", "Can I get a refund for my order?", ts=int(now * 1000)),
        )
    )
    public = ig_comment("c_refund", "I want a refund now")
    # policy.yaml answers an order problem privately (a DM tied to the comment, <= 7 days)
    private = {**ig_comment("c_lost", "My parcel never arrived, refund me"), "time": int(now)}
    spam = ig_comment("c_spam", "FREE FOLLOWERS!!! Click bit.ly/free-followers-now to get 10k")
    comment = {"object": "instagram", "entry": [public, private, spam]}
    with serving(sim.app()) as graph_url:
        settings = wired(ingested, graph_url)
        monkeypatch.setenv("ASSISTANT_META_APP_SECRET", SECRET)  # the worker's too
        monkeypatch.setenv("ASSISTANT_META_GRAPH_URL", graph_url)
        sim.customer_wrote(PAGE, "psid-9")
        with jobs_running(settings, tmp_path / "w.log"), serving(build_service(settings)) as url:

            async def customers_write() -> list[int]:
                async with httpx.AsyncClient(timeout=30) as http:
                    sender = WebhookSender(url, SECRET, http)
                    sent = [await sender.post(p) for p in (direct, comment, direct, comment)]
                return [d.status for d in sent]

            assert asyncio.run(customers_write()) == [200] * 4
            items = [waited_for(settings, m) for m in ("m_refund", "c_refund", "c_lost")]
            # A refund is never sent without a person: both wait for review, nothing sent.
            assert [i.status for i in items] == [ItemStatus.pending] * 3
            assert sim.sends == []
            hidden = waited_for(settings, "c_spam")
            assert hidden.status is ItemStatus.hidden
            # hidden on Instagram too (just after the queue)
            wait_until(lambda: sim.hidden == {"c_spam": True}, 30, "the comment hidden")

            async def approve() -> None:
                async with open_assistant(settings) as assistant:
                    for item in items:
                        assert item.id is not None
                        await assistant.review.decide(SYSTEM_ACTOR, item.id, Approve(actor="al"))
                    assert hidden.id is not None
                    await assistant.review.restore(SYSTEM_ACTOR, hidden.id)  # "Not spam"

            asyncio.run(approve())
            assert sim.hidden == {"c_spam": False}
            # On Postgres a worker delivers after the approval returns: wait for it before
            # stopping the worker (a reply left pending is sent by the next one, not lost).
            wait_until(lambda: len(sim.sends) >= 3, 60, "three replies delivered")
    # Meta retried both webhooks: still one item per message.
    assert [len(items_for(settings, m)) for m in ("m_refund", "c_refund", "c_lost")] == [1] * 3
    sends = {s.path: s.body for s in sim.sends}
    assert sorted(sends) == sorted([f"/{PAGE}/messages", "/c_refund/replies", f"/{IG}/messages"])
    assert sends[f"/{IG}/messages"]["recipient"] == {"comment_id": "c_lost"}
    with Session(make_engine(database_url(settings))) as session:
        rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
        states = [(r.state, r.platform_id) for r in rows]
        total = session.exec(select(func.count()).select_from(ReviewItem)).one()
    # Workers deliver concurrently: the order of the sends is not the order of the rows.
    assert sorted(states) == sorted((DeliveryState.delivered, s.platform_id) for s in sim.sends)
    assert total == 4


def test_a_bad_channels_file_stops_the_service_with_its_line(settings: Settings) -> None:
    (settings.knowledge_dir / "channels.yaml").write_text("pages:\n  '1': {token: x}\n")
    started = subprocess.run(
        [*ASSISTANT, "serve", "--port", "9"], env=service_env(), capture_output=True, timeout=120
    )
    error = started.stderr.decode()
    assert started.returncode != 0
    assert "channels.yaml:2" in error and "Traceback" not in error, error
