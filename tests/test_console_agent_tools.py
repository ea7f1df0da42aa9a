"""The agent tools in the console (AppTest, real services): notes with @mentions, snooze,
search, macros with the guard's warning next to Approve, and presence."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from assistant.settings import Settings
from tests.console_support import (
    REFUND,
    add_users,
    audit,
    click,
    console,
    disclosed,
    go,
    item,
    on_screen,
    open_item,
    outbox,
    queued,
)

WHERE = "Hi, where is my order FH-10293? Thanks!"


@pytest.fixture
def desk(ingested: Settings) -> Settings:
    add_users(ingested)
    return ingested


def _note(at: AppTest, item_id: int, text: str) -> AppTest:
    at.text_input(key=f"note-text-{item_id}").input(text)
    return click(at, "Add note")


def _box(at: AppTest, item_id: int) -> str:
    return str(next(t for t in at.text_area if t.key.startswith(f"text-{item_id}-")).value)


def test_a_note_mentioning_bea_is_listed_for_her_until_she_opens_it(desk: Settings) -> None:
    (item_id,) = queued(desk, REFUND, channel="whatsapp")
    ann = _note(open_item(console("ann"), item_id), item_id, "@bea please check the refund")
    assert "Note added" in on_screen(ann) and "@bea will see it" in on_screen(ann)
    assert "**@bea**" in "\n".join(m.value for m in ann.markdown)  # highlighted
    assert "Internal notes (1) · never sent to the customer" in on_screen(ann)
    assert outbox(desk) == []  # a note is never a reply
    bea = console("bea")
    assert "Mentions for you (1 unread)" in on_screen(bea)
    bea = click(bea, "Open")
    assert f"Item #{item_id}" in on_screen(bea) and "please check the refund" in on_screen(bea)
    assert "Mentions for you" not in on_screen(go(bea, "Queue"))  # read now
    assert any(e.action == "note" and e.actor == "ann" for e in audit(desk, item_id))


def test_a_snoozed_item_leaves_the_queue_and_can_be_shown(desk: Settings) -> None:
    refund, other = queued(desk, REFUND, "Do you ship to Canada?", channel="whatsapp")
    at = open_item(console(), refund)
    at = click(at, "Snooze")  # the first choice: one hour
    screen = on_screen(at)
    assert f"Item #{refund} snoozed until" in screen
    assert list(at.dataframe[0].value["id"]) == [other]
    at.checkbox(key="f_snoozed").check().run()
    assert set(at.dataframe[0].value["id"]) == {refund, other}
    assert open_item(at, refund) and "Snoozed until" in on_screen(at)
    at = click(at, "Wake now")
    assert f"Item #{refund} is back in the queue" in on_screen(at)


def test_search_narrows_the_queue_by_order_id_and_by_name(desk: Settings) -> None:
    where, refund = queued(desk, WHERE, REFUND, channel="whatsapp")
    at = console()
    at.text_input(key="q_search").input("FH-10293").run()
    assert list(at.dataframe[0].value["id"]) == [where]
    at.text_input(key="q_search").input("marcus refund").run()
    assert list(at.dataframe[0].value["id"]) == [refund]
    at.text_input(key="q_search").input("nobody-like-this").run()
    assert "No open item matches these filters." in on_screen(at)


def test_a_template_is_inserted_filled_and_a_new_price_is_warned_before_approve(
    desk: Settings,
) -> None:
    (item_id,) = queued(desk, "Can I get a refund for FH-10293?")  # Marcus's own order
    assert item(desk, item_id).order_id == "FH-10293"
    at = open_item(console(), item_id)
    at.selectbox(key=f"macro-{item_id}").select("handoff")
    at = click(at, "Replace")
    assert _box(at, item_id).startswith("Thanks for your message, Marcus.")
    assert item(desk, item_id).assignee == "ann"  # kept as her edit: she holds the item
    at.selectbox(key=f"macro-{item_id}").select("order-shipped")
    at = click(at, "Insert")
    text = _box(at, item_id)
    assert "within one business day" in text and "1Z8F4A270282699828" in text
    assert "FH-10293" in text and "{" not in text
    assert "sources do not back" not in on_screen(at)  # grounded in the order record
    priced = text + " As a thank-you, take $15 off with code THANKS15."
    box = next(t for t in at.text_area if t.key.startswith(f"text-{item_id}-"))
    box.input(priced).run()
    screen = on_screen(at)
    assert "sources do not back your edit" in screen and "THANKS15" in screen and "$15" in screen
    at = click(at, "Edit, send & next")  # a warning, not a block: the agent decides
    assert [m.text for m in outbox(desk)] == [disclosed(desk, priced)]


def test_another_agent_viewing_the_item_shows_on_the_item_and_the_row(desk: Settings) -> None:
    (item_id,) = queued(desk, REFUND, channel="whatsapp")
    open_item(console("bea"), item_id)  # bea has it open
    ann = console("ann")
    assert list(ann.dataframe[0].value["viewing"]) == ["bea"]
    ann = open_item(ann, item_id)
    assert "bea is viewing this item" in on_screen(ann)


def test_an_unbacked_edit_typed_and_sent_at_once_waits_for_a_second_press(
    desk: Settings,
) -> None:
    (item_id,) = queued(desk, "Do you ship to Norway?", channel="whatsapp")
    at = open_item(console(), item_id)
    priced = "Yes! Shipping to Norway is $9 and arrives by March 3."
    box = next(t for t in at.text_area if t.key.startswith(f"text-{item_id}-"))
    box.input(priced)  # committed together with the click: no warning was on screen yet
    at = click(at, "Approve & next")
    screen = on_screen(at)
    assert f"Item #{item_id}: not sent yet" in screen and "$9" in screen
    assert outbox(desk) == []
    at = click(at, "Edit, send & next")  # seen: the agent decides
    assert [m.text for m in outbox(desk)] == [disclosed(desk, priced)]
