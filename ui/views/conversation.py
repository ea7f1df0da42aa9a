"""The item's conversation (this customer on this channel, per post for comments): their
earlier messages, our replies, replies sent from another tool and reactions; above it, the
platform's reply deadline and, once the window has closed, what is still possible."""

from __future__ import annotations

from datetime import UTC, datetime

import actions
import components as ui
import streamlit as st
from feedback import attempt, flash, guarded

from assistant.app import open_records
from assistant.channels.conversations import Conversation, Turn, TurnKind, conversation_of
from assistant.channels.reply_deadlines import ItemWindow, item_window
from assistant.errors import KnowledgeError
from assistant.knowledge.policy import load_policy
from assistant.review.decisions import Reject
from assistant.review.models import ItemStatus, ReviewItem

WHO = {
    TurnKind.customer: "Customer",
    TurnKind.reply: "Brand",
    TurnKind.elsewhere: "Brand, from another tool",
    TurnKind.reaction: "Customer reaction",
}
CLOSE_REASON = "the platform's reply window has closed: nothing can be sent"


def load(user: str, item: ReviewItem) -> tuple[Conversation, ItemWindow]:
    actions.current_user(user)
    settings = actions.load_settings()
    policy = load_policy(settings.knowledge_dir / "policy.yaml", "policy.yaml")
    with open_records(settings) as records:
        engine = records.queue.engine
        talk = conversation_of(engine, item)
        try:
            window = item_window(engine, item, datetime.now(UTC), settings, policy)
        except KnowledgeError as exc:  # a broken channels.yaml: said, not a crash
            st.warning(f"Reply window unknown: {exc}")
            window = ItemWindow(None)
    return talk, window


def render_conversation(user: str, item: ReviewItem) -> None:
    talk, window = load(user, item)
    _window(user, item, window)
    earlier = talk.before(item)
    if len(talk.turns) <= 1:
        st.caption("No earlier messages in this conversation.")
        return
    label = f"Conversation so far ({len(earlier)} earlier messages and replies)"
    with st.expander(label, expanded=len(talk.turns) <= 8):
        for turn in talk.turns:
            _turn(turn, item)


def _turn(turn: Turn, item: ReviewItem) -> None:
    mine = turn.kind is TurnKind.customer and turn.item_id == item.id
    this = " · this message" if mine else ""
    st.caption(f"{WHO[turn.kind]} · {ui.when(turn.at)} UTC · {turn.note}{this}")
    st.text(ui.shown(turn.text[: ui.MESSAGE_PREVIEW] or "(no text)"))


def _window(user: str, item: ReviewItem, window: ItemWindow) -> None:
    if window.window is None or not ItemStatus(item.status).open:
        return
    if window.closed:
        st.error(f"Reply window: {window.possible()}.")
        st.button(
            "Close the item (nothing can be sent)",
            key=f"close-{item.id}",
            on_click=_on_close,
            args=(user, item.id, item.version),
        )
    elif window.needs_person:
        st.warning(f"Reply window: {window.possible()}. Approving sends it with that tag.")
    elif window.template is not None and window.deadline is None:
        st.warning(f"Reply window: {window.possible()}.")  # the draft itself cannot go
    else:
        st.caption(f"Reply window: {window.possible()}.")


@guarded
def _on_close(user: str, item_id: int, version: int) -> None:
    decision = Reject(actor=user, reason=CLOSE_REASON)
    if attempt(lambda: actions.decide(user, item_id, decision, version)) is not None:
        flash("info", f"Item #{item_id} closed: the reply window had closed.")
