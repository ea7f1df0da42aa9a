"""Where new messages from a webhook go. The service's ``accept_messages`` (store and defer,
one transaction) is the production sink; ``inbox_sink`` runs the pipeline in-process, for a
single-process set-up and the tests."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.channels.meta.intake import MessageSink
from assistant.intake.messages import InboundMessage
from assistant.services.inbox import InboxService
from assistant.users.actor import SYSTEM_ACTOR


def inbox_sink(inbox: InboxService) -> MessageSink:
    async def accept(messages: Sequence[InboundMessage]) -> object:
        return await inbox.process_many(SYSTEM_ACTOR, messages)

    return accept
