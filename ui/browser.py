"""Small pieces of browser code (``st.components.v2``, trusted, no user data in the code).

- ``keyboard_guard``: Streamlit's text boxes hand their value to the server only on blur
  or Ctrl+Enter, and a button shortcut (Alt+A) fires without a blur, so the server would
  act on the text from before the edit. The guard listens first (window, capture phase):
  an Alt shortcut (all of the console's) pressed inside a box blurs the box, which commits
  the value before the shortcut's click is sent; Esc in a text area commits instead of
  reaching the page (it never leaves an edit behind). A pause in typing commits too, so the
  preview, counter and diff follow typing and the draft is saved. ``?`` outside a box
  opens the shortcut sheet (Streamlit shortcuts cannot be ``?``).
- ``remember_session``: puts the sign-in token in a cookie (or removes it)."""

from __future__ import annotations

import streamlit as st

COOKIE = "reply_assistant_session"
IDLE_COMMIT_MS = 500

_GUARD_JS = """
export default function ({ data }) {
  if (window.__replyAssistantGuard) return;
  window.__replyAssistantGuard = true;
  const IDLE = data.idle_ms;
  const isBox = (el) => el && (el.tagName === "TEXTAREA" ||
    (el.tagName === "INPUT" && (el.type === "text" || el.type === "password")
     && el.getAttribute("role") !== "combobox"));
  const commit = (el) => {
    const start = el.selectionStart, end = el.selectionEnd;
    el.blur();
    el.focus();
    try { el.setSelectionRange(start, end); } catch (e) { /* not a text box any more */ }
  };
  let timer = null;
  window.addEventListener("keydown", (e) => {
    const el = document.activeElement;
    if (e.key === "?" && !isBox(el) && !(el && el.getAttribute("role") === "combobox")) {
      const help = [...document.querySelectorAll("button")]
        .find((b) => b.textContent.startsWith("Keyboard shortcuts"));
      if (help) { e.preventDefault(); help.click(); }
      return;
    }
    if (!isBox(el)) return;
    if (e.key === "Escape" && el.tagName === "TEXTAREA") {
      e.preventDefault();
      e.stopImmediatePropagation();
      clearTimeout(timer);
      el.blur();
      return;
    }
    if (e.altKey && e.key !== "Alt") {  // the console's shortcuts are all Alt + a key
      clearTimeout(timer);
      el.blur();
    }
  }, true);
  window.addEventListener("input", (e) => {
    const el = e.target;
    if (!el || el.tagName !== "TEXTAREA") return;
    clearTimeout(timer);
    timer = setTimeout(() => { if (document.activeElement === el) commit(el); }, IDLE);
  }, true);
}
"""

_COOKIE_JS = """
export default function ({ data }) {
  const name = data.name;
  if (data.value) {
    const secure = location.protocol === "https:" ? "; Secure" : "";
    const lasts = `Max-Age=${data.max_age}; SameSite=Strict${secure}`;
    document.cookie = `${name}=${data.value}; Path=/; ${lasts}`;
  } else {
    document.cookie = `${name}=; Path=/; Max-Age=0; SameSite=Strict`;
  }
}
"""

_guard = st.components.v2.component("reply_assistant_keyboard_guard", js=_GUARD_JS)
_cookie = st.components.v2.component("reply_assistant_session_cookie", js=_COOKIE_JS)


def keyboard_guard() -> None:
    _guard(key="keyboard_guard", data={"idle_ms": IDLE_COMMIT_MS})


def remember_session(token: str | None, max_age_s: int) -> None:
    """Store ``token`` in the browser (None: forget it)."""
    data = {"name": COOKIE, "value": token or "", "max_age": max_age_s}
    _cookie(key=f"session_cookie_{bool(token)}", data=data)


def session_cookie() -> str | None:
    """The token the browser sent when this page was loaded."""
    value = st.context.cookies.get(COOKIE)
    return str(value) if value else None
