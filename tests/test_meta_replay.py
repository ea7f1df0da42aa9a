"""Nothing is dropped: a payload whose messages could not be queued stays 'received' and is
replayed later; the quarantine is listed for a person."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

import httpx
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from assistant.app import open_assistant
from assistant.channels.meta.config import ChannelsConfig, load_channels
from assistant.channels.meta.intake import IntakeResult, WebhookIntake, stored_payloads
from assistant.channels.meta.records import PayloadState, WebhookEndpoint
from assistant.channels.meta.router import meta_webhook_router
from assistant.channels.meta.signature import HEADER, meta_json, sign
from assistant.channels.meta.simulator.payloads import PAGE, dm, messaging_entry, page_batch
from assistant.channels.meta.simulator.serving import serving
from assistant.cli.main import app
from assistant.db import database_url, make_engine
from assistant.intake.messages import InboundMessage
from assistant.review.queue import Queue
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR
from tests.meta_service import SECRET
from tests.support import run


async def broken_sink(messages: Sequence[InboundMessage]) -> object:
    raise ConnectionError("the database went away")


def test_a_payload_the_sink_failed_on_is_replayed_into_the_queue(settings: Settings) -> None:
    engine = make_engine(database_url(settings))
    intake = WebhookIntake(engine, ChannelsConfig(accounts={}), broken_sink)
    body = meta_json(page_batch(messaging_entry(PAGE, dm(PAGE, "psid", "m_lost", "Hello?"))))
    with pytest.raises(ConnectionError):  # the endpoint answers 500: Meta retries too
        asyncio.run(intake.receive(WebhookEndpoint.meta, body))
    listed = CliRunner().invoke(app, ["webhooks", "list", "--json"])
    [row] = [json.loads(line) for line in listed.output.splitlines()]
    assert row["state"] == PayloadState.received.value
    replayed = CliRunner().invoke(app, ["webhooks", "replay", str(row["id"])])
    assert replayed.exit_code == 0, replayed.output
    assert "1 queued" in replayed.output
    assert Queue(engine).by_message("m_lost") is not None
    again = CliRunner().invoke(app, ["webhooks", "replay", str(row["id"])])
    assert "1 already applied, 0 queued" in again.output
    missing = CliRunner().invoke(app, ["webhooks", "replay", "999"])
    assert missing.exit_code != 0 and "no stored webhook payload #999" in missing.output


def test_the_quarantine_lists_what_could_not_be_read(settings: Settings) -> None:
    engine = make_engine(database_url(settings))
    intake = WebhookIntake(engine, ChannelsConfig(accounts={}), broken_sink)
    asyncio.run(intake.receive(WebhookEndpoint.meta, b'{"object": "page"}'))
    listed = CliRunner().invoke(app, ["webhooks", "list", "--quarantined"])
    assert "quarantined" in listed.output and "entry: Field required" in listed.output


def test_over_http_a_failing_sink_answers_503_and_keeps_the_payload(settings: Settings) -> None:
    engine = make_engine(database_url(settings))
    app = FastAPI()
    config = ChannelsConfig(accounts={}, app_secret=SECRET)
    app.include_router(meta_webhook_router(config, engine, broken_sink))
    body = meta_json(page_batch(messaging_entry(PAGE, dm(PAGE, "psid", "m_503", "Hello?"))))
    with serving(app) as url:
        answer = httpx.post(
            url + "/webhooks/meta", content=body, headers={HEADER: sign(body, SECRET)}
        )
    assert answer.status_code == 503
    assert "stored but not applied" in answer.json()["error"]
    [kept] = stored_payloads(engine)
    assert (kept.state, kept.body) == (PayloadState.received, body)


def test_a_payload_without_its_object_is_placed_by_channels_yaml_or_waits_for_it(
    settings: Settings,
) -> None:
    """Meta always names the ``object``; a relay that drops it leaves Messenger and
    Instagram indistinguishable. A configured account places it; an unknown one is
    quarantined with what to do, and replayed once the account is configured."""
    engine = make_engine(database_url(settings))
    known, unknown = "17841400000000009", "17841400000000010"
    events = [
        {
            "id": account,
            "time": "2026-09-21T10:00:00+0000",
            "messaging": [dm(account, "s", mid, "hi")],
        }
        for account, mid in ((known, "aWdf_known"), (unknown, "aWdf_unknown"))
    ]
    channels = settings.knowledge_dir / "channels.yaml"
    channels.write_text(f'instagram:\n  "{known}": {{token_env: IG_TOKEN}}\n')
    body = meta_json({"entry": events})

    async def receive() -> IntakeResult:
        async with open_assistant(settings) as assistant:

            async def sink(messages: Sequence[InboundMessage]) -> object:
                return await assistant.inbox.process_many(SYSTEM_ACTOR, messages)

            intake = WebhookIntake(engine, load_channels(settings, env={}), sink)
            return await intake.receive(WebhookEndpoint.meta, body)

    result = run(receive())

    queue = Queue(engine)
    placed = queue.by_message("aWdf_known")
    assert placed is not None and placed.channel == "instagram"
    assert result.state is PayloadState.quarantined and queue.by_message("aWdf_unknown") is None
    listed = CliRunner().invoke(app, ["webhooks", "list", "--quarantined"])
    assert f"account {unknown} is not in channels.yaml" in listed.output
    channels.write_text(
        f'instagram:\n  "{known}": {{token_env: IG_TOKEN}}\n'
        f'  "{unknown}": {{token_env: IG_TOKEN}}\n'
    )
    replayed = CliRunner().invoke(app, ["webhooks", "replay", str(result.payload_id)])
    assert replayed.exit_code == 0 and "1 queued" in replayed.output, replayed.output
    later = queue.by_message("aWdf_unknown")
    assert later is not None and later.channel == "instagram"
