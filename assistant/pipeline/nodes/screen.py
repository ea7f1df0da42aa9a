"""Triage before any drafting: opt-out keywords, empty or broken messages, spam."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import Command

from assistant.channels.meta.wiring import set_hidden_on_platform
from assistant.knowledge.opt_out import keyword_command
from assistant.pipeline.context import Services
from assistant.pipeline.nodes.grounding import search_knowledge
from assistant.pipeline.state import PipelineState, analysed, message_of
from assistant.review.models import AuditAction, ItemStatus
from assistant.review.reason_sources import ReasonSource, origins_of
from assistant.safety.detectors import classify
from assistant.safety.topics import Route, Topic

SPAM_NEVER_HIDES = {Topic.legal, Topic.abuse, Topic.minor, Topic.personal_data}


async def screen(
    state: PipelineState, runtime: Runtime[Services]
) -> Command[Literal["classify", "route", "opt_change"]]:
    s = runtime.context
    policy = s.knowledge.policy
    msg = message_of(state)
    if state.get("failure"):
        return Command(goto="route", update={"errors": [state["failure"]]})
    if msg.intake_problem and msg.id.startswith("malformed-"):
        return Command(goto="route", update={"errors": [msg.intake_problem]})
    reasons = [f"input problem: {msg.intake_problem}"] if msg.intake_problem else []
    if len(msg.text) > policy.max_analysed_chars:
        reasons.append(
            f"long message ({len(msg.text):,} characters): only the first "
            f"{policy.max_analysed_chars:,} were analysed"
        )
    if keyword_command(msg.text, policy.opt_out.keywords):
        return Command(goto="opt_change", update={"route": Route.opted_out.value})
    if (
        keyword_command(msg.text, policy.opt_out.opt_in_keywords)
        and s.queue.customer_state(msg.customer_key).opted_out_at
    ):
        return Command(goto="opt_change", update={"route": Route.opted_in.value})
    if not msg.text.strip():
        attachment = msg.metadata.get("attachment")
        what = f" (attachment: {attachment})" if attachment else ""
        return Command(
            goto="route", update={"reasons": [*reasons, f"the message has no text{what}"]}
        )
    return Command(goto="classify", update={"reasons": reasons})


async def classify_message(
    state: PipelineState, runtime: Runtime[Services]
) -> Command[Literal["retrieve", "hide"]]:
    s = runtime.context
    msg = message_of(state)
    # The knowledge search needs nothing the detectors find: it runs beside them, so its
    # embeddings overlap their work instead of following it; the customer's record is read
    # while both wait for the message's embedding.
    reading = asyncio.gather(
        classify(analysed(msg, s.knowledge.policy), s.detectors), search_knowledge(s, msg)
    )
    try:
        await asyncio.sleep(0)  # both start (hand their work to threads) before the read
        customer = s.orders.customer_for(msg.channel.value, msg.author.id, msg.author.handle)
    finally:
        hits, found = await reading
    topics = [h.topic for h in hits]
    reasons = [h.reason for h in hits if h.topic.is_risk]
    # Which detector gave each reason, stored on the item (what each detector costs).
    sources = [
        {"reason": h.reason, "detector": h.detector, "topic": h.topic.value}
        for h in hits
        if h.topic.is_risk
    ]
    if customer and customer.vip:
        topics.append(Topic.influencer)
        vip = f"VIP customer: {customer.first_name} {customer.last_name}".strip()
        reasons.append(vip)
        sources.append(
            {
                "reason": vip,
                "detector": ReasonSource.customer_record.value,
                "topic": Topic.influencer.value,
            }
        )
    update: dict[str, Any] = {
        "topics": list(dict.fromkeys(t.value for t in topics)) or [Topic.general.value],
        "reasons": reasons,
        "detector_hits": sources,
        "customer_id": customer.customer_id if customer else None,
        "first_name": customer.first_name if customer else msg.author.first_name,
        "hits": found,
    }
    if state.get("restored_by"):
        update["reasons"] = [
            *reasons,
            f"restored from the spam folder by {state['restored_by']}",
        ]
    # Spam often quotes prices or links; it is hidden (reversibly) unless it also carries
    # something a person must see.
    elif Topic.spam in topics and not set(topics) & SPAM_NEVER_HIDES:
        return Command(goto="hide", update=update)
    return Command(goto="retrieve", update=update)


async def hide(state: PipelineState, runtime: Runtime[Services]) -> dict[str, Any]:
    queue = runtime.context.queue
    reasons = [r for r in state.get("reasons", [])] or ["looks like spam"]
    origins = origins_of(reasons, state.get("detector_hits", []))
    queue.update(
        state["item_id"],
        route=Route.hidden.value,
        status=ItemStatus.hidden,
        topics=state.get("topics", ["spam"]),
        reasons=reasons,
        reason_sources=[o.as_json() for o in origins],
    )
    queue.audit(
        state["item_id"], "auto", AuditAction.hidden, reason="; ".join(state.get("reasons", []))
    )
    await set_hidden_on_platform(runtime.context.channel, message_of(state), True)
    return {"route": Route.hidden.value}
