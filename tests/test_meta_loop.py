"""The whole loop offline: the simulator's customer writes by webhook, the item is answered,
the reply goes to the simulator's Graph API, and Meta's receipts come back by webhook."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from pydantic import SecretStr

from assistant.channels.adapter import OutboundReply, SendOutcome, SentCheck
from assistant.channels.meta.adapters import meta_adapter
from assistant.channels.meta.config import load_channels
from assistant.channels.meta.pacing import Pacer
from assistant.channels.meta.simulator.graph_api import GraphSimulator
from assistant.channels.meta.simulator.payloads import (
    PAGE,
    PHONE,
    dm,
    messaging_entry,
    page_batch,
    wa_message,
    whatsapp,
)
from assistant.channels.meta.simulator.serving import serving
from assistant.channels.meta.simulator.webhooks import WebhookSender
from assistant.db import database_url, make_engine
from assistant.knowledge.policy import CommentReplies
from assistant.review.models import ItemStatus, ReviewItem
from assistant.review.queue import Queue
from assistant.settings import Settings
from tests.meta_service import SECRET, running_service

CHANNELS = f"""
pages:
  "{PAGE}": {{token_env: PAGE_TOKEN}}
whatsapp:
  "{PHONE}": {{token_env: WA_TOKEN}}
"""
ENV = {"PAGE_TOKEN": "page-token", "WA_TOKEN": "wa-token"}


def outbound(item: ReviewItem, reply_id: int) -> OutboundReply:
    assert item.id is not None
    return OutboundReply(
        reply_id=reply_id,
        item_id=item.id,
        channel=item.channel,
        customer_key=item.customer_key,
        recipient_id=item.message["author"]["id"],
        in_reply_to=item.message_id,
        text="Automated reply: yes, we ship to Oslo in 3 days.",
        idempotency_key=f"item-{item.id}",
        human_approved=True,
        metadata=item.message["metadata"],
    )


def test_webhook_in_reply_out_receipts_back(settings: Settings) -> None:
    (settings.knowledge_dir / "channels.yaml").write_text(CHANNELS)
    sim = GraphSimulator(tokens={PAGE: "page-token", PHONE: "wa-token"})
    queue = Queue(make_engine(database_url(settings)))
    with running_service(settings, env=ENV) as service, serving(sim.app()) as graph_url:
        config = load_channels(
            settings.model_copy(update={"meta_app_secret": SecretStr(SECRET)}), ENV
        )

        async def loop() -> list[Any]:
            async with httpx.AsyncClient(timeout=30) as http:
                customers = WebhookSender(service.url, SECRET, http)
                now = time.time()
                incoming = [
                    page_batch(
                        messaging_entry(
                            PAGE, dm(PAGE, "psid-1", "m_in", "Ship to Oslo?", ts=int(now * 1000))
                        )
                    ),
                    whatsapp(
                        messages=[
                            wa_message("wamid.IN1", "text", {"body": "Frete p/ Oslo?"}, ts=int(now))
                        ]
                    ),
                ]
                sim.customer_wrote(PAGE, "psid-1")  # the simulator's customers write now
                sim.customer_wrote(PHONE, "5511987654321")
                for payload in incoming:
                    await customers.post(payload)
                items = [queue.by_message("m_in"), queue.by_message("wamid.IN1")]
                replies = [outbound(i, n) for n, i in enumerate(items, 1) if i is not None]
                adapter = meta_adapter(
                    config,
                    queue.engine,
                    CommentReplies(),
                    graph_url=graph_url,
                    pacer=Pacer(per_account_s=0.0),
                )
                before = [await adapter.was_sent(r) for r in replies]
                results = [await adapter.send(r) for r in replies]
                for receipt in sim.receipts():  # Meta's echo and status come back
                    await customers.post(receipt)
                after = [await adapter.was_sent(r) for r in replies]
                return [before, results, after]

        before, results, after = asyncio.run(loop())
    assert [b.state for b in before] == [SentCheck.unknown] * 2
    assert [r.outcome for r in results] == [SendOutcome.delivered] * 2
    assert [(a.state, a.platform_id) for a in after] == [
        (SentCheck.sent, r.platform_id) for r in results
    ]
    assert [s.path for s in sim.sends] == [f"/{PAGE}/messages", f"/{PHONE}/messages"]
    # Our own echo did not close the item as "answered elsewhere".
    assert queue.by_message("m_in").status is not ItemStatus.closed  # type: ignore[union-attr]
