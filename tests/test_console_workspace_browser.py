"""The agent workspace in a real browser (Chromium + Playwright against ``streamlit run``):
what an agent types is what the customer gets, a reload keeps them signed in with their
edit, and the queue is worked by keyboard."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from assistant.review.decisions import Reject
from assistant.settings import Settings
from tests.browser_support import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS, WAIT_MS, settle, sign_in
from tests.console_support import add_users, audit, decide_elsewhere, item, outbox, queued

pytestmark = BROWSER_MARKS

DRAFT_BOX = "Draft (body only; the disclosure is added when it is sent)"
TRACKING = "Hi, where is my order FH-10293? Thanks!"


def _browser(p: Any) -> tuple[Any, Any]:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS // 4)  # two shared cores: a run can take seconds
    browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.set_default_timeout(WAIT_MS)
    return browser, page


def _open(page: Any, url: str, item_id: int) -> None:
    from playwright.sync_api import expect

    page.goto(f"{url}/?item={item_id}")
    sign_in(page, "ann")
    expect(page.get_by_role("heading", name=f"Item #{item_id}")).to_be_visible()
    # The run draws the page top-down: Alt+A acts only once its button is drawn (an agent
    # sees it; a script under load would otherwise press it into the void).
    expect(page.get_by_role("button", name="Approve & next")).to_be_visible()


def _elsewhere(work: Callable[[], object]) -> None:
    """Another process's work, off Playwright's event loop (its own thread)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(work).result()


def _retype(page: Any, text: str) -> None:
    """Click into the reply box, select everything and type ``text`` key by key."""
    box = page.get_by_label(DRAFT_BOX)
    box.click()
    box.press("Control+a")
    page.keyboard.type(text)


def test_an_edit_sent_by_its_shortcut_at_once_is_what_the_customer_gets(
    ingested: Settings, console_url: str
) -> None:
    from playwright.sync_api import expect, sync_playwright

    add_users(ingested)
    [item_id] = queued(ingested, TRACKING, channel="whatsapp")
    edited = "Hi Marcus, FH-10293 left our warehouse today. Thanks for waiting!"
    with sync_playwright() as p:
        browser, page = _browser(p)
        _open(page, console_url, item_id)
        _retype(page, edited)
        page.keyboard.press("Alt+a")  # no blur, no Ctrl+Enter, no pause
        expect(page.get_by_text(f"Item #{item_id} edited and approved by ann")).to_be_visible()
        browser.close()
    [sent] = [m for m in outbox(ingested) if m.item_id == item_id]
    assert sent.text.endswith(edited)
    assert [e.action for e in audit(ingested, item_id) if e.action in ("approve", "edit")] == [
        "edit"
    ]


def test_a_reload_keeps_the_agent_signed_in_with_the_unsent_edit(
    ingested: Settings, console_url: str
) -> None:
    from playwright.sync_api import expect, sync_playwright

    add_users(ingested)
    [item_id] = queued(ingested, TRACKING, channel="whatsapp")
    edited = "Hi Marcus, your parcel is with the courier."
    with sync_playwright() as p:
        browser, page = _browser(p)
        _open(page, console_url, item_id)
        _retype(page, edited)
        expect(page.get_by_text("is yours while you edit")).to_be_visible()  # saved, claimed
        page.keyboard.press("Escape")  # commits; the item stays open, on its page or the pane
        expect(page.get_by_role("heading", name=f"Item #{item_id}")).to_be_visible()
        expect(page).to_have_url(re.compile(rf"[?&]item={item_id}\b"))  # where a reload goes
        page.reload()
        expect(page.get_by_role("heading", name=f"Item #{item_id}")).to_be_visible()
        expect(page.get_by_role("button", name="Sign in")).to_have_count(0)
        expect(page.get_by_label(DRAFT_BOX)).to_have_value(edited)
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        page.reload()  # the token was revoked: signing out is the only way out
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        browser.close()
    assert item(ingested, item_id).status == "pending"  # nothing was sent


def test_approve_and_next_through_ten_items_by_keyboard(
    ingested: Settings, console_url: str
) -> None:
    """The whole sample run without the mouse: ? lists the keys, Enter opens the most
    urgent item beside the list, J / K move, Alt+A approves and opens the next."""
    from playwright.sync_api import expect, sync_playwright

    add_users(ingested)
    ids = queued(
        ingested,
        *[f"Hi, is the linen shirt back in stock? ({n})" for n in range(10)],
        channel="whatsapp",
    )
    with sync_playwright() as p:
        browser, page = _browser(p)
        page.goto(console_url)
        sign_in(page, "ann")
        expect(page.get_by_role("button", name="Open item")).to_be_visible()
        settle(page)
        page.keyboard.press("?")
        expect(page.get_by_text("item: approve (or send your edit) & next")).to_be_visible()
        page.keyboard.press("?")
        expect(page.get_by_text("item: approve (or send your edit) & next")).to_have_count(0)
        settle(page)
        page.keyboard.press("Enter")
        header = page.get_by_role("heading", name="Item #")
        expect(header).to_have_text(f"Item #{ids[0]}")  # the most urgent: the oldest
        expect(page.get_by_text("Review queue")).to_be_visible()  # the list stays beside it
        settle(page)
        page.keyboard.press("j")
        expect(header).to_have_text(f"Item #{ids[1]}")
        settle(page)
        page.keyboard.press("k")
        expect(header).to_have_text(f"Item #{ids[0]}")
        worked: list[str] = []
        for _ in ids:
            settle(page)  # the last item's button goes when the run ends: one left
            expect(page.get_by_role("button", name="Approve & next")).to_have_count(1)
            shown = header.inner_text()
            assert shown not in worked
            worked.append(shown)
            page.keyboard.press("Alt+a")
            expect(page.get_by_text(f"{shown} approved by ann")).to_be_visible()
        expect(page.get_by_text("Nothing else in the queue you can decide")).to_be_visible()
        expect(page.get_by_text("Nothing to review.")).to_be_visible()
        browser.close()
    assert worked == [f"Item #{i}" for i in ids]
    assert {item(ingested, i).status for i in ids} == {"sent"}


def test_opening_an_item_across_a_minute_boundary_shows_no_error(
    ingested: Settings, console_url: str
) -> None:
    from playwright.sync_api import expect, sync_playwright

    add_users(ingested)
    queued(ingested, "Do you ship to Norway?", TRACKING, channel="whatsapp")
    with sync_playwright() as p:
        browser, page = _browser(p)
        page.goto(console_url)
        sign_in(page, "ann")
        expect(page.get_by_text("Review queue")).to_be_visible()
        time.sleep(61 - time.time() % 60)  # the clock's minute turns under the drawn picker
        page.get_by_role("button", name="Open item").click()
        expect(page.get_by_role("heading", name="Item #")).to_be_visible()
        expect(page.get_by_test_id("stException")).to_have_count(0)
        expect(page.get_by_text("Signed in as")).to_be_visible()  # the sidebar is there
        browser.close()


def test_another_agents_decision_and_a_new_message_appear_without_a_click(
    ingested: Settings, console_url: str
) -> None:
    from playwright.sync_api import expect, sync_playwright

    add_users(ingested)
    first, _ = queued(ingested, "Nice photo!", "Happy Friday everyone!", channel="whatsapp")
    with sync_playwright() as p:
        browser, page = _browser(p)
        page.goto(console_url)
        sign_in(page, "ann")
        expect(page.get_by_text("Showing 2 of 2 open items")).to_be_visible()
        reject = Reject(actor="bea", reason="answered in the stream")
        _elsewhere(lambda: decide_elsewhere(ingested, first, reject))
        expect(page.get_by_text("Showing 1 of 1 open items")).to_be_visible()
        _elsewhere(lambda: queued(ingested, "What a lovely colour!", channel="whatsapp"))
        expect(page.get_by_text("1 new item(s) in the queue.")).to_be_visible()
        expect(page.get_by_text("Showing 2 of 2 open items")).to_be_visible()
        browser.close()


def test_a_hand_off_reply_creates_a_follow_up(ingested: Settings, console_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    add_users(ingested)
    [item_id] = queued(ingested, "Do you ship to Norway?", channel="whatsapp")
    handoff = "I've passed it to a person on our team; they'll reply here within one business day."
    with sync_playwright() as p:
        browser, page = _browser(p)
        _open(page, console_url, item_id)
        _retype(page, handoff)
        page.keyboard.press("Alt+a")
        expect(page.get_by_text(f"Item #{item_id} promised a reply from a person")).to_be_visible()
        page.get_by_text("Queue", exact=True).click()
        expect(
            page.get_by_text("Follow-ups promised to customers (1 open, 0 late)")
        ).to_be_visible()
        browser.close()
