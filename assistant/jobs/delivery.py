"""Delivery on procrastinate (issue 10, part A's ``assistant.delivery`` does the sending):
``ProcrastinateDelivery`` is the ``DeliveryScheduler`` that workers and the console use on
Postgres, and ``deliver`` the job. One attempt per job; a transient failure defers the next
attempt at the ``retry_at`` the state machine chose (its backoff honours Retry-After).

Wiring at merge (see the closing note): add ``deliver`` to ``tasks.TASKS`` (queue
"delivery", no procrastinate retry: the state machine schedules its own), and set
``services.scheduler = ProcrastinateDelivery(app)`` wherever a Postgres process opens the
services (worker, console, API)."""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Any

from procrastinate import App, JobContext
from procrastinate.exceptions import AlreadyEnqueued

DELIVER = "deliver_reply"


class ProcrastinateDelivery:
    def __init__(self, app: App) -> None:
        self.app = app

    async def schedule(self, reply_id: int, at: datetime | None) -> None:
        """Queue one attempt at ``at``. The queueing lock keeps one waiting job per reply;
        a second schedule while one waits is a no-op (``deliver_reply`` never sends twice)."""
        deferrer = self.app.configure_task(
            DELIVER,
            lock=f"reply:{reply_id}",
            queueing_lock=f"reply:{reply_id}",
            schedule_at=at,
        )
        try:
            await deferrer.defer_async(reply_id=reply_id)
        except AlreadyEnqueued:
            return


async def deliver(context: JobContext, reply_id: int) -> None:
    """One delivery attempt; the next one, if any, is a new job at ``retry_at``."""
    machine: Any = importlib.import_module("assistant.delivery")
    services = context.additional_context["assistant"].services
    step = await machine.deliver_reply(services, reply_id)
    if not step.done:
        await ProcrastinateDelivery(context.app).schedule(reply_id, step.retry_at)
