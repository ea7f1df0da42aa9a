"""Which ``DeliveryScheduler`` a process that opens the services gets. On Postgres with the
job tables in place, workers deliver: every process (worker, console, CLI) records the reply
and defers a ``deliver_reply`` job, never calling a channel itself. Elsewhere (the SQLite
default, a Postgres database without workers' tables) the reply is delivered in-process."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sqlalchemy.engine import Engine

from assistant.delivery import DeliveryScheduler, InlineDelivery
from assistant.pipeline.context import Services
from assistant.services.review import ReviewService
from assistant.settings import Settings


def delivery_scheduler(settings: Settings, engine: Engine, services: Services) -> DeliveryScheduler:
    if engine.dialect.name != "postgresql":
        return InlineDelivery(services)
    # Imported here: the job modules import the app module that calls this.
    from assistant.jobs.delivery import ProcrastinateDelivery
    from assistant.jobs.engine import has_schema, job_app

    if not has_schema(engine):
        return InlineDelivery(services)
    return ProcrastinateDelivery(job_app(settings, periodic=False), engine)


def delivery_learner(
    scheduler: DeliveryScheduler, review: ReviewService
) -> Callable[[int], Awaitable[None]]:
    """What runs once a person's approval reached the customer (the eval set only takes sent
    replies). Where workers deliver, a ``learn_from_approval`` job of its own, so learning
    never delays or fails a delivery; elsewhere, here, off the event loop."""
    from assistant.jobs.delivery import ProcrastinateDelivery

    if isinstance(scheduler, ProcrastinateDelivery):
        return scheduler.learn

    async def learn_here(item_id: int) -> None:
        await asyncio.to_thread(lambda: review.learn_from(review.runs.queue.get(item_id)))

    return learn_here
