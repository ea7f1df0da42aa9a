"""Which ``DeliveryScheduler`` a process that opens the services gets. On Postgres with the
job tables in place, workers deliver: every process (worker, console, CLI) records the reply
and defers a ``deliver_reply`` job, never calling a channel itself. Elsewhere (the SQLite
default, a Postgres database without workers' tables) the reply is delivered in-process."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from assistant.delivery import DeliveryScheduler, InlineDelivery
from assistant.pipeline.context import Services
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
