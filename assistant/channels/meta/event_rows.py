"""An event as its ``meta_events`` row: the dedupe key, where it belongs, and what a person
(or ``was_sent``) needs from it later."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table

from assistant.channels.meta.events import (
    Echo,
    Edited,
    MetaEvent,
    NewMessage,
    Reaction,
    Recorded,
    Status,
    Withdrawn,
    kind_of,
)
from assistant.channels.meta.records import MetaEventRecord
from assistant.review.models import utcnow

RECORDS: Table = MetaEventRecord.__table__  # type: ignore[attr-defined]


def event_row(event: MetaEvent, payload_id: int) -> dict[str, Any]:
    data: dict[str, Any] = {}
    platform_id: str | None = None
    marker: str | None = None
    match event:
        case NewMessage():
            platform_id = event.message.id
        case Edited():
            platform_id, data = event.platform_id, {"text": event.text}
        case Withdrawn():
            platform_id = event.platform_id
        case Reaction():
            platform_id = event.target_id
            data = {"emoji": event.emoji, "removed": event.removed}
        case Echo():
            platform_id, marker = event.platform_id, event.marker
            data = {"text": event.text, "answers": event.answers}
        case Status():
            platform_id, marker = event.platform_id, event.marker
            data = {"state": event.state.value, "errors": [list(e) for e in event.errors]}
        case Recorded():
            data = event.data
    # A plain row, not a model: built for every event of every webhook.
    return {
        "dedupe_key": event.key,
        "kind": kind_of(event),
        "channel": event.channel,
        "account_id": event.account_id,
        "conversation": event.conversation,
        "platform_id": platform_id,
        "marker": marker,
        "occurred_at": event.occurred_at,
        "payload_id": payload_id,
        "data": data,
        "recorded_at": utcnow(),
    }
