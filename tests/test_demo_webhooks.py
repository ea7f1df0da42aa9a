"""`assistant demo` shows the whole loop offline: the Meta simulator and `assistant serve` on
127.0.0.1, signed webhooks in, drafts in the queue, a safe one approved and delivered back
to the simulator, its receipts back by webhook, both servers stopped."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from fastapi import FastAPI, Request, Response
from typer.testing import CliRunner

from assistant.channels.meta.simulator.graph_api import GraphSimulator
from assistant.channels.meta.simulator.payloads import PAGE
from assistant.cli import webhook_demo
from assistant.cli.main import app
from assistant.db import database_url, make_engine
from assistant.review.models import DeliveryState
from assistant.review.queue import Queue
from assistant.settings import Settings

runner = CliRunner()


@pytest.fixture
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DEMO_META_TOKEN", "demo-token")  # restored after the test
    path = tmp_path / "inbox.jsonl"
    line = {"id": "d1", "channel": "web_chat", "author": {"id": "u1"}, "text": "Hello there"}
    path.write_text(json.dumps(line) + "\n")
    return path


class SlowToReply(GraphSimulator):
    """Answers comment replies after 3 s, as a loaded machine's job runner may be late: the
    automatic reply goes out after the person's approval has already returned."""

    def app(self) -> FastAPI:
        app = super().app()

        @app.middleware("http")
        async def slow(request: Request, call_next: Callable[..., Awaitable[Response]]) -> Response:
            if request.url.path.endswith("/replies"):
                await asyncio.sleep(3)
            return await call_next(request)

        return app


def test_the_demo_runs_the_webhook_loop_against_the_simulator(
    ingested: Settings, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhook_demo, "GraphSimulator", SlowToReply)
    done = runner.invoke(app, ["demo", "--no-ui", "--json", "--inbox", str(inbox)])

    assert done.exit_code == 0, done.output
    [summary] = [json.loads(line) for line in done.stdout.splitlines()]
    loop = summary["webhooks"]
    assert loop["webhooks"] == [200, 200, 200]
    items = loop["items"]
    assert items["Messenger DM"]["status"] == "sent"  # approved by the demo, then delivered
    assert items["Instagram comment"]["status"] == "sent"  # sent automatically, awaited
    assert items["WhatsApp message"]["status"] == "pending"  # a refund waits for a person
    sent = loop["sent_to_simulator"]
    assert f"/{PAGE}/messages" in sent and any(p.endswith("/replies") for p in sent)
    assert len(sent) == 2 and loop["delivered"] == 2
    outbox = Queue(make_engine(database_url(ingested))).outbox()
    assert (
        sorted(r.state for r in outbox if r.channel != "web_chat") == [DeliveryState.delivered] * 2
    )


def test_the_demo_prints_the_loop_in_plain_lines_and_can_skip_it(
    ingested: Settings, inbox: Path
) -> None:
    done = runner.invoke(app, ["demo", "--no-ui", "--inbox", str(inbox)])
    assert done.exit_code == 0, done.output
    out = done.stdout
    assert "posted 3 signed webhooks: HTTP 200, 200, 200" in out
    assert "approving item #" in out and "the simulator received POST" in out
    assert "Webhooks: both servers stopped." in out

    skipped = runner.invoke(app, ["demo", "--no-ui", "--no-webhooks", "--inbox", str(inbox)])
    assert skipped.exit_code == 0, skipped.output
    assert "Webhooks:" not in skipped.stdout
