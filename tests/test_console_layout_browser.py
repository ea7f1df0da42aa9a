"""What the agent sees where, in a real browser (Chromium + Playwright against
``streamlit run``): the list beside the open item, the open item first on a phone, and the
bulk review sheet refusing a complaint.

``make screenshots`` runs these with UPDATE_SCREENSHOTS=1, which copies the pictures to
docs/screenshots (triage.png, phone.png, bulk_sheet.png)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from assistant.settings import Settings
from tests.browser_support import (
    BROWSER_MARKS,
    CHROMIUM,
    CHROMIUM_ARGS,
    SHOTS,
    WAIT_MS,
    settle,
    sign_in,
)
from tests.console_support import REFUND, TRACKING, add_users, outbox, queued

pytestmark = BROWSER_MARKS

COMPLAINT = "This is the worst service ever, I am furious and disappointed."
THANKS = ["What a lovely colour!", "Happy Friday everyone!", "Nice photo!"]


def _page(p: Any, width: int, height: int) -> tuple[Any, Any]:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS // 4)
    browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(WAIT_MS)
    return browser, page


def _keep(shot: Path) -> None:
    if os.environ.get("UPDATE_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, SHOTS / shot.name)


def _to_top(locator: Any) -> None:
    locator.evaluate("e => e.scrollIntoView({block: 'start'})")
    locator.page.wait_for_timeout(300)


def _top(locator: Any) -> float:
    box = locator.bounding_box()
    assert box is not None, locator
    return float(box["y"])


def test_the_list_and_the_open_item_are_side_by_side_with_coloured_marks(
    ingested: Settings, console_url: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    add_users(ingested)
    queued(ingested, "My lawyer will hear about order FH-10264.", REFUND, *THANKS[:2])
    queued(ingested, TRACKING, channel="whatsapp")
    with sync_playwright() as p:
        browser, page = _page(p, 1440, 1000)
        page.goto(console_url)
        sign_in(page, "ann")
        expect(page.get_by_role("button", name="Open item")).to_be_visible()
        settle(page)
        page.keyboard.press("Enter")
        header = page.get_by_role("heading", name="Item #")
        expect(header).to_be_visible()
        settle(page)
        table = page.get_by_test_id("stDataFrame").first
        approve = page.get_by_role("button", name="Approve & next")
        # side by side: the item's reply and actions sit right of the list, not below it
        table_box, approve_box = table.bounding_box(), approve.bounding_box()
        assert table_box and approve_box
        assert approve_box["x"] > table_box["x"] + table_box["width"] - 5
        # the colours live in the list's cells: read them from the grid's accessible table
        cells = page.locator("[data-testid='stDataFrame'] table").first.inner_text()
        assert "🔴 high" in cells and "🟢 low" in cells
        shot = tmp_path / "triage.png"
        page.screenshot(path=shot)
        browser.close()
    _keep(shot)


def test_on_a_phone_the_message_and_actions_come_before_the_list(
    ingested: Settings, console_url: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    add_users(ingested)
    queued(ingested, *THANKS, channel="whatsapp")
    with sync_playwright() as p:
        browser, page = _page(p, 390, 844)
        page.goto(console_url)
        sign_in(page, "ann")
        expect(page.get_by_role("button", name="Open item")).to_be_visible()
        settle(page)
        page.get_by_role("button", name="Open item").click()
        expect(page.get_by_role("heading", name="Item #")).to_be_visible()
        settle(page)
        opened = page.locator(".st-key-triage_item")
        message = opened.get_by_text(THANKS[0]).first
        approve = opened.get_by_role("button", name="Approve & next")
        table = page.get_by_test_id("stDataFrame").first
        assert _top(message) < _top(approve) < _top(table)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways
        _to_top(page.get_by_role("heading", name="Item #"))
        shot = tmp_path / "phone.png"
        page.screenshot(path=shot)
        approve.click()  # a phone works the queue too
        expect(page.get_by_text("approved by ann")).to_be_visible()
        browser.close()
    _keep(shot)
    assert len(outbox(ingested)) == 1


def test_the_bulk_review_sheet_refuses_a_complaint(
    ingested: Settings, console_url: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    add_users(ingested)
    complaint, *low = queued(ingested, COMPLAINT, *THANKS, channel="whatsapp")
    with sync_playwright() as p:
        browser, page = _page(p, 1440, 1000)
        page.goto(console_url)
        sign_in(page, "ann")
        page.get_by_role("button", name=f"Select {len(low)} low-risk").click()
        settle(page)
        picker = page.get_by_role("combobox", name="Bulk selection")
        picker.click()
        page.keyboard.type(f"#{complaint} ")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        settle(page)
        page.get_by_role("button", name="Approve selected").click()
        sheet = page.get_by_text(f"Review before sending: {len(low)} of {len(low) + 1} can go")
        expect(sheet).to_be_visible()
        expect(page.get_by_text("not sent: touches complaint")).to_be_visible()
        expect(page.get_by_role("button", name=f"Send {len(low)} replies")).to_be_visible()
        settle(page)
        _to_top(sheet)
        shot = tmp_path / "bulk_sheet.png"
        page.screenshot(path=shot)
        browser.close()
    _keep(shot)
    assert outbox(ingested) == []  # nothing leaves from the sheet
