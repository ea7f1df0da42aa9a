"""Bulk approval in two steps: a review sheet (every selected item's message and the exact
reply, lengths checked, refusals named) and a short undo window before anything is sent."""

from __future__ import annotations

import time

import actions
import components as ui
import streamlit as st
import workspace
from feedback import flash, guarded

from assistant.review.decisions import Approve

UNDO_SECONDS = 10
SHEET = "bulk_sheet"  # session key: {item id: version} under review
PENDING = "bulk_pending"  # session key: ({item id: version}, send at: epoch seconds)


def open_sheet(versions: dict[int, int]) -> None:
    st.session_state[SHEET] = versions


@guarded
def _on_confirm(sendable: dict[int, int]) -> None:
    st.session_state.pop(SHEET, None)
    st.session_state[PENDING] = (sendable, time.time() + UNDO_SECONDS)


def _on_cancel() -> None:
    st.session_state.pop(SHEET, None)


def _on_undo() -> None:
    if st.session_state.pop(PENDING, None):
        flash("info", "Bulk approval undone: nothing was sent.")


def sheet(user: str) -> None:
    """The review sheet for the selection, when the agent asked to approve it."""
    versions: dict[int, int] | None = st.session_state.get(SHEET)
    if not versions:
        return
    previews = workspace.bulk_preview(user, versions)
    sendable = {p.item_id: versions[p.item_id] for p in previews if p.refusal is None}
    with st.container(border=True):
        st.subheader(f"Review before sending: {len(sendable)} of {len(previews)} can go")
        for p in previews:
            mark = "✅" if p.refusal is None else "⛔"
            st.markdown(f"{mark} **#{p.item_id}** · {ui.plain(p.who)} · {p.channel}")
            left, right = st.columns(2)
            left.text(ui.shown(p.message[: ui.MESSAGE_PREVIEW]))
            right.text(ui.shown(p.reply or "(no draft)"))
            state = f"{p.length} of {p.limit} characters"
            st.caption(state + (f" · not sent: {p.refusal}" if p.refusal else ""))
        send, cancel = st.columns(2)
        send.button(
            f"Send {len(sendable)} replies (undo for {UNDO_SECONDS} s)",
            key="bulk_confirm",
            type="primary",
            disabled=not sendable,
            on_click=_on_confirm,
            args=(sendable,),
            width="stretch",
        )
        cancel.button("Cancel", key="bulk_cancel", on_click=_on_cancel, width="stretch")


@st.fragment(run_every=1)
def undo_window(user: str) -> None:
    """Counts down the undo window; sends when it closes (only while this page is open:
    an agent who leaves before then has sent nothing)."""
    pending: tuple[dict[int, int], float] | None = st.session_state.get(PENDING)
    if not pending:
        return
    versions, at = pending
    left = at - time.time()
    if left > 0:
        st.warning(f"Sending {len(versions)} replies in {left:.0f} s.")
        st.button("Undo", key="bulk_undo", on_click=_on_undo, shortcut="Alt+U")
        return
    st.session_state.pop(PENDING, None)
    outcome = actions.decide_many(user, versions, Approve(actor=user))
    if outcome.decided:
        flash("success", f"{len(outcome.decided)} item(s) approved and sent.")
    if outcome.refused:
        lines = [f"#{i}: {why}" for i, why in outcome.refused.items()]
        flash("warning", f"{len(outcome.refused)} not sent:\n\n" + "\n\n".join(lines))
    st.session_state["bulk_ids"] = []
    st.rerun(scope="app")
