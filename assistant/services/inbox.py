"""New messages in: process one or many, and recover what a crash interrupted. Running the
pipeline is automation's job (``Permission.process_messages``)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from langgraph.types import Durability
from sqlalchemy.exc import DBAPIError

from assistant.delivery import schedule_due
from assistant.intake.jsonl import quarantine
from assistant.intake.messages import InboundMessage
from assistant.knowledge.policy import Policy
from assistant.llm import model_slots
from assistant.pipeline.state import analysed_text
from assistant.review.leases import LEASE, OWNER
from assistant.review.models import ItemStatus, ReviewItem, content_hash
from assistant.services.runs import PipelineRuns, ProcessResult
from assistant.users.actor import Actor
from assistant.users.roles import Permission

PIPELINES_PER_MODEL_SLOT = 2  # messages in the pipeline per model request allowed in flight
IN_FLIGHT = (ItemStatus.processing, ItemStatus.approved)


@dataclass
class InboxService:
    runs: PipelineRuns
    concurrency: int  # default model requests in flight (ASSISTANT_CONCURRENCY)

    async def process(self, actor: Actor, message: InboundMessage) -> ProcessResult:
        """Run one message through the graph. Whatever fails, the message is kept in the queue."""
        actor.require(Permission.process_messages)
        return await self._process(message)

    async def _process(self, message: InboundMessage) -> ProcessResult:
        queue = self.runs.queue
        try:
            item, created = queue.enqueue(self._new_item(message))
        except DBAPIError:
            raise  # the database itself failed: the edge says so
        except Exception as exc:  # poison data intake let through: queued plainly instead
            message = quarantine(message, type(exc).__name__)
            item, created = queue.enqueue(self._new_item(message))
        assert item.id is not None
        if not created:
            return self.runs.result(item, duplicate=True)
        self._read_soon(message.text)
        await self.runs.run(item, self._first_payload(item))
        return self.runs.result(queue.get(item.id))

    def _read_soon(self, text: str) -> None:
        """The message's embedding starts now, beside the checkpointer's reads and the
        graph's first steps, rather than when the detectors ask for it. (One that the
        screen then sends elsewhere, an opt-out keyword, has cost one embedding's CPU.)"""
        self.runs.services.index.read_soon(analysed_text(text, self.runs.knowledge.policy))

    def _first_payload(self, item: ReviewItem) -> dict[str, Any]:
        payload: dict[str, Any] = {"message": dict(item.message), "item_id": item.id}
        if (earlier := self.runs.queue.same_id_other_text(item)) is not None:
            payload["attention"] = (
                f"message id {item.message_id} was reused with different text (item "
                f"#{earlier.id} has the first text): check it is not a replay or a spoof"
            )
        return payload

    async def run_stored(self, actor: Actor, item_id: int) -> bool:
        """Run (or carry on) a message already stored by the intake API: the worker's job.
        False when another live process holds it; a finished item is left as it is."""
        actor.require(Permission.process_messages)
        item = self.runs.queue.take(item_id, datetime.now(UTC))
        if item is None:
            return self.runs.queue.get(item_id).status not in IN_FLIGHT
        await self._carry_on(item, durability="sync")
        return True

    def _new_item(self, message: InboundMessage) -> ReviewItem:
        item = new_item(message, self.runs.knowledge.policy)
        item.lease_owner, item.lease_expires_at = OWNER, datetime.now(UTC) + LEASE
        return item

    async def process_many(
        self,
        actor: Actor,
        messages: Iterable[InboundMessage],
        concurrency: int | None = None,
        on_result: Callable[[ProcessResult], None] | None = None,
    ) -> list[ProcessResult]:
        """``concurrency`` model requests at once (default ASSISTANT_CONCURRENCY), with up to
        twice as many messages in the pipeline: the steps around the model run while others
        wait on it, so the model is kept busy."""
        actor.require(Permission.process_messages)
        slots = concurrency or self.concurrency
        limit = asyncio.Semaphore(PIPELINES_PER_MODEL_SLOT * slots)

        async def one(message: InboundMessage) -> ProcessResult:
            async with limit:
                result = await self._process(message)
            if on_result:
                on_result(result)
            return result

        with model_slots(slots):
            return list(await asyncio.gather(*(one(m) for m in messages)))

    async def recover(self, actor: Actor) -> list[int]:
        """Finish what a crash interrupted: unsent approvals and half-processed messages
        whose lease expired, and replies whose delivery is due or was cut off. Safe to run
        any time, from several processes at once: each item is taken by one of them, and
        each reply is claimed by one of them."""
        actor.require(Permission.process_messages)
        recovered = []
        for item in self.runs.queue.take_expired(datetime.now(UTC)):
            assert item.id is not None
            await self._carry_on(item)
            recovered.append(item.id)
        # Replies already recorded: pending ones due, and sends a crash interrupted.
        delivered = await schedule_due(self.runs.services)
        return list(dict.fromkeys([*recovered, *delivered]))

    async def _carry_on(self, item: ReviewItem, durability: Durability = "exit") -> None:
        """An in-flight item this process now leases, from wherever it stopped."""
        if item.status == ItemStatus.approved:
            await self.runs.resume(item)
            return
        config = {"configurable": {"thread_id": item.thread_id}}
        snapshot = await self.runs.graph.aget_state(config)
        if snapshot.next:  # continue from the last checkpoint
            await self.runs.run(item, None, durability)
        else:  # new, or crashed before the first checkpoint: start the message
            self._read_soon(item.text)
            await self.runs.run(item, self._first_payload(item), durability)


def new_item(message: InboundMessage, policy: Policy) -> ReviewItem:
    """The queue item for a new message: ``processing``, no lease yet (anyone may take it)."""
    sla = policy.automation.for_channel(message.channel).sla_minutes
    return ReviewItem(
        message_id=message.id,
        thread_id=uuid.uuid4().hex,
        channel=message.channel,
        customer_key=message.customer_key,
        author_name=message.author.name,
        author_handle=message.author.handle,
        text=message.text,
        content_hash=content_hash(message.text),
        message=message.model_dump(mode="json"),
        received_at=message.received_at,
        due_at=message.received_at + timedelta(minutes=sla),
    )
