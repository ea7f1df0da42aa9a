"""The console in a real browser: Debian's Chromium driven by Playwright against
``streamlit run`` on 127.0.0.1. An agent signs in, opens the most urgent item, edits the
draft, sends it, and sees it leave the queue.

The screenshots in docs/screenshots come from this test: ``make screenshots`` runs it with
UPDATE_SCREENSHOTS=1, which copies them there."""

from __future__ import annotations

import os
import shutil
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from assistant.settings import Settings
from tests.browser_support import (
    BROWSER_MARKS,
    CHROMIUM,
    CHROMIUM_ARGS,
    SHOTS,
    WAIT_MS,
    settle,
)
from tests.console_support import PASSWORD, add_users, item, outbox
from tests.support import process, run, sample_inbox

pytestmark = BROWSER_MARKS


def test_agent_edits_and_sends_a_reply_in_a_real_browser(
    ingested: Settings, console_url: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS // 4)  # two shared cores: a send can take seconds
    add_users(ingested)
    results = run(process(ingested, *sample_inbox()))
    waiting = [r for r in results if r.status in ("pending", "escalated")]
    shots = tmp_path / "screenshots"
    shots.mkdir()
    edited = "Hi Marcus, thanks for waiting. Your order is on its way. — Fernhill Goods"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.set_default_timeout(WAIT_MS)
        page.goto(console_url)

        page.get_by_label("User name").fill("ann")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text("Review queue")).to_be_visible()
        expect(
            page.get_by_text(f"Showing {len(waiting)} of {len(waiting)} open items")
        ).to_be_visible()
        expect(page.get_by_text("Bulk actions")).to_be_visible()
        page.wait_for_selector("[data-testid='data-grid-canvas']")
        settle(page)
        page.screenshot(path=shots / "queue.png")

        page.get_by_role("button", name="Open item").click()
        header = page.get_by_role("heading", name="Item #")
        expect(header).to_be_visible()
        item_id = int(header.inner_text().split("#")[1])
        expect(page.get_by_text("What the customer will see")).to_be_visible()
        settle(page)
        page.screenshot(path=shots / "item.png")

        draft = page.get_by_label("Draft (body only; the disclosure is added when it is sent)")
        draft.fill(edited)
        send = page.get_by_role("button", name="Edit, send & next")
        expect(send).to_be_visible()  # the box commits after a pause in typing
        expect(page.get_by_text("You changed the draft")).to_be_visible()
        # Press as an agent does, once the page shows the diff: a click that lands while
        # the commit's run redraws the button can miss it (the button is replaced under
        # the pointer), and then nothing is sent: the agent presses again.
        settle(page)
        send.click()
        expect(page.get_by_text(f"Item #{item_id} edited and approved by ann")).to_be_visible()
        page.get_by_text("Queue", exact=True).click()
        left = len(waiting) - 1
        expect(page.get_by_text(f"Showing {left} of {left} open items")).to_be_visible()

        page.get_by_text("Dashboard", exact=True).click()
        expect(page.get_by_text("Messages received", exact=True)).to_be_visible()
        expect(page.get_by_text("Bulk actions")).to_have_count(0)  # the queue page is gone
        page.wait_for_selector("canvas.marks, svg.marks", state="attached")  # charts drew
        settle(page)
        page.screenshot(path=shots / "dashboard.png")
        browser.close()

    assert item(ingested, item_id).status == "sent"
    [sent] = [m for m in outbox(ingested) if m.item_id == item_id]
    assert sent.text.endswith(edited) and sent.sent_by == "ann"
    if os.environ.get("UPDATE_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        for shot in shots.iterdir():
            shutil.copy(shot, SHOTS / shot.name)


def _is_media(url: str) -> bool:
    """Files a page publishes (not the console's own fonts under /static/media/)."""
    return urllib.parse.urlparse(url).path.startswith("/media/")


def _status(url: str) -> int:
    """The HTTP status of a GET without cookies: what anyone on the network would get."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_audit_export_is_not_served_without_a_signed_in_click(
    ingested: Settings, console_url: str
) -> None:
    from playwright.sync_api import expect, sync_playwright

    add_users(ingested)
    media: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(WAIT_MS)
        page.on("request", lambda r: media.append(r.url) if _is_media(r.url) else None)
        page.goto(console_url)
        page.get_by_label("User name").fill("lea")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("Audit", exact=True).click()
        prepare = page.get_by_role("button", name="Prepare export")
        expect(prepare).to_be_visible()
        settle(page)
        assert not media  # drawing the page published nothing
        prepare.click()
        with page.expect_download() as download:
            page.get_by_role("button", name="Export CSV").click()
        url = download.value.url
        assert "actor" in Path(download.value.path()).read_text()
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        settle(page)
        browser.close()

    assert _status(url) == 404, url  # gone once its session signed out
