"""Messages that survive the rerun after a button: callbacks run before the page is drawn."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import streamlit as st

from assistant.errors import AssistantError, storage_error

T = TypeVar("T")
P = ParamSpec("P")
log = logging.getLogger("reply_assistant.console")


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


def guarded(callback: Callable[P, None]) -> Callable[P, None]:
    """A button or widget callback that never turns the page into a raw error: whatever
    it raises becomes a plain message on the same page, and the agent stays where they are."""

    @functools.wraps(callback)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            callback(*args, **kwargs)
        except AssistantError as exc:
            flash("error", str(exc))
        except Exception as exc:
            if (failure := storage_error(exc)) is not None:
                flash("error", str(failure))
                return
            log.exception("console action %s failed", callback.__name__)
            flash(
                "error",
                f"That action failed ({type(exc).__name__}); the page is as it was. Try again, "
                "and if it persists tell an admin: the details are in the console's log.",
            )

    return run
