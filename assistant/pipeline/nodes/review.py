"""Checking a draft, deciding who sends it, and waiting for a person where one must look."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal, assert_never

from langgraph.runtime import Runtime
from langgraph.types import Command, interrupt

from assistant.intake.messages import InboundMessage
from assistant.knowledge.answered import hit_text
from assistant.knowledge.orders import Order
from assistant.pipeline.context import Services
from assistant.pipeline.drafting import Draft
from assistant.pipeline.routing import RouteInput, decide, priority
from assistant.pipeline.state import PipelineState, message_of
from assistant.review.decisions import DECISION, Approve, Edit, Escalate, Reject
from assistant.review.models import ItemStatus
from assistant.review.reason_sources import origins_of
from assistant.safety.topics import Route, Topic
from assistant.safety.verify import grounding_context


async def route(
    state: PipelineState, runtime: Runtime[Services]
) -> Command[Literal["human_review", "send"]]:
    s = runtime.context
    policy = s.knowledge.policy
    msg = message_of(state)
    attention = state.get("attention")
    errors = [*state.get("errors", []), *([attention] if attention else [])]
    result = Draft.model_validate(state["draft"]) if state.get("draft") else None
    order = state.get("order")
    facts = Order.model_validate(order).facts() if order else None
    # An order the sender cannot be tied to is a person's call, however well the draft
    # reads ("Where is my order FH-10299?" answered from the tracking FAQ).
    problems: list[str] = list(state.get("order_problems", []))
    if result is not None:
        problems += await verify(s, msg, result, state, facts)
    if result is not None and result.needs_human:
        problems.append(result.note or "the drafter asked for a person")
    now = s.clock()
    window = now - timedelta(minutes=policy.rate_limit.window_minutes)
    topics = [Topic(t) for t in state.get("topics", [])]
    opted_out, automated_in_window = s.queue.routing_state(msg.customer_key, window)
    route_, why = decide(
        policy,
        RouteInput(
            message_id=msg.id,
            channel=msg.channel,
            topics=topics,
            has_draft=bool(result and result.text),
            draft_confidence=result.confidence if result else 0,
            failed=bool(errors),
            problems=problems,
            opted_out=opted_out,
            automated_in_window=automated_in_window,
            in_group=bool(msg.metadata.get("group_id")),
        ),
    )
    reasons = list(dict.fromkeys([*state.get("reasons", []), *why]))
    origins = origins_of(reasons, state.get("detector_hits", []), problems, why)
    hits = state.get("hits", [])
    s.queue.update(
        state["item_id"],
        route=route_.value,
        topics=[t.value for t in topics] or ["general"],
        reasons=reasons,
        reason_sources=[o.as_json() for o in origins],
        needs_attention=bool(errors),
        error="; ".join(errors) or None,
        draft=result.text if result else None,
        draft_kind=result.kind.value if result else "none",
        confidence=result.confidence if result else None,
        sources=[
            {k: h[k] for k in ("id", "score", "source", "line", "title", "text")}
            | {"answers": h.get("answers", False)}
            for h in hits
        ],
        order_id=order["order_id"] if order else state.get("missing_order_id"),
        order_facts=facts,
        customer_id=state.get("customer_id"),
        priority=priority(topics, failed=bool(errors)),
        # A person's item stays ``processing`` until the graph waits for them (``PipelineRuns``).
        status=ItemStatus.approved if route_ is Route.auto_send else ItemStatus.processing,
        final_text=result.text if route_ is Route.auto_send and result else None,
        decided_by="auto" if route_ is Route.auto_send else None,
    )
    goto: Literal["human_review", "send"] = "send" if route_ is Route.auto_send else "human_review"
    return Command(goto=goto, update={"route": route_.value})


async def verify(
    s: Services, msg: InboundMessage, result: Draft, state: PipelineState, facts: str | None
) -> list[str]:
    """What is wrong with a draft, checked against everything it may stand on."""
    policy = s.knowledge.policy
    hits = (hit_text(h["id"], h.get("title") or "", h["text"]) for h in state.get("hits", []))
    context = grounding_context(hits, facts, result.grounding, s.knowledge, msg.author.handle)
    limit = policy.automation.for_channel(msg.channel).max_reply_chars
    found = s.verifier.problems(result.text, context, msg.channel.value, limit)
    if s.claim_model is not None:
        found += await s.claim_model.problems(result.text, context)
    return found


async def human_review(
    state: PipelineState,
) -> Command[Literal["send", "human_review", "__end__"]]:
    # Nothing before interrupt() has side effects: this line re-runs on every resume.
    value = interrupt({"item_id": state["item_id"], "message_id": state["message"]["id"]})
    decision = DECISION.validate_python(value)
    match decision:
        case Approve() | Edit():
            return Command(goto="send")
        case Escalate():
            return Command(goto="human_review")
        case Reject():
            return Command(goto="__end__")
        case _:
            assert_never(decision)
