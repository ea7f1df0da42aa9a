"""The console's only door to the service layer. Each call opens the assistant with the
settings from the environment, does one thing and closes it again: nothing is cached, so
every screen shows what other agents did a moment ago."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from assistant.app import Assistant, ProcessResult, open_assistant
from assistant.review.decisions import Decision
from assistant.review.models import AuditEvent, ItemStatus, OutboxMessage, ReviewItem
from assistant.settings import load_settings

T = TypeVar("T")
OPEN = (ItemStatus.pending, ItemStatus.escalated)


def call(work: Callable[[Assistant], Awaitable[T]]) -> T:
    async def main() -> T:
        async with open_assistant(load_settings()) as assistant:
            return await work(assistant)

    return asyncio.run(main())


def open_items() -> tuple[list[ReviewItem], str]:
    """Items waiting for a person, most urgent first, and the disclosure every reply gets."""

    async def work(a: Assistant) -> tuple[list[ReviewItem], str]:
        return a.queue.items(OPEN), a.knowledge.policy.disclosure

    return call(work)


def history(item_id: int) -> tuple[ReviewItem, list[AuditEvent]]:
    async def work(a: Assistant) -> tuple[ReviewItem, list[AuditEvent]]:
        return a.queue.get(item_id), a.queue.audit_log(item_id)

    return call(work)


def audit_log(item_id: int) -> list[AuditEvent]:
    async def work(a: Assistant) -> list[AuditEvent]:
        return a.queue.audit_log(item_id)

    return call(work)


def outbox() -> list[OutboxMessage]:
    """Sent replies and confirmations, newest first."""

    async def work(a: Assistant) -> list[OutboxMessage]:
        return a.queue.outbox()[::-1]

    return call(work)


def decide(item_id: int, decision: Decision, expected_version: int) -> ReviewItem:
    """Raises ConflictError when the item changed since ``expected_version`` was shown."""

    async def work(a: Assistant) -> ReviewItem:
        return await a.decide(item_id, decision, expected_version=expected_version)

    return call(work)


def retry(item_id: int, actor: str, expected_version: int) -> ProcessResult:
    async def work(a: Assistant) -> ProcessResult:
        return await a.retry(item_id, actor, expected_version=expected_version)

    return call(work)
