"""Running one item through the graph: shared by the inbox (new messages, recovery) and
review (resuming after a decision, retry, restore)."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Any

from langgraph.types import Command, Durability

from assistant.delivery import redeliver
from assistant.knowledge.disclosure import with_disclosure
from assistant.knowledge.loader import Knowledge
from assistant.pipeline.context import Services
from assistant.review.models import ReviewItem
from assistant.review.queue import Queue


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
class PipelineRuns:
    knowledge: Knowledge
    queue: Queue
    graph: Any
    services: Services  # the graph's runtime context: every run passes it

    async def run(
        self, item: ReviewItem, payload: dict[str, Any] | None, durability: Durability = "exit"
    ) -> None:
        config = {"configurable": {"thread_id": item.thread_id}}
        # The pipeline up to review has no side effect a re-run would repeat (sends are
        # recorded once per message), so it checkpoints only where it stops: one write per
        # message instead of one per step. A crash mid-way re-runs the message from the start.
        # Workers pass "sync": a job killed mid-run resumes from its last step.
        try:
            await self._invoke(item, payload, config, durability)
        except Exception as exc:  # the boundary: any failure lands in the queue, flagged
            await self._fail(item, f"{type(exc).__name__}: {exc}")

    async def _invoke(
        self, item: ReviewItem, graph_input: Any, config: dict[str, Any], durability: Durability
    ) -> None:
        """One pass of the graph. The item is offered to people (``pending``) only once the
        graph has stopped at ``human_review`` with its checkpoint written: a decision taken
        earlier would find nothing to resume, and the approved reply would wait for a lease
        to expire."""
        result = await self.graph.ainvoke(
            graph_input, config, context=self.services, durability=durability
        )
        if isinstance(result, dict) and result.get("__interrupt__"):
            assert item.id is not None
            self.queue.offer_to_people(item.id)

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
        await self._invoke(item, payload, config, "sync")

    async def resume(self, item: ReviewItem) -> None:
        """Carry a decided (or interrupted) item on from its last checkpoint."""
        config = {"configurable": {"thread_id": item.thread_id}}
        snapshot = await self.graph.aget_state(config)
        if snapshot.interrupts:
            await self._invoke(item, Command(resume=item.decision), config, "sync")
        elif snapshot.next:
            await self._invoke(item, None, config, "sync")
        elif item.decided_by == "auto":  # crashed while auto-sending, before any checkpoint
            await self.run(item, {"message": item.message, "item_id": item.id})
        elif item.final_text is not None:  # decided again after its reply failed to deliver
            text = with_disclosure(self.knowledge.policy.disclosure, item.final_text)
            await redeliver(self.services, item, text)

    def result(self, item: ReviewItem, duplicate: bool = False) -> ProcessResult:
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
