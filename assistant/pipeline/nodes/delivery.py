"""Sending: every reply is requested once per message and delivered by the delivery state
machine (``assistant/delivery``); the node returns as soon as the scheduler has it."""

from __future__ import annotations

from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import Command

from assistant.delivery import OverRateLimitError, ReplyKind, request
from assistant.governance.keyword_consent import record_keyword_consent
from assistant.knowledge.disclosure import with_disclosure
from assistant.pipeline.context import Services
from assistant.pipeline.state import PipelineState, message_of
from assistant.review.models import ItemStatus
from assistant.safety.topics import Route


async def send(
    state: PipelineState, runtime: Runtime[Services]
) -> Command[Literal["human_review", "__end__"]]:
    s = runtime.context
    item = s.queue.get(state["item_id"])
    body = item.final_text or item.draft or ""
    automated = item.decided_by == "auto"
    text = with_disclosure(s.knowledge.policy.disclosure, body)
    try:
        await request(s, item, text, automated=automated, kind=ReplyKind.reply)
    except OverRateLimitError as exc:  # another worker's reply to this customer got there first
        assert item.id is not None
        s.queue.update(
            item.id,
            route=Route.human_review,
            status=ItemStatus.processing,  # pending once the graph waits for a person
            reasons=[*item.reasons, str(exc)],
            final_text=None,
            decided_by=None,
        )
        return Command(goto="human_review", update={"route": Route.human_review.value})
    return Command(goto="__end__")


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
    item = s.queue.get(state["item_id"])
    text = with_disclosure(policy.disclosure, confirmation)
    await request(s, item, text, automated=True, kind=ReplyKind.confirmation)
    return {}
