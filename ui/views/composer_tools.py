"""Beside the reply box: insert a template (tokens filled from the item and its order) or
a retrieved source's answer, and the guard's warnings on the agent's edit, next to Approve."""

from __future__ import annotations

from collections.abc import Callable

import components as ui
import streamlit as st
import tools
from feedback import flash, guarded

from assistant.review.models import ItemStatus, ReviewItem


@guarded
def _on_insert(user: str, item_id: int, key: str, replace: bool, saved: Callable[[], None]) -> None:
    macro_id = st.session_state.get(f"macro-{item_id}")
    if not macro_id:
        flash("warning", "Pick a template or a source to insert first.")
        return
    filled = tools.filled_macro(user, item_id, str(macro_id))
    current = str(st.session_state.get(key) or "").rstrip()
    st.session_state[key] = filled.text if replace or not current else f"{current}\n\n{filled.text}"
    saved()  # kept like a typed edit (and claims the item)
    if filled.missing:
        gaps = ", ".join("{" + m + "}" for m in filled.missing)
        flash("warning", f"Fill in {gaps} before sending: this item has no value for it.")


def insert(user: str, item: ReviewItem, key: str, saved: Callable[[], None]) -> None:
    """The macro picker; ``saved`` keeps the box's new text as the agent's edit."""
    assert item.id is not None
    if not ItemStatus(item.status).open:
        return
    offered = {m.id: m.label for m in tools.item_macros(user, item.id)}
    pick, add, swap = st.columns([4, 1, 1], vertical_alignment="bottom")
    pick.selectbox(
        "Template or source answer",
        list(offered),
        key=f"macro-{item.id}",
        format_func=lambda i: offered.get(i, i),
        index=None,
        placeholder="insert a macro…",
    )
    args = (user, item.id, key)
    add.button("Insert", key=f"insert-{item.id}", on_click=_on_insert, args=(*args, False, saved))
    swap.button("Replace", key=f"replace-{item.id}", on_click=_on_insert, args=(*args, True, saved))


def _warned_key(item_id: int) -> str:
    return f"warned-{item_id}"


def confirmed(user: str, item_id: int, text: str) -> bool:
    """Before an edit is sent: True unless it states a new price, code, date or promise the
    sources do not back and the agent has not seen that warning for this very text (typed
    and sent at once). Then the send waits for one more press, with the warning on screen."""
    held = tools.held_back(user, item_id, text)
    if not held or st.session_state.get(_warned_key(item_id)) == text:
        return True
    st.session_state[_warned_key(item_id)] = text
    lines = "\n".join(f"- {f.kind}: '{ui.plain(f.span)}'" for f in held)
    flash(
        "warning",
        f"Item #{item_id}: not sent yet. The sources do not back your edit:\n{lines}\n\n"
        "Approve again to send it as it is.",
    )
    return False


def warnings(user: str, item: ReviewItem, text: str, edited: bool, max_chars: int) -> None:
    """What the grounding guard finds in the agent's edit: a new price, code, date or
    promise the sources do not back. Shown, not blocking: the agent decides."""
    assert item.id is not None
    if not edited or not ItemStatus(item.status).open:
        return
    found = tools.reply_warnings(user, item.id, text, max_chars)
    if found:
        st.session_state[_warned_key(item.id)] = text.strip()  # seen: Approve sends it
        lines = "\n".join(f"- {ui.plain(w)}" for w in found)
        st.warning(f"Check before sending: the sources do not back your edit:\n{lines}")
