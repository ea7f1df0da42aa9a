"""The Meta webhook routers on the service: new messages go through ``accept_messages`` (the
item and its job in one transaction), so a webhook message is queued like an API one; most
payloads are taken whole in the webhook's own transaction (``accept_in``). If it could not be
stored the sink raises, the router answers 503 and keeps the payload for Meta's retry (or
``assistant webhooks replay``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import APIRouter
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool

from assistant.channels.meta.config import ChannelsConfig
from assistant.channels.meta.intake import MessageSink
from assistant.channels.meta.router import meta_webhook_router, whatsapp_webhook_router
from assistant.intake.messages import InboundMessage
from assistant.service.app import ServiceDeps
from assistant.service.intake import Accepted, accept_in, accept_messages


def accepting(service: ServiceDeps) -> MessageSink:
    async def sink(messages: Sequence[InboundMessage]) -> list[Accepted]:
        return await run_in_threadpool(
            accept_messages, service.engine, service.jobs, service.policy, list(messages)
        )

    return sink


@dataclass(frozen=True)
class AcceptingInTransaction:
    """``accept_messages`` inside the webhook's own transaction (``StoringSink``)."""

    service: ServiceDeps

    def store(self, conn: Connection, messages: Sequence[InboundMessage]) -> list[Accepted]:
        return accept_in(conn, self.service.jobs, self.service.policy, messages)

    def committed(self) -> None:
        self.service.jobs.committed()


def webhook_routers(service: ServiceDeps, channels: ChannelsConfig) -> list[APIRouter]:
    sink, storing = accepting(service), AcceptingInTransaction(service)
    return [
        meta_webhook_router(channels, service.engine, sink, storing),
        whatsapp_webhook_router(channels, service.engine, sink, storing),
    ]
