"""The Meta channels behind the delivery contract: ``meta_adapter`` picks Messenger /
Instagram or WhatsApp by the reply's channel. ``was_sent`` answers from the echoes and
statuses that carried our marker back; without one it cannot tell (``unknown``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from assistant.channels.adapter import (
    OutboundReply,
    Reconciliation,
    SendOutcome,
    SendResult,
    SentCheck,
)
from assistant.channels.meta.config import ChannelsConfig
from assistant.channels.meta.events import EventKind
from assistant.channels.meta.graph import GraphClient
from assistant.channels.meta.markers import marker_for
from assistant.channels.meta.moderation import CommentModeration
from assistant.channels.meta.pacing import Pacer
from assistant.channels.meta.records import MetaEventRecord
from assistant.channels.meta.send_messenger import MessengerAdapter
from assistant.channels.meta.send_whatsapp import WhatsAppAdapter
from assistant.intake.messages import Channel
from assistant.knowledge.policy import CommentReplies

SEND_TIMEOUT_S = 20.0


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class MetaAdapter:
    messenger: MessengerAdapter
    whatsapp: WhatsAppAdapter
    engine: Engine
    moderation: CommentModeration  # hide / unhide spam comments on the platform

    async def send(self, reply: OutboundReply) -> SendResult:
        match reply.channel:
            case Channel.facebook | Channel.instagram:
                return await self.messenger.send(reply)
            case Channel.whatsapp:
                return await self.whatsapp.send(reply)
            case _:
                return SendResult(
                    SendOutcome.permanent, reason=f"{reply.channel.value} is not a Meta channel"
                )

    async def was_sent(self, reply: OutboundReply) -> Reconciliation:
        query = (
            select(MetaEventRecord)
            .where(
                MetaEventRecord.marker == marker_for(reply),
                col(MetaEventRecord.kind).in_([EventKind.echo, EventKind.status]),
            )
            .order_by(col(MetaEventRecord.id))
        )
        with Session(self.engine) as session:
            seen = session.exec(query).first()
        if seen is None:
            # No echo or status yet; Meta has no idempotency key to ask by.
            return Reconciliation(SentCheck.unknown)
        return Reconciliation(SentCheck.sent, platform_id=seen.platform_id)


def meta_adapter(
    config: ChannelsConfig,
    engine: Engine,
    comment_replies: CommentReplies,
    *,
    graph_url: str,
    http: httpx.AsyncClient | None = None,
    pacer: Pacer | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> MetaAdapter:
    """One adapter for every Meta channel. ``graph_url`` is ``ASSISTANT_META_GRAPH_URL``."""
    client = http or httpx.AsyncClient(base_url=graph_url, timeout=SEND_TIMEOUT_S)
    graph = GraphClient(client, engine)
    pacing = pacer or Pacer()
    return MetaAdapter(
        messenger=MessengerAdapter(graph, config, comment_replies, pacing, clock),
        whatsapp=WhatsAppAdapter(graph, config, pacing, clock),
        engine=engine,
        moderation=CommentModeration(graph, config),
    )
