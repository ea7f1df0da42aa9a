"""The job engine on Postgres: the API stores and defers in one transaction, workers run
the jobs (procrastinate), ``assistant jobs`` shows and steers them."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from assistant.app import open_assistant, open_records
from assistant.db import database_url, make_engine
from assistant.evals.cases import case_id_for
from assistant.evals.learned import all_cases, stored_strata
from assistant.intake.messages import InboundMessage
from assistant.jobs.engine import ProcrastinateJobs, apply_schema, job_app
from assistant.knowledge.loader import load_knowledge
from assistant.review.decisions import Edit
from assistant.review.models import ItemStatus
from assistant.service.intake import accept_messages
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR
from tests.service_support import ASSISTANT, post, service_env, serving, start_worker, stop, wire


@pytest.fixture
def jobs_ready(ingested: Settings) -> Settings:
    engine = make_engine(database_url(ingested), auto_upgrade=False)
    apply_schema(engine)
    engine.dispose()
    return ingested


def _jobs(settings: Settings) -> list[dict[str, object]]:
    out = subprocess.run(
        [*ASSISTANT, "jobs", "list", "--json", "--limit", "1000"],
        env=service_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [json.loads(line) for line in out.splitlines()]


def test_posted_messages_become_jobs_that_a_burst_worker_runs(
    jobs_ready: Settings, tmp_path: Path
) -> None:
    with serving(tmp_path / "serve.log") as base:
        batch = [wire(f"pg-{k}", author=f"c{k}") for k in range(12)]
        assert post(base, batch).status_code == 202
    queued = _jobs(jobs_ready)
    assert len(queued) == 12
    assert {j["task"] for j in queued} == {"process_message"}
    assert {j["status"] for j in queued} == {"todo"}
    assert all(str(j["lock"]).startswith("thread:") for j in queued)  # one run per thread

    worker = start_worker(tmp_path / "worker.log", "--burst", "--concurrency", "4")
    assert worker.wait(120) == 0, (tmp_path / "worker.log").read_text()[-3000:]
    assert {j["status"] for j in _jobs(jobs_ready)} == {"succeeded"}
    with open_records(jobs_ready) as records:
        items = records.queue.items(limit=100)
    assert len(items) == 12
    assert {i.status for i in items} == {ItemStatus.sent}  # shipping FAQ, auto-sent
    assert len(records.queue.outbox()) == 12  # each exactly once


class FailsOnSecond(ProcrastinateJobs):
    def __init__(self, settings: Settings) -> None:
        super().__init__(job_app(settings, periodic=False))
        self.calls = 0

    def defer_process(self, conn: Connection, item_id: int, thread_id: str) -> None:
        super().defer_process(conn, item_id, thread_id)
        self.calls += 1
        if self.calls == 2:
            raise RuntimeError("the process died between two messages")


def test_an_item_and_its_job_are_stored_together_or_not_at_all(jobs_ready: Settings) -> None:
    engine = make_engine(database_url(jobs_ready))
    policy = load_knowledge(jobs_ready.knowledge_dir).policy
    messages = [InboundMessage.model_validate(wire(f"tx-{k}")) for k in range(3)]
    with pytest.raises(RuntimeError):
        accept_messages(engine, FailsOnSecond(jobs_ready), policy, messages)
    with engine.connect() as conn:
        items = conn.execute(text("SELECT count(*) FROM review_items")).scalar_one()
        jobs = conn.execute(text("SELECT count(*) FROM procrastinate_jobs")).scalar_one()
    assert (items, jobs) == (0, 0)  # the first message's job was deferred, then rolled back
    accepted = accept_messages(engine, ProcrastinateJobs(job_app(jobs_ready)), policy, messages)
    with engine.connect() as conn:
        jobs = conn.execute(text("SELECT count(*) FROM procrastinate_jobs")).scalar_one()
    assert (len(accepted), jobs) == (3, 3)
    engine.dispose()


def test_jobs_can_be_cancelled_and_retried_and_a_worker_stops_cleanly_on_sigterm(
    jobs_ready: Settings, tmp_path: Path
) -> None:
    with serving(tmp_path / "serve.log") as base:
        post(base, [wire("c-1"), wire("c-2", author="c2")])
    first, second = sorted(_jobs(jobs_ready), key=lambda j: int(str(j["id"])))
    cli = [*ASSISTANT, "jobs"]
    cancel = subprocess.run(
        [*cli, "cancel", str(first["id"]), "--json"],
        env=service_env(),
        capture_output=True,
        text=True,
    )
    assert cancel.returncode == 0 and json.loads(cancel.stdout) == {
        "id": first["id"],
        "cancelled": True,
    }
    missing = subprocess.run(
        [*cli, "retry", "999999"], env=service_env(), capture_output=True, text=True
    )
    assert missing.returncode != 0 and "no job #999999" in missing.stderr

    worker = start_worker(tmp_path / "worker.log", "--concurrency", "2")
    engine = make_engine(database_url(jobs_ready))
    query = text("SELECT status::text FROM procrastinate_jobs WHERE id = :id")
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if conn.execute(query, {"id": second["id"]}).scalar_one() == "succeeded":
                break
        time.sleep(0.5)
    engine.dispose()
    assert stop(worker) == 0, (tmp_path / "worker.log").read_text()[-2000:]  # SIGTERM: graceful
    jobs = _jobs(jobs_ready)
    states = {j["id"]: j["status"] for j in jobs if j["task"] == "process_message"}
    assert states == {first["id"]: "cancelled", second["id"]: "succeeded"}
    again = subprocess.run(
        [*cli, "retry", str(second["id"])], env=service_env(), capture_output=True, text=True
    )
    assert again.returncode == 0 and "queued again" in again.stdout  # reruns as a no-op
    # A long-running worker also defers the periodic jobs (declared once, cron in settings).
    periodic = {str(j["task"]) for j in jobs if j["task"] != "process_message"}
    assert "retry_stalled_jobs" in periodic

    retried = subprocess.run(
        [*cli, "retry", str(first["id"])], env=service_env(), capture_output=True, text=True
    )
    assert retried.returncode == 0, retried.stderr
    burst = start_worker(tmp_path / "worker.log", "--burst")
    assert burst.wait(240) == 0
    final = {j["id"]: j["status"] for j in _jobs(jobs_ready) if j["task"] == "process_message"}
    assert final.pop(first["id"]) == "cancelled"  # kept as it ended; its retry is a new job
    assert set(final.values()) == {"succeeded"} and len(final) == 3
    with open_records(jobs_ready) as records:
        assert len(records.queue.outbox()) == 2  # the rerun of a sent item sent nothing
    log = (tmp_path / "worker.log").read_text()
    assert all(json.loads(line) for line in log.splitlines() if line.startswith("{"))


def test_an_approval_is_learned_from_once_a_worker_has_delivered_it(
    jobs_ready: Settings, tmp_path: Path
) -> None:
    question = "Do you have a store in Portland where I can try the boots?"
    with serving(tmp_path / "serve.log") as base:
        assert post(base, [wire("learn-1", text=question)]).status_code == 202
    assert start_worker(tmp_path / "worker.log", "--burst").wait(240) == 0
    with open_records(jobs_ready) as records:
        [item] = records.queue.items(limit=10)
    item_id = item.id
    assert item.status is ItemStatus.pending and item_id is not None
    golden = "We have no store in Portland yet; every pair ships with free returns."

    async def edit_and_send() -> None:
        async with open_assistant(jobs_ready) as assistant:
            await assistant.review.decide(SYSTEM_ACTOR, item_id, Edit(actor="al", text=golden))

    asyncio.run(edit_and_send())
    case_id = case_id_for("learn-1")
    # The console only recorded the reply: nothing is sent, so nothing is learned yet.
    assert case_id not in stored_strata(jobs_ready)

    assert start_worker(tmp_path / "worker.log", "--burst").wait(240) == 0
    with open_records(jobs_ready) as records:
        assert records.queue.get(item_id).status is ItemStatus.sent
    [case] = [c for c in all_cases(jobs_ready) if c.id == case_id]
    assert case.golden_reply == golden
    learned = [j for j in _jobs(jobs_ready) if j["task"] == "learn_from_approval"]
    assert [j["status"] for j in learned] == ["succeeded"]
