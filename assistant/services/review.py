"""A person's work on the queue: decide one or many, retry, restore, claim and release.
Each action checks the actor's role; escalated items are decided only by the role they
went to (and admins)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from assistant.channels.meta.wiring import set_hidden_on_platform
from assistant.channels.reply_deadlines import closed_refusal, item_window
from assistant.errors import AssistantError, ConfigError, ConflictError
from assistant.evals.learn import learn
from assistant.intake.messages import Channel, InboundMessage
from assistant.knowledge.disclosure import with_disclosure
from assistant.knowledge.index import KnowledgeIndex
from assistant.knowledge.learning import propose
from assistant.knowledge.order_store import SqlOrderStore
from assistant.knowledge.proposals import ProposalStore
from assistant.review.bulk import BulkOutcome, bulk_refusal
from assistant.review.decisions import Approve, Decision, Edit, Reject
from assistant.review.leases import lease_fields
from assistant.review.models import AuditAction, ItemStatus, ReviewItem
from assistant.services.runs import PipelineRuns, ProcessResult
from assistant.settings import Settings
from assistant.users.actor import Actor
from assistant.users.roles import Permission


@dataclass
class ReviewService:
    settings: Settings
    runs: PipelineRuns
    index: KnowledgeIndex
    orders: SqlOrderStore
    proposals: ProposalStore

    async def decide(
        self,
        actor: Actor,
        item_id: int,
        decision: Decision,
        expected_version: int | None = None,
    ) -> ReviewItem:
        """Record the decision (or raise ConflictError), then resume the paused graph."""
        actor.require(Permission.decide)
        return await self._decide(actor, item_id, decision, expected_version)

    async def _decide(
        self, actor: Actor, item_id: int, decision: Decision, expected_version: int | None
    ) -> ReviewItem:
        queue = self.runs.queue
        if isinstance(decision, Approve | Edit):
            current = queue.get(item_id)
            self._check_length(current, decision)
            self._check_window(current)
        item = queue.decide(item_id, decision, expected_version, actor.role)
        # An approval is learned from once its reply is delivered, by whichever runner
        # delivers it (here, a worker, or a retry later): ``Services.learn``.
        await self.runs.resume(item)
        return queue.get(item_id)

    def learn_from(self, decided: ReviewItem) -> None:
        """A sent approval or edit may join the eval set (sampled, PII-redacted), and
        proposes what it teaches the knowledge (a lead decides; nothing changes here)."""
        knowledge = self.runs.knowledge
        learn(self.settings, knowledge, self.orders, decided)
        if (decided.decision or {}).get("kind") in {"approve", "edit"}:
            propose(self.proposals, knowledge, self.index.embedder, decided)

    def _check_window(self, item: ReviewItem) -> None:
        """A reply the platform's window no longer allows is refused now, not at send time."""
        policy = self.runs.knowledge.policy
        now = datetime.now(UTC)
        window = item_window(self.runs.queue.engine, item, now, self.settings, policy)
        if (refusal := closed_refusal(window, item.id)) is not None:
            raise ConfigError(refusal)

    def _check_length(self, item: ReviewItem, decision: Approve | Edit) -> None:
        """A reply the channel would refuse or cut is not sent: the agent shortens it."""
        body = decision.text if isinstance(decision, Edit) else item.draft or ""
        policy = self.runs.knowledge.policy
        limit = policy.automation.for_channel(Channel(item.channel)).max_reply_chars
        length = len(with_disclosure(policy.disclosure, body))
        if length > limit:
            raise ConfigError(
                f"Item #{item.id}: the reply is {length:,} characters with the disclosure; "
                f"{item.channel} allows {limit:,}. Shorten it, then send; nothing was sent."
            )

    async def decide_many(
        self, actor: Actor, versions: dict[int, int], decision: Approve | Reject
    ) -> BulkOutcome:
        """Apply one approve or reject to many items, each at the version the agent saw.
        Items that may not be decided in bulk are refused with the reason, never skipped
        silently; the others are decided one by one (each audited and sent once)."""
        actor.require(Permission.bulk_decide)
        outcome = BulkOutcome()
        for item_id, version in versions.items():
            try:
                item = self.runs.queue.get(item_id)
                why = bulk_refusal(item, decision)
                if why is None:
                    await self._decide(actor, item_id, decision, version)
                    outcome.decided.append(item_id)
                    continue
            except AssistantError as exc:
                why = str(exc)
            outcome.refused[item_id] = why
        return outcome

    async def retry(
        self, actor: Actor, item_id: int, expected_version: int | None = None
    ) -> ProcessResult:
        """Run a flagged message through the pipeline again, on a new thread."""
        actor.require(Permission.decide)
        item = self.runs.queue.get(item_id)
        if not ItemStatus(item.status).open:
            raise ConflictError(
                f"Item #{item_id} is {item.status}; only open items can be retried."
            )
        if expected_version is not None and expected_version != item.version:
            raise ConflictError(
                f"Item #{item_id} changed since you opened it; reload it before retrying."
            )
        return await self._rerun(item, actor, AuditAction.retry, item.error)

    async def restore(self, actor: Actor, item_id: int) -> ProcessResult:
        """Bring a message hidden as spam back: it is drafted and goes to a person."""
        actor.require(Permission.decide)
        item = self.runs.queue.get(item_id)
        if item.status != ItemStatus.hidden:
            raise ConflictError(
                f"Item #{item_id} is {item.status}, not hidden; nothing to restore."
            )
        message = InboundMessage.model_validate(item.message)
        await set_hidden_on_platform(self.runs.services.channel, message, False)
        return await self._rerun(
            item, actor, AuditAction.restore, "not spam", restored_by=actor.name
        )

    async def _rerun(
        self, item: ReviewItem, actor: Actor, action: AuditAction, reason: str | None, **extra: str
    ) -> ProcessResult:
        """Run an item's message through the pipeline again on a fresh thread, audited."""
        assert item.id is not None
        queue = self.runs.queue
        queue.update(
            item.id,
            thread_id=uuid.uuid4().hex,
            status=ItemStatus.processing,
            **lease_fields(datetime.now(UTC)),
            needs_attention=False,
            error=None,
        )
        queue.audit(item.id, actor.name, action, before=item.draft, reason=reason)
        fresh = queue.get(item.id)
        await self.runs.run(fresh, {"message": item.message, "item_id": item.id, **extra})
        return self.runs.result(queue.get(item.id))
