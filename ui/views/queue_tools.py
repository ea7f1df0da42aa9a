"""The queue's search box, the snoozed toggle and the agent's mentions. ``narrow`` is the
queue as the agent asked for it: without snoozed items (unless shown), within a search."""

from __future__ import annotations

import components as ui
import streamlit as st
import tools
from feedback import guarded

from assistant.review.worklist import Worklist

SEARCH_KEY = "q_search"
SNOOZED_KEY = "f_snoozed"
MENTIONS_SHOWN = 20


def narrow(user: str, work: Worklist) -> Worklist:
    query = str(st.session_state.get(SEARCH_KEY) or "")
    return tools.narrowed(user, work, query, bool(st.session_state.get(SNOOZED_KEY)))


@guarded
def _open(item_id: int) -> None:
    st.session_state["item_id"] = item_id
    st.session_state["page"] = "Item"


def bar(user: str) -> None:
    """Search, the snoozed toggle, and the notes that mention this agent."""
    search, toggle = st.columns([4, 1], vertical_alignment="bottom")
    search.text_input(
        "Search: customer name, @handle or key, order id, words of the message",
        key=SEARCH_KEY,
        max_chars=200,
        placeholder="e.g. FH-10293, marcus, refund",
        persist_state="session",
    )
    snoozed = len(tools.snoozed(user))
    toggle.checkbox(f"Show snoozed ({snoozed})", key=SNOOZED_KEY, persist_state="session")
    mentions = tools.mentions(user)
    if not mentions:
        return
    with st.expander(f"Mentions for you ({len(mentions)} unread)"):
        for m in mentions[:MENTIONS_SHOWN]:
            text, button = st.columns([5, 1], vertical_alignment="center")
            text.text(
                ui.shown(f"#{m.item_id} · {m.author} · {ui.when(m.created_at)} UTC: {m.text}")
            )
            button.button("Open", key=f"mention-{m.note_id}", on_click=_open, args=(m.item_id,))
