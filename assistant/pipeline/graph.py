"""The pipeline graph. Dependencies come in through ``Services``; nothing connects at import."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, assert_never

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command, interrupt

from assistant.channels.outbox import ChannelSender
from assistant.errors import AssistantError
from assistant.intake.messages import InboundMessage
from assistant.knowledge.index import Hit as IndexHit
from assistant.knowledge.index import KnowledgeIndex
from assistant.knowledge.loader import Knowledge
from assistant.knowledge.orders import Order, OrderStore
from assistant.pipeline.drafting import Draft, DraftContext, Drafter
from assistant.pipeline.model_drafter import SYSTEM
from assistant.pipeline.routing import RouteInput, decide, priority
from assistant.pipeline.state import PipelineInput, PipelineState
from assistant.review.decisions import DECISION, Approve, Edit, Escalate, Reject
from assistant.review.models import ItemStatus, OutboxMessage, ReviewItem
from assistant.review.queue import Queue
from assistant.safety.detectors import Detector, classify
from assistant.safety.model_claims import ModelClaimCheck
from assistant.safety.topics import Route, Topic
from assistant.safety.verify import Verifier

# Words around an opt-out keyword that do not change its meaning ("please unsubscribe me
# from all your messages"); anything else makes it a real message, handled as such.
FILLER = {
    "please",
    "pls",
    "plz",
    "me",
    "now",
    "thanks",
    "thank",
    "you",
    "from",
    "this",
    "list",
    "all",
    "your",
    "these",
    "them",
    "messages",
    "texts",
    "emails",
    "notifications",
    "sending",
    "us",
    "any",
    "more",
    "of",
}


@dataclass
class Services:
    knowledge: Knowledge
    index: KnowledgeIndex
    orders: OrderStore
    queue: Queue
    drafter: Drafter
    channel: ChannelSender
    detectors: list[Detector]
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    claim_model: ModelClaimCheck | None = None  # ASSISTANT_VERIFIER_MODEL


def with_disclosure(disclosure: str, body: str) -> str:
    """Every reply carries the brand's disclosure, added here and never by a model."""
    body = body.strip()
    return body if body.startswith(disclosure) else f"{disclosure} {body}"


def policy_text(knowledge: Knowledge) -> str:
    """The routing policy as written: a draft must never quote it to a customer."""
    path = knowledge.root / "policy.yaml"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def keyword_command(text: str, keywords: list[str]) -> bool:
    """True when the message is just the keyword ('STOP', 'unsubscribe me please')."""
    words = [w for w in re.findall(r"[^\W_]+", text.lower()) if w not in FILLER]
    return bool(words) and " ".join(words) in {k.lower() for k in keywords}


SPAM_NEVER_HIDES = {Topic.legal, Topic.abuse, Topic.minor, Topic.personal_data}

Node = Callable[[PipelineState], Awaitable[Any]]


def build_graph(
    services: Services, checkpointer: BaseCheckpointSaver[Any]
) -> CompiledStateGraph[PipelineState, None, PipelineInput, PipelineState]:
    s = services
    policy = s.knowledge.policy
    verifier = Verifier(policy, s.knowledge.tone, [SYSTEM, policy_text(s.knowledge)])

    def message_of(state: PipelineState) -> InboundMessage:
        return InboundMessage.model_validate(state["message"])

    def analysed(msg: InboundMessage) -> str:
        return msg.text[: policy.max_analysed_chars]

    async def screen(
        state: PipelineState,
    ) -> Command[Literal["classify", "route", "opt_change", "hide"]]:
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

    async def classify_node(state: PipelineState) -> Command[Literal["retrieve", "hide"]]:
        msg = message_of(state)
        hits = await classify(analysed(msg), s.detectors)
        customer = s.orders.customer_for(msg.channel.value, msg.author.id, msg.author.handle)
        topics = [h.topic for h in hits]
        reasons = [h.reason for h in hits if h.topic.is_risk]
        if customer and customer.vip:
            topics.append(Topic.influencer)
            reasons.append(f"VIP customer: {customer.first_name} {customer.last_name}".strip())
        update: dict[str, Any] = {
            "topics": list(dict.fromkeys(t.value for t in topics)) or [Topic.general.value],
            "reasons": reasons,
            "customer_id": customer.customer_id if customer else None,
            "first_name": customer.first_name if customer else msg.author.first_name,
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

    async def retrieve(state: PipelineState) -> dict[str, Any]:
        msg = message_of(state)
        text = analysed(msg)
        # Embedding and the Chroma query release the GIL: off the event loop, other messages
        # keep moving (e.g. waiting on the model) meanwhile.
        hits = await asyncio.to_thread(
            s.index.search, text, policy.retrieval.top_k, msg.channel.value, s.clock().date()
        )
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
            "hits": [h.__dict__ for h in hits],
            "reasons": reasons,
            "order": order.model_dump(mode="json") if order else None,
            "missing_order_id": missing if order is None else None,
        }

    async def draft(state: PipelineState) -> dict[str, Any]:
        msg = message_of(state)
        ctx = DraftContext(
            message=msg,
            text=analysed(msg),
            first_name=state.get("first_name"),
            hits=[IndexHit(**h) for h in state.get("hits", [])],
            order=Order.model_validate(state["order"]) if state.get("order") else None,
            missing_order_id=state.get("missing_order_id"),
            knowledge=s.knowledge,
            topics=state.get("topics", []),
        )
        try:
            result = await s.drafter.draft(ctx)
        except AssistantError as exc:
            return {"draft": None, "errors": [f"draft failed: {exc}"]}
        return {"draft": result.model_dump(mode="json")}

    async def route(state: PipelineState) -> Command[Literal["human_review", "send"]]:
        msg = message_of(state)
        attention = state.get("attention")
        errors = [*state.get("errors", []), *([attention] if attention else [])]
        result = Draft.model_validate(state["draft"]) if state.get("draft") else None
        order = state.get("order")
        facts = Order.model_validate(order).facts() if order else None
        problems: list[str] = []
        if result is not None:
            problems = await verify(msg, result, state, facts)
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
            ),
        )
        reasons = list(dict.fromkeys([*state.get("reasons", []), *why]))
        hits = state.get("hits", [])
        s.queue.update(
            state["item_id"],
            route=route_.value,
            topics=[t.value for t in topics] or ["general"],
            reasons=reasons,
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
            status=ItemStatus.approved if route_ is Route.auto_send else ItemStatus.pending,
            final_text=result.text if route_ is Route.auto_send and result else None,
            decided_by="auto" if route_ is Route.auto_send else None,
        )
        goto: Literal["human_review", "send"] = (
            "send" if route_ is Route.auto_send else "human_review"
        )
        return Command(goto=goto, update={"route": route_.value})

    async def verify(
        msg: InboundMessage, result: Draft, state: PipelineState, facts: str | None
    ) -> list[str]:
        context = "\n".join(
            [
                *(h["text"] for h in state.get("hits", [])),
                facts or "",
                result.grounding,
                policy.brand_name,
                s.knowledge.tone.sign_off,
                msg.author.handle or "",  # a reply may @-mention the customer it answers
            ]
        )
        limit = policy.automation.for_channel(msg.channel).max_reply_chars
        found = verifier.problems(result.text, context, msg.channel.value, limit)
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

    async def send(state: PipelineState) -> dict[str, Any]:
        item = s.queue.get(state["item_id"])
        body = item.final_text or item.draft or ""
        automated = item.decided_by == "auto"
        assert item.id is not None
        await deliver(
            item.id,
            item.message_id,
            with_disclosure(policy.disclosure, body),
            automated=automated,
            kind="reply",
            item=item,
        )
        return {}

    async def deliver(
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
            s.queue.audit(item_id, sender, "sent", after=text)
        s.queue.update(item_id, status=ItemStatus.closed if kind != "reply" else ItemStatus.sent)

    async def opt_change(state: PipelineState) -> dict[str, Any]:
        msg = message_of(state)
        opted_out = state.get("route") == Route.opted_out.value
        s.queue.set_opt_out(msg.customer_key, opted_out, s.clock())
        s.queue.update(
            state["item_id"],
            route=state["route"],
            topics=["general"],
            reasons=["opt-out keyword" if opted_out else "opt-in keyword"],
        )
        confirmation = (
            policy.opt_out.confirmation if opted_out else policy.opt_out.opt_in_confirmation
        )
        await deliver(
            state["item_id"],
            msg.id,
            with_disclosure(policy.disclosure, confirmation),
            automated=True,
            kind="confirmation",
        )
        return {}

    async def hide(state: PipelineState) -> dict[str, Any]:
        s.queue.update(
            state["item_id"],
            route=Route.hidden.value,
            status=ItemStatus.hidden,
            topics=state.get("topics", ["spam"]),
            reasons=[r for r in state.get("reasons", [])] or ["looks like spam"],
        )
        s.queue.audit(
            state["item_id"], "auto", "hidden", reason="; ".join(state.get("reasons", []))
        )
        return {"route": Route.hidden.value}

    graph = StateGraph(PipelineState, input_schema=PipelineInput)
    graph.add_node("screen", screen)
    graph.add_node("classify", classify_node)
    graph.add_node("retrieve", retrieve)
    graph.add_node("draft", draft)
    graph.add_node("route", route)
    graph.add_node("human_review", human_review)
    graph.add_node("send", send)
    graph.add_node("opt_change", opt_change)
    graph.add_node("hide", hide)
    graph.add_edge(START, "screen")
    graph.add_edge("retrieve", "draft")
    graph.add_edge("draft", "route")
    graph.add_edge("send", END)
    graph.add_edge("opt_change", END)
    graph.add_edge("hide", END)
    return graph.compile(checkpointer=checkpointer)
