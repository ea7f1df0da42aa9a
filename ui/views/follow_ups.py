"""Follow-ups: replies that promised a person will answer, each with its own deadline,
listed on the queue page until someone marks them done."""

from __future__ import annotations

from datetime import UTC, datetime

import components as ui
import streamlit as st
import workspace
from feedback import flash, guarded

SHOWN = 20


@guarded
def _on_done(user: str, follow_up_id: int, item_id: int) -> None:
    if workspace.finish_follow_up(user, follow_up_id):
        flash("success", f"Follow-up for item #{item_id} done.")
    else:
        flash("info", f"The follow-up for item #{item_id} was already done.")


def section(user: str) -> None:
    due = workspace.follow_ups(user)
    if not due:
        return
    now = datetime.now(UTC)
    late = sum(f.due_at < now for f in due)
    with st.expander(f"Follow-ups promised to customers ({len(due)} open, {late} late)"):
        for f in due[:SHOWN]:
            text, button = st.columns([5, 1], vertical_alignment="center")
            text.text(
                ui.shown(
                    f"#{f.item_id} · {f.customer_key} · reply {ui.due_words(f.due_at, now)} "
                    f"· promised by {f.created_by}: “{f.promise}”"
                )
            )
            button.button(
                "Done", key=f"follow-up-{f.id}", on_click=_on_done, args=(user, f.id, f.item_id)
            )
