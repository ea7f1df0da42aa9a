"""Keyboard triage: the shortcut sheet (`?`) and moving between items without deciding
(`J` next, `K` previous). Single-key shortcuts do nothing while a text box has the focus."""

from __future__ import annotations

import streamlit as st
import workspace
from feedback import flash, guarded
from views.filters import current_filters

SHEET = "shortcut_sheet"  # session key: the sheet is open
SHORTCUTS = [
    ("Enter", "queue: open the picked item (at first the most urgent you can decide)"),
    ("J / K", "item: next / previous item you can decide, without deciding"),
    ("Alt+A", "item: approve (or send your edit) & next"),
    ("Alt+X", "item: reject with the reason & next"),
    ("Alt+E", "item: escalate"),
    ("Alt+M", "item: claim"),
    ("Esc", "item: close it / back to the queue (in the reply box: keeps the edit)"),
    ("Alt+U", "queue: undo a bulk approval while it counts down"),
    ("?", "this sheet"),
]


def _toggle() -> None:
    st.session_state[SHEET] = not st.session_state.get(SHEET)


def sheet_button() -> None:
    """``?`` is not a key Streamlit shortcuts accept; ui/browser.py clicks this button."""
    st.button("Keyboard shortcuts (?)", key="shortcut_help", on_click=_toggle, type="tertiary")
    if st.session_state.get(SHEET):
        st.table([{"keys": k, "does": what} for k, what in SHORTCUTS])


@guarded
def _on_move(user: str, item_id: int, step: int) -> None:
    target = workspace.next_open(user, current_filters(), item_id, step)
    if target is None:
        flash("info", "No other item you can decide.")
    else:
        st.session_state["item_id"] = target


def move_buttons(user: str, item_id: int) -> None:
    back, forward = st.columns(2)
    back.button(
        "Prev (K)", key="item_prev", on_click=_on_move, args=(user, item_id, -1), shortcut="K"
    )
    forward.button(
        "Next (J)", key="item_next", on_click=_on_move, args=(user, item_id, 1), shortcut="J"
    )
