"""Sending: every reply is recorded in the outbox once per message, then delivered."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from assistant.governance.keyword_consent import record_keyword_consent
from assistant.knowledge.disclosure import with_disclosure
from assistant.pipeline.context import Services
from assistant.pipeline.state import PipelineState, message_of
from assistant.review.models import AuditAction, ItemStatus, OutboxMessage, ReviewItem
from assistant.safety.topics import Route


async def send(state: PipelineState, runtime: Runtime[Services]) -> dict[str, Any]:
    s = runtime.context
    item = s.queue.get(state["item_id"])
    body = item.final_text or item.draft or ""
    automated = item.decided_by == "auto"
    assert item.id is not None
    await deliver(
        s,
        item.id,
        item.message_id,
        with_disclosure(s.knowledge.policy.disclosure, body),
        automated=automated,
        kind="reply",
        item=item,
    )
    return {}


async def opt_change(state: PipelineState, runtime: Runtime[Services]) -> dict[str, Any]:
    s = runtime.context
    policy = s.knowledge.policy
    msg = message_of(state)
    opted_out = state.get("route") == Route.opted_out.value
    s.queue.set_opt_out(msg.customer_key, opted_out, s.clock())
    record_keyword_consent(
        s.queue.engine, msg, opted_out, policy.opt_out.consent_wording, s.clock()
    )
    s.queue.update(
        state["item_id"],
        route=state["route"],
        topics=["general"],
        reasons=["opt-out keyword" if opted_out else "opt-in keyword"],
    )
    confirmation = policy.opt_out.confirmation if opted_out else policy.opt_out.opt_in_confirmation
    await deliver(
        s,
        state["item_id"],
        msg.id,
        with_disclosure(policy.disclosure, confirmation),
        automated=True,
        kind="confirmation",
    )
    return {}


async def deliver(
    s: Services,
    item_id: int,
    message_id: str,
    text: str,
    *,
    automated: bool,
    kind: str,
    item: ReviewItem | None = None,
) -> None:
    if item is None:  # the caller has not just read it
        item = s.queue.get(item_id)
    sender = "auto" if automated else (item.decided_by or "agent")
    record, fresh = s.queue.record_send(
        OutboxMessage(
            message_id=message_id,
            item_id=item_id,
            channel=item.channel,
            customer_key=item.customer_key,
            text=text,
            automated=automated,
            kind=kind,
            sent_by=sender,
            sent_at=s.clock(),
        )
    )
    if fresh:
        await s.channel.deliver(record)
        s.queue.audit(item_id, sender, AuditAction.sent, after=text)
    s.queue.update(item_id, status=ItemStatus.closed if kind != "reply" else ItemStatus.sent)
