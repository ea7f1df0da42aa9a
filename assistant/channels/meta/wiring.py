"""Which adapter delivers a reply: items that came in by a Meta webhook (their metadata
names the account) go to the Graph API; everything else keeps the process's default channel
(the local outbox, or the recording fake). One selector per process (``build_deps``)."""

from __future__ import annotations

import asyncio
import logging
import weakref

from sqlalchemy.engine import Engine

from assistant.channels.adapter import (
    ChannelAdapter,
    OutboundReply,
    Reconciliation,
    SendOutcome,
    SendResult,
)
from assistant.channels.meta.adapters import MetaAdapter, meta_adapter
from assistant.channels.meta.config import ChannelsConfig
from assistant.channels.meta.pacing import Pacer
from assistant.channels.meta.windows import is_comment
from assistant.intake.messages import Channel, InboundMessage
from assistant.knowledge.policy import CommentReplies

log = logging.getLogger("assistant.channels.meta")
META_CHANNELS = frozenset({Channel.facebook, Channel.instagram, Channel.whatsapp})


def from_webhook(reply: OutboundReply) -> bool:
    """JSONL-imported messages on these channels carry no account: they stay local."""
    return reply.channel in META_CHANNELS and bool(reply.metadata.get("account_id"))


class MetaAdapters:
    """One ``MetaAdapter`` per event loop (its httpx connections belong to the loop that
    opened them: the job runner's and a console click's differ), all pacing as one."""

    def __init__(
        self,
        config: ChannelsConfig,
        engine: Engine,
        comment_replies: CommentReplies,
        graph_url: str,
    ) -> None:
        self.config, self.engine = config, engine
        self.comment_replies, self.graph_url = comment_replies, graph_url
        self.pacer = Pacer()
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, MetaAdapter] = (
            weakref.WeakKeyDictionary()
        )

    def current(self) -> MetaAdapter:
        loop = asyncio.get_running_loop()
        adapter = self._by_loop.get(loop)
        if adapter is None:
            adapter = meta_adapter(
                self.config,
                self.engine,
                self.comment_replies,
                graph_url=self.graph_url,
                pacer=self.pacer,
            )
            self._by_loop[loop] = adapter
        return adapter


class ChannelSelector:
    """A ``ChannelAdapter`` that hands each reply to the adapter of its channel."""

    def __init__(self, meta: MetaAdapters, local: ChannelAdapter) -> None:
        self.meta, self.local = meta, local

    def pick(self, reply: OutboundReply) -> ChannelAdapter:
        return self.meta.current() if from_webhook(reply) else self.local

    async def send(self, reply: OutboundReply) -> SendResult:
        return await self.pick(reply).send(reply)

    async def was_sent(self, reply: OutboundReply) -> Reconciliation:
        return await self.pick(reply).was_sent(reply)


async def set_hidden_on_platform(
    adapter: ChannelAdapter, message: InboundMessage, hidden: bool
) -> None:
    """A comment hidden as spam is hidden on the platform too, and shown again when a person
    restores it. Only webhook comments on a Meta channel; a failure is logged, never raised
    (the item is hidden in the queue either way)."""
    if not isinstance(adapter, ChannelSelector):
        return
    metadata = message.metadata or {}
    if message.channel not in META_CHANNELS or not metadata.get("account_id"):
        return
    if not is_comment(metadata):
        return
    try:
        moderation = adapter.meta.current().moderation
        result = await moderation.set_hidden(message.channel, metadata, hidden)
    except Exception as exc:  # the platform call is best effort
        log.warning("comment moderation failed", extra={"error": type(exc).__name__})
        return
    if result.outcome is not SendOutcome.delivered:
        log.warning(
            "comment moderation refused",
            extra={"outcome": result.outcome.value, "reason": result.reason},
        )
