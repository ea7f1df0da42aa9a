"""The console as an agent feels it, in a real browser (Debian's Chromium via Playwright,
``streamlit run`` on 127.0.0.1).

    python bench/console_browser.py [--items 50] [--queue 5000] [--runs 5]

1. Keyboard triage: ``--items`` real messages run through the pipeline to review; the
   agent signs in, presses Enter (open the most urgent item beside the list), J ten times
   (open the next one without deciding), then Alt+A (approve & next) for every item.
   Timed per item from the key press until the next item is on screen and the run is over
   (no stale elements): ``open`` for Enter, ``move`` for J, ``decide_next`` for Alt+A.
   Target: p50 <= 0.5 s. The floor: a bare fragment (a header, a text box, a button with
   the same shortcut) clicked between the console's steps, so a loaded machine shows as
   a slow floor, not as a slow console.
2. Queue page: ``--queue`` pending items; a reload of the signed-in queue page (the cookie
   signs the agent back in) until the table is drawn, against a bare ``st.dataframe`` of
   the same rows served the same way, interleaved, ``--runs`` times each. Target <= 2x.

The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _common import ROOT, emit, machine, workspace
from console import fill

from assistant.app import open_assistant, open_records
from assistant.cli.main import console_command
from assistant.intake.jsonl import parse_line
from assistant.review.worklist import worklist
from assistant.settings import Settings
from assistant.users import UserStore
from assistant.users.actor import SYSTEM_ACTOR

sys.path.insert(0, str(ROOT / "ui"))
import queue_list

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "bench password 123"
READY = """(previous) => {
  if (document.querySelectorAll('[data-stale="true"]').length) return false;
  const h = [...document.querySelectorAll('h2')].find(e => e.textContent.startsWith('Item #'));
  return !!h && h.textContent !== previous
    && !!document.querySelector('[data-testid="stTextArea"] textarea');
}"""
MOVES = 10  # J presses (open the next item without deciding) before the approvals
TABLE = "() => !!document.querySelector('[data-testid=\"data-grid-canvas\"]')"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(command: list[str], port: int) -> Iterator[str]:
    """A Streamlit server, once it answers its health check."""
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def _environment(settings: Settings) -> None:
    os.environ["ASSISTANT_DATA_DIR"] = str(settings.data_dir)
    os.environ["ASSISTANT_KNOWLEDGE_DIR"] = str(settings.knowledge_dir)


def _to_review(settings: Settings, count: int) -> None:
    async def go() -> None:
        async with open_assistant(settings) as assistant:
            assistant.library.ingest(SYSTEM_ACTOR)
            for n in range(count):
                line = json.dumps(
                    {
                        "id": f"kb-{n}",
                        "channel": "whatsapp",  # never sent without a person
                        "author": {"id": f"w{n}", "name": f"Pat {n}"},
                        "text": f"Is the linen shirt back in stock in size {n % 5 + 1}?",
                    }
                )
                await assistant.inbox.process(SYSTEM_ACTOR, parse_line(line, "bench"))

    asyncio.run(go())
    with open_records(settings) as records:
        UserStore(records.queue.engine).add("bench", "agent", PASSWORD, by="bench")


def _sign_in(page: Any, url: str) -> None:
    page.goto(url)
    page.get_by_label("User name").fill("bench")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")
    page.get_by_role("button", name="Open item").wait_for()


FLOOR_APP = """
import streamlit as st

@st.fragment
def pane():
    n = st.session_state.get("n", 1)
    st.header(f"Item #{n}")
    st.text_area("Draft", f"draft {n}", key=f"text-{n}")
    st.button("Approve & next", key=f"a-{n}", shortcut="Alt+A",
              on_click=lambda: st.session_state.update(n=n + 1))

pane()
"""


def _step(page: Any, key: str) -> float:
    """Seconds from ``key`` until the next item is drawn and the run is over."""
    shown = page.locator("h2", has_text="Item #").first.text_content()
    page.wait_for_timeout(100)  # (not timed) React attaches the shortcuts
    start = time.perf_counter()
    page.keyboard.press(key)
    try:
        page.wait_for_function(READY, arg=shown, polling="raf")
    except Exception:
        alerts = page.locator("[data-testid='stAlert']").all_inner_texts()
        sys.exit(f"no next item after {shown}: {alerts}")
    return time.perf_counter() - start


def keyboard_run(
    browser: Any, settings: Settings, count: int, base: Path
) -> tuple[float, list[float], list[float], list[float]]:
    """(first open, J moves, approve & next, the floor's clicks): the floor is a bare
    fragment (a header, a text box and a button) clicked between the console's steps."""
    _environment(settings)
    port, floor_port = _port(), _port()
    floor = base / "floor.py"
    floor.write_text(FLOOR_APP)
    floor_command = [*console_command(floor_port)]
    floor_command[floor_command.index(str(ROOT / "ui" / "app.py"))] = str(floor)
    with served(console_command(port), port) as url, served(floor_command, floor_port) as bare:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        plain = browser.new_page(viewport={"width": 1440, "height": 1000})
        for p in (page, plain):
            p.set_default_timeout(60_000)
        _sign_in(page, url)
        plain.goto(bare)
        plain.wait_for_function(READY, arg="", polling="raf")
        page.wait_for_timeout(1_000)
        start = time.perf_counter()
        page.keyboard.press("Enter")
        page.wait_for_function(READY, arg="", polling="raf")
        opened = time.perf_counter() - start
        moves, times, floor_times = [], [], []
        for _ in range(min(MOVES, count - 1)):
            moves.append(_step(page, "j"))
            floor_times.append(_step(plain, "Alt+a"))
        for _ in range(count - 1):
            times.append(_step(page, "Alt+a"))
            floor_times.append(_step(plain, "Alt+a"))
        page.close()
        plain.close()
    return opened, moves, times, floor_times


def bare_table(settings: Settings, base: Path) -> Path:
    """A script that draws the same rows as the queue page with a bare ``st.dataframe``."""
    with open_records(settings) as records:
        rows = worklist(records.queue.engine).rows
    data = base / "rows.json"
    data.write_text(json.dumps(queue_list.queue_table(rows, datetime.now(UTC))))
    bare = base / "bare.py"
    bare.write_text(
        "import json\nimport streamlit as st\n"
        f"rows = json.loads(open({str(data)!r}).read())\n"
        "st.dataframe(rows, hide_index=True)\n"
    )
    return bare


def queue_run(
    browser: Any, settings: Settings, bare: Path, runs: int
) -> tuple[list[float], list[float]]:
    _environment(settings)
    page_port, bare_port = _port(), _port()
    bare_command = [*console_command(bare_port)]
    bare_command[bare_command.index(str(ROOT / "ui" / "app.py"))] = str(bare)
    with (
        served(console_command(page_port), page_port) as page_url,
        served(bare_command, bare_port) as bare_url,
    ):
        console = browser.new_page(viewport={"width": 1440, "height": 1000})
        plain = browser.new_page(viewport={"width": 1440, "height": 1000})
        for p in (console, plain):
            p.set_default_timeout(120_000)
        _sign_in(console, page_url)
        plain.goto(bare_url)
        plain.wait_for_function(TABLE)
        page_s, bare_s = [], []
        for _ in range(runs):
            start = time.perf_counter()
            console.reload()  # signed back in by the cookie
            console.get_by_role("button", name="Open item").wait_for()
            console.wait_for_function(TABLE)
            page_s.append(time.perf_counter() - start)
            start = time.perf_counter()
            plain.reload()
            plain.wait_for_function(TABLE)
            bare_s.append(time.perf_counter() - start)
    return page_s, bare_s


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--queue", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} not found: apt-get install -y chromium")

    from playwright.sync_api import sync_playwright

    with workspace("console-browser") as work, workspace("console-queue") as big:
        triage = Settings(data_dir=work / "data", knowledge_dir=work / "knowledge")
        _to_review(triage, args.items)
        queue = Settings(data_dir=big / "data", knowledge_dir=big / "knowledge")
        fill(queue, args.queue)  # adds the "bench" agent too
        bare = bare_table(queue, big)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            opened, moves, per_item, floor = keyboard_run(browser, triage, args.items, work)
            page_s, bare_s = queue_run(browser, queue, bare, args.runs)
            browser.close()

    page_ms, bare_ms = statistics.median(page_s) * 1000, statistics.median(bare_s) * 1000
    print(f"keyboard triage, {args.items} items (Enter once, then Alt+A approve & next):")
    print(f"  open (Enter)          {opened * 1000:8.0f} ms")
    print(f"  approve & next p50    {_p(per_item, 0.5):8.0f} ms   (target <= 500)")
    print(f"  approve & next p95    {_p(per_item, 0.95):8.0f} ms")
    print(f"  open next (J) p50     {_p(moves, 0.5):8.0f} ms   (target <= 500)")
    print(f"  bare fragment p50     {_p(floor, 0.5):8.0f} ms   (floor: same clicks, same time)")
    print(
        f"queue page, {args.queue} items, reload until the table is drawn (median of {args.runs}):"
    )
    print(f"  queue page            {page_ms:8.0f} ms")
    print(f"  bare st.dataframe     {bare_ms:8.0f} ms")
    print(f"  ratio                 {page_ms / bare_ms:8.2f}      (target <= 2.0)")
    emit(
        {
            "bench": "console_browser",
            "items": args.items,
            "open_ms": round(opened * 1000),
            "decide_next_p50_ms": round(_p(per_item, 0.5)),
            "decide_next_p95_ms": round(_p(per_item, 0.95)),
            "move_p50_ms": round(_p(moves, 0.5)),
            "floor_p50_ms": round(_p(floor, 0.5)),
            "queue_items": args.queue,
            "queue_page_ms": round(page_ms),
            "bare_dataframe_ms": round(bare_ms),
            "ratio": round(page_ms / bare_ms, 3),
            "machine": machine(),
        }
    )


if __name__ == "__main__":
    main()
