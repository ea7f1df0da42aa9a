"""Delivery on procrastinate (issue 10; ``assistant.delivery`` does the sending):
``ProcrastinateDelivery`` is the ``DeliveryScheduler`` of every process that opens the
services on Postgres with the job tables in place (worker, console, CLI), so nothing there
calls a channel itself: the decision is recorded, the attempt is a ``deliver_reply`` job.
One attempt per job; a transient failure defers the next at the ``retry_at`` the state
machine chose. A defer lost between the reply's commit and here is found by
``sweep_due_replies`` (periodic) from the rows."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from procrastinate import App, JobContext
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy.engine import Engine

from assistant.delivery import deliver_reply, schedule_due

DELIVER = "deliver_reply"
SWEEP = "schedule_due"
LEARN = "learn_from_approval"
log = logging.getLogger("assistant.jobs")


class ProcrastinateDelivery:
    """Defers on a connection of our own engine (a sync defer in a thread), so it works in
    any process and event loop: the console's per-action loops as well as a worker's."""

    def __init__(self, app: App, engine: Engine) -> None:
        self.app = app
        self.engine = engine

    async def schedule(self, reply_id: int, at: datetime | None) -> None:
        """Queue one attempt at ``at``. The queueing lock keeps one waiting job per reply;
        a second schedule while one waits is a no-op (``deliver_reply`` never sends twice)."""
        key = f"reply:{reply_id}"  # one attempt at a time, one waiting
        await asyncio.to_thread(self._defer, DELIVER, key, key, at, {"reply_id": reply_id})

    async def learn(self, item_id: int) -> None:
        """A ``learn_from_approval`` job for a person's delivered approval (one per item):
        learning never delays or fails a delivery."""
        key = f"learn:{item_id}"
        await asyncio.to_thread(self._defer, LEARN, None, key, None, {"item_id": item_id})

    def _defer(
        self,
        task: str,
        lock: str | None,
        queueing_lock: str,
        at: datetime | None,
        args: dict[str, int],
    ) -> None:
        try:
            with self.engine.begin() as conn:
                raw: Any = conn.connection.driver_connection
                deferrer = self.app.configure_task(
                    task,
                    lock=lock,
                    queueing_lock=queueing_lock,
                    schedule_at=at,
                    connection=raw,
                )
                deferrer.defer(**args)
        except AlreadyEnqueued:
            return


async def deliver(context: JobContext, reply_id: int) -> None:
    """One delivery attempt; the next one, if any, is a new job at ``retry_at``."""
    services = context.additional_context["assistant"].services
    step = await deliver_reply(services, reply_id)  # a delivered approval defers learning
    if not step.done:
        await services.scheduler.schedule(reply_id, step.retry_at)


async def sweep_due_replies(context: JobContext, timestamp: int | None = None) -> None:
    """Pending replies that are due and ``sending`` ones a killed worker left get a job."""
    items = await schedule_due(context.additional_context["assistant"].services)
    if items:
        log.info("due replies scheduled", extra={"count": len(items)})
