"""The console shows the webhook quarantine to leads, and on every page which channels need
reconnecting after Meta refused their token."""

from __future__ import annotations

import asyncio

from assistant.channels.meta.config import ChannelsConfig
from assistant.channels.meta.intake import WebhookIntake
from assistant.channels.meta.records import ChannelConnection, WebhookEndpoint
from assistant.db import database_url, make_engine
from assistant.dbtypes import upsert
from assistant.intake.messages import Channel
from assistant.review.models import utcnow
from assistant.settings import Settings
from tests.console_support import add_users, console, on_screen


async def no_messages(messages: object) -> object:
    return None


def test_leads_see_the_quarantine_with_the_problem(settings: Settings) -> None:
    add_users(settings)
    intake = WebhookIntake(make_engine(database_url(settings)), ChannelsConfig({}), no_messages)
    asyncio.run(intake.receive(WebhookEndpoint.whatsapp, b'{"object": "page", "entry": [{}]}'))
    screen = on_screen(console("lea", "Webhooks"))
    assert "Quarantine (1)" in screen
    assert "entry.0.id: Field required" in screen


def test_every_page_says_which_channel_needs_reconnecting(settings: Settings) -> None:
    add_users(settings)
    engine = make_engine(database_url(settings))
    assert "Reconnect" not in on_screen(console("ann"))
    values = {
        "account_id": "104000000000001",
        "channel": Channel.facebook,
        "needs_reconnect": True,
        "reason": "the access token expired (Meta error 190)",
        "token_fingerprint": "abc",
        "updated_at": utcnow(),
    }
    with engine.begin() as conn:
        upsert(conn, ChannelConnection.__table__, values, ("account_id",))  # type: ignore[attr-defined]
    screen = on_screen(console("ann"))
    assert "Reconnect facebook 104000000000001: the access token expired" in screen
