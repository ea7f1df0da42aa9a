"""Read-only pieces of the console: tables, the item's details and the audit trail."""

from __future__ import annotations

import difflib
import re
from datetime import UTC, datetime

import streamlit as st

from assistant.review.item_detail import ItemDetail
from assistant.review.models import AuditAction, AuditEvent, OutboxMessage, ReviewItem

MESSAGE_PREVIEW = 600  # characters of the customer's message shown before "show the rest"
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|$<>~:])")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# Bidi embeddings, overrides and isolates, marks, and C0/C1 controls other than \t and \n.
_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(text: str) -> str:
    """Customer text shown through Markdown: no formatting, links, emoji codes or maths."""
    return _MARKDOWN.sub(r"\\\1", shown(text)).replace("\n", "  \n")


def shown(text: str) -> str:
    """Text from customers, graders or models, for ``st.text`` (never Markdown, which
    autolinks URLs and fetches images): direction overrides that would display it reversed,
    and other invisible controls, are shown as their code point instead."""
    return _INVISIBLE.sub(lambda m: f"[U+{ord(m.group(0)):04X}]", text)


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


def customer_message(item: ReviewItem) -> None:
    if item.needs_attention:
        st.warning(f"Needs attention: {plain(item.error or 'the pipeline failed on this message')}")
    who = item.author_name or item.customer_key
    handle = f" (@{item.author_handle.lstrip('@')})" if item.author_handle else ""
    st.text(shown(f"{who}{handle} on {item.channel}"))
    st.caption(
        f"Received {when(item.received_at)} UTC · reply {due_words(item.due_at)} "
        f"({when(item.due_at)}) · {item.status}"
        + (f" to {item.escalated_to}" if item.escalated_to else "")
    )
    text = item.text or "(no text)"
    with st.container(border=True):
        st.text(shown(text[:MESSAGE_PREVIEW]) + ("…" if len(text) > MESSAGE_PREVIEW else ""))
        if len(text) > MESSAGE_PREVIEW:
            with st.expander(f"Show the rest ({len(text) - MESSAGE_PREVIEW:,} more characters)"):
                st.text(shown(text[MESSAGE_PREVIEW:]))


def customer_card(detail: ItemDetail) -> None:
    """Who they are (when we could tie the sender to a customer record) and their consent."""
    st.markdown("**Customer**")
    state = detail.state
    with st.container(border=True):
        if detail.customer:
            c = detail.customer
            vip = " · VIP" if c.vip else ""
            st.text(shown(f"{c.first_name} {c.last_name}".strip() + f" ({c.customer_id}){vip}"))
            handles = ", ".join(f"{ch}: {h}" for ch, h in c.handles.items())
            st.text(shown(f"Handles: {handles or 'none'}"))
        else:
            st.caption("Not matched to a customer record (the sender's handle is unknown).")
        consent = [
            f"opted out {when(state.opted_out_at)}" if state.opted_out_at else "not opted out",
            f"opted back in {when(state.opted_in_at)}" if state.opted_in_at else "",
            f"consent to messages {when(state.consent_at)}" if state.consent_at else "no consent",
        ]
        st.caption(" · ".join(p for p in consent if p))
        if detail.consent:
            with st.expander(f"Consent history ({len(detail.consent)})"):
                for r in detail.consent:
                    st.text(shown(f"{when(r.at)} · {r.kind} via {r.source} · {r.wording}"))
        if detail.orders:
            st.dataframe(
                [
                    {
                        "order": o.order_id,
                        "ordered": o.ordered_on.isoformat(),
                        "status": o.status,
                        "total": f"{o.total} {o.currency}",
                        "items": ", ".join(o.items),
                    }
                    for o in detail.orders
                ],
                hide_index=True,
                width="stretch",
            )


def reasons(item: ReviewItem) -> None:
    """Why the item is here, every reason in words."""
    st.markdown("**Why it is here**")
    st.text("\n".join(f"• {shown(r)}" for r in item.reasons) or "• (no reason recorded)")


def grounding(item: ReviewItem) -> None:
    """The order the message is about and the knowledge the draft is grounded in."""
    if item.order_facts:
        st.markdown("**Order**")
        st.text(item.order_facts)
    elif item.order_id:
        st.markdown("**Order**")
        st.text(shown(f"{item.order_id}: not found in the order records"))
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


def audit_trail(events: list[AuditEvent], diffs: bool = True) -> None:
    """A table of actions; with ``diffs``, what each edit changed and each reply as sent."""
    if not events:
        st.caption("No actions recorded.")
        return
    rows = [
        {
            "time": f"{e.at:%Y-%m-%d %H:%M:%S}",
            "item": e.item_id,
            "actor": e.actor,
            "action": e.action.value,
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
            "item": st.column_config.NumberColumn("#", width=50, format="%d"),
            "action": st.column_config.TextColumn(width=90),
            "before": st.column_config.TextColumn(width="medium"),
            "after": st.column_config.TextColumn(width="medium"),
        },
    )
    for e in events if diffs else []:
        stamp = f"{e.action} by {e.actor} at {e.at:%Y-%m-%d %H:%M:%S}"
        if e.before_text and e.after_text and e.before_text != e.after_text:
            st.caption(f"{stamp}: what changed")
            st.code(draft_diff(e.before_text, e.after_text), language="diff", wrap_lines=True)
        elif e.action == AuditAction.sent and e.after_text:
            st.caption(f"{stamp}: the reply as sent")
            with st.container(border=True):
                st.text(e.after_text)


def outbox_table(sent: list[OutboxMessage]) -> None:
    rows = [
        {
            "sent": f"{m.sent_at:%Y-%m-%d %H:%M}" if m.sent_at else "",
            "state": m.state,
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
