"""Wiring ``assistant serve`` from settings. On Postgres the API only stores and defers
(procrastinate workers do the rest); on the embedded SQLite default ``serve`` also starts
the job runner, as a child process of its own, so one command is the whole service."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlmodel import col

from assistant.channels.meta.config import load_channels
from assistant.checkpoints import is_postgres
from assistant.db import database_url, make_engine
from assistant.deps import open_index
from assistant.errors import ConfigError
from assistant.jobs.engine import ProcrastinateJobs, has_schema, job_app
from assistant.jobs.queue import RowsAreTheQueue
from assistant.jobs.runner_process import RunnerProcess
from assistant.knowledge.index import KnowledgeIndex
from assistant.knowledge.loader import load_knowledge
from assistant.logs import configure_json_logging
from assistant.review.models import ItemStatus, ReviewItem
from assistant.service.app import ServiceDeps, create_app
from assistant.service.metrics import reply_lines
from assistant.service.webhooks import webhook_routers
from assistant.settings import Settings, load_settings


def build_service(settings: Settings) -> FastAPI:
    if settings.intake_api_key is None or not settings.intake_api_key.get_secret_value():
        raise ConfigError(
            "Set ASSISTANT_INTAKE_API_KEY (the Bearer key clients send to POST /v1/messages) "
            "before starting the service, e.g. ASSISTANT_INTAKE_API_KEY=$(openssl rand -hex 24)."
        )
    channels = load_channels(settings)  # a bad channels.yaml stops here, with file:line
    # The API stores and answers: no detectors or drafter here (the jobs build their own).
    knowledge = load_knowledge(settings.knowledge_dir)
    engine = make_engine(database_url(settings))
    knowledge_index = open_index(settings, knowledge.policy.retrieval.min_score)

    def database() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def index() -> None:
        _index_reachable(knowledge_index)

    if is_postgres(database_url(settings)):
        if not has_schema(engine):
            raise ConfigError("The job tables are missing: run 'assistant db upgrade' first.")
        jobs = ProcrastinateJobs(job_app(settings, periodic=False))
        service = ServiceDeps(
            settings=settings,
            engine=engine,
            policy=knowledge.policy,
            jobs=jobs,
            readiness={"database": database, "index": index, "engine": _jobs_table(engine)},
            job_states=lambda: procrastinate_states(engine),
            metric_sources=[lambda: reply_lines(engine)],
        )
        return create_app(service, routers=webhook_routers(service, channels))

    runner = RunnerProcess(settings)

    @asynccontextmanager
    async def run_jobs_beside(app: FastAPI) -> AsyncIterator[None]:
        runner.start()
        try:
            yield
        finally:
            await asyncio.to_thread(runner.stop)

    def engine_alive() -> None:
        if not runner.running:
            raise RuntimeError("the job runner is not running (it is being started again)")

    service = ServiceDeps(
        settings=settings,
        engine=engine,
        policy=knowledge.policy,
        jobs=RowsAreTheQueue(runner.wake),
        readiness={"database": database, "index": index, "engine": engine_alive},
        job_states=lambda: in_flight_states(engine),
        metric_sources=[lambda: reply_lines(engine)],
    )
    return create_app(service, routers=webhook_routers(service, channels), lifespan=run_jobs_beside)


def check_api_workers(settings: Settings, asked: int | None) -> int:
    """How many API processes to run: several only on Postgres. On SQLite each would start
    a job runner of its own and only its own would be woken, and one file takes one writer
    at a time anyway, so a second process adds contention, not throughput."""
    workers = asked or settings.api_workers
    if workers > 1 and not is_postgres(database_url(settings)):
        raise ConfigError(
            f"--api-workers {workers} needs Postgres (ASSISTANT_DATABASE_URL): on the SQLite "
            "default 'assistant serve' runs one API process beside its job runner."
        )
    return workers


def service_from_env() -> FastAPI:
    """One API process of several (``serve --api-workers N``): settings from the environment
    the parent process passed on."""
    settings = load_settings()
    configure_json_logging(settings.log_text)
    app = build_service(settings)
    gc.freeze()  # as in the one-process serve: keep long-lived objects out of full passes
    return app


def _index_reachable(index: KnowledgeIndex) -> None:
    index.count()


def _jobs_table(engine: Engine) -> Callable[[], None]:
    def check() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1 FROM procrastinate_jobs LIMIT 1"))

    return check


def procrastinate_states(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY status")
        ).all()
    return {str(status): int(n) for status, n in rows}


def in_flight_states(engine: Engine) -> dict[str, int]:
    """On the embedded default the in-flight items are the jobs: waiting or being run."""
    with engine.connect() as conn:
        leased = col(ReviewItem.lease_owner).is_not(None)
        query = (
            select(leased, func.count())
            .where(col(ReviewItem.status).in_([ItemStatus.processing, ItemStatus.approved]))
            .group_by(leased)
        )
        rows = conn.execute(query).all()
    return {("doing" if is_leased else "todo"): int(n) for is_leased, n in rows}
