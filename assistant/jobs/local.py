"""The one-machine default: ``assistant serve`` on SQLite runs the job functions itself, in
a process of its own (``runner_process``). The database rows are the queue: an item stored
by the API is ``processing`` with no lease, and one a crash left behind has its dead owner's
lease; both are found here, so nothing is lost across a restart. (On Postgres, procrastinate
workers do this instead.)"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime

from assistant.app import Assistant
from assistant.delivery import DeliveryPool, schedule_due
from assistant.jobs.retention import next_run, retention_pass
from assistant.jobs.retry import backoff_seconds
from assistant.users.actor import SYSTEM_ACTOR

log = logging.getLogger("assistant.jobs")
POLL_S = 2.0  # a woken runner starts at once; the poll only catches what nobody announced
BATCH = 100
SWEEP_S = 10.0  # how often due replies (a crash's, a long retry's) are looked for in the rows
DELIVERY_SLOTS = 16  # replies talking to the channel at once


class LocalRunner:
    def __init__(self, concurrency: int) -> None:
        self.concurrency = concurrency
        self._assistant: Assistant | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._woken = asyncio.Event()
        self._stopping = False
        self.processed = 0
        self._retry_at: dict[int, float] = {}  # items whose attempt here failed: when to retry
        self._attempts: dict[int, int] = {}

    def wake(self) -> None:
        """Thread-safe: whoever stored new work calls this (through the runner's process)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._woken.set)

    def request_stop(self) -> None:
        """Take nothing new; the runs in progress finish and ``run`` returns (a leased item
        left by a kill is picked up on the next start). Thread-safe."""
        self._stopping = True
        self.wake()

    async def run(self, assistant: Assistant) -> None:
        """Until ``request_stop``: take waiting items from the database, ``concurrency`` at a
        time."""
        self._assistant, self._loop = assistant, asyncio.get_running_loop()
        # Replies are delivered by tasks of this loop: a run returns once its reply is
        # recorded, and retries wait here rather than in the run.
        assistant.services.scheduler = DeliveryPool(assistant.services, DELIVERY_SLOTS)
        limit = asyncio.Semaphore(self.concurrency)
        swept = -SWEEP_S
        cron, clock = assistant.settings.retention_cron, assistant.services.clock
        retention_at = next_run(cron, clock())
        while not self._stopping:
            self._woken.clear()
            if time.monotonic() - swept >= SWEEP_S:
                swept = time.monotonic()
                await self._hand_over_due_replies(assistant)
            if clock() >= retention_at:
                # from now, not from the missed slot: a machine asleep for days runs it once
                retention_at = next_run(cron, clock())
                await self._apply_retention(assistant)
            try:
                waiting = await asyncio.to_thread(assistant.queue.waiting, datetime.now(UTC), BATCH)
            except Exception as exc:  # the database is down: wait for it, lose nothing
                log.error("runner poll failed", extra={"error": type(exc).__name__})
                waiting = []
            waiting += self._due_retries()
            if waiting:
                await asyncio.gather(*(self._one(item_id, limit) for item_id in waiting))
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), POLL_S)

    async def _hand_over_due_replies(self, assistant: Assistant) -> None:
        try:
            await schedule_due(assistant.services)
        except Exception as exc:  # the rows stay pending: the next sweep finds them
            log.error("delivery sweep failed", extra={"error": type(exc).__name__})

    async def _apply_retention(self, assistant: Assistant) -> None:
        try:
            await retention_pass(assistant)
        except Exception as exc:  # nothing removed this time: the next period tries again
            log.error("retention run failed", extra={"error": type(exc).__name__})

    def _due_retries(self) -> list[int]:
        now = time.monotonic()
        due = [item_id for item_id, at in self._retry_at.items() if at <= now]
        for item_id in due:
            del self._retry_at[item_id]
        return due

    async def _one(self, item_id: int, limit: asyncio.Semaphore) -> None:
        assert self._assistant is not None
        async with limit:
            if self._stopping:
                return
            try:
                await self._assistant.inbox.run_stored(SYSTEM_ACTOR, item_id)
                self.processed += 1
            except Exception as exc:  # kept in flight (leased here): tried again shortly
                attempts = self._attempts.get(item_id, 0) + 1
                self._attempts[item_id] = attempts
                self._retry_at[item_id] = time.monotonic() + backoff_seconds(attempts)
                log.error("process failed", extra={"item_id": item_id, "error": type(exc).__name__})
                return
            self._attempts.pop(item_id, None)
