"""What a draft stands on: the knowledge chunks and the customer's order, then the draft."""

from __future__ import annotations

import asyncio
from typing import Any

from langgraph.runtime import Runtime

from assistant.channels.conversations import recent_turns
from assistant.errors import AssistantError
from assistant.intake.messages import InboundMessage
from assistant.knowledge.index import Hit as IndexHit
from assistant.knowledge.orders import Order
from assistant.pipeline.context import Services
from assistant.pipeline.drafting import DraftContext, reads_history
from assistant.pipeline.state import PipelineState, analysed, message_of
from assistant.safety.topics import Topic


async def search_knowledge(s: Services, msg: InboundMessage) -> list[dict[str, Any]]:
    """The knowledge a reply to ``msg`` may stand on. Off the event loop (the embeddings
    release the GIL): ``classify`` runs it beside the detectors, since it needs nothing
    they find."""
    policy = s.knowledge.policy
    hits = await asyncio.to_thread(
        s.index.search,
        analysed(msg, policy),
        policy.retrieval.top_k,
        msg.channel.value,
        s.clock().date(),
    )
    return [h.__dict__ for h in hits]


async def retrieve(state: PipelineState, runtime: Runtime[Services]) -> dict[str, Any]:
    """The customer's order, and the knowledge hits if ``classify`` has not found them (a
    thread checkpointed before it did)."""
    s = runtime.context
    policy = s.knowledge.policy
    msg = message_of(state)
    text = analysed(msg, policy)
    hits = state["hits"] if "hits" in state else await search_knowledge(s, msg)
    order_ids = ([msg.order_id.upper()] if msg.order_id else []) + policy.order_ids_in(text)
    order: Order | None = None
    missing: str | None = None
    reasons: list[str] = []
    for order_id in dict.fromkeys(order_ids):
        found = s.orders.order(order_id)
        if found is None:
            missing = missing or order_id
            reasons.append(f"order {order_id} was not found")
            continue
        owner = state.get("customer_id")
        if owner != found.customer_id:
            # Never show one customer's order to someone we cannot tie to it.
            reasons.append(
                f"could not confirm the sender owns order {order_id}"
                if owner is None
                else f"order {order_id} belongs to another customer"
            )
            continue
        order = order or found
    if (
        order is None
        and not order_ids
        and state.get("customer_id")
        and Topic.order_status.value in state.get("topics", [])
    ):
        recent = s.orders.orders_for(str(state["customer_id"]))
        order = recent[0] if recent else None
    return {
        "hits": hits,
        "reasons": reasons,
        "order_problems": reasons,
        "order": order.model_dump(mode="json") if order else None,
        "missing_order_id": missing if order is None else None,
    }


async def draft(state: PipelineState, runtime: Runtime[Services]) -> dict[str, Any]:
    s = runtime.context
    msg = message_of(state)
    history = []
    if reads_history(s.drafter) and "item_id" in state:
        history = await asyncio.to_thread(recent_turns, s.queue.engine, state["item_id"])
    ctx = DraftContext(
        message=msg,
        text=analysed(msg, s.knowledge.policy),
        first_name=state.get("first_name"),
        hits=[IndexHit(**h) for h in state.get("hits", [])],
        order=Order.model_validate(state["order"]) if state.get("order") else None,
        missing_order_id=state.get("missing_order_id"),
        knowledge=s.knowledge,
        topics=state.get("topics", []),
        history=history,
    )
    try:
        result = await s.drafter.draft(ctx)
    except AssistantError as exc:
        return {"draft": None, "errors": [f"draft failed: {exc}"]}
    return {"draft": result.model_dump(mode="json")}
