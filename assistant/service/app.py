"""``create_app``: the FastAPI application. Everything it needs comes in ``ServiceDeps``;
more routers (the Meta webhooks) are passed in ``routers`` or added with
``app.include_router`` and store messages through ``intake.accept_messages``."""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col
from starlette.concurrency import run_in_threadpool

from assistant.jobs.queue import JobQueue
from assistant.knowledge.policy import Policy
from assistant.review.models import ItemStatus, ReviewItem
from assistant.service.intake import InvalidBatchError, accept_messages, parse_messages
from assistant.service.metrics import MetricSource, RequestMetrics, job_lines, queue_lines
from assistant.settings import Settings

log = logging.getLogger("assistant.service")
MAX_IN_FLIGHT = 64  # requests handled at once; past this the API answers 429 at once
BACKLOG_CHECK_S = 1.0  # how stale the backlog count may be
READY_TIMEOUT_S = 5.0


@dataclass
class ServiceDeps:
    settings: Settings
    engine: Engine
    policy: Policy
    jobs: JobQueue
    # name -> a check that raises when that part is down ("database", "index", "engine")
    readiness: dict[str, Callable[[], None]]
    job_states: Callable[[], dict[str, int]]
    metric_sources: list[MetricSource] = field(default_factory=list)
    metrics: RequestMetrics = field(default_factory=RequestMetrics)


def error(status: int, detail: str, **extra: Any) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status in (429, 503):
        headers = {"Retry-After": "1"}
    return JSONResponse({"detail": detail, **extra}, status_code=status, headers=headers)


class Backlog:
    """Messages stored but not yet processed, counted at most once a second."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.checked, self.count = 0.0, 0

    def stale(self) -> bool:
        return time.monotonic() - self.checked > BACKLOG_CHECK_S

    def recount(self) -> None:
        with self.engine.connect() as conn:
            waiting = col(ReviewItem.status) == ItemStatus.processing
            query = select(func.count()).select_from(ReviewItem).where(waiting)
            self.count = conn.execute(query).scalar_one()
        self.checked = time.monotonic()


def create_app(
    deps: ServiceDeps,
    *,
    routers: Sequence[APIRouter] = (),
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
) -> FastAPI:
    app = FastAPI(title="Reply Assistant", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.deps = deps
    settings = deps.settings
    slots = asyncio.Semaphore(MAX_IN_FLIGHT)
    backlog = Backlog(deps.engine)

    @app.middleware("http")
    async def timed(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        seconds = time.perf_counter() - started
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        deps.metrics.observe(path, response.status_code, seconds)
        log.info(
            "request",
            extra={"route": path, "status": response.status_code, "ms": round(seconds * 1000, 2)},
        )
        return response

    @app.post("/v1/messages", status_code=202)
    async def post_messages(request: Request) -> Response:
        if not _authorised(request, settings):
            return error(401, "Missing or wrong API key: send Authorization: Bearer <key>.")
        if slots.locked():
            return error(429, "Too many requests at once; retry in a second.")
        async with slots:
            body = await _read_bounded(request, settings.max_body_bytes)
            if body is None:
                limit = f"{settings.max_body_bytes:,}"
                return error(413, f"The body is larger than {limit} bytes; send smaller batches.")
            try:
                messages = parse_messages(body, settings.max_batch)
            except InvalidBatchError as exc:
                problems = [{"field": p.field, "message": p.message} for p in exc.problems]
                return error(422, f"Nothing was stored: {exc}"[:2000], problems=problems)
            try:
                if backlog.stale():  # a thread hop only once a second
                    await run_in_threadpool(backlog.recount)
                if backlog.count >= settings.max_backlog:
                    return error(429, "The backlog is full; retry later.")
                accepted = await run_in_threadpool(
                    accept_messages, deps.engine, deps.jobs, deps.policy, messages
                )
            except SQLAlchemyError as exc:
                log.error("intake failed", extra={"error": type(exc).__name__})
                return error(503, "The database is unavailable; nothing was stored. Retry.")
        status = 200 if all(a.duplicate for a in accepted) else 202
        return JSONResponse({"items": [a.as_json() for a in accepted]}, status_code=status)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        results = await asyncio.gather(*(_check(check) for check in deps.readiness.values()))
        parts = dict(zip(deps.readiness, results, strict=True))
        ready = all(v == "ok" for v in parts.values())
        return JSONResponse(parts, status_code=200 if ready else 503)

    @app.get("/metrics")
    async def metrics() -> PlainTextResponse:
        lines = deps.metrics.lines()
        try:
            lines += await run_in_threadpool(queue_lines, deps.engine)
            lines += job_lines(await run_in_threadpool(deps.job_states))
            for source in deps.metric_sources:
                lines += list(await run_in_threadpool(_listed, source))
        except SQLAlchemyError:
            lines.append("# the database is unavailable: gauges left out")
        return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")

    for router in routers:
        app.include_router(router)
    return app


def _listed(source: MetricSource) -> Iterable[str]:
    return list(source())


def _authorised(request: Request, settings: Settings) -> bool:
    if settings.intake_api_key is None:
        return False  # no key configured: nothing is accepted
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    expected = settings.intake_api_key.get_secret_value().encode()
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected)


async def _read_bounded(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it is past ``limit`` (a 10 MB body is never buffered)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _check(check: Callable[[], None]) -> str:
    try:
        await asyncio.wait_for(run_in_threadpool(check), READY_TIMEOUT_S)
    except TimeoutError:
        return f"timed out after {READY_TIMEOUT_S:.0f} s"
    except Exception as exc:  # a readiness probe reports any failure, it never raises
        return f"down ({type(exc).__name__})"
    return "ok"
