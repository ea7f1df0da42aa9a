"""Messages that survive the rerun after a button: callbacks run before the page is drawn."""

from __future__ import annotations

import streamlit as st


def flash(kind: str, text: str, diff: str | None = None) -> None:
    """``kind`` is success, info, warning or error."""
    st.session_state.setdefault("flash", []).append((kind, text, diff))


def show_flash() -> None:
    for kind, text, diff in st.session_state.pop("flash", []):
        getattr(st, kind)(text)
        if diff:
            st.code(diff, language="diff", wrap_lines=True)
