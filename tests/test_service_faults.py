"""Faults while messages flow through the at-scale layout: the API (uvicorn) and 2 worker
processes on Postgres, a Chroma server of the test's own, template drafting, no keys.

After each fault: every posted message has exactly one item, nothing is left in flight
once the fault ends, and no customer got a reply twice. Workers that die are started again,
as systemd's ``Restart=always`` does (docs/deploy.md). The fault suite posts
``MESSAGES`` per fault to fit CI; ``ASSISTANT_TEST_FAULT_MESSAGES=2000`` runs the issue's full
size (docs/deploy.md), with every wait scaled to it."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from assistant.db import database_url, make_engine
from assistant.jobs.engine import apply_schema
from assistant.review.models import ItemStatus, OutboxMessage, ReviewItem
from assistant.settings import Settings
from tests.service_support import (
    ASSISTANT,
    KEY,
    restartable_port,
    service_env,
    serving,
    start_worker,
    stop,
    wait_until,
    wire,
)

MESSAGES = int(os.environ.get("ASSISTANT_TEST_FAULT_MESSAGES", "120"))
SLOWER = max(1.0, MESSAGES / 120)  # waits scale with the run's size
BATCH = 20
WORKERS = 2
PG_BIN = "/usr/lib/postgresql/15/bin"
TEXTS = ["Do you ship to Canada?", "Where is my refund?", "What sizes do you have?", "hi!"]


class Chroma:
    """A Chroma server this test can stop and start again on the same port and data."""

    def __init__(self, root: Path) -> None:
        self.port, self.path, self.log = restartable_port(), root / "chroma", root / "chroma.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        binary = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    binary,
                    "run",
                    "--path",
                    str(self.path),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                stdout=out,
                stderr=out,
            )
        wait_until(
            lambda: httpx.get(f"{self.url}/api/v2/heartbeat").status_code == 200, 60, "chroma"
        )

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc, timeout=10)


class Workers:
    """Two worker processes, restarted when they die (a supervisor's job)."""

    def __init__(self, log: Path, env: dict[str, str]) -> None:
        self.log, self.env = log, env
        self.procs = [self._start() for _ in range(WORKERS)]
        self.restarts = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._supervise, daemon=True)
        self._thread.start()

    def _start(self) -> subprocess.Popen[bytes]:
        return start_worker(self.log, "--concurrency", "4", env=self.env)

    def _supervise(self) -> None:
        while not self._stop.wait(0.5):
            for k, proc in enumerate(self.procs):
                if proc.poll() is not None:
                    self.procs[k] = self._start()
                    self.restarts += 1

    def kill_one(self) -> None:
        """SIGKILL one live worker (one killed a moment ago may not be replaced yet)."""
        random.choice([p for p in self.procs if p.poll() is None]).send_signal(signal.SIGKILL)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for proc in self.procs:
            # 0: stopped gracefully. -SIGTERM: a worker restarted a moment ago was still
            # starting (no handler yet, no job taken). Graceful stop: test_jobs_postgres.
            code = stop(proc)
            assert code in (0, -signal.SIGTERM), self.log.read_text()[-3000:]


@pytest.fixture
def layout(settings: Settings, tmp_path: Path) -> Iterator[tuple[Settings, dict[str, str], Chroma]]:
    """Postgres with the job tables, our own Chroma server with the brand ingested into it
    (and the orders into the database) by `assistant ingest`."""
    engine = make_engine(database_url(settings), auto_upgrade=False)
    apply_schema(engine)
    engine.dispose()
    chroma = Chroma(tmp_path)
    chroma.start()
    env = service_env(
        ASSISTANT_CHROMA_URL=chroma.url,
        ASSISTANT_STALLED_JOBS_CRON="* * * * * */5",  # every 5 s: the test waits less
        ASSISTANT_INGEST_CRON="0 0 1 1 *",
        ASSISTANT_EVAL_CRON="0 0 1 1 *",
    )
    subprocess.run([*ASSISTANT, "ingest"], env=env, check=True, capture_output=True)
    try:
        yield settings.model_copy(update={"chroma_url": chroma.url}), env, chroma
    finally:
        chroma.stop()


def _post_all(base: str, ids: list[str]) -> None:
    """A client that retries what was refused or lost (503, connection errors) until every
    message is acknowledged, as a webhook sender does."""
    with httpx.Client(timeout=10) as client:
        for start in range(0, len(ids), BATCH):
            batch = [
                wire(i, text=TEXTS[n % len(TEXTS)], author=f"cust-{n % 37}")
                for n, i in enumerate(ids[start : start + BATCH], start=start)
            ]
            for _ in range(200):
                try:
                    response = client.post(
                        f"{base}/v1/messages",
                        json=batch,
                        headers={"Authorization": f"Bearer {KEY}"},
                    )
                    if response.status_code in (200, 202):
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.25)
            else:
                raise AssertionError(f"batch at {start} never accepted")


def _snapshot(settings: Settings) -> tuple[list[ReviewItem], Counter[int | None]]:
    """Items and replies sent per item, on a fresh connection each time (the pool of this
    process must not carry a connection across the faults) that gives up after 10 s."""
    engine = create_engine(
        database_url(settings), connect_args={"options": "-c statement_timeout=10000"}
    )
    try:
        with Session(engine) as session:
            items = list(session.exec(select(ReviewItem)).all())
            outbox = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "reply"))
            sent = Counter(o.item_id for o in outbox.all())
    finally:
        engine.dispose()
    return items, sent


def _finished(settings: Settings) -> int:
    try:
        items, _ = _snapshot(settings)
    except DBAPIError:
        return 0
    return sum(i.status not in (ItemStatus.processing, ItemStatus.approved) for i in items)


def _settled(settings: Settings, ids: list[str]) -> None:
    """Every message has one item, nothing is in flight, no reply went out twice."""

    def done() -> bool:
        try:
            items, _ = _snapshot(settings)
        except DBAPIError:
            return False
        return len(items) == len(ids) and all(
            i.status not in (ItemStatus.processing, ItemStatus.approved) for i in items
        )

    wait_until(done, 240 * SLOWER, "every message to be processed after the fault")
    items, sent = _snapshot(settings)
    assert sorted(i.message_id for i in items) == sorted(ids)
    assert max(sent.values(), default=1) == 1, "a customer got the same reply twice"
    assert {i.id for i in items if i.status == ItemStatus.sent} <= set(sent)


def _run(layout: tuple[Settings, dict[str, str], Chroma], tmp_path: Path, fault: str) -> None:
    settings, env, chroma = layout
    ids = [f"{fault}-{n}" for n in range(MESSAGES)]
    with serving(tmp_path / "serve.log", env) as base:
        workers = Workers(tmp_path / "workers.log", env)
        try:
            poster = threading.Thread(target=_post_all, args=(base, ids))
            poster.start()
            time.sleep(2)
            if fault == "kill":  # mid-run: each kill once more work got done
                shares = sorted(random.uniform(0.05, 0.8) for _ in range(4))
                for kills, share in enumerate(shares, start=1):
                    wait_until(
                        lambda share=share: _finished(settings) >= share * MESSAGES,
                        120 * SLOWER,
                        f"{share:.0%} of the messages to be processed",
                    )
                    workers.kill_one()
                    wait_until(lambda k=kills: workers.restarts >= k, 30, "the restart")
            elif fault == "postgres":
                _restart_postgres()
            elif fault == "chroma":
                chroma.stop()
                time.sleep(10)
                chroma.start()
            poster.join()
            _settled(settings, ids)
        finally:
            workers.close()


def _restart_postgres() -> None:
    data = os.environ.get("ASSISTANT_TEST_PG_DATA")
    if not data:
        pytest.fail("ASSISTANT_TEST_PG_DATA is unset: source .ci/services.sh")
    log = Path(data) / "log"
    # restart reuses the server's own options (port, socket dir); -t: a loaded CI machine can
    # take longer than the default 60 s to write the shutdown checkpoint and start again.
    command = [f"{PG_BIN}/pg_ctl", "-D", data, "-l", str(log), "-m", "fast", "-w", "-t", "300"]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    output = Path(data).parent / "pg_ctl.out"
    # Into a file, not pipes: the restarted server would inherit pipes and hold them open.
    # A second try starts a server the first left stopped (restart starts a stopped one).
    for _ in range(2):
        with output.open("wb") as sink:
            done = subprocess.run([*command, "restart"], stdout=sink, stderr=subprocess.STDOUT)
        if done.returncode == 0:
            return
    tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:]) if log.exists() else ""
    pytest.fail(f"pg_ctl restart failed twice:\n{output.read_text()}\nserver log:\n{tail}")


# Restarting Postgres would break the other tests' connections: that one runs alone.
@pytest.mark.parametrize(
    "fault", ["kill", pytest.param("postgres", marks=pytest.mark.serial), "chroma"]
)
def test_nothing_is_lost_or_sent_twice_through_a_fault(
    layout: tuple[Settings, dict[str, str], Chroma], tmp_path: Path, fault: str
) -> None:
    _run(layout, tmp_path, fault)
