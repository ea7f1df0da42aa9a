"""An in-process runner: delivery attempts as asyncio tasks, ``concurrency`` talking to the
channel at once while as many more claim or record theirs, each reply that is not done put
back for its retry time. For a process that lives long enough to wait out retries
(``serve`` on one machine, benchmarks); the CLI uses ``InlineDelivery``; at scale a job
engine runs ``deliver_reply``."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import TYPE_CHECKING

from assistant.delivery.machine import deliver_reply

if TYPE_CHECKING:
    from assistant.pipeline.context import Services

log = logging.getLogger(__name__)

MIN_PAUSE_S = 0.05  # between attempts on one reply, whatever the step asked
ERROR_PAUSE_S = 1.0  # after an attempt failed outright (e.g. the database was unreachable)


class DeliveryPool:
    def __init__(self, services: Services, concurrency: int = 16) -> None:
        self.services = services
        self.sending = asyncio.Semaphore(concurrency)
        # Claims wait for a sending slot: twice as many keeps the channel busy while the
        # database work of the others overlaps, and no claim waits long enough to lapse.
        self.attempts = asyncio.Semaphore(2 * concurrency)
        self.tasks: set[asyncio.Task[None]] = set()

    async def schedule(self, reply_id: int, at: datetime | None) -> None:
        task = asyncio.create_task(self._attempt(reply_id, at))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def drain(self) -> None:
        """Wait until every scheduled reply is done (delivered, or failed to a person)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks))

    async def _attempt(self, reply_id: int, at: datetime | None) -> None:
        if at is not None:
            await asyncio.sleep(max((at - self.services.clock()).total_seconds(), 0))
        try:
            async with self.attempts:
                step = await deliver_reply(self.services, reply_id, self.sending)
        except Exception:  # the row is the truth: try again shortly, never drop it
            log.exception("delivery attempt for reply %s failed; retrying", reply_id)
            await asyncio.sleep(ERROR_PAUSE_S)
            await self.schedule(reply_id, None)
            return
        if not step.done:
            pause = max(
                (step.retry_at - self.services.clock()).total_seconds() if step.retry_at else 0,
                MIN_PAUSE_S,
            )
            await asyncio.sleep(pause)
            await self.schedule(reply_id, None)
