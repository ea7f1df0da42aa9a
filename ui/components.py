"""Read-only pieces of the console: tables, the item's details and the audit trail."""

from __future__ import annotations

import difflib
import re
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from assistant.review.models import AuditEvent, OutboxMessage, ReviewItem

MESSAGE_PREVIEW = 600  # characters of the customer's message shown before "show the rest"
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|$<>~:])")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def plain(text: str) -> str:
    """Customer text shown through Markdown: no formatting, links, emoji codes or maths."""
    return _MARKDOWN.sub(r"\\\1", text).replace("\n", "  \n")


def when(value: datetime | None) -> str:
    return f"{value:%b %d %H:%M}" if value else ""


def due_words(due: datetime, now: datetime | None = None) -> str:
    minutes = int(((now or datetime.now(UTC)) - due).total_seconds() // 60)
    span = f"{abs(minutes) // 60} h {abs(minutes) % 60} min"
    return f"overdue by {span}" if minutes > 0 else f"due in {span}"


def draft_diff(before: str, after: str) -> str:
    """A unified diff, one sentence a line, so a one-word change stands out in a paragraph."""

    def lines(text: str) -> list[str]:
        return [s for line in text.strip().splitlines() for s in _SENTENCE_END.split(line)]

    diff = difflib.unified_diff(lines(before), lines(after), "draft", "sent", lineterm="", n=1)
    return "\n".join(diff)


QUEUE_COLUMNS: dict[str, Any] = {
    "id": st.column_config.NumberColumn("#", width=45, format="%d"),
    "⚠": st.column_config.TextColumn("⚠", width=30, help="Needs attention: the pipeline failed"),
    "channel": st.column_config.TextColumn(width=80),
    "topics": st.column_config.TextColumn(width=150),
    "why": st.column_config.TextColumn("why (first reason)", width=220),
    "received": st.column_config.TextColumn(width=90),
    "due": st.column_config.TextColumn(width=90),
    "draft": st.column_config.TextColumn(width=70),
    "status": st.column_config.TextColumn(width=75),
}


def queue_table(items: list[ReviewItem]) -> list[dict[str, Any]]:
    return [
        {
            "id": item.id,
            "⚠": "⚠" if item.needs_attention else "",
            "channel": item.channel,
            "topics": ", ".join(item.topics),
            "why": item.reasons[0] if item.reasons else "",
            "received": when(item.received_at),
            "due": when(item.due_at),
            "draft": item.draft_kind,
            "status": item.status,
        }
        for item in items
    ]


def item_label(item: ReviewItem) -> str:
    flag = " ⚠" if item.needs_attention else ""
    who = item.author_name or item.author_handle or item.customer_key
    return f"#{item.id} · {item.channel} · {who} · {', '.join(item.topics)}{flag}"


def customer_message(item: ReviewItem) -> None:
    if item.needs_attention:
        st.warning(f"Needs attention: {item.error or 'the pipeline failed on this message'}")
    who = item.author_name or item.customer_key
    handle = f" (@{item.author_handle.lstrip('@')})" if item.author_handle else ""
    st.markdown(plain(f"{who}{handle} on {item.channel}"))
    st.caption(
        f"Received {when(item.received_at)} UTC · reply {due_words(item.due_at)} "
        f"({when(item.due_at)}) · {item.status}"
        + (f" to {item.escalated_to}" if item.escalated_to else "")
    )
    text = item.text or "(no text)"
    with st.container(border=True):
        st.text(text[:MESSAGE_PREVIEW] + ("…" if len(text) > MESSAGE_PREVIEW else ""))
        if len(text) > MESSAGE_PREVIEW:
            with st.expander(f"Show the rest ({len(text) - MESSAGE_PREVIEW:,} more characters)"):
                st.text(text[MESSAGE_PREVIEW:])


def context(item: ReviewItem) -> None:
    """Why the item is here, the order, and the knowledge the draft is grounded in."""
    st.markdown("**Why it is here**")
    st.markdown("\n".join(f"- {plain(r)}" for r in item.reasons) or "- (no reason recorded)")
    if item.order_facts:
        st.markdown(f"**Order {plain(item.order_id or '')}**")
        st.text(item.order_facts)
    elif item.order_id:
        st.markdown(f"**Order {plain(item.order_id)}**: not found in the order records")
    st.markdown(f"**Sources** ({len(item.sources)})")
    for source in item.sources:
        where = f"{source['source']}:{source['line']}"
        with st.expander(f"{source['id']} — {where} · score {source['score']:.2f}"):
            st.markdown(f"**{plain(source.get('title') or '')}**")
            st.text(source["text"])


def badge(draft_kind: str) -> None:
    match draft_kind:
        case "template":
            st.badge("template draft", icon=":material/description:", color="blue")
        case "model":
            st.badge("model draft", icon=":material/smart_toy:", color="violet")
        case _:
            st.badge("no draft: write the reply", color="gray")


def audit_trail(events: list[AuditEvent]) -> None:
    if not events:
        st.caption("No actions recorded yet.")
        return
    rows = [
        {
            "time": f"{e.at:%Y-%m-%d %H:%M:%S}",
            "actor": e.actor,
            "action": e.action,
            "reason": e.reason or "",
            "before": e.before_text or "",
            "after": e.after_text or "",
        }
        for e in events
    ]
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_config={
            "time": st.column_config.TextColumn(width=140),
            "actor": st.column_config.TextColumn(width=90),
            "action": st.column_config.TextColumn(width=70),
            "before": st.column_config.TextColumn(width="medium"),
            "after": st.column_config.TextColumn(width="medium"),
        },
    )
    for e in events:
        stamp = f"{e.action} by {e.actor} at {e.at:%Y-%m-%d %H:%M:%S}"
        if e.before_text and e.after_text and e.before_text != e.after_text:
            st.caption(f"{stamp}: what changed")
            st.code(draft_diff(e.before_text, e.after_text), language="diff", wrap_lines=True)
        elif e.action == "sent" and e.after_text:
            st.caption(f"{stamp}: the reply as sent")
            with st.container(border=True):
                st.text(e.after_text)


def outbox_table(sent: list[OutboxMessage]) -> None:
    rows = [
        {
            "sent": f"{m.sent_at:%Y-%m-%d %H:%M}",
            "item": m.item_id,
            "channel": m.channel,
            "customer": m.customer_key,
            "kind": m.kind,
            "by": "automatic" if m.automated else m.sent_by,
            "text": m.text,
        }
        for m in sent
    ]
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_config={"text": st.column_config.TextColumn(width="large")},
    )
