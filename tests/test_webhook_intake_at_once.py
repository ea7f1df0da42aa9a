"""The webhook path at 200 events/s: a batched webhook is kept, deduped, queued (items and
jobs) and recorded in ONE commit on the service, and a failure of that transaction leaves
nothing half-written: the long way keeps the body for Meta's retry or a replay."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import Connection, Engine, event, func, select, text
from sqlmodel import Session, col

from assistant.channels.meta.config import ChannelsConfig
from assistant.channels.meta.folding import StoringSink
from assistant.channels.meta.intake import stored_payloads
from assistant.channels.meta.records import MetaEventRecord, PayloadState
from assistant.channels.meta.router import meta_webhook_router
from assistant.channels.meta.signature import HEADER, meta_json, sign
from assistant.channels.meta.simulator.payloads import (
    PAGE,
    dm,
    feed_comment,
    messaging_entry,
    page_batch,
    reaction,
)
from assistant.channels.meta.simulator.serving import serving
from assistant.db import database_url, make_engine
from assistant.intake.messages import InboundMessage
from assistant.jobs.engine import apply_schema
from assistant.jobs.queue import RowsAreTheQueue
from assistant.knowledge.loader import load_knowledge
from assistant.review.models import ItemStatus, ReviewItem
from assistant.review.queue import Queue
from assistant.service.intake import accept_in
from assistant.service.serve import build_service
from assistant.settings import Settings
from tests.service_support import KEY

SECRET = "at-once-secret"


def post(url: str, payload: Any) -> httpx.Response:
    body = meta_json(payload)
    headers = {HEADER: sign(body, SECRET), "content-type": "application/json"}
    return httpx.post(url + "/webhooks/meta", content=body, headers=headers, timeout=60)


@contextmanager
def counting_commits() -> Iterator[list[str]]:
    commits: list[str] = []

    def count(conn: Connection) -> None:
        commits.append(conn.engine.url.render_as_string())

    event.listen(Engine, "commit", count)
    try:
        yield commits
    finally:
        event.remove(Engine, "commit", count)


def webhook_items(engine: Engine) -> list[str]:
    with Session(engine) as session:
        query = select(col(ReviewItem.message_id)).where(
            col(ReviewItem.message_id).like("m_batch%")
        )
        return sorted(session.execute(query).scalars().all())


def test_a_batch_of_forty_messages_is_kept_queued_and_recorded_in_one_commit(
    ingested: Settings,
) -> None:
    channels = f'pages:\n  "{PAGE}": {{token_env: AT_ONCE_TOKEN}}\n'
    (ingested.knowledge_dir / "channels.yaml").write_text(channels)
    settings = ingested.model_copy(
        update={"intake_api_key": SecretStr(KEY), "meta_app_secret": SecretStr(SECRET)}
    )
    engine = make_engine(database_url(settings))
    if settings.database_url:
        apply_schema(engine)  # what 'assistant db upgrade' adds for the jobs
    dms = [dm(PAGE, f"psid-{n}", f"m_batch{n:02}", f"Where is order {n}?") for n in range(40)]
    # Meta batches several events per entry; one arrives twice in the same batch.
    batch = page_batch(messaging_entry(PAGE, *dms, reaction(PAGE, "psid-1", "m_batch01"), dms[3]))
    with serving(build_service(settings)) as url:
        with counting_commits() as commits:
            first = post(url, batch)
        again = post(url, batch)  # Meta's retry
    assert first.status_code == 200, first.text
    assert first.json() == {"state": "processed", "events": 42, "duplicates": 1, "queued": 40}
    assert len(commits) == 1  # payload, dedupe, 40 items with their jobs, 41 events: one commit
    assert again.json() == {"state": "processed", "events": 42, "duplicates": 42, "queued": 0}
    assert webhook_items(engine) == [f"m_batch{n:02}" for n in range(40)]
    with engine.connect() as conn:
        recorded = conn.execute(select(func.count()).select_from(MetaEventRecord)).scalar_one()
        if settings.database_url:  # one job per item, none for the retry
            jobs = conn.execute(text("SELECT count(*) FROM procrastinate_jobs")).scalar_one()
            assert jobs == 40
    assert recorded == 41
    assert [p.state for p in stored_payloads(engine)] == [PayloadState.processed] * 2


class FailingStore:
    def store(self, conn: Connection, messages: Sequence[InboundMessage]) -> object:
        raise ConnectionError("the database went away mid-transaction")

    def committed(self) -> None:
        raise AssertionError("nothing was committed")


async def failing_sink(messages: Sequence[InboundMessage]) -> object:
    raise ConnectionError("still away")


def webhook_app(engine: Engine, storing: StoringSink) -> FastAPI:
    """The Meta router with ``storing``; the long way's sink always fails."""
    app = FastAPI()
    config = ChannelsConfig(accounts={}, app_secret=SECRET)
    app.include_router(meta_webhook_router(config, engine, failing_sink, storing))
    return app


def test_a_failed_transaction_leaves_nothing_half_written_and_the_body_kept(
    settings: Settings,
) -> None:
    engine = make_engine(database_url(settings))
    app = webhook_app(engine, FailingStore())
    payload = page_batch(messaging_entry(PAGE, dm(PAGE, "psid", "m_batch_lost", "Hello?")))
    with serving(app) as url:
        answer = post(url, payload)
    assert answer.status_code == 503  # Meta retries it
    assert "stored but not applied" in answer.json()["error"]
    [kept] = stored_payloads(engine)  # once: the rolled-back transaction left no row
    assert (kept.state, kept.body) == (PayloadState.received, meta_json(payload))
    with engine.connect() as conn:
        events = conn.execute(select(func.count()).select_from(MetaEventRecord)).scalar_one()
    assert (events, webhook_items(engine)) == (0, [])  # not marked seen: a retry applies it


class AcceptingHere:
    """The service's storing sink without its job runner: items stay queued, untouched."""

    def __init__(self, settings: Settings) -> None:
        self.policy = load_knowledge(settings.knowledge_dir).policy

    def store(self, conn: Connection, messages: Sequence[InboundMessage]) -> object:
        return accept_in(conn, RowsAreTheQueue(), self.policy, messages)

    def committed(self) -> None:
        return None


def test_edits_and_removals_still_change_items_beside_the_one_transaction(
    settings: Settings,
) -> None:
    engine = make_engine(database_url(settings))
    app, queue = webhook_app(engine, AcceptingHere(settings)), Queue(engine)
    with serving(app) as url:
        # A removal that overtakes its comment: recorded first, applied when the comment lands.
        assert post(url, page_batch(feed_comment("remove", "402_1"))).status_code == 200
        assert post(url, page_batch(feed_comment("add", "402_1", "Wrong size"))).status_code == 200
        assert post(url, page_batch(feed_comment("add", "403_1", "To Oslo?"))).status_code == 200
        edit = page_batch(feed_comment("edited", "403_1", "To Bergen?"))
        assert post(url, edit).json()["state"] == "processed"
    overtaken, edited = queue.by_message("402_1"), queue.by_message("403_1")
    assert overtaken is not None and overtaken.status is ItemStatus.closed
    assert edited is not None and edited.text == "To Bergen?" and edited.needs_attention
