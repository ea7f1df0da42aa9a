"""The Meta webhook routers on the service: new messages go through ``accept_messages`` (the
item and its job in one transaction), so a webhook message is queued like an API one. If it
could not be stored the sink raises, the router answers 503 and keeps the payload for Meta's
retry (or ``assistant webhooks replay``)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from assistant.channels.meta.config import ChannelsConfig
from assistant.channels.meta.intake import MessageSink
from assistant.channels.meta.router import meta_webhook_router, whatsapp_webhook_router
from assistant.intake.messages import InboundMessage
from assistant.service.app import ServiceDeps
from assistant.service.intake import Accepted, accept_messages


def accepting(service: ServiceDeps) -> MessageSink:
    async def sink(messages: Sequence[InboundMessage]) -> list[Accepted]:
        return await run_in_threadpool(
            accept_messages, service.engine, service.jobs, service.policy, list(messages)
        )

    return sink


def webhook_routers(service: ServiceDeps, channels: ChannelsConfig) -> list[APIRouter]:
    sink = accepting(service)
    return [
        meta_webhook_router(channels, service.engine, sink),
        whatsapp_webhook_router(channels, service.engine, sink),
    ]
