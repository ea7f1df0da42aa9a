"""The job functions. Each takes the worker's ``Assistant`` (built once per worker process)
from the job context, so the same code runs under procrastinate and in ``LocalRunner``."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from procrastinate import JobContext
from procrastinate.exceptions import UniqueViolation
from procrastinate.jobs import Status

from assistant.app import Assistant
from assistant.jobs.delivery import DELIVER, LEARN, SWEEP, deliver, sweep_due_replies
from assistant.jobs.nightly import nightly_eval_run
from assistant.jobs.retention import retention_pass
from assistant.users.actor import SYSTEM_ACTOR

log = logging.getLogger("assistant.jobs")


class ItemBusyError(Exception):
    """Another live process holds the item's lease: the job is retried later."""


def assistant_of(context: JobContext) -> Assistant:
    assistant: Assistant = context.additional_context["assistant"]
    return assistant


async def process_message(context: JobContext, item_id: int) -> None:
    """The pipeline for one stored message; a killed run carries on from its last step."""
    if not await assistant_of(context).inbox.run_stored(SYSTEM_ACTOR, item_id):
        raise ItemBusyError(f"item #{item_id} is leased by another live process")
    log.info("message processed", extra={"item_id": item_id})


async def learn_from_approval(context: JobContext, item_id: int) -> None:
    """A sent approval joins the eval set (sampled, redacted) and proposes FAQ changes."""
    assistant_of(context).review.learn_from(assistant_of(context).queue.get(item_id))


async def ingest_knowledge(context: JobContext, timestamp: int | None = None) -> None:
    """Sync the knowledge folder into the index (only changed entries are embedded)."""
    assistant = assistant_of(context)
    report = await asyncio.to_thread(assistant.library.ingest, SYSTEM_ACTOR)
    log.info(
        "knowledge synced",
        extra={"added": len(report.added), "updated": len(report.updated)},
    )


async def nightly_eval(context: JobContext, timestamp: int | None = None) -> None:
    summary = await nightly_eval_run(assistant_of(context).settings)
    log.info("nightly eval", extra=summary)


async def apply_retention(context: JobContext, timestamp: int | None = None) -> None:
    """policy.yaml's retention periods: what is past its period is anonymised (audited)."""
    await retention_pass(assistant_of(context))


async def retry_stalled_jobs(context: JobContext, timestamp: int | None = None) -> None:
    """Jobs whose worker stopped sending heartbeats (killed, host gone) are queued again."""
    manager = context.app.job_manager
    for job in await manager.get_stalled_jobs():
        try:
            await manager.retry_job(job)
        except UniqueViolation:
            # A replacement with the same queueing lock is already waiting (the delivery
            # sweep defers one for a reply left ``sending``): end the dead job so its lock
            # no longer holds the replacement back. The reply row decides what is sent.
            await manager.finish_job(job, status=Status.FAILED, delete_job=False)
            log.warning("stalled job replaced", extra={"job_id": job.id, "task": job.task_name})
            continue
        log.warning("stalled job retried", extra={"job_id": job.id, "task": job.task_name})


TASKS: dict[str, Any] = {
    "process_message": process_message,
    LEARN: learn_from_approval,
    "ingest_knowledge": ingest_knowledge,
    "nightly_eval": nightly_eval,
    "apply_retention": apply_retention,
    "retry_stalled_jobs": retry_stalled_jobs,
    DELIVER: deliver,
    SWEEP: sweep_due_replies,
}
