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
from assistant.delivery.store import ReplyStore
from assistant.review.models import DeliveryState

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
        await asyncio.to_thread(self._defer, reply_id, at)

    def _defer(self, reply_id: int, at: datetime | None) -> None:
        try:
            with self.engine.begin() as conn:
                raw: Any = conn.connection.driver_connection
                deferrer = self.app.configure_task(
                    DELIVER,
                    lock=f"reply:{reply_id}",
                    queueing_lock=f"reply:{reply_id}",
                    schedule_at=at,
                    connection=raw,
                )
                deferrer.defer(reply_id=reply_id)
        except AlreadyEnqueued:
            return


async def deliver(context: JobContext, reply_id: int) -> None:
    """One delivery attempt; the next one, if any, is a new job at ``retry_at``."""
    services = context.additional_context["assistant"].services
    step = await deliver_reply(services, reply_id)
    if not step.done:
        await services.scheduler.schedule(reply_id, step.retry_at)
        return
    row = await asyncio.to_thread(ReplyStore(services.queue.engine).get, reply_id)
    if row.state == DeliveryState.delivered and row.item_id and not row.automated:
        await _learn_later(context.app, row.item_id)


async def _learn_later(app: App, item_id: int) -> None:
    """A person's approval is learned from once its reply has reached the customer (the
    eval set only takes sent replies), as a job of its own: learning never delays or fails
    a delivery."""
    try:
        await app.configure_task(LEARN, queueing_lock=f"learn:{item_id}").defer_async(
            item_id=item_id
        )
    except AlreadyEnqueued:
        return


async def sweep_due_replies(context: JobContext, timestamp: int | None = None) -> None:
    """Pending replies that are due and ``sending`` ones a killed worker left get a job."""
    items = await schedule_due(context.additional_context["assistant"].services)
    if items:
        log.info("due replies scheduled", extra={"count": len(items)})
