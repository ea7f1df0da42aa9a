"""Internal notes at the top of an item: the escalation note first (for the lead it went
to), then the team's notes, newest first. ``@name`` of a console user is highlighted and
listed for them on the queue page. Notes are never part of a reply."""

from __future__ import annotations

import components as ui
import streamlit as st
import tools
from feedback import flash, guarded

from assistant.workspace.notes import MAX_NOTE_CHARS, Note, NoteKind, mention_spans


def highlighted(text: str, users: set[str]) -> str:
    """The note as safe Markdown, with mentions of console users highlighted."""
    parts, last = [], 0
    for start, end, name in mention_spans(text):
        if name in users:
            parts += [ui.plain(text[last:start]), f":blue-background[**@{ui.plain(name)}**]"]
            last = end
    return "".join([*parts, ui.plain(text[last:])])


@guarded
def _on_add(user: str, item_id: int, key: str) -> None:
    note = tools.add_note(user, item_id, str(st.session_state.get(key) or ""))
    st.session_state[key] = ""
    named = f" ({', '.join('@' + n for n in note.mentions)} will see it)" if note.mentions else ""
    flash("success", f"Note added to item #{item_id}{named}. Customers never see notes.")


def _show(note: Note, users: set[str]) -> None:
    said = f"{note.author} · {ui.when(note.created_at)} UTC"
    if note.kind is NoteKind.escalation:
        st.warning(f"**Escalation note** from {said}: {highlighted(note.text, users)}")
    else:
        st.markdown(f"{highlighted(note.text, users)}  \n:gray[{said}]")


def render(user: str, item_id: int) -> None:
    found = tools.notes(user, item_id)
    pinned = [n for n in found if n.kind is NoteKind.escalation]
    users = tools.user_names(user)
    for note in pinned:
        _show(note, users)
    others = [n for n in found if n.kind is not NoteKind.escalation]
    with st.expander(f"Internal notes ({len(others)}) · never sent to the customer"):
        for note in others:
            _show(note, users)
        key = f"note-text-{item_id}"
        st.text_input("New note (type @name to tell a teammate)", key=key, max_chars=MAX_NOTE_CHARS)
        st.button(
            "Add note", key=f"add-note-{item_id}", on_click=_on_add, args=(user, item_id, key)
        )
