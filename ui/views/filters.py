"""The queue filters the agent set (kept in the session): the queue page draws them, and
"next" on the item page stays within them."""

from __future__ import annotations

import streamlit as st

from assistant.review.worklist import Filters as QueueFilters


def current_filters() -> QueueFilters:
    state = st.session_state

    def picked(key: str) -> tuple[str, ...]:
        return tuple(state.get(key) or ())

    return QueueFilters(
        channels=picked("f_channel"),
        topics=picked("f_topic"),
        statuses=picked("f_status"),
        assignees=picked("f_assignee"),
        draft_kinds=picked("f_draft"),
        attention_only=bool(state.get("f_attention")),
    )
