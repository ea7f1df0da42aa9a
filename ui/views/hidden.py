"""The spam folder: messages hidden as spam, restorable by any agent (a restored message is
drafted and comes back to the queue; restores are the moderation false-positive rate)."""

from __future__ import annotations

import actions
import components as ui
import streamlit as st
from feedback import attempt, flash, show_flash


def _on_restore(user: str, item_id: int) -> None:
    if result := attempt(lambda: actions.restore(user, item_id)):
        flash("success", f"Item #{item_id} restored by {user}: it is {result.status} now.")


def page(user: str) -> None:
    st.header("Spam folder")
    items, (hidden, restored) = actions.hidden(user)
    rate = f"{restored / hidden:.0%}" if hidden else "—"
    st.caption(
        f"{len(items)} messages hidden now · {hidden} hidden in total, {restored} restored by "
        f"agents (false-positive rate {rate})"
    )
    show_flash()
    if not items:
        st.info("Nothing is hidden.")
        return
    for item in items:
        assert item.id is not None
        with st.container(border=True):
            text, button = st.columns([5, 1], vertical_alignment="center")
            who = item.author_name or item.author_handle or item.customer_key
            about = f"#{item.id} · {item.channel} · {who} · {ui.when(item.received_at)}"
            text.text(ui.shown(about))
            text.text(ui.shown(item.text[: ui.MESSAGE_PREVIEW] or "(no text)"))
            button.button(
                "Not spam", key=f"restore-{item.id}", on_click=_on_restore, args=(user, item.id)
            )
