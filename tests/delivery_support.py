"""Helpers for the delivery tests: an assistant wired to the recording fake channel, whose
replies wait for the test to run each attempt."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from assistant.app import Assistant, open_assistant
from assistant.channels.recording import RecordingChannelClient
from assistant.channels.recording_server import FakeChannelServer, Faults
from assistant.delivery import ReplyStore
from assistant.review.decisions import Approve
from assistant.review.models import OutboxMessage
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR
from tests.support import message

# A lease held by a process on this host that no longer exists: what a crash leaves.
DEAD_OWNER = f"{socket.gethostname()}:4194303:dead00"


class Later:
    """A scheduler that only notes what it was asked: the test runs each attempt."""

    def __init__(self) -> None:
        self.asked: list[tuple[int, datetime | None]] = []

    async def schedule(self, reply_id: int, at: datetime | None) -> None:
        self.asked.append((reply_id, at))


@asynccontextmanager
async def wired(settings: Settings, fake: FakeChannelServer) -> AsyncIterator[Assistant]:
    # Generous: a loaded test machine must not turn a slow answer into a timeout.
    channel = RecordingChannelClient(fake.url, timeout_s=3.0)
    async with open_assistant(settings, channel=channel) as assistant:
        assistant.services.scheduler = Later()
        yield assistant


async def approved_reply(assistant: Assistant, id: str = "m-1", author: str = "web_7731") -> int:
    """A refund question (routed to a person), approved: its reply is recorded, pending."""
    msg = message("Can I get a refund?", id=id, author_id=author)
    result = await assistant.inbox.process(SYSTEM_ACTOR, msg)
    await assistant.review.decide(SYSTEM_ACTOR, result.item_id, Approve(actor="alice"))
    row = ReplyStore(assistant.queue.engine).for_item(result.item_id)
    assert row is not None and row.id is not None
    return row.id


def faults(fake: FakeChannelServer, **given: object) -> None:
    """New faults from now on; what customers received so far is kept."""
    fake.ledger.configure(Faults.model_validate(given), fresh=False)


def row(assistant: Assistant, reply_id: int) -> OutboxMessage:
    return ReplyStore(assistant.queue.engine).get(reply_id)


def advance(assistant: Assistant, by: timedelta) -> None:
    start = assistant.services.clock()
    assistant.services.clock = lambda: start + by
