"""Leads and admins: every action anyone took, filterable, exportable as CSV or JSON."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import components as ui
import lead_actions
import streamlit as st

from assistant.review.audit import to_csv, to_json
from assistant.review.models import AuditEvent

ANY = "any"
EXPORT_READY = "audit_export_ready"


def page(user: str) -> None:
    st.header("Audit log")
    actors, verbs = lead_actions.audit_choices(user)
    who, what, item, text = st.columns([1, 1, 0.7, 2], vertical_alignment="bottom")
    actor = who.selectbox("Actor", [ANY, *actors], key="a_actor", persist_state="session")
    action = what.selectbox("Action", [ANY, *verbs], key="a_action", persist_state="session")
    item_id = item.number_input("Item #", min_value=0, step=1, value=0, key="a_item")
    search = text.text_input("Text contains", key="a_text", max_chars=200)
    today = datetime.now(UTC).date()
    picked = st.date_input(
        "Between", value=(today - timedelta(days=30), today), max_value=today, key="a_range"
    )
    days = [d for d in (picked if isinstance(picked, tuple | list) else [picked]) if d]
    start = datetime.combine(days[0], time.min, UTC) if days else None
    end = datetime.combine(days[-1], time.max, UTC) if days else None
    events = lead_actions.audit_events(
        user,
        actor=None if actor == ANY else actor,
        action=None if action == ANY else action,
        item_id=int(item_id) or None,
        start=start,
        end=end,
        text=search.strip() or None,
    )
    st.caption(f"{len(events)} actions, newest first")
    _exports(events, f"{today:%Y%m%d}")
    ui.audit_trail(events, diffs=bool(item_id))


def _exports(events: list[AuditEvent], stamp: str) -> None:
    """Files are made only on a signed-in click: a button drawn with its data would publish
    the log at a /media/ address that answers without a session, even after sign-out
    (which clears EXPORT_READY with the rest of the session)."""
    if not st.session_state.get(EXPORT_READY):
        st.button("Prepare export", key="prepare_export", on_click=_ready)
        return
    csv_col, json_col, _ = st.columns([1, 1, 4])
    csv_col.download_button(
        "Export CSV",
        lambda: to_csv(events),
        file_name=f"audit-{stamp}.csv",
        mime="text/csv",
        key="export_csv",
        on_click="ignore",
    )
    json_col.download_button(
        "Export JSON",
        lambda: to_json(events),
        file_name=f"audit-{stamp}.json",
        mime="application/json",
        key="export_json",
        on_click="ignore",
    )


def _ready() -> None:
    st.session_state[EXPORT_READY] = True
