"""The customer's newest message per conversation: a customer who writes again reopens the
reply window for their earlier messages too (Meta counts from the last one)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from assistant.channels.meta.event_rows import RECORDS
from assistant.channels.meta.events import EventKind


def last_messages(engine: Engine, conversations: Sequence[str | None]) -> dict[str, datetime]:
    wanted = sorted({c for c in conversations if c})
    if not wanted:
        return {}
    query = (
        select(RECORDS.c.conversation, func.max(RECORDS.c.occurred_at))
        .where(RECORDS.c.kind == EventKind.message.value, RECORDS.c.conversation.in_(wanted))
        .group_by(RECORDS.c.conversation)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return {conversation: _aware(moment) for conversation, moment in rows if moment}


async def last_message(engine: Engine, metadata: Mapping[str, Any]) -> datetime | None:
    """For a DM about to be sent (comments count from the comment itself)."""
    conversation = metadata.get("conversation")
    if metadata.get("kind") == "comment" or not isinstance(conversation, str):
        return None
    found = await asyncio.to_thread(last_messages, engine, [conversation])
    return found.get(conversation)


def conversation_of(metadata: Mapping[str, Any]) -> str | None:
    value = metadata.get("conversation")
    return value if isinstance(value, str) else None


def _aware(moment: datetime | str) -> datetime:
    value = moment if isinstance(moment, datetime) else datetime.fromisoformat(moment)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
