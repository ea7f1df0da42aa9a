"""Wiring: the services the CLI and the console share, built on one ``Deps`` per process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assistant.channels.adapter import ChannelAdapter
from assistant.checkpoints import open_checkpointer
from assistant.db import records_engine
from assistant.deps import Deps, build_deps
from assistant.jobs.scheduling import delivery_learner, delivery_scheduler
from assistant.knowledge.index import KnowledgeIndex
from assistant.knowledge.loader import Knowledge
from assistant.knowledge.order_store import SqlOrderStore
from assistant.knowledge.proposals import ProposalStore
from assistant.pipeline.context import Services
from assistant.pipeline.drafting import Drafter
from assistant.pipeline.graph import build_graph
from assistant.review.queue import Queue
from assistant.safety.model_claims import model_claim_check
from assistant.services.claims import ClaimService
from assistant.services.inbox import InboxService
from assistant.services.knowledge import KnowledgeService
from assistant.services.review import ReviewService
from assistant.services.runs import PipelineRuns, ProcessResult
from assistant.settings import Settings

__all__ = ["Assistant", "ProcessResult", "Records", "open_assistant", "open_records"]


@dataclass
class Assistant:
    """The services for one event loop, grouped: ``inbox`` (process, recover), ``review``
    (decide, bulk, retry, restore), ``claims`` and ``library`` (ingest, retrieve). Each action
    takes an ``Actor`` and checks its role itself."""

    settings: Settings
    knowledge: Knowledge
    index: KnowledgeIndex
    orders: SqlOrderStore
    queue: Queue
    services: Services
    runs: PipelineRuns = field(repr=False)
    inbox: InboxService = field(repr=False)
    review: ReviewService = field(repr=False)
    library: KnowledgeService = field(repr=False)
    claims: ClaimService = field(repr=False)

    @property
    def graph(self) -> Any:
        return self.runs.graph

    @graph.setter
    def graph(self, graph: Any) -> None:  # benchmarks swap the checkpointer's graph
        self.runs.graph = graph


@dataclass(frozen=True)
class Records:
    """The stored side only (queue, orders): what reading screens need. Opens without the
    knowledge folder, so a broken knowledge file never hides the queue."""

    queue: Queue
    orders: SqlOrderStore


@contextmanager
def open_records(settings: Settings) -> Iterator[Records]:
    engine = records_engine(settings)
    yield Records(queue=Queue(engine), orders=SqlOrderStore(engine))


@asynccontextmanager
async def open_assistant(
    settings: Settings,
    *,
    deps: Deps | None = None,
    drafter: Drafter | None = None,
    channel: ChannelAdapter | None = None,
    clock: Callable[[], datetime] | None = None,
) -> AsyncIterator[Assistant]:
    """Wire the real parts (``deps``, built here unless given) to a checkpointer for this
    event loop. ``drafter``, ``channel`` and ``clock`` override the deps' own."""
    owned = deps is None
    base = build_deps(settings) if deps is None else deps
    parts = base.override(drafter=drafter, channel=channel, clock=clock)
    orders = SqlOrderStore(parts.engine)
    queue = Queue(parts.engine)
    services = Services(
        knowledge=parts.knowledge,
        index=parts.index,
        orders=orders,
        queue=queue,
        drafter=parts.drafter,
        channel=parts.channel,
        detectors=parts.detectors,
        clock=parts.clock,
        claim_model=model_claim_check(settings),
    )
    services.scheduler = delivery_scheduler(settings, parts.engine, services)
    async with open_checkpointer(settings) as saver:
        runs = PipelineRuns(parts.knowledge, queue, build_graph(saver), services)
        proposals = ProposalStore(parts.engine)
        review = ReviewService(settings, runs, parts.index, orders, proposals)
        services.learn = delivery_learner(services.scheduler, review)
        try:
            yield Assistant(
                settings=settings,
                knowledge=parts.knowledge,
                index=parts.index,
                orders=orders,
                queue=queue,
                services=services,
                runs=runs,
                inbox=InboxService(runs, settings.concurrency),
                review=review,
                library=KnowledgeService(parts.knowledge, parts.index, orders, queue),
                claims=ClaimService(queue),
            )
        finally:
            if owned:
                parts.engine.dispose()
