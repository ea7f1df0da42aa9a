"""The queue as a list an agent reads at a glance: a coloured mark for the risk and for the
reply deadline, every reason (wrapped), who holds the item and its status.

Colours are emoji in plain text columns, not cell styles: styling 5,000 rows costs more
than the rest of the page, and the marks also read without colour (each has a word)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import streamlit as st
from components import shown, when

from assistant.review.worklist import QueueRow

SLA_WARNING_MINUTES = 30  # under this, the deadline mark turns orange
SLA_SOON_MINUTES = 120  # under this, yellow
ROW_HEIGHT = 70  # px: above 4 rem the table wraps text, so all the reasons can be read
HIGH_RISK_RANK = 2  # legal, threats, money, personal data, minors, complaints, order problems,
# cancellations, requests for a person, injection attempts (assistant/safety/topics.py)
OPEN_MARK = "▶"


def risk_mark(row: QueueRow) -> str:
    """Red: what a person must read carefully; orange: the pipeline failed or an influencer;
    green: a plain question."""
    if row.priority <= HIGH_RISK_RANK:
        return "🔴 high"
    if row.needs_attention or row.priority < 5:
        return "🟠 check"
    return "🟢 low"


def _countdown(left: int) -> str:
    size = abs(left)
    span = f"{size // 60} h {size % 60:02d} min" if size >= 60 else f"{size} min"
    if left < 0:
        return f"🔴 OVERDUE {span}"
    if left <= SLA_WARNING_MINUTES:
        return f"🟠 {span} left"
    return f"🟡 {span} left" if left <= SLA_SOON_MINUTES else f"⚪ {span} left"


def sla(row: QueueRow, now: datetime) -> str:
    """The reply deadline as a countdown, coloured by how close it is."""
    return _countdown(row.minutes_left(now))


def status(row: QueueRow) -> str:
    """Status and claim in one cell: what the agent needs to know before opening it."""
    state = f"{row.status} → {row.escalated_to}" if row.escalated_to else row.status
    return f"{state} · {row.assignee}" if row.assignee else state


QUEUE_COLUMNS: dict[str, Any] = {  # the list is narrow beside the item: what decides first
    "open": st.column_config.TextColumn("", width=24, help="The item open beside the list"),
    "risk": st.column_config.TextColumn(
        width=76, help="Red: legal, money, complaints and the like; orange: check it"
    ),
    "id": st.column_config.NumberColumn("#", width=44, format="%d"),
    "message": st.column_config.TextColumn(width=220),
    "reply due": st.column_config.TextColumn(width=118, help="Time left before the channel's SLA"),
    "why": st.column_config.TextColumn("why (every reason)", width=260),
    "status · claimed by": st.column_config.TextColumn(width=130),
    "customer": st.column_config.TextColumn(width=100),
    "⚠": st.column_config.TextColumn("⚠", width=30, help="Needs attention: the pipeline failed"),
    "channel": st.column_config.TextColumn(width=80),
    "topics": st.column_config.TextColumn(width=150),
    "draft": st.column_config.TextColumn(width=70),
}


def queue_table(rows: list[QueueRow], now: datetime) -> dict[str, list[Any]]:
    """Column-wise (what a dataframe is built from fastest); the open mark is added per draw.
    Customer text with direction overrides is shown with their code points (``shown``)."""
    return {
        "risk": [risk_mark(r) for r in rows],
        "id": [r.id for r in rows],
        "message": [shown(r.preview) for r in rows],
        "reply due": [sla(r, now) for r in rows],
        "why": [shown("; ".join(r.reasons)) for r in rows],
        "status · claimed by": [status(r) for r in rows],
        "customer": [shown(r.who) for r in rows],
        "⚠": ["⚠" if r.needs_attention else "" for r in rows],
        "channel": [r.channel for r in rows],
        "topics": [", ".join(r.topics) for r in rows],
        "draft": [r.draft_kind for r in rows],
    }


def with_open_mark(table: dict[str, list[Any]], open_id: int | None) -> dict[str, list[Any]]:
    """The table with the open item marked (a new dict: the cached table is shared)."""
    return {"open": [OPEN_MARK if i == open_id else "" for i in table["id"]], **table}


def row_label(row: QueueRow | None, item_id: int) -> str:
    """A picker label that stays the same while the item waits: no countdown (a label that
    changed between drawing and picking made the pick fail)."""
    if row is None:
        return f"#{item_id} · no longer open"
    flag = " ⚠" if row.needs_attention else ""
    return (
        f"#{row.id} · {row.channel} · {row.who} · {', '.join(row.topics) or 'no topic'} · "
        f"due {when(row.due_at)} UTC{flag}"
    )
