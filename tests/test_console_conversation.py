"""The item page shows the conversation and the platform's reply window; the queue shows each
webhook item's window; an item whose window has closed offers to close it. Webhooks over
real HTTP into the real pipeline, the console through AppTest."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from assistant.channels.meta.simulator.payloads import PAGE, dm, echo, messaging_entry, page_batch
from assistant.review.models import AuditAction, ItemStatus
from assistant.settings import Settings
from tests.console_support import add_users, audit, click, console, item, on_screen, open_item
from tests.meta_service import Service, running_service

CHANNELS = f'pages:\n  "{PAGE}": {{token_env: PAGE_TOKEN}}\n'


@pytest.fixture
def service(ingested: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Service]:
    monkeypatch.setenv("PAGE_TOKEN", "p")
    (ingested.knowledge_dir / "channels.yaml").write_text(CHANNELS)
    add_users(ingested)
    with running_service(ingested, env={"PAGE_TOKEN": "p"}) as running:
        yield running


def ms(hours_ago: float) -> int:
    return int((time.time() - hours_ago * 3600) * 1000)


def item_id(service: Service, message_id: str) -> int:
    from assistant.db import database_url, make_engine
    from assistant.review.queue import Queue

    found = Queue(make_engine(database_url(service.settings))).by_message(message_id)
    assert found is not None and found.id is not None
    return found.id


def test_the_item_shows_its_conversation_and_window_and_a_closed_one_can_be_closed(
    service: Service,
) -> None:
    events = [
        dm(PAGE, "psid-1", "m_a", "Can I get a refund for my order?", ts=ms(5)),
        echo(PAGE, "psid-1", "m_e", "Sorry to hear that, which order?", ts=ms(4)),
        dm(PAGE, "psid-1", "m_b", "Refund for FH-10293 please, it arrived broken", ts=ms(3)),
        dm(PAGE, "psid-9", "m_old", "Can I get a refund for my order?", ts=ms(240)),
    ]
    assert service.meta(page_batch(messaging_entry(PAGE, *events))).status_code == 200
    latest, old = item_id(service, "m_b"), item_id(service, "m_old")

    at = console()
    table = at.dataframe[0].value
    windows = dict(zip(table["id"], table["platform window"], strict=True))
    assert windows[old] == "closed" and windows[latest] == "20 h left"

    screen = on_screen(open_item(at, latest))
    assert "Conversation so far (2 earlier messages and replies)" in screen
    assert "Brand, from another tool" in screen and "Sorry to hear that, which order?" in screen
    assert "Can I get a refund for my order?" in screen and "this message" in screen
    assert "Reply window: reply by" in screen

    at = open_item(console(), old)
    assert "Reply window: nothing: the window is closed" in on_screen(at)
    click(at, "Close the item (nothing can be sent)")
    closed = item(service.settings, old)
    assert closed.status is ItemStatus.rejected
    assert [e.reason for e in audit(service.settings, old) if e.action is AuditAction.reject] == [
        "the platform's reply window has closed: nothing can be sent"
    ]


def test_a_broken_channels_file_is_said_on_the_item_not_a_crash(service: Service) -> None:
    event = dm(PAGE, "psid-2", "m_c", "Do you restock the tote?", ts=ms(1))
    assert service.meta(page_batch(messaging_entry(PAGE, event))).status_code == 200
    (service.settings.knowledge_dir / "channels.yaml").write_text("pages:\n  '1': {token: x}\n")
    at = console()
    assert "platform window" not in at.dataframe[0].value.columns
    screen = on_screen(open_item(at, item_id(service, "m_c")))
    assert "Reply window unknown" in screen and "channels.yaml:2" in screen
