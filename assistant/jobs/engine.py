"""procrastinate on Postgres: the App built from settings, its schema, and deferring a job
inside our own transaction. Retries, per-thread locks, periodic jobs and stalled-job retry
are procrastinate's; nothing here is a queue of our own."""

from __future__ import annotations

from typing import Any

from procrastinate import App, PsycopgConnector
from procrastinate.schema import SchemaManager
from sqlalchemy import Connection, func, inspect, select
from sqlalchemy.engine import Engine

from assistant.checkpoints import is_postgres, psycopg_conninfo
from assistant.db import database_url
from assistant.errors import ConfigError
from assistant.jobs.delivery import DELIVER, LEARN, SWEEP
from assistant.jobs.retry import Backoff
from assistant.jobs.tasks import TASKS
from assistant.migrations import ADVISORY_LOCK
from assistant.settings import Settings

PROCESS = "process_message"
POOL_MAX = 4  # per worker process: fetch, heartbeat, listen and the jobs' own writes
# Which queue each task runs on, so a worker can be started for some of them only.
QUEUES = {
    PROCESS: "messages",
    LEARN: "learning",
    "ingest_knowledge": "maintenance",
    "nightly_eval": "maintenance",
    "apply_retention": "maintenance",
    "retry_stalled_jobs": "maintenance",
    # No procrastinate retry: the state machine schedules its own next attempt.
    DELIVER: "delivery",
    SWEEP: "delivery",
}
# Work a retry can finish retries as long as the fault lasts; maintenance gives up early
# (the next period runs it again).
RETRIES = {PROCESS: Backoff(), LEARN: Backoff(max_attempts=8)}


def job_app(settings: Settings, *, periodic: bool = True) -> App:
    """The procrastinate App for ``settings``' Postgres database (not opened). ``periodic``
    registers the cron jobs; a ``--burst`` worker leaves them out."""
    url = database_url(settings)
    if not is_postgres(url):
        raise ConfigError(
            "Workers need PostgreSQL (ASSISTANT_DATABASE_URL=postgresql+psycopg://...). On "
            "the embedded SQLite default, 'assistant serve' runs the jobs in-process."
        )
    connector = PsycopgConnector(
        conninfo=psycopg_conninfo(url),
        min_size=1,
        max_size=POOL_MAX,
        kwargs={"prepare_threshold": 0},
    )
    app = App(connector=connector)
    for name, fn in TASKS.items():
        app.task(name=name, queue=QUEUES[name], pass_context=True, retry=RETRIES.get(name, False))(
            fn
        )
    if periodic:
        crons = {
            "retry_stalled_jobs": settings.stalled_jobs_cron,
            SWEEP: settings.delivery_sweep_cron,
            "ingest_knowledge": settings.ingest_cron,
            "nightly_eval": settings.eval_cron,
            "apply_retention": settings.retention_cron,
        }
        for name, cron in crons.items():
            app.periodic(cron=cron, periodic_id=name)(app.tasks[name])
    return app


class ProcrastinateJobs:
    """Defers jobs with procrastinate on the caller's connection: the job row is part of the
    transaction that stores the item (committed together, or neither)."""

    def __init__(self, app: App) -> None:
        self.app = app

    def defer_process(self, conn: Connection, item_id: int, thread_id: str) -> None:
        raw: Any = conn.connection.driver_connection
        # One job per LangGraph thread at a time: two runs on one thread fork its checkpoints.
        deferrer = self.app.configure_task(PROCESS, lock=f"thread:{thread_id}", connection=raw)
        deferrer.defer(item_id=item_id)

    def committed(self) -> None:
        return None  # workers hear of new jobs through LISTEN/NOTIFY


def has_schema(engine: Engine) -> bool:
    return "procrastinate_jobs" in inspect(engine).get_table_names()


def apply_schema(engine: Engine) -> bool:
    """procrastinate's tables, created by ``assistant db upgrade`` once; True if created.
    Its schema is its own (versioned with the package), so it is not an Alembic revision;
    it is applied under the migrations' advisory lock, so two deploys never both create it."""
    with engine.begin() as conn:
        conn.execute(select(func.pg_advisory_xact_lock(ADVISORY_LOCK)))
        if "procrastinate_jobs" in inspect(conn).get_table_names():
            return False
        raw: Any = conn.connection.driver_connection
        raw.execute(SchemaManager.get_schema())  # no parameters: many statements at once
    return True
