"""The service layer the CLI and the console share: process messages, decide, recover."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from langgraph.types import Command
from sqlalchemy.exc import DBAPIError

from assistant.channels.outbox import ChannelSender
from assistant.checkpoints import open_checkpointer
from assistant.db import records_engine
from assistant.deps import Deps, build_deps, open_index
from assistant.errors import AssistantError, ConfigError, ConflictError
from assistant.evals.learn import learn
from assistant.intake.jsonl import quarantine
from assistant.intake.messages import Channel, InboundMessage
from assistant.knowledge.ask import Asked, ask
from assistant.knowledge.disclosure import with_disclosure
from assistant.knowledge.index import KnowledgeIndex, Progress, SyncReport
from assistant.knowledge.learning import propose
from assistant.knowledge.loader import Knowledge
from assistant.knowledge.order_store import SqlOrderStore
from assistant.knowledge.proposals import ProposalStore
from assistant.knowledge.status import KnowledgeStatus, LastSync, knowledge_status
from assistant.llm import model_slots
from assistant.pipeline.context import Services
from assistant.pipeline.drafting import Drafter
from assistant.pipeline.graph import build_graph
from assistant.review.bulk import BulkOutcome, bulk_refusal
from assistant.review.decisions import Approve, Decision, Edit, Reject
from assistant.review.leases import LEASE, OWNER, lease_fields
from assistant.review.models import ItemStatus, ReviewItem
from assistant.review.queue import Queue
from assistant.safety.model_claims import model_claim_check
from assistant.settings import Settings

PIPELINES_PER_MODEL_SLOT = 2  # messages in the pipeline per model request allowed in flight
SYNC_ACTION = "knowledge-sync"  # audit action of every sync: the knowledge page's "last sync"


@dataclass
class ProcessResult:
    message_id: str
    route: str | None
    topics: list[str]
    reasons: list[str]
    draft: str | None
    item_id: int
    thread_id: str
    status: str
    needs_attention: bool
    duplicate: bool = False
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Assistant:
    settings: Settings
    knowledge: Knowledge
    index: KnowledgeIndex
    orders: SqlOrderStore
    queue: Queue
    services: Services
    graph: Any = field(repr=False)
    proposals: ProposalStore = field(repr=False)

    # -- knowledge ---------------------------------------------------------------------

    def ingest(self, progress: Progress | None = None, actor: str | None = None) -> SyncReport:
        report = self.index.sync(self.knowledge.chunks, progress)
        self.orders.replace_all(self.knowledge.orders, self.knowledge.customers)
        summary = (
            f"added {len(report.added)}, updated {len(report.updated)}, removed "
            f"{len(report.removed)}, unchanged {report.unchanged}"
        )
        self.queue.audit(None, actor or self.settings.actor or "cli", SYNC_ACTION, reason=summary)
        return report

    def retrieve(self, question: str, channel: str | None = None) -> Asked:
        """What retrieval returns for ``question``: the chunks a draft would be grounded in,
        and whether the best one would be used as the answer."""
        return ask(self.index, question, self.knowledge.policy.retrieval.top_k, channel)

    # -- messages ----------------------------------------------------------------------

    async def process(self, message: InboundMessage) -> ProcessResult:
        """Run one message through the graph. Whatever fails, the message is kept in the queue."""
        try:
            item, created = self.queue.enqueue(self._new_item(message))
        except DBAPIError:
            raise  # the database itself failed: the edge says so
        except Exception as exc:  # poison data intake let through: queued plainly instead
            message = quarantine(message, type(exc).__name__)
            item, created = self.queue.enqueue(self._new_item(message))
        assert item.id is not None
        dumped = item.message
        if not created:
            return self._result(item, duplicate=True)
        payload: dict[str, Any] = {"message": dict(dumped), "item_id": item.id}
        if (earlier := self.queue.same_id_other_text(item)) is not None:
            payload["attention"] = (
                f"message id {message.id} was reused with different text (item "
                f"#{earlier.id} has the first text): check it is not a replay or a spoof"
            )
        await self._run(item, payload)
        return self._result(self.queue.get(item.id))

    def _new_item(self, message: InboundMessage) -> ReviewItem:
        sla = self.knowledge.policy.automation.for_channel(message.channel).sla_minutes
        return ReviewItem(
            message_id=message.id,
            thread_id=uuid.uuid4().hex,
            channel=message.channel,
            customer_key=message.customer_key,
            author_name=message.author.name,
            author_handle=message.author.handle,
            text=message.text,
            message=message.model_dump(mode="json"),
            received_at=message.received_at,
            due_at=message.received_at + timedelta(minutes=sla),
            lease_owner=OWNER,
            lease_expires_at=datetime.now(UTC) + LEASE,
        )

    async def process_many(
        self,
        messages: Iterable[InboundMessage],
        concurrency: int | None = None,
        on_result: Callable[[ProcessResult], None] | None = None,
    ) -> list[ProcessResult]:
        """``concurrency`` model requests at once (default ASSISTANT_CONCURRENCY), with up to
        twice as many messages in the pipeline: the steps around the model run while others
        wait on it, so the model is kept busy."""
        slots = concurrency or self.settings.concurrency
        limit = asyncio.Semaphore(PIPELINES_PER_MODEL_SLOT * slots)

        async def one(message: InboundMessage) -> ProcessResult:
            async with limit:
                result = await self.process(message)
            if on_result:
                on_result(result)
            return result

        with model_slots(slots):
            return list(await asyncio.gather(*(one(m) for m in messages)))

    async def _run(self, item: ReviewItem, payload: dict[str, Any] | None) -> None:
        config = {"configurable": {"thread_id": item.thread_id}}
        # The pipeline up to review has no side effect a re-run would repeat (sends are
        # recorded once per message), so it checkpoints only where it stops: one write per
        # message instead of one per step. A crash mid-way re-runs the message from the start.
        try:
            await self.graph.ainvoke(payload, config, context=self.services, durability="exit")
        except Exception as exc:  # the boundary: any failure lands in the queue, flagged
            await self._fail(item, f"{type(exc).__name__}: {exc}")

    async def _fail(self, item: ReviewItem, error: str) -> None:
        """Re-run the message on a fresh thread that goes straight to a person."""
        assert item.id is not None
        thread_id = uuid.uuid4().hex
        self.queue.update(item.id, thread_id=thread_id)
        config = {"configurable": {"thread_id": thread_id}}
        payload = {
            "message": item.message,
            "item_id": item.id,
            "failure": f"pipeline failed: {error}",
        }
        await self.graph.ainvoke(payload, config, context=self.services, durability="sync")

    def _result(self, item: ReviewItem, duplicate: bool = False) -> ProcessResult:
        assert item.id is not None
        draft = (
            with_disclosure(self.knowledge.policy.disclosure, item.draft) if item.draft else None
        )
        return ProcessResult(
            message_id=item.message_id,
            route=item.route,
            topics=item.topics,
            reasons=item.reasons,
            draft=draft,
            item_id=item.id,
            thread_id=item.thread_id,
            status=item.status,
            needs_attention=item.needs_attention,
            duplicate=duplicate,
            error=item.error,
        )

    # -- decisions ---------------------------------------------------------------------

    async def decide(
        self,
        item_id: int,
        decision: Decision,
        expected_version: int | None = None,
        role: str | None = None,
    ) -> ReviewItem:
        """Record the decision (or raise ConflictError), then resume the paused graph.
        ``role`` is the console user's; escalated items are theirs only if it matches."""
        if isinstance(decision, Approve | Edit):
            self._check_length(self.queue.get(item_id), decision)
        item = self.queue.decide(item_id, decision, expected_version, role)
        await self._resume(item)
        decided = self.queue.get(item_id)
        # A sent approval or edit may join the eval set (sampled, PII-redacted), and
        # proposes what it teaches the knowledge (a lead decides; nothing changes here).
        learn(self.settings, self.knowledge, self.orders, decided)
        if isinstance(decision, Approve | Edit):
            propose(self.proposals, self.knowledge, self.index.embedder, decided)
        return decided

    def _check_length(self, item: ReviewItem, decision: Approve | Edit) -> None:
        """A reply the channel would refuse or cut is not sent: the agent shortens it."""
        body = decision.text if isinstance(decision, Edit) else item.draft or ""
        policy = self.knowledge.policy
        limit = policy.automation.for_channel(Channel(item.channel)).max_reply_chars
        length = len(with_disclosure(policy.disclosure, body))
        if length > limit:
            raise ConfigError(
                f"Item #{item.id}: the reply is {length:,} characters with the disclosure; "
                f"{item.channel} allows {limit:,}. Shorten it, then send; nothing was sent."
            )

    async def decide_many(
        self, versions: dict[int, int], decision: Approve | Reject, role: str | None = None
    ) -> BulkOutcome:
        """Apply one approve or reject to many items, each at the version the agent saw.
        Items that may not be decided in bulk are refused with the reason, never skipped
        silently; the others are decided one by one (each audited and sent once)."""
        outcome = BulkOutcome()
        for item_id, version in versions.items():
            try:
                item = self.queue.get(item_id)
                why = bulk_refusal(item, decision)
                if why is None:
                    await self.decide(item_id, decision, version, role)
                    outcome.decided.append(item_id)
                    continue
            except AssistantError as exc:
                why = str(exc)
            outcome.refused[item_id] = why
        return outcome

    async def _resume(self, item: ReviewItem) -> None:
        config = {"configurable": {"thread_id": item.thread_id}}
        snapshot = await self.graph.aget_state(config)
        if snapshot.interrupts:
            await self.graph.ainvoke(
                Command(resume=item.decision), config, context=self.services, durability="sync"
            )
        elif snapshot.next:
            await self.graph.ainvoke(None, config, context=self.services, durability="sync")
        elif item.decided_by == "auto":  # crashed while auto-sending, before any checkpoint
            await self._run(item, {"message": item.message, "item_id": item.id})

    async def recover(self) -> list[int]:
        """Finish what a crash interrupted: unsent approvals and half-processed messages
        whose lease expired. Safe to run any time, from several processes at once: each
        item is taken by one of them, and sends are recorded once per item."""
        recovered = []
        for item in self.queue.take_expired(datetime.now(UTC)):
            assert item.id is not None
            if item.status == ItemStatus.approved:
                await self._resume(item)
            else:
                config = {"configurable": {"thread_id": item.thread_id}}
                snapshot = await self.graph.aget_state(config)
                if snapshot.next:  # continue from the last checkpoint
                    await self._run(item, None)
                else:  # crashed before the first checkpoint: start the message again
                    await self._run(item, {"message": item.message, "item_id": item.id})
            recovered.append(item.id)
        return recovered

    async def retry(
        self, item_id: int, actor: str, expected_version: int | None = None
    ) -> ProcessResult:
        """Run a flagged message through the pipeline again, on a new thread."""
        item = self.queue.get(item_id)
        if not ItemStatus(item.status).open:
            raise ConflictError(
                f"Item #{item_id} is {item.status}; only open items can be retried."
            )
        if expected_version is not None and expected_version != item.version:
            raise ConflictError(
                f"Item #{item_id} changed since you opened it; reload it before retrying."
            )
        return await self._rerun(item, actor, "retry", item.error)

    async def restore(self, item_id: int, actor: str) -> ProcessResult:
        """Bring a message hidden as spam back: it is drafted and goes to a person."""
        item = self.queue.get(item_id)
        if item.status != ItemStatus.hidden:
            raise ConflictError(
                f"Item #{item_id} is {item.status}, not hidden; nothing to restore."
            )
        return await self._rerun(item, actor, "restore", "not spam", restored_by=actor)

    async def _rerun(
        self, item: ReviewItem, actor: str, action: str, reason: str | None, **extra: str
    ) -> ProcessResult:
        """Run an item's message through the pipeline again on a fresh thread, audited."""
        assert item.id is not None
        self.queue.update(
            item.id,
            thread_id=uuid.uuid4().hex,
            status=ItemStatus.processing,
            **lease_fields(datetime.now(UTC)),
            needs_attention=False,
            error=None,
        )
        self.queue.audit(item.id, actor, action, before=item.draft, reason=reason)
        fresh = self.queue.get(item.id)
        await self._run(fresh, {"message": item.message, "item_id": item.id, **extra})
        return self._result(self.queue.get(item.id))


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


def inspect_knowledge(settings: Settings) -> KnowledgeStatus:
    """Each knowledge file's sync state and problems, and the last sync; works while files
    are broken."""
    index = open_index(settings)
    with open_records(settings) as records:
        event = records.queue.last_event(SYNC_ACTION)
    last = LastSync(at=event.at, by=event.actor, summary=event.reason or "") if event else None
    return knowledge_status(settings.knowledge_dir, index, last)


@asynccontextmanager
async def open_assistant(
    settings: Settings,
    *,
    deps: Deps | None = None,
    drafter: Drafter | None = None,
    channel: ChannelSender | None = None,
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
    async with open_checkpointer(settings) as saver:
        graph = build_graph(saver)
        try:
            yield Assistant(
                settings=settings,
                knowledge=parts.knowledge,
                index=parts.index,
                orders=orders,
                queue=queue,
                services=services,
                graph=graph,
                proposals=ProposalStore(parts.engine),
            )
        finally:
            if owned:
                parts.engine.dispose()
