"""Who runs a reply's delivery attempts, and when. The default delivers in this process
before the caller returns (the CLI and the one-machine default); a job engine replaces it by
setting ``Services.scheduler``. Either way the database row is the source of truth:
``due_replies`` lists what a runner or a restart must pick up."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from assistant.delivery.machine import deliver_reply, replies

if TYPE_CHECKING:
    from assistant.pipeline.context import Services

# How long an inline delivery waits out retries before it leaves the reply pending for the
# next runner (``assistant recover``, a worker): a command should not hang on a slow channel.
INLINE_WAIT_S = 10.0
MIN_PAUSE_S = 0.01


class DeliveryScheduler(Protocol):
    async def schedule(self, reply_id: int, at: datetime | None) -> None:
        """Make sure an attempt runs at ``at`` (None: now). Called again for a reply that is
        already scheduled, it must not send twice (``deliver_reply`` guarantees that)."""
        ...


class InlineDelivery:
    """Delivers now, in this process; transient failures are retried with their backoff for
    up to ``max_wait_s`` in all, then the row stays pending for whoever runs next."""

    def __init__(
        self,
        services: Services,
        max_wait_s: float = INLINE_WAIT_S,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.services = services
        self.max_wait_s = max_wait_s
        self.sleep = sleep

    async def schedule(self, reply_id: int, at: datetime | None) -> None:
        waited = 0.0
        while True:
            if at is not None:
                pause = max((at - self.services.clock()).total_seconds(), MIN_PAUSE_S)
                if waited + pause > self.max_wait_s:
                    return  # left pending, due at ``at``: recover or a worker delivers it
                await self.sleep(pause)
                waited += pause
            step = await deliver_reply(self.services, reply_id)
            if step.done:
                return
            at = step.retry_at or self.services.clock()


def due_replies(services: Services, now: datetime, limit: int = 100) -> list[int]:
    """Pending replies whose attempt is due, and ``sending`` ones a crash left behind."""
    return replies(services).due(now, limit)


async def schedule_due(services: Services, limit: int = 100) -> list[int]:
    """Hand every due reply to the scheduler (at start-up and from a periodic runner);
    returns their items."""
    store = replies(services)
    items = []
    for reply_id in store.due(services.clock(), limit):
        await services.scheduler.schedule(reply_id, None)
        item_id = store.get(reply_id).item_id
        if item_id is not None:
            items.append(item_id)
    return items
