"""Messages that survive the rerun after a button: callbacks run before the page is drawn."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from assistant.errors import AssistantError

T = TypeVar("T")


def flash(kind: str, text: str, diff: str | None = None) -> None:
    """``kind`` is success, info, warning or error."""
    st.session_state.setdefault("flash", []).append((kind, text, diff))


def attempt(call: Callable[[], T]) -> T | None:
    """Run a service call from a button callback: a refusal (our errors say what is wrong
    and how to fix it) is shown on the next draw, and the caller gets None."""
    try:
        return call()
    except AssistantError as exc:
        flash("error", str(exc))
        return None


def show_flash() -> None:
    for kind, text, diff in st.session_state.pop("flash", []):
        getattr(st, kind)(text)
        if diff:
            st.code(diff, language="diff", wrap_lines=True)
