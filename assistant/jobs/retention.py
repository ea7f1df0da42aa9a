"""Retention as a job: policy.yaml's periods applied on a schedule by whatever runs the
jobs (a procrastinate worker's periodic job on Postgres, the in-process runner of the
one-machine ``serve``), so removing what is past its period does not depend on someone
remembering ``assistant retention run``."""

from __future__ import annotations

import logging
from datetime import datetime

from croniter import croniter

from assistant.app import Assistant
from assistant.governance.retention import RetentionReport, run_retention
from assistant.knowledge.policy import load_policy
from assistant.users.actor import SYSTEM_ACTOR

log = logging.getLogger("assistant.jobs")


async def retention_pass(assistant: Assistant) -> RetentionReport:
    """One audited run with the periods in policy.yaml as it is now: a brand lead's change
    applies from the next run, with no restart."""
    folder = assistant.settings.knowledge_dir
    policy = load_policy(folder / "policy.yaml", "policy.yaml", folder)
    report = await run_retention(
        assistant.queue.engine,
        policy.retention,
        assistant.graph.checkpointer,
        actor=SYSTEM_ACTOR.name,
        now=assistant.services.clock(),
    )
    counts = {kind.value: count for kind, count in report.counts.items() if count}
    log.info("retention run", extra={"counts": counts})
    return report


def next_run(cron: str, after: datetime) -> datetime:
    """When ``cron`` next fires after ``after`` (croniter reads seconds as a sixth field)."""
    moment: datetime = croniter(cron, after).get_next(datetime)
    return moment
