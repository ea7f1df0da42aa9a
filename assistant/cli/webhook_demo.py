"""The demo's webhook loop, offline: the Meta simulator and ``assistant serve`` listen on
127.0.0.1 in this process, the simulator's customers write by signed webhook (a Messenger
DM, an Instagram comment, a WhatsApp message), the service drafts them into the queue, a
safe one is approved and delivered back to the simulator, whose receipts come back by
webhook; then both servers stop. No keys, no network."""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import SecretStr
from sqlmodel import Session, col, select

from assistant.app import open_assistant
from assistant.channels.meta.simulator.graph_api import GraphSimulator
from assistant.channels.meta.simulator.payloads import (
    IG,
    PAGE,
    PHONE,
    dm,
    ig_comment,
    messaging_entry,
    page_batch,
    wa_message,
    whatsapp,
)
from assistant.channels.meta.simulator.serving import serving
from assistant.channels.meta.simulator.webhooks import WebhookSender
from assistant.checkpoints import is_postgres
from assistant.db import database_url, make_engine
from assistant.errors import StorageError
from assistant.intake.messages import Channel
from assistant.knowledge.policy import Policy, load_policy
from assistant.pipeline.routing import rollout_bucket
from assistant.review.bulk import bulk_refusal
from assistant.review.decisions import Approve
from assistant.review.models import ItemStatus, OutboxMessage, ReviewItem
from assistant.service.serve import build_service
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR

TOKEN_ENV = "DEMO_META_TOKEN"  # the simulator's token, set in this process only
SECRET = "demo-app-secret"
CUSTOMER_PHONE = "15035550117"
DM_CUSTOMER = "psid-demo-1"
WAIT_S = 120.0
Say = Callable[[str], None]


def channels_yaml() -> str:
    return (
        f'pages:\n  "{PAGE}": {{token_env: {TOKEN_ENV}, name: Demo page}}\n'
        f'instagram:\n  "{IG}": {{token_env: {TOKEN_ENV}, name: Demo Instagram}}\n'
        f'whatsapp:\n  "{PHONE}": {{token_env: {TOKEN_ENV}, name: Demo number}}\n'
    )


def demo_ids(stamp: str, policy: Policy) -> dict[str, str]:
    """New message ids every run, picked so the sample policy's rollout (stable per message)
    sends the DM to a person and lets the comment go automatically: both paths show."""
    facebook = policy.automation.for_channel(Channel.facebook).rollout_percent
    instagram = policy.automation.for_channel(Channel.instagram).rollout_percent
    ids: dict[str, str] = {}
    for n in range(1000):
        ids = {
            "Messenger DM": f"m_demo_{stamp}_{n}",
            "Instagram comment": f"c_demo_{stamp}_{n}",
            "WhatsApp message": f"wamid.demo{stamp}{n}",
        }
        dm_bucket = rollout_bucket(ids["Messenger DM"])
        if dm_bucket >= facebook and rollout_bucket(ids["Instagram comment"]) < instagram:
            break
    return ids


def conversations(ids: dict[str, str]) -> list[dict[str, Any]]:
    """Three webhooks: a Messenger DM, an Instagram comment and a WhatsApp message."""
    now = time.time()
    direct = dm(PAGE, DM_CUSTOMER, ids["Messenger DM"], "How long does shipping take?")
    direct["timestamp"] = int(now * 1000)
    comment = {**ig_comment(ids["Instagram comment"], "Do you ship to Canada?"), "time": int(now)}
    text = {"body": "Hi, can I get a refund for my order? It arrived broken."}
    message = wa_message(ids["WhatsApp message"], "text", text, sender=CUSTOMER_PHONE, ts=int(now))
    return [
        page_batch(messaging_entry(PAGE, direct, time=int(now * 1000))),
        {"object": "instagram", "entry": [comment]},
        whatsapp(messages=[message], wa_id=CUSTOMER_PHONE),
    ]


def webhook_demo(settings: Settings, say: Say) -> dict[str, Any]:
    """Runs the loop; returns what happened (the demo's JSON)."""
    if is_postgres(database_url(settings)):
        reason = (
            "the webhook loop runs on the embedded database only (Postgres needs "
            "'assistant worker'): see docs/channels.md to try it against 'assistant serve'"
        )
        say(f"Webhooks: skipped: {reason}.")
        return {"skipped": reason}
    os.environ.setdefault(TOKEN_ENV, "demo-token")
    token = os.environ[TOKEN_ENV]
    path = settings.data_dir / "demo-channels.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(channels_yaml(), encoding="utf-8")
    sim = GraphSimulator(tokens={PAGE: token, IG: token, PHONE: token}, instagram={IG})
    policy = load_policy(settings.knowledge_dir / "policy.yaml", "policy.yaml")
    ids = demo_ids(str(time.time_ns()), policy)
    payloads = conversations(ids)
    with serving(sim.app()) as graph_url:
        wired = settings.model_copy(
            update={
                "channels_file": path,
                "meta_app_secret": SecretStr(SECRET),
                "meta_graph_url": graph_url,
                "intake_api_key": SecretStr(secrets.token_hex(16)),
            }
        )
        with serving(build_service(wired)) as url:
            say(f"Webhooks: Meta simulator on {graph_url}, 'assistant serve' on {url}.")
            report = _loop(wired, sim, url, payloads, ids, say)
    say("Webhooks: both servers stopped.")
    return report


def _loop(
    settings: Settings,
    sim: GraphSimulator,
    url: str,
    payloads: list[dict[str, Any]],
    ids: dict[str, str],
    say: Say,
) -> dict[str, Any]:
    sim.customer_wrote(PAGE, DM_CUSTOMER)
    sim.customer_wrote(PHONE, CUSTOMER_PHONE)

    statuses = asyncio.run(_post_all(url, payloads))
    say(f"  posted {len(payloads)} signed webhooks: HTTP {', '.join(map(str, statuses))}")
    engine = make_engine(database_url(settings))
    items = _drafted(engine, list(ids.values()))
    for label, message_id in ids.items():
        item = items[message_id]
        say(f"  {label}: {item.text!r} → {item.status} ({item.route or 'no route'})")
    pending = [i for i in items.values() if i.status is ItemStatus.pending]
    safe = next((i for i in pending if bulk_refusal(i, Approve(actor="demo")) is None), None)
    if safe is not None and safe.id is not None:
        say(f"  approving item #{safe.id} (a safe one) as 'demo'")
        asyncio.run(_approve(settings, safe.id))
    _sends_settled(engine, list(ids.values()), say)
    for sent in sim.sends:
        say(f"  the simulator received POST {sent.path}: {_sent_text(sent.body)[:70]!r}")
    receipts = sim.receipts()
    back = asyncio.run(_post_all(url, receipts))
    rows = _outbox(engine, [i.id for i in items.values() if i.id is not None])
    delivered = [r for r in rows if r.platform_id]
    say(f"  receipts back by webhook: {len(back)}; replies delivered: {len(delivered)}")
    items = _drafted(engine, list(ids.values()))  # as they are now
    refund = items[ids["WhatsApp message"]]
    say(f"  the refund request waits for a person: item #{refund.id} is {refund.status}")
    return {
        "webhooks": statuses,
        "items": {k: {"item_id": items[m].id, "status": items[m].status} for k, m in ids.items()},
        "sent_to_simulator": [s.path for s in sim.sends],
        "delivered": len(delivered),
    }


def _drafted(engine: Any, message_ids: list[str]) -> dict[str, ReviewItem]:
    """The items, once the service has drafted them all (they start as 'processing')."""
    deadline = time.monotonic() + WAIT_S
    while True:
        with Session(engine) as session:
            query = select(ReviewItem).where(col(ReviewItem.message_id).in_(message_ids))
            found = {i.message_id: i for i in session.exec(query).all()}
        done = len(found) == len(message_ids)
        if done and all(i.status is not ItemStatus.processing for i in found.values()):
            return found
        if time.monotonic() > deadline:
            raise StorageError(f"the service did not draft the demo messages in {WAIT_S:.0f} s")
        time.sleep(0.2)


def _sends_settled(engine: Any, message_ids: list[str], say: Say) -> None:
    """Waits while a reply is approved but not yet sent: the job runner delivers the
    automatic ones in its own time, and a slow machine must not show them half-way."""
    deadline = time.monotonic() + WAIT_S
    while any(i.status is ItemStatus.approved for i in _drafted(engine, message_ids).values()):
        if time.monotonic() > deadline:
            say(f"  a reply is still being sent after {WAIT_S:.0f} s: its status shows it")
            return
        time.sleep(0.2)


async def _approve(settings: Settings, item_id: int) -> None:
    async with open_assistant(settings) as assistant:
        await assistant.review.decide(SYSTEM_ACTOR, item_id, Approve(actor="demo"))


async def _post_all(url: str, payloads: list[dict[str, Any]]) -> list[int]:
    async with httpx.AsyncClient(timeout=30) as http:
        sender = WebhookSender(url, SECRET, http)
        return [(await sender.post(p)).status for p in payloads]


def _outbox(engine: Any, item_ids: list[int]) -> list[OutboxMessage]:
    with Session(engine) as session:
        query = select(OutboxMessage).where(col(OutboxMessage.item_id).in_(item_ids))
        return list(session.exec(query).all())


def _sent_text(body: dict[str, Any]) -> str:
    """The reply's text in a Send API, comment or WhatsApp body."""
    message = body.get("message")
    if isinstance(message, dict):
        return str(message.get("text") or "")
    if isinstance(message, str):
        return message  # a public comment reply
    return str((body.get("text") or {}).get("body") or body.get("type") or "")
