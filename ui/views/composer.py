"""The reply composer on an item: the draft box, the diff, the text exactly as the customer
will see it with its length, and the decisions. Decisions carry the version the agent saw:
if someone acted in between, nothing is overwritten and the page says who did what.

After a decision the next item the agent can decide opens in the same place; inside the
queue's one pane only that pane is redrawn (a fragment), never the whole page."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from functools import partial

import actions
import components as ui
import streamlit as st
import workspace
from feedback import attempt, flash, guarded
from pydantic import ValidationError
from views import composer_tools
from views.filters import current_filters

from assistant.errors import AssistantError
from assistant.knowledge.disclosure import with_disclosure
from assistant.review.decisions import (
    ESCALATION_ROLES,
    Approve,
    Decision,
    Edit,
    Escalate,
    Reject,
)
from assistant.review.drafts import SavedDraft
from assistant.review.models import ItemStatus, ReviewItem

NOTHING_LEFT = "Nothing else in the queue you can decide right now."


def seen_key(item_id: int) -> str:
    return f"seen-{item_id}"


def _seen(item_id: int, shown: int) -> int:
    """The version the agent is looking at: the one drawn, moved on only by their own claim
    (claiming by editing changes nothing they read)."""
    return int(st.session_state.get(seen_key(item_id), shown))


def _open_next(user: str, item_id: int) -> None:
    """After a decision: the next item this agent can decide, else the queue."""
    following = workspace.next_open(user, current_filters(), item_id)
    st.session_state["item_id"] = following
    if following is None:
        flash("info", NOTHING_LEFT)
        st.session_state["page"] = "Queue"


def _outcome(decision: Decision, item: ReviewItem) -> str:
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


def _submit(
    user: str,
    item_id: int,
    version: int,
    make: Callable[[], Decision],
    diff: str | None = None,
) -> None:
    """Record a decision taken on ``version`` of the item (the one on screen), or say why not."""
    try:
        decision = make()
        item = actions.decide(user, item_id, decision, version)
    except AssistantError as exc:
        if workspace.decided_by(user, item_id) == user:  # a second press of the same key
            _open_next(user, item_id)
            return
        flash("error", str(exc))
    except ValidationError as exc:
        flash("error", f"Item #{item_id}: not recorded: {exc.errors()[0]['msg']}.")
    else:
        flash("success", _outcome(decision, item), diff)
        if actions.promised_follow_up(item):
            flash("info", f"Item #{item_id} promised a reply from a person: it is a follow-up now.")
        _open_next(user, item_id)


@guarded
def _on_draft_change(user: str, item_id: int, version: int, draft: str | None, key: str) -> None:
    """Keep the edit in the database (and claim the item): a reload or a crash keeps it."""
    claimed = workspace.keep_draft(user, item_id, str(st.session_state.get(key) or ""), draft or "")
    if claimed is not None and claimed.version == _seen(item_id, version) + 1:
        st.session_state[seen_key(item_id)] = claimed.version
        flash("info", f"Item #{item_id} is yours while you edit: other agents see it as claimed.")


@guarded
def _on_approve(user: str, item_id: int, version: int, draft: str | None, key: str) -> None:
    version = _seen(item_id, version)
    text = str(st.session_state.get(key) or "").strip()
    if not text:
        flash("error", f"Item #{item_id}: the reply is empty. Write one, or reject the message.")
    elif text == (draft or "").strip():
        _submit(user, item_id, version, lambda: Approve(actor=user))
    elif composer_tools.confirmed(user, item_id, text):  # a new fact is warned of once first
        diff = ui.draft_diff(draft or "", text)
        _submit(user, item_id, version, lambda: Edit(actor=user, text=text), diff)


@guarded
def _on_reject(user: str, item_id: int, version: int) -> None:
    version = _seen(item_id, version)
    reason = str(st.session_state.get(f"reason-{item_id}") or "").strip()
    if not reason:
        flash("error", f"Item #{item_id} was not rejected: give a reason (it goes in the audit).")
        return
    _submit(user, item_id, version, lambda: Reject(actor=user, reason=reason))


@guarded
def _on_escalate(user: str, item_id: int, version: int) -> None:
    version = _seen(item_id, version)
    to = str(st.session_state.get(f"to-{item_id}") or ESCALATION_ROLES[0])
    note = str(st.session_state.get(f"note-{item_id}") or "").strip()
    _submit(user, item_id, version, lambda: Escalate(actor=user, to=to, note=note))  # type: ignore[arg-type]


@guarded
def _on_retry(user: str, item_id: int, version: int) -> None:
    result = attempt(lambda: actions.retry(user, item_id, version))
    if result is None:
        return
    still = f"; it still needs attention: {result.error}" if result.needs_attention else ""
    flash("success", f"Item #{item_id} ran through the pipeline again: {result.status}{still}.")


def composer(
    user: str,
    item: ReviewItem,
    disclosure: str,
    max_chars: int,
    kept: SavedDraft | None,
    *,
    opened: bool,
) -> None:
    """The reply and the decisions; a decided item shows the text that was sent instead.
    ``kept``: the unsent edit saved for the item (it fills the box on the first draw).
    ``opened``: the agent came from another item; the box is filled again from what is
    saved (every edit is saved as it is made), so the box the browser draws anew never
    starts empty: the browser forgets a box that left the screen, the server does not."""
    assert item.id is not None
    if not ItemStatus(item.status).open:
        _sent(item)
        return
    st.markdown("**Reply**")
    ui.badge(item.draft_kind)
    key = f"text-{item.id}-{zlib.crc32((item.draft or '').encode())}"
    first = key not in st.session_state  # first draw in this tab
    if first or opened:  # the kept edit, else the draft
        st.session_state[key] = kept.text if kept else item.draft or ""
    if first and kept:
        st.info(f"Your unsent edit ({kept.author}, {ui.when(kept.updated_at)} UTC) is back.")
    text = st.text_area(
        "Draft (body only; the disclosure is added when it is sent)",
        key=key,
        height=160,
        max_chars=10_000,
        on_change=_on_draft_change,
        args=(user, item.id, item.version, item.draft, key),
    )
    saved = partial(_on_draft_change, user, item.id, item.version, item.draft, key)
    composer_tools.insert(user, item, key, saved)  # templates and sources' answers
    edited = bool(text.strip()) and text.strip() != (item.draft or "").strip()
    if edited:
        st.caption("You changed the draft: Approve sends your text, recorded as an edit.")
        st.code(ui.draft_diff(item.draft or "", text), language="diff", wrap_lines=True)
    st.markdown("**What the customer will see**")
    shown = with_disclosure(disclosure, text) if text.strip() else ""
    with st.container(border=True):
        st.text(shown or "(nothing yet)")
    over = len(shown) > max_chars
    st.caption(
        f"{len(shown)} of {max_chars} characters allowed on {item.channel}"
        + (" — too long: shorten it before sending" if over else "")
    )
    composer_tools.warnings(user, item, text, edited, max_chars)  # the guard, beside Approve
    _decisions(user, item, key, edited, over)


def _sent(item: ReviewItem) -> None:
    by = f" by {item.decided_by}" if item.decided_by else ""
    st.info(f"This item is {item.status}{by}; there is nothing left to decide.")
    if item.final_text:
        st.markdown("**What was sent**" if item.status == "sent" else "**The approved reply**")
        with st.container(border=True):
            st.text(ui.shown(item.final_text))


def _decisions(user: str, item: ReviewItem, key: str, edited: bool, too_long: bool) -> None:
    assert item.id is not None
    seen = (user, item.id, item.version)  # the version the agent is looking at
    approve, retry = st.columns(2) if item.needs_attention else (st.container(), None)
    approve.button(
        "Edit, send & next" if edited else "Approve & next",
        type="primary",
        key=f"approve-{item.id}",
        on_click=_on_approve,
        args=(*seen, item.draft, key),
        width="stretch",
        shortcut="Alt+A",
        disabled=too_long,  # the send would be refused anyway; shorten it first
    )
    if retry is not None:
        retry.button(
            "Retry the pipeline",
            key=f"retry-{item.id}",
            on_click=_on_retry,
            args=seen,
            width="stretch",
        )
    reject, escalate = st.columns(2, vertical_alignment="bottom")
    reject.text_input("Reason (required to reject)", key=f"reason-{item.id}", max_chars=2_000)
    reject.button(
        "Reject & next",
        key=f"reject-{item.id}",
        on_click=_on_reject,
        args=seen,
        width="stretch",
        shortcut="Alt+X",
    )
    escalate.selectbox("Escalate to", ESCALATION_ROLES, key=f"to-{item.id}")
    escalate.text_input("Note for them", key=f"note-{item.id}", max_chars=2_000)
    escalate.button(
        "Escalate",
        key=f"escalate-{item.id}",
        on_click=_on_escalate,
        args=seen,
        width="stretch",
        shortcut="Alt+E",
    )
