"""``assistant worker``: a procrastinate worker with this process's ``Assistant`` (built once)
in every job's context. SIGTERM or Ctrl+C stops taking jobs and lets the running ones finish
(for up to ``GRACE_S``); what is still running then is aborted and retried by another
worker, and its item carries on from its last checkpoint."""

from __future__ import annotations

from datetime import UTC, datetime

from procrastinate import App
from procrastinate.app import WorkerOptions

from assistant.app import open_assistant
from assistant.jobs.engine import job_app
from assistant.llm import model_slots
from assistant.review.leases import OWNER
from assistant.settings import Settings

GRACE_S = 60.0
# A burst run goes round again while jobs deferred by its own jobs are due (a delivery
# defers its learning job): a chain is a few links long, so a few rounds end it.
BURST_ROUNDS = 5


async def run_worker(
    settings: Settings, *, concurrency: int, burst: bool, queues: list[str] | None = None
) -> None:
    app = job_app(settings, periodic=not burst)
    options: WorkerOptions = {
        "concurrency": concurrency,
        "wait": not burst,  # --burst: run what is queued, then exit
        "name": OWNER,
        "shutdown_graceful_timeout": GRACE_S,
        "install_signal_handlers": True,
    }
    if queues:
        options["queues"] = queues
    async with open_assistant(settings) as assistant:
        options["additional_context"] = {"assistant": assistant}
        with model_slots(settings.concurrency):
            async with app.open_async():
                await app.run_worker_async(**options)
                for _ in range(BURST_ROUNDS - 1 if burst else 0):  # a stopped worker just ends
                    if not await _due_jobs_left(app, queues):
                        return
                    await app.run_worker_async(**options)


async def _due_jobs_left(app: App, queues: list[str] | None) -> bool:
    now = datetime.now(UTC)
    waiting = await app.job_manager.list_jobs_async(status="todo")
    return any(
        (queues is None or job.queue in queues)
        and (job.scheduled_at is None or job.scheduled_at <= now)
        for job in waiting
    )
