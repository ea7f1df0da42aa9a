"""The one-machine ``serve`` runs its jobs in a child process (``python -m
assistant.jobs.runner_process``), not a thread: drafting is CPU work in Python, and in the
API's process it would hold the interpreter lock the intake answers need. The API wakes the
child by writing a line to its stdin after storing; a child that dies is started again, and
its leased items are picked up on start (the rows are the queue)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import threading
import time

from pydantic import SecretStr

from assistant.app import open_assistant
from assistant.jobs.local import LocalRunner
from assistant.llm import model_slots
from assistant.logs import configure_json_logging
from assistant.settings import Settings, load_settings

log = logging.getLogger("assistant.jobs")
GRACE_S = 60.0  # on stop, the runs in progress may finish for this long
# Below the API in the CPU's queue: a message or webhook is answered first (Meta retries
# slow answers), drafting takes the rest of the machine, all of it when the API is idle.
NICENESS = 5
RESTART_PAUSE_S = 1.0


def settings_env(settings: Settings) -> dict[str, str]:
    """``settings`` as the ``ASSISTANT_*`` variables that rebuild them in another process
    (a test's or a caller's overrides included, not only what the environment said)."""
    env: dict[str, str] = {}
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, bool):
            value = "true" if value else "false"
        env[f"ASSISTANT_{name.upper()}"] = str(value)
    return env


class RunnerProcess:
    """The parent's handle: start, wake, stop, and start again when the child dies."""

    def __init__(self, settings: Settings) -> None:
        self.env = {**os.environ, **settings_env(settings)}
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._stopping = False
        self._watcher: threading.Thread | None = None

    def start(self) -> None:
        self._proc = self._spawn()
        self._watcher = threading.Thread(target=self._watch, name="jobs-watch", daemon=True)
        self._watcher.start()

    def _spawn(self) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "assistant.jobs.runner_process"]
        return subprocess.Popen(command, stdin=subprocess.PIPE, env=self.env)

    def _watch(self) -> None:
        while not self._stopping:
            proc = self._proc
            assert proc is not None
            code = proc.wait()
            if self._stopping:
                return
            log.error("job runner stopped; starting it again", extra={"exit_code": code})
            time.sleep(RESTART_PAUSE_S)
            with self._lock:
                if not self._stopping:
                    self._proc = self._spawn()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def wake(self) -> None:
        """Thread-safe; a child being restarted finds the new work on its start anyway."""
        with self._lock:
            stdin = self._proc.stdin if self._proc is not None else None
            if stdin is None:
                return
            try:
                stdin.write(b"\n")
                stdin.flush()
            except (BrokenPipeError, ValueError):
                return

    def stop(self) -> None:
        """SIGTERM: the child takes nothing new and lets its runs finish (up to GRACE_S)."""
        with self._lock:
            self._stopping = True
            proc = self._proc
        if proc is None:
            return
        terminate(proc, GRACE_S)
        if proc.stdin is not None:
            proc.stdin.close()


def terminate(proc: subprocess.Popen[bytes], grace_s: float) -> int:
    """SIGTERM, up to ``grace_s`` to finish what it was doing, then SIGKILL; the exit code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def _watch_stdin(loop: asyncio.AbstractEventLoop, runner: LocalRunner) -> None:
    """Each line the API process writes wakes the runner; end of input (the API process is
    gone) stops it. Read by the event loop, not a thread: a thread blocked on stdin at exit
    makes the interpreter abort ("could not acquire lock for <stdin>")."""
    fd = sys.stdin.fileno()
    os.set_blocking(fd, False)

    def readable() -> None:
        try:
            data = os.read(fd, 4096)
        except BlockingIOError:
            return
        if data:
            runner.wake()
            return
        loop.remove_reader(fd)
        runner.request_stop()

    loop.add_reader(fd, readable)


async def _serve_jobs(settings: Settings) -> None:
    runner = LocalRunner(settings.concurrency)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, runner.request_stop)
    async with open_assistant(settings) as assistant:
        _watch_stdin(loop, runner)
        with model_slots(settings.concurrency):
            await runner.run(assistant)


def main() -> None:
    settings = load_settings()
    configure_json_logging(settings.log_text)
    if hasattr(os, "nice"):
        os.nice(NICENESS)
    asyncio.run(_serve_jobs(settings))


if __name__ == "__main__":
    main()
