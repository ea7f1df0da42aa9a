"""The queue's "platform window" column: for items that came by Meta webhook, how long the
platform still takes a reply ("closed" once nothing can be sent)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import actions
import streamlit as st

from assistant.app import open_records
from assistant.channels.meta.wiring import META_CHANNELS
from assistant.channels.reply_deadlines import windows_by_id
from assistant.errors import KnowledgeError
from assistant.knowledge.policy import load_policy
from assistant.review.worklist import QueueRow

COLUMNS: dict[str, Any] = {
    "platform window": st.column_config.TextColumn(
        width=120,
        help="How long Meta still takes a reply (24 h, 7 days with a person's approval, "
        "templates on WhatsApp); 'closed': nothing can be sent",
    )
}


def with_windows(
    table: dict[str, list[Any]], rows: tuple[QueueRow, ...], now: datetime
) -> dict[str, list[Any]]:
    """``table`` plus the column, when any row has a platform window."""
    ids = [r.id for r in rows if r.channel in META_CHANNELS]
    if not ids:
        return table
    settings = actions.load_settings()
    policy = load_policy(settings.knowledge_dir / "policy.yaml", "policy.yaml")
    try:
        with open_records(settings) as records:
            windows = windows_by_id(records.queue.engine, ids, now, settings, policy)
    except KnowledgeError:  # a broken channels.yaml: the item page says so
        return table
    shown = [windows[r.id].short(now) if r.id in windows else "" for r in rows]
    if not any(shown):
        return table
    return {**table, "platform window": shown}
