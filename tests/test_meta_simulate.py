"""``assistant simulate`` against a running service: realistic conversations, signed,
duplicated and shuffled, become exactly one item per customer message."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from typer.testing import CliRunner

from assistant.channels.meta.simulator.conversations import conversations
from assistant.channels.meta.simulator.payloads import PAGE
from assistant.channels.meta.simulator.webhooks import WebhookSender, batch
from assistant.cli.main import app
from assistant.db import database_url, make_engine
from assistant.review.models import ItemStatus
from assistant.review.queue import Queue
from assistant.settings import Settings
from tests.meta_service import SECRET, running_service

PER_ROUND = 8  # customer messages in one round of conversations


def test_simulate_posts_every_conversation_once_into_the_queue(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_META_APP_SECRET", SECRET)
    with running_service(settings) as service:
        result = CliRunner().invoke(
            app, ["simulate", service.url, "--rounds", "3", "--duplicates", "0.5", "--json"]
        )
        assert result.exit_code == 0, result.output
        summary = json.loads(result.output)
        items = Queue(make_engine(database_url(settings))).items(limit=1000)
    assert summary["posted"] > len(conversations(3))  # some were delivered twice
    assert set(summary["answers"]) == {"200"}
    assert len(items) == 3 * PER_ROUND
    comments = {i.message_id: i for i in items if i.message_id.startswith(f"{PAGE}_c")}
    assert comments[f"{PAGE}_c0"].text.endswith("(edited)")  # whatever the order
    assert comments[f"{PAGE}_c1"].text.endswith("(edited)")
    assert comments[f"{PAGE}_c2"].status is ItemStatus.closed  # removed by the customer
    photo = next(i for i in items if i.message_id == "aWdf_0_p")
    assert "a photo with no text" in str(photo.message["intake_problem"])


def test_simulate_says_which_variable_is_missing(settings: Settings) -> None:
    result = CliRunner().invoke(app, ["simulate", "http://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "ASSISTANT_META_APP_SECRET" in result.output


def test_a_mixed_batch_in_one_body_is_handled_event_by_event(settings: Settings) -> None:
    bodies = batch(conversations(1))
    assert len(bodies) == 3  # page, instagram, whatsapp: each several entries

    async def post_all(url: str) -> list[int]:
        async with httpx.AsyncClient(timeout=30) as http:
            sender = WebhookSender(url, SECRET, http)
            return [(await sender.post(body)).status for body in bodies]

    with running_service(settings) as service:
        assert asyncio.run(post_all(service.url)) == [200, 200, 200]
        items = Queue(make_engine(database_url(settings))).items()
    assert len(items) == PER_ROUND
