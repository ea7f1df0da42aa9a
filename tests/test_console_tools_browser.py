"""The agent tools in a real browser (Chromium + Playwright against ``streamlit run``):
presence appears and fades without a click, and a note's @mention reaches the teammate."""

from __future__ import annotations

from typing import Any

from assistant.settings import Settings
from tests.browser_support import (
    BROWSER_MARKS,
    CHROMIUM,
    CHROMIUM_ARGS,
    WAIT_MS,
    settle,
    sign_in,
)
from tests.console_support import REFUND, add_users, queued

pytestmark = BROWSER_MARKS


def _agent(browser: Any, url: str, user: str, item_id: int | None) -> Any:
    """A page of its own (own cookies) signed in as ``user``, on the item or the queue."""
    from playwright.sync_api import expect

    page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{url}/?item={item_id}" if item_id else url)
    sign_in(page, user)
    heading = f"Item #{item_id}" if item_id else "Review queue"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    return page


def test_viewing_shows_up_and_fades_without_a_click_and_a_mention_reaches_bea(
    ingested: Settings, console_url: str
) -> None:
    from playwright.sync_api import expect, sync_playwright

    add_users(ingested)
    [item_id] = queued(ingested, REFUND, channel="whatsapp")
    with sync_playwright() as p:
        expect.set_options(timeout=WAIT_MS // 2)
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        ann = _agent(browser, console_url, "ann", item_id)
        bea = _agent(browser, console_url, "bea", item_id)
        expect(ann.get_by_text("bea is viewing this item")).to_be_visible()  # no click
        bea.get_by_role("button", name="← Queue").click()  # the queue's pane keeps it open
        expect(bea.get_by_role("heading", name="Review queue")).to_be_visible()
        settle(bea)  # a click while the run still redraws the page lands on a replaced button
        bea.get_by_role("button", name="Close").click()  # only closing it leaves the item
        expect(bea.get_by_role("button", name="Close")).to_have_count(0)
        # Faded: at most 30 s after bea's last heartbeat, which may land just after the close.
        expect(ann.get_by_text("bea is viewing this item")).to_have_count(0, timeout=WAIT_MS)
        ann.get_by_text("Internal notes (0)").click()
        ann.get_by_label("New note (type @name to tell a teammate)").fill("@bea over to you")
        ann.get_by_role("button", name="Add note").click()
        expect(ann.get_by_text("@bea will see it")).to_be_visible()
        bea.reload()
        expect(bea.get_by_text("Mentions for you (1 unread)")).to_be_visible()
        browser.close()
