"""Reply Assistant review console (minimal): work the queue, see what was sent and who did what.

Run with ``streamlit run ui/app.py`` (or ``assistant ui``); settings come from the environment.
Actions run in button callbacks, with the item version bound when the item was drawn: if
someone else acted in between, the service raises ConflictError and nothing is overwritten.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import actions
import components as ui
import streamlit as st
from pydantic import ValidationError

from assistant.errors import AssistantError
from assistant.pipeline.graph import with_disclosure
from assistant.review.decisions import Approve, Decision, Edit, Escalate, Reject
from assistant.review.models import ReviewItem

ROLES = ["lead", "legal", "admin"]

# -- feedback and callbacks ----------------------------------------------------------------


def flash(kind: str, text: str, diff: str | None = None) -> None:
    """Keep a message for the next run; callbacks run before the page is drawn."""
    st.session_state.setdefault("flash", []).append((kind, text, diff))


def show_flash() -> None:
    for kind, text, diff in st.session_state.pop("flash", []):
        getattr(st, kind)(text)
        if diff:
            st.code(diff, language="diff", wrap_lines=True)


def agent() -> str | None:
    name = str(st.session_state.get("agent") or "").strip()
    if not name:
        flash("warning", "Enter your agent name in the sidebar first: every action is signed.")
    return name or None


def outcome(decision: Decision, item: ReviewItem) -> str:
    who = decision.actor
    match decision:
        case Approve() | Edit():
            verb = "approved" if decision.kind == "approve" else "edited and approved"
            sent = "the reply was sent" if item.status == "sent" else f"it is {item.status}"
            return f"Item #{item.id} {verb} by {who}: {sent}."
        case Reject():
            return f"Item #{item.id} rejected by {who}: no reply will be sent."
        case Escalate(to=to):
            return f"Item #{item.id} escalated to {to} by {who}."


def submit(
    item_id: int, version: int, make: Callable[[], Decision], diff: str | None = None
) -> None:
    """Record a decision taken on ``version`` of the item (the one on screen), or say why not."""
    try:
        decision = make()
        item = actions.decide(item_id, decision, version)
    except AssistantError as exc:
        flash("error", str(exc))
    except ValidationError as exc:
        flash("error", f"Item #{item_id}: not recorded: {exc.errors()[0]['msg']}.")
    else:
        flash("success", outcome(decision, item), diff)
        st.session_state["audit_item"] = item_id


def on_approve(item_id: int, version: int, draft: str | None, text_key: str) -> None:
    if not (who := agent()):
        return
    text = str(st.session_state.get(text_key) or "").strip()
    if not text:
        flash("error", f"Item #{item_id}: the reply is empty. Write one, or reject the message.")
    elif text == (draft or "").strip():
        submit(item_id, version, lambda: Approve(actor=who))
    else:
        diff = ui.draft_diff(draft or "", text)
        submit(item_id, version, lambda: Edit(actor=who, text=text), diff)


def on_reject(item_id: int, version: int) -> None:
    if not (who := agent()):
        return
    reason = str(st.session_state.get(f"reason-{item_id}") or "").strip()
    if not reason:
        flash("error", f"Item #{item_id} was not rejected: give a reason (it goes in the audit).")
        return
    submit(item_id, version, lambda: Reject(actor=who, reason=reason))


def on_escalate(item_id: int, version: int) -> None:
    if not (who := agent()):
        return
    to = str(st.session_state.get(f"to-{item_id}") or ROLES[0])
    note = str(st.session_state.get(f"note-{item_id}") or "").strip()
    submit(item_id, version, lambda: Escalate(actor=who, to=to, note=note))


def on_retry(item_id: int, version: int) -> None:
    if not (who := agent()):
        return
    try:
        result = actions.retry(item_id, who, version)
    except AssistantError as exc:
        flash("error", str(exc))
        return
    still = f"; it still needs attention: {result.error}" if result.needs_attention else ""
    flash("success", f"Item #{item_id} ran through the pipeline again: {result.status}{still}.")


def select(item_id: int) -> None:
    st.session_state["item_id"] = st.session_state["audit_item"] = item_id


# -- pages -----------------------------------------------------------------------------


def queue_page() -> None:
    items, disclosure = actions.open_items()
    st.header("Review queue")
    channels = sorted({i.channel for i in items})
    topics = sorted({t for i in items for t in i.topics})
    left, mid, right = st.columns([2, 3, 1.3], vertical_alignment="bottom")
    pick_channels = left.multiselect("Channel", channels, key="f_channel", persist_state="session")
    pick_topics = mid.multiselect("Topic", topics, key="f_topic", persist_state="session")
    attention = right.checkbox("Needs attention only", key="f_attention", persist_state="session")
    shown = [
        i
        for i in items
        if (not pick_channels or i.channel in pick_channels)
        and (not pick_topics or set(pick_topics) & set(i.topics))
        and (not attention or i.needs_attention)
    ]
    flagged = sum(i.needs_attention for i in items)
    escalated = sum(i.status == "escalated" for i in items)
    st.caption(
        f"Showing {len(shown)} of {len(items)} open items · {flagged} need attention · "
        f"{escalated} escalated · most urgent first"
    )
    if not shown:
        show_flash()
        st.info("Nothing to review." if not items else "No open item matches these filters.")
        return

    ids = [i.id for i in shown]
    if st.session_state.get("item_id") not in ids:
        st.session_state["item_id"] = ids[0]
    current = ids.index(st.session_state["item_id"])

    def on_row(key: str) -> None:
        rows = st.session_state[key]["selection"]["rows"]
        if rows and rows[0] < len(ids):
            select(ids[rows[0]])

    table_key = f"table-{st.session_state['item_id']}"  # redrawn with the picked row selected
    st.dataframe(
        ui.queue_table(shown),
        key=table_key,
        hide_index=True,
        height=min(38 + 35 * len(shown), 320),
        column_config=ui.QUEUE_COLUMNS,
        on_select=lambda: on_row(table_key),
        selection_mode="single-row",
        selection_default={"selection": {"rows": [current]}},
    )
    by_id = {i.id: i for i in shown}
    st.session_state["pick"] = st.session_state["item_id"]
    st.selectbox(
        "Item",
        ids,
        key="pick",
        format_func=lambda i: ui.item_label(by_id[i]),
        on_change=lambda: select(st.session_state["pick"]),
    )
    st.divider()
    show_flash()
    item_view(by_id[st.session_state["item_id"]], disclosure)


def item_view(item: ReviewItem, disclosure: str) -> None:
    assert item.id is not None
    st.subheader(f"Item #{item.id}")
    message_col, reply_col = st.columns([1, 1], gap="large")
    with message_col:
        ui.customer_message(item)
        ui.context(item)
    with reply_col:
        st.markdown("**Reply**")
        ui.badge(item.draft_kind)
        text_key = f"text-{item.id}-{zlib.crc32((item.draft or '').encode())}"
        text = st.text_area(
            "Draft (body only; the disclosure is added when it is sent)",
            value=item.draft or "",
            key=text_key,
            height=180,
            max_chars=10_000,
        )
        if text.strip() and text.strip() != (item.draft or "").strip():
            st.caption("You changed the draft: Approve sends your text, recorded as an edit.")
            st.code(ui.draft_diff(item.draft or "", text), language="diff", wrap_lines=True)
        st.markdown("**What the customer will see**")
        with st.container(border=True):
            st.text(with_disclosure(disclosure, text) if text.strip() else "(nothing yet)")
        actions_bar(item, text_key)
    with st.expander("Audit"):
        ui.audit_trail(actions.audit_log(item.id))


def actions_bar(item: ReviewItem, text_key: str) -> None:
    assert item.id is not None
    seen = (item.id, item.version)  # the version the agent is looking at
    if item.needs_attention:
        approve, retry = st.columns(2)
        retry.button(
            "Retry",
            key=f"retry-{item.id}",
            on_click=on_retry,
            args=(item.id, item.version),
            width="stretch",
        )
    else:
        approve = st.container()
    approve.button(
        "Approve",
        type="primary",
        key=f"approve-{item.id}",
        on_click=on_approve,
        args=(*seen, item.draft, text_key),
        width="stretch",
    )
    reject, escalate = st.columns(2, vertical_alignment="bottom")
    reject.text_input("Reason (required to reject)", key=f"reason-{item.id}", max_chars=2_000)
    reject.button("Reject", key=f"reject-{item.id}", on_click=on_reject, args=seen, width="stretch")
    escalate.selectbox("Escalate to", ROLES, key=f"to-{item.id}")
    escalate.text_input("Note (optional)", key=f"note-{item.id}", max_chars=2_000)
    escalate.button(
        "Escalate", key=f"escalate-{item.id}", on_click=on_escalate, args=seen, width="stretch"
    )


def outbox_page() -> None:
    st.header("Outbox")
    sent = actions.outbox()
    st.caption(f"{len(sent)} sent, newest first")
    if sent:
        ui.outbox_table(sent)
    else:
        st.info("Nothing has been sent yet.")


def audit_page() -> None:
    st.header("Audit")
    state = st.session_state
    state["audit_pick"] = state.get("audit_item") or state.get("item_id") or 1
    item_id = int(
        st.number_input(
            "Item #",
            min_value=1,
            width=200,
            step=1,
            key="audit_pick",
            on_change=lambda: state.update(audit_item=state["audit_pick"]),
        )
    )
    item, events = actions.history(item_id)
    st.caption(
        f"{item.channel} · {item.author_name or item.customer_key} · {item.status}"
        + (f" by {item.decided_by}" if item.decided_by else "")
    )
    st.text(item.text[: ui.MESSAGE_PREVIEW] or "(no text)")
    ui.audit_trail(events)


# -- layout ----------------------------------------------------------------------------

st.set_page_config(page_title="Reply Assistant · review", page_icon="✉️", layout="wide")
with st.sidebar:
    st.title("Reply Assistant")
    st.text_input("Agent name", key="agent", max_chars=200, placeholder="Your name")
    if not str(st.session_state.get("agent") or "").strip():
        st.caption("Enter your name to approve, reject, escalate or retry.")
    view = st.radio("View", ["Queue", "Outbox", "Audit"], key="view")

try:
    {"Queue": queue_page, "Outbox": outbox_page, "Audit": audit_page}[str(view)]()
except AssistantError as exc:
    show_flash()
    st.error(str(exc))
