"""One item: the message, why it is here and the reply with its decisions first (what an
agent needs, and what a phone shows first), then the conversation before it, who the
customer is, what the draft is grounded in and the audit.

``view`` draws it in two places: beside the list in the queue's one pane (``triage``), and
full width on the Item page (deep links: ``?item=12``)."""

from __future__ import annotations

import actions
import components as ui
import streamlit as st
from feedback import attempt, flash, guarded, show_flash
from views import conversation, keys, notes, presence, snooze
from views.composer import composer, seen_key

from assistant.review.models import ItemStatus, ReviewItem


def back_to_queue() -> None:
    st.session_state["page"] = "Queue"


@guarded
def _on_claim(user: str, item_id: int, take_over: bool) -> None:
    if attempt(lambda: actions.claim(user, item_id, take_over)):
        flash("info", f"Item #{item_id} is yours: other agents see it as claimed by you.")


@guarded
def _on_release(user: str, item_id: int) -> None:
    if attempt(lambda: actions.release(user, item_id)):
        flash("info", f"Item #{item_id} is back in the queue for anyone.")


def page(user: str, role: str) -> None:
    """The Item page: one item, full width."""
    top = st.columns([1, 1, 2], vertical_alignment="center")
    top[0].button("← Queue", key="back", on_click=back_to_queue, shortcut="Esc", type="tertiary")
    with top[2]:
        keys.sheet_button()
    item_id = st.session_state.get("item_id")
    if item_id is None:
        show_flash()
        st.info("Open an item from the queue.")
        return
    view(user, role, int(item_id), wide=True)


def view(user: str, role: str, item_id: int, *, wide: bool) -> None:
    """The item. ``wide``: the message and the reply side by side (they stack on a phone,
    message first); otherwise one above the other (beside the queue's list)."""
    shown = actions.item(user, item_id)
    item = shown.detail.item
    assert item.id is not None
    opened = st.session_state.get("shown_item", (None,))[0] != item.id  # from another item
    if st.session_state.get("shown_item") != (item.id, item.version):  # a fresh look at it
        st.session_state["shown_item"] = (item.id, item.version)
        st.session_state[seen_key(item.id)] = item.version
    title, moves = st.columns([3, 2], vertical_alignment="center")
    title.header(f"Item #{item.id}")
    with moves:
        keys.move_buttons(user, item.id)
    show_flash()
    _claim_bar(user, role, item)
    if (kept := shown.editing) and kept.author != user:
        st.warning(
            f"{kept.author} is editing this reply (unsent edit saved {ui.when(kept.updated_at)} "
            "UTC): talk to them before you decide it."
        )
    presence.on_item(user, item.id)  # who else is viewing it
    notes.render(user, item.id)  # internal notes, an escalation's first
    snooze.render(user, item)
    message, reply = st.columns(2, gap="large") if wide else (st.container(), st.container())
    with message:
        ui.customer_message(item)
        ui.reasons(item)
    with reply:
        # Tools that fill the draft (macros, a source's answer) render here, above the box.
        composer(user, item, shown.disclosure, shown.max_chars, shown.editing, opened=opened)
    conversation.render_conversation(user, item)  # earlier turns, the platform's reply window
    ui.customer_card(shown.detail)
    ui.grounding(item)
    audit = st.expander(
        f"Audit ({len(shown.detail.audit)} actions)", key=f"audit-{item.id}", on_change="rerun"
    )
    if audit.open:  # drawn only when asked for: its table costs more than the rest
        with audit:
            ui.audit_trail(shown.detail.audit)


def _claim_bar(user: str, role: str, item: ReviewItem) -> None:
    assert item.id is not None
    if not ItemStatus(item.status).open:
        return  # the composer says who decided it and shows what was sent
    text, button = st.columns([3, 1], vertical_alignment="center")
    if item.assignee == user:
        text.caption("You have claimed this item; other agents see it as yours.")
        button.button("Release", key="release", on_click=_on_release, args=(user, item.id))
    elif item.assignee:
        text.warning(f"Claimed by {item.assignee}: they are working on it.")
        if role != "agent":
            button.button(
                "Take over", key="take_over", on_click=_on_claim, args=(user, item.id, True)
            )
    else:
        text.caption("Nobody has claimed this item yet.")
        button.button(
            "Claim",
            key="claim",
            on_click=_on_claim,
            args=(user, item.id, False),
            shortcut="Alt+M",
        )
