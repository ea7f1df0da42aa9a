"""Admins: console accounts. Add (the password is typed twice and never shown again),
disable or enable, change a role. Every change is audited; the last active admin cannot be
disabled or demoted. (`assistant users` does the same from the command line.)"""

from __future__ import annotations

import admin_actions
import components as ui
import streamlit as st
from feedback import attempt, flash, show_flash

from assistant.users import Role


def _on_add(admin: str) -> None:
    state = st.session_state
    name = str(state.get("u_name") or "").strip()
    role = str(state.get("u_role") or Role.agent.value)
    password, again = str(state.get("u_pw") or ""), str(state.get("u_pw2") or "")
    state["u_pw"] = state["u_pw2"] = ""  # never kept in the session
    if password != again:
        flash("error", "The two passwords differ; nothing was created.")
        return
    if user := attempt(lambda: admin_actions.add_user(admin, name, role, password)):
        state["u_name"] = ""
        flash("success", f"Added {user.name} as {user.role}. Give them the password in person.")


def _on_active(admin: str, who: str, active: bool) -> None:
    if attempt(lambda: admin_actions.set_active(admin, who, active)):
        flash("success", f"{who} is {'enabled' if active else 'disabled'}.")


def _on_role(admin: str, who: str) -> None:
    role = str(st.session_state.get(f"role-{who}"))
    if attempt(lambda: admin_actions.set_role(admin, who, role)):
        flash("success", f"{who} is now {role}.")


def page(user: str) -> None:
    st.header("Users")
    show_flash()
    accounts = admin_actions.users(user)
    roles = [r.value for r in Role]
    for account in accounts:
        with st.container(border=True):
            who, role, button = st.columns([3, 2, 1], vertical_alignment="bottom")
            state = "active" if account.active else "disabled"
            seen = ui.when(account.last_sign_in_at) or "never"
            who.markdown(f"**{account.name}** · {state}")
            who.caption(f"last sign-in {seen}")
            role.selectbox(
                "Role",
                roles,
                index=roles.index(account.role),
                key=f"role-{account.name}",
                on_change=_on_role,
                args=(user, account.name),
            )
            button.button(
                "Disable" if account.active else "Enable",
                key=f"active-{account.name}",
                on_click=_on_active,
                args=(user, account.name, not account.active),
            )
    st.subheader("Add a user")
    with st.form("add_user", clear_on_submit=False, width=520):
        st.text_input("User name", key="u_name", max_chars=64)
        st.selectbox("Role", roles, key="u_role")
        st.text_input("Password (at least 10 characters)", key="u_pw", type="password")
        st.text_input("The password again", key="u_pw2", type="password")
        st.form_submit_button("Add user", type="primary", on_click=_on_add, args=(user,))
