"""A real browser against a real console: Debian's Chromium, driven by Playwright, and
``streamlit run`` on 127.0.0.1 on this test's data."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.cli.main import console_command
from assistant.settings import Settings
from tests.console_support import PASSWORD
from tests.support import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = ROOT / "docs" / "screenshots"
WAIT_MS = 60_000

BROWSER_MARKS: list[Any] = [pytest.mark.browser]
if not CHROMIUM.exists() and not os.environ.get("CI"):
    # CI installs Chromium (.ci/run) and always runs these; elsewhere they are optional.
    BROWSER_MARKS.append(
        pytest.mark.skip(reason="needs Debian's Chromium: apt-get install -y chromium")
    )


def settle(page: Any) -> None:
    """Wait until the script run is over: Streamlit keeps the previous page's elements,
    marked stale, until the new run has drawn its own."""
    page.wait_for_function(
        "() => document.querySelectorAll('[data-stale=\"true\"]').length === 0"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')"
    )
    page.wait_for_timeout(800)  # let tables and charts paint


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def console_url(ingested: Settings, tmp_path: Path) -> Iterator[str]:
    """``streamlit run ui/app.py`` on this test's data, once it answers its health check."""
    port = _free_port()
    log = (tmp_path / "streamlit.log").open("w")
    server = subprocess.Popen(
        console_command(port),
        env=os.environ.copy(),  # the settings fixture's ASSISTANT_* variables
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((tmp_path / "streamlit.log").read_text()) from None
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def sign_in(page: Any, user: str) -> None:
    """Sign in by keyboard only."""
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")
