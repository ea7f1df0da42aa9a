"""Running the service for real in tests: ``assistant serve`` and ``assistant worker`` as
subprocesses on 127.0.0.1, posted to with httpx."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from assistant.jobs.runner_process import terminate

KEY = "test-intake-key"
ASSISTANT = [sys.executable, "-m", "assistant.cli.main"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def restartable_port() -> int:
    """A free port below the kernel's ephemeral range (32768 up): while a server restarted on
    it is down, no outgoing connection (its own clients' retries included) can be given it."""
    for port in random.sample(range(20000, 32000), 200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 32000")


def wait_until(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if result := check():
                return result
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def service_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "ASSISTANT_INTAKE_API_KEY": KEY, **extra}


@contextmanager
def serving(log: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """``assistant serve`` on a free port until the block ends (SIGTERM, then wait)."""
    port = free_port()
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [*ASSISTANT, "serve", "--port", str(port)],
            env=env or service_env(),
            stdout=out,
            stderr=out,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            lambda: proc.poll() is not None or httpx.get(f"{base}/healthz").status_code == 200,
            90,
            "the API to start",
        )
        assert proc.poll() is None, log.read_text()[-3000:]
        yield base
    finally:
        stop(proc)
    # A clean stop: no process of the service aborts on its way out.
    assert "Fatal Python error" not in log.read_text(errors="replace"), log.read_text()[-3000:]


def start_worker(
    log: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [*ASSISTANT, "worker", *args], env=env or service_env(), stdout=out, stderr=out
        )


def stop(proc: subprocess.Popen[bytes], timeout: float = 70) -> int:
    return terminate(proc, timeout)


def post(base: str, body: Any, key: str | None = KEY, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    if isinstance(body, bytes):
        return httpx.post(f"{base}/v1/messages", content=body, headers=headers, **kwargs)
    return httpx.post(f"{base}/v1/messages", json=body, headers=headers, **kwargs)


def wire(
    id: str, text: str = "Do you ship to Canada?", author: str = "c1", **extra: Any
) -> dict[str, Any]:
    """A message in the JSONL schema, as a client posts it."""
    return {
        "id": id,
        "channel": "instagram",
        "author": {"id": author, "name": "Ana"},
        "text": text,
        **extra,
    }
