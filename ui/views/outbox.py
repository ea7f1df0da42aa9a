"""What was sent: replies and confirmations, newest first."""

from __future__ import annotations

import actions
import components as ui
import streamlit as st


def page(user: str) -> None:
    st.header("Outbox")
    sent = actions.outbox(user)
    st.caption(f"{len(sent)} most recent sends, newest first")
    if sent:
        ui.outbox_table(sent)
    else:
        st.info("Nothing has been sent yet.")
