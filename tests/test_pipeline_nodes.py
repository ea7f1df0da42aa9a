"""The graph's nodes called one at a time, with a hand-built runtime context: the real
queue and knowledge, a channel that records what it is asked to deliver, a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from langgraph.runtime import Runtime

from assistant.channels.adapter import (
    OutboundReply,
    Reconciliation,
    SendOutcome,
    SendResult,
    SentCheck,
)
from assistant.db import database_url, make_engine
from assistant.deps import open_index
from assistant.knowledge.loader import load_knowledge
from assistant.knowledge.order_store import SqlOrderStore
from assistant.pipeline.context import Services
from assistant.pipeline.drafting import Draft, TemplateDrafter
from assistant.pipeline.nodes.delivery import send
from assistant.pipeline.nodes.grounding import retrieve
from assistant.pipeline.nodes.review import route
from assistant.pipeline.nodes.screen import classify_message, screen
from assistant.pipeline.state import PipelineState
from assistant.review.models import DeliveryState, DraftKind, ItemStatus, ReviewItem
from assistant.review.queue import Queue
from assistant.settings import Settings
from tests.support import message, run

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class RecordingChannel:
    def __init__(self) -> None:
        self.delivered: list[OutboundReply] = []

    async def send(self, reply: OutboundReply) -> SendResult:
        self.delivered.append(reply)
        return SendResult(SendOutcome.delivered, platform_id=f"p-{reply.reply_id}")

    async def was_sent(self, reply: OutboundReply) -> Reconciliation:
        return Reconciliation(SentCheck.not_sent)


@pytest.fixture
def services(ingested: Settings) -> Iterator[Services]:
    engine = make_engine(database_url(ingested))
    knowledge = load_knowledge(ingested.knowledge_dir)
    yield Services(
        knowledge=knowledge,
        index=open_index(ingested),
        orders=SqlOrderStore(engine),
        queue=Queue(engine),
        drafter=TemplateDrafter(),
        channel=RecordingChannel(),
        detectors=[],
        clock=lambda: NOW,
    )
    engine.dispose()


def _queued(services: Services, id: str, text: str, **fields: Any) -> PipelineState:
    msg = message(text, id=id)
    item, _ = services.queue.enqueue(
        ReviewItem(
            message_id=msg.id,
            thread_id="t-1",
            channel=msg.channel,
            customer_key=msg.customer_key,
            author_name=msg.author.name,
            text=msg.text,
            message=msg.model_dump(mode="json"),
            received_at=NOW,
            due_at=NOW + timedelta(hours=1),
        )
    )
    assert item.id is not None
    if fields:
        services.queue.update(item.id, **fields)
    return {"message": msg.model_dump(mode="json"), "item_id": item.id}


def _draft(text: str) -> dict[str, Any]:
    return Draft(text=text, kind=DraftKind.template, confidence=0.95).model_dump(mode="json")


def _unqueued(text: str) -> PipelineState:
    return {"message": message(text).model_dump(mode="json"), "item_id": 1}


def test_a_bare_stop_goes_to_opt_change_and_a_sentence_with_stop_does_not(
    services: Services,
) -> None:
    runtime = Runtime(context=services)

    stop = run(screen(_unqueued("STOP please"), runtime))
    sentence = run(screen(_unqueued("stop charging my card twice"), runtime))

    assert stop.goto == "opt_change"
    assert stop.update == {"route": "opted_out"}
    assert sentence.goto == "classify"
    assert services.queue.outbox() == []  # screening only decides; opt_change confirms


def test_classify_finds_the_knowledge_too_and_retrieve_keeps_what_it_found(
    services: Services,
) -> None:
    runtime = Runtime(context=services)
    asked = _queued(services, "m-1", "How long does shipping take to Chicago?")

    read = run(classify_message(asked, runtime))

    found: dict[str, Any] = read.update or {}
    assert read.goto == "retrieve"
    assert found["hits"][0]["id"] == "faq:shipping-times"
    stale = [{**found["hits"][0], "id": "faq:what-classify-found"}]
    grounded = run(retrieve({**asked, **found, "hits": stale}, runtime))  # type: ignore[typeddict-item]
    assert grounded["hits"] == stale  # not searched again


def test_retrieve_searches_for_a_thread_checkpointed_before_classify_searched(
    services: Services,
) -> None:
    runtime = Runtime(context=services)
    asked = _queued(services, "m-1", "How long does shipping take to Chicago?")

    grounded = run(retrieve({**asked, "topics": ["general"], "customer_id": None}, runtime))

    assert grounded["hits"][0]["id"] == "faq:shipping-times"


def test_a_refund_draft_is_routed_to_a_person_and_a_plain_one_is_sent(services: Services) -> None:
    runtime = Runtime(context=services)
    text = "Hi Marcus! Thanks for reaching out. — The Fernhill team"
    refund = _queued(services, "m-1", "refund please")
    plain = _queued(services, "m-2", "hello there")

    to_person = run(route({**refund, "topics": ["refund"], "draft": _draft(text)}, runtime))
    to_send = run(route({**plain, "topics": ["general"], "draft": _draft(text)}, runtime))

    assert to_person.goto == "human_review"
    held = services.queue.get(refund["item_id"])
    # Offered to people (pending) by the run, once the graph waits at human_review.
    assert held.status == ItemStatus.processing and held.route == "human_review"
    assert held.draft == text
    assert "risk topic: refund" in held.reasons
    assert to_send.goto == "send"
    assert services.queue.get(plain["item_id"]).status == ItemStatus.approved
    assert services.queue.outbox() == []  # routing decides; only send sends


def test_send_run_twice_delivers_and_records_one_disclosed_reply(services: Services) -> None:
    runtime = Runtime(context=services)
    state = _queued(
        services,
        "m-3",
        "what sizes do you have?",
        status=ItemStatus.approved,
        final_text="We have S to XL.",
        decided_by="alice",
    )

    run(send(state, runtime))
    run(send(state, runtime))  # e.g. a resume after a crash between the send and its checkpoint

    channel = services.channel
    assert isinstance(channel, RecordingChannel)
    [delivered] = channel.delivered
    assert delivered.text == "Automated reply: We have S to XL."
    assert delivered.human_approved
    [row] = services.queue.outbox()
    assert (row.text, row.sent_by, row.state) == (delivered.text, "alice", DeliveryState.delivered)
    assert row.platform_id == f"p-{row.id}" and row.idempotency_key == delivered.idempotency_key
    assert services.queue.get(state["item_id"]).status == ItemStatus.sent
    sent = [e for e in services.queue.audit_log(state["item_id"]) if e.action == "sent"]
    assert len(sent) == 1
