"""Presence: "bea is viewing" on the item and on its queue row. The open item page beats
every few seconds; a viewer who stops (closed tab, other page) fades out by itself."""

from __future__ import annotations

from typing import Any

import streamlit as st
import tools

from assistant.workspace.presence import HEARTBEAT_SECONDS


def _words(names: list[str]) -> str:
    return ", ".join(names) + (" is" if len(names) == 1 else " are") + " viewing this item"


@st.fragment(run_every=HEARTBEAT_SECONDS)
def on_item(user: str, item_id: int) -> None:
    """Tell the others this user has the item open; say who else has."""
    if st.session_state.get("item_id") != item_id:
        return  # closed: a fragment's timer can outlive the pane that drew it
    others = tools.viewing(user, item_id)
    if others:
        st.caption(f"👀 {_words(others)}")


def with_viewers(user: str, table: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The queue table with a "viewing" column (a copy: the table is cached)."""
    tools.left_items(user)  # on the queue page: not viewing an item any more
    seen = tools.viewers(user)
    return {**table, "viewing": [", ".join(seen.get(i, ())) for i in table.get("id", [])]}
