"""The console's frame: sign-in gate, sidebar, pages by role, errors in plain words.

No page draws data before sign-in, and each page checks the user's role again through the
service layer, which is where the rules live (``assistant/``)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import actions
import browser
import channel_actions
import session
import streamlit as st
from feedback import show_flash
from views import (
    audit,
    dashboard,
    evals,
    hidden,
    item,
    knowledge,
    outbox,
    privacy,
    queue,
    users,
    webhooks,
)

from assistant.errors import AssistantError, AuthError, storage_error
from assistant.users import Permission, role_can

log = logging.getLogger("reply_assistant.console")

Page = Callable[[str, str], None]  # (user name, role)
MAX_ID_DIGITS = 12

# Name → (draw, permission needed to see it; None = every signed-in user).
PAGES: dict[str, tuple[Page, Permission | None]] = {
    "Queue": (queue.page, Permission.decide),
    "Item": (item.page, Permission.decide),
    "Outbox": (lambda user, role: outbox.page(user), None),
    "Spam folder": (lambda user, role: hidden.page(user), Permission.decide),
    "Dashboard": (lambda user, role: dashboard.page(user), Permission.view_dashboard),
    "Knowledge": (lambda user, role: knowledge.page(user), Permission.manage_knowledge),
    "Audit": (lambda user, role: audit.page(user), Permission.view_audit),
    "Webhooks": (lambda user, role: webhooks.page(user), Permission.view_audit),
    "Evals": (lambda user, role: evals.page(user), Permission.view_audit),
    "Users": (lambda user, role: users.page(user), Permission.manage_users),
    "Privacy": (lambda user, role: privacy.page(user), Permission.manage_privacy),
}


def _deep_link() -> None:
    """``?item=12`` opens that item (links in chat tools, the browser's back button, a
    reload); ``&pane=1`` opens it beside the queue, where the agent had it."""
    wanted = st.query_params.get("item")
    if not wanted or st.session_state.get("linked") == wanted:
        return
    # isdigit() accepts '²' and other digits int() refuses; ids fit in 12 ASCII digits.
    if not (wanted.isascii() and wanted.isdigit() and len(wanted) <= MAX_ID_DIGITS):
        st.session_state["linked"] = wanted
        st.warning(f"The link's item number ({wanted[:20]!r}) is not a queue item number.")
        return
    page = "Queue" if st.query_params.get("pane") == "1" else "Item"
    st.session_state.update(item_id=int(wanted), page=page, linked=wanted)


def _keep_place(page: str, item_id: int | None) -> None:
    """The open item stays in the address, so a reload (or a shared link) comes back to it."""
    if page in ("Item", "Queue") and item_id is not None:
        place = {"item": str(item_id), **({"pane": "1"} if page == "Queue" else {})}
        if dict(st.query_params) != place:
            st.query_params.from_dict(place)
        st.session_state["linked"] = str(item_id)
    else:
        st.query_params.clear()


def main() -> None:
    st.set_page_config(page_title="Reply Assistant · review", page_icon="✉️", layout="wide")
    browser.keyboard_guard()
    user = session.signed_in()
    if user is None:
        session.after_sign_out()
        show_flash()
        session.sign_in_form()
        return
    try:
        role = actions.role_of(user)
    except AuthError as exc:
        session.sign_out()
        st.error(str(exc))
        session.sign_in_form()
        return
    except AssistantError as exc:  # e.g. bad settings: nothing can be shown until fixed
        st.error(str(exc))
        return
    except Exception as exc:
        if (failure := storage_error(exc)) is None:
            raise
        st.error(str(failure))
        return
    session.remember()
    allowed = [name for name, (_, need) in PAGES.items() if need is None or role_can(role, need)]
    _deep_link()
    if st.session_state.get("page") not in allowed:
        st.session_state["page"] = allowed[0]
    with st.sidebar:
        st.title("Reply Assistant")
        st.markdown(f"Signed in as **{user}** · {role}")
        st.button("Sign out", key="sign_out", on_click=session.sign_out)
        st.radio("Page", allowed, key="page")
    name = str(st.session_state["page"])
    _keep_place(name, st.session_state.get("item_id"))
    draw, _ = PAGES[name]
    try:
        for channel in channel_actions.channels_to_reconnect(user):  # sends are held until then
            st.error(f"Reconnect {channel}")
        draw(user, role)
    except AssistantError as exc:
        show_flash()
        st.error(str(exc))
    except Exception as exc:  # a bug: say so plainly, keep the details in the server log
        if (failure := storage_error(exc)) is not None:
            show_flash()
            st.error(str(failure))
            return
        log.exception("console page %s failed", name)
        show_flash()
        st.error(
            f"Something went wrong drawing this page ({type(exc).__name__}); nothing was "
            "changed by it. Reload, and if it persists tell an admin: the details are in the "
            "console's log."
        )
