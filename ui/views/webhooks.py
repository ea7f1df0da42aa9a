"""Meta webhooks: the quarantine (signed payloads that could not be read, kept for a person)
and the most recent deliveries, with what happened to each."""

from __future__ import annotations

import channel_actions
import components as ui
import streamlit as st

from assistant.channels.meta.records import WebhookPayload

PREVIEW_BYTES = 2000


def _table(rows: list[WebhookPayload]) -> None:
    st.dataframe(
        {
            "#": [r.id for r in rows],
            "received": [ui.when(r.received_at) for r in rows],
            "endpoint": [r.endpoint.value for r in rows],
            "state": [r.state.value for r in rows],
            "events": [r.events for r in rows],
            "duplicates": [r.duplicates for r in rows],
            "problem": [ui.shown(r.problem or "") for r in rows],
        },
        hide_index=True,
    )


def page(user: str) -> None:
    st.header("Webhooks")
    quarantined, recent = channel_actions.webhook_payloads(user)
    st.subheader(f"Quarantine ({len(quarantined)})")
    st.caption(
        "Signed by Meta but not readable: answered 200 so Meta does not retry for days, and "
        "kept here. After a fix, `assistant webhooks replay ID` applies one again."
    )
    if quarantined:
        _table(quarantined)
        for row in quarantined[:20]:
            with st.expander(f"#{row.id} · {ui.shown(row.problem or '')[:120]}"):
                st.code(row.body[:PREVIEW_BYTES].decode("utf-8", "replace"), language="json")
    else:
        st.info("The quarantine is empty.")
    st.subheader("Recent deliveries")
    if recent:
        _table(recent)
    else:
        st.info("No webhooks have arrived yet.")
