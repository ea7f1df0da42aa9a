"""Privacy (admins): what is held about one customer, its export as a download, its
erasure after the key is typed again, and identity links (one person, several channels)."""

from __future__ import annotations

import privacy_actions as privacy
import streamlit as st

from assistant.errors import AssistantError


def _held(user: str, key: str) -> None:
    held = privacy.held(user, key)
    st.subheader(f"Held about {held.key}")
    counts = held.counts
    st.dataframe(
        {"kind": [k.replace("_", " ") for k in counts], "count": list(counts.values())},
        hide_index=True,
    )
    if held.links:
        st.markdown(
            "Linked identities: "
            + ", ".join(f"`{link.customer_key}` ({link.person})" for link in held.links)
        )
    else:
        st.caption("No identities are linked to this one.")
    if st.button("Prepare export", key="privacy_export"):
        st.session_state["privacy_document"] = (held.key, privacy.export_json(user, held.key))
    prepared = st.session_state.get("privacy_document")
    if prepared and prepared[0] == held.key:
        st.download_button(
            "Download export (JSON)",
            prepared[1],
            file_name=f"export-{held.key.replace(':', '-')}.json",
            mime="application/json",
            key="privacy_download",
        )
    _erase(user, held.key)


def _erase(user: str, key: str) -> None:
    st.subheader("Erase")
    st.caption(
        "Removes everything held about this customer and every linked identity. It cannot be "
        "undone. Not covered: the brand's own order system and backups (docs/privacy.md)."
    )
    confirmation = st.text_input("Type the customer key again to confirm", key="privacy_confirm")
    if st.button("Erase this customer", key="privacy_erase"):
        counts = privacy.erase(user, key, confirmation)
        st.session_state.pop("privacy_document", None)
        st.success(
            f"Erased {key}: "
            + ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items())
        )


def _link(user: str) -> None:
    st.subheader("Link identities")
    st.caption("Two channel identities of one person: an export or erasure then covers both.")
    first = st.text_input("First identity", key="privacy_link_a", placeholder="instagram:id")
    second = st.text_input("Second identity", key="privacy_link_b", placeholder="whatsapp:id")
    person = st.text_input("Person label (optional)", key="privacy_person")
    if st.button("Link", key="privacy_link"):
        keys = privacy.link_identities(user, first, second, person)
        st.success("Linked: " + ", ".join(keys))


def page(user: str) -> None:
    st.header("Privacy")
    key = st.text_input("Customer key", key="privacy_key", placeholder="channel:author-id")
    try:
        if key.strip():
            _held(user, key)
    except AssistantError as exc:  # malformed key, nothing held, no confirmation: plain words
        st.error(str(exc))
    try:
        _link(user)
    except AssistantError as exc:
        st.error(str(exc))
