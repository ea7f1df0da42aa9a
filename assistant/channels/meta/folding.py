"""Which webhooks may be taken in one transaction. Nearly all traffic (new messages,
reactions, delivery receipts, our own echoes) changes no existing item: its payload, dedupe
check, items, jobs and event records are committed together, one commit per POST. An edit, a
removal, another tool's echo or a failed delivery changes an item first, the long way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.engine import Connection

from assistant.channels.meta import markers
from assistant.channels.meta.events import DeliveryState, Echo, Edited, MetaEvent, Status, Withdrawn
from assistant.intake.messages import InboundMessage


class StoringSink(Protocol):
    """Stores new messages inside the webhook's own transaction (the service's items and
    their jobs); ``committed`` runs after the commit (it wakes an embedded job runner)."""

    def store(self, conn: Connection, messages: Sequence[InboundMessage]) -> object: ...

    def committed(self) -> None: ...


class StoredNotAppliedError(Exception):
    """The payload and its events are committed, but an edit or removal that overtook one of
    its messages could not be applied yet (``assistant webhooks replay`` applies it)."""

    def __init__(self, payload_id: int) -> None:
        super().__init__(f"payload #{payload_id}")
        self.payload_id = payload_id


def changes_items(event: MetaEvent) -> bool:
    match event:
        case Edited() | Withdrawn():
            return True
        case Echo():
            return not markers.is_ours(event.marker)
        case Status():
            failed = event.state is DeliveryState.failed
            return failed and markers.item_of(event.marker) is not None
        case _:
            return False
