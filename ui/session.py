"""Sign-in: no page draws any data before it. The session keeps only the user's name; the
role is read from the users table on every run, so a change by an admin applies at once.
A signed, revocable token in a cookie signs the agent back in after a reload."""

from __future__ import annotations

import browser
import session_actions
import streamlit as st
from feedback import attempt, flash

from assistant.errors import AssistantError

USER = "user"  # session key: the signed-in user's name
TOKEN = "session_token"  # session key: the token behind the cookie
SIGNED_OUT = "signed_out"  # set by sign_out for the next run only


def signed_in() -> str | None:
    """The signed-in user: from this browser tab's session, else from the cookie a reload
    brought (checked against the sessions table: not expired, revoked or disabled)."""
    state = st.session_state
    if state.get(USER):
        return str(state[USER])
    token = browser.session_cookie()
    if token and not state.get(SIGNED_OUT) and state.get("cookie_refused") != token:
        try:
            user = session_actions.resume_session(token)
        except AssistantError:
            user = None
        if user:
            state[USER], state[TOKEN] = user, token
            return user
        state["cookie_refused"] = token  # do not ask again on every run
    return None


def remember() -> None:
    """Keep the token in the browser while signed in (drawn on every run: cheap)."""
    if token := st.session_state.get(TOKEN):
        browser.remember_session(str(token), session_actions.SESSION_SECONDS)


def _on_sign_in() -> None:
    state = st.session_state
    name = str(state.get("signin_name") or "").strip()
    password = str(state.get("signin_password") or "")
    state["signin_password"] = ""  # never kept in the session
    if not name or not password:
        flash("error", "Enter your user name and password.")
        return
    if signed := attempt(lambda: session_actions.sign_in(name, password)):
        state[USER], state[TOKEN] = signed


def sign_in_form() -> None:
    st.title("Reply Assistant")
    st.caption("Review console · sign in to work the queue")
    with st.form("signin", width=420):
        st.text_input("User name", key="signin_name", max_chars=200, autocomplete="username")
        st.text_input(
            "Password",
            key="signin_password",
            type="password",
            max_chars=1_000,
            autocomplete="current-password",
        )
        st.form_submit_button("Sign in", type="primary", on_click=_on_sign_in)
    st.caption(
        "No account? An admin creates one with `assistant users add NAME --role agent`. "
        "`assistant demo` prints demo accounts."
    )


def sign_out() -> None:
    name = signed_in()
    token = st.session_state.get(TOKEN)
    if name:
        try:
            released = session_actions.sign_out(name, str(token) if token else None)
        except AssistantError:
            released = []
        if released:
            flash("info", f"Released {len(released)} item(s) you had claimed.")
    for key in list(st.session_state.keys()):
        if key not in ("flash",):
            del st.session_state[key]
    st.session_state[SIGNED_OUT] = True
    st.session_state["forget_cookie"] = True


def after_sign_out() -> None:
    """Streamlit deletes a file it served (an audit export) on the second run after nothing
    shows it any more: run once more now, so nothing stays downloadable after sign-out."""
    if st.session_state.pop(SIGNED_OUT, False):
        st.rerun()
    if st.session_state.get("forget_cookie"):
        browser.remember_session(None, 0)  # the token is revoked already; tidy the browser
