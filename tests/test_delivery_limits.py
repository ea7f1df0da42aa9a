"""The per-customer limit on automated replies holds in the database: several workers (each
its own connection) racing for one customer never send more than the policy allows."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from langgraph.runtime import Runtime

from assistant.app import open_assistant
from assistant.db import database_url, make_engine
from assistant.delivery import OverRateLimitError, ReplyStore
from assistant.intake.messages import Channel
from assistant.knowledge.policy import RateLimit
from assistant.pipeline.nodes.delivery import send
from assistant.review.models import ItemStatus, OutboxMessage
from assistant.review.queue import Queue
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR
from tests.support import message, run

CUSTOMER = "web_chat:web_7731"


def _automated(n: int) -> OutboxMessage:
    return OutboxMessage(
        message_id=f"auto-{n}",
        item_id=1000 + n,
        channel=Channel.web_chat,
        customer_key=CUSTOMER,
        text="Automated reply: thanks!",
        automated=True,
        requested_at=datetime.now(UTC),
    )


def test_two_workers_racing_for_one_customer_stay_within_the_limit(settings: Settings) -> None:
    limit = RateLimit(max_auto_replies=3, window_minutes=60)
    engines = [make_engine(database_url(settings)) for _ in range(2)]  # two workers' pools
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def worker(n: int) -> None:
        store = ReplyStore(engines[n % 2])
        start.wait()
        try:
            store.request(_automated(n), limit)
            outcomes.append("recorded")
        except OverRateLimitError:
            outcomes.append("over")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    recorded = Queue(engines[0]).outbox()
    for engine in engines:
        engine.dispose()
    assert sorted(outcomes) == ["over"] * 5 + ["recorded"] * 3
    assert len(recorded) == 3


def test_a_reply_the_database_refuses_goes_to_a_person_with_the_reason(
    ingested: Settings,
) -> None:
    async def go() -> None:
        async with open_assistant(ingested) as assistant:
            msg = message("Can I get a refund?", id="r-1")
            result = await assistant.inbox.process(SYSTEM_ACTOR, msg)
            # Another worker's automated replies to this customer got in first.
            store = ReplyStore(assistant.queue.engine)
            for n in range(3):
                store.request(_automated(n), None)
            assistant.queue.update(
                result.item_id,
                status=ItemStatus.approved,
                decided_by="auto",
                final_text="Thanks!",
            )
            state = {"message": msg.model_dump(mode="json"), "item_id": result.item_id}

            command = await send(state, Runtime(context=assistant.services))  # type: ignore[arg-type]

            item = assistant.queue.get(result.item_id)
            assert command.goto == "human_review"
            # Back with the pipeline; pending once the graph waits at human_review.
            assert item.status == ItemStatus.processing and item.decided_by is None
            assert item.route == "human_review"
            assert any(r.startswith("rate limit: 3 automated replies") for r in item.reasons)
            assert store.for_item(result.item_id) is None  # nothing recorded, nothing sent

    run(go())
