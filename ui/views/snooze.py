"""Snooze an item until a time: it leaves the default queue and comes back by itself."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

import components as ui
import streamlit as st
import tools
from feedback import flash, guarded

from assistant.review.models import ItemStatus, ReviewItem


class SnoozeFor(StrEnum):
    hour = "1 hour"
    four_hours = "4 hours"
    tomorrow = "tomorrow 09:00 UTC"
    chosen = "a date and time…"


def snooze_end(choice: SnoozeFor, now: datetime, day: date, at: time) -> datetime:
    match choice:
        case SnoozeFor.hour:
            return now + timedelta(hours=1)
        case SnoozeFor.four_hours:
            return now + timedelta(hours=4)
        case SnoozeFor.tomorrow:
            return datetime.combine(now.date() + timedelta(days=1), time(9), UTC)
        case SnoozeFor.chosen:
            return datetime.combine(day, at, UTC)


@guarded
def _on_snooze(user: str, item_id: int) -> None:
    choice = SnoozeFor(st.session_state.get(f"snooze-for-{item_id}") or SnoozeFor.hour)
    now = datetime.now(UTC)
    day = st.session_state.get(f"snooze-day-{item_id}") or now.date()
    at = st.session_state.get(f"snooze-time-{item_id}") or time(9)
    until = tools.snooze(user, item_id, snooze_end(choice, now, day, at))
    flash("success", f"Item #{item_id} snoozed until {ui.when(until)} UTC: it is back then.")
    st.session_state["page"] = "Queue"


@guarded
def _on_wake(user: str, item_id: int) -> None:
    if tools.wake(user, item_id):
        flash("info", f"Item #{item_id} is back in the queue.")


def render(user: str, item: ReviewItem) -> None:
    assert item.id is not None
    if not ItemStatus(item.status).open:
        return
    until = tools.snoozed(user).get(item.id)
    if until is not None:
        text, button = st.columns([4, 1], vertical_alignment="center")
        text.info(f"Snoozed until {ui.when(until)} UTC: hidden from the queue until then.")
        button.button("Wake now", key=f"wake-{item.id}", on_click=_on_wake, args=(user, item.id))
        return
    with st.popover("Snooze…"):
        choice = st.selectbox("Snooze for", list(SnoozeFor), key=f"snooze-for-{item.id}")
        if choice is SnoozeFor.chosen:
            st.date_input("Day (UTC)", key=f"snooze-day-{item.id}")
            st.time_input("Time (UTC)", key=f"snooze-time-{item.id}", value=time(9))
        st.button("Snooze", key=f"snooze-{item.id}", on_click=_on_snooze, args=(user, item.id))
