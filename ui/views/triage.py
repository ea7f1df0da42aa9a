"""The queue's one pane: the list beside the open item, worked by keyboard (Enter opens,
J / K move, Alt+A approves and opens the next).

The pane is a fragment: opening an item, moving, deciding or filtering reruns only the
pane, not the page (sidebar, cookie, follow-ups, bulk section), so each step costs the
list and one item. The live check (``queue.page``) compares the queue with what the pane
drew last, so the agent's own decisions never make it redraw the whole page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import actions
import queue_list
import streamlit as st
import workspace
from feedback import flash, guarded, show_flash
from views import item, presence, queue_tools, reply_windows
from views.composer import NOTHING_LEFT
from views.filters import current_filters

from assistant.review.triage import actionable
from assistant.review.worklist import QueueRow, Worklist
from assistant.users import Role

DRAWN = "queue_drawn"  # session key: (id, version) of the rows the pane drew last
LIST_DRAWS = "queue_list_draws"  # session key: rows clicked so far (the list's key)
ITEM_SLOT = "queue_item_slot"  # session key: (open item, where it was drawn)
PICKER_LIMIT = 200  # items offered in the open / bulk pickers; the table shows them all
LIST_HEIGHT = 560
FACETS = [  # (facet, label, session key)
    ("channel", "Channel", "f_channel"),
    ("topic", "Topic", "f_topic"),
    ("status", "Status", "f_status"),
    ("assignee", "Assignee", "f_assignee"),
    ("draft", "Draft", "f_draft"),
]
# On a phone the columns stack: the open item (message and actions) comes before the list.
PHONE_CSS = """<style>
@media (max-width: 640px) {
  [data-testid="stColumn"]:has(.st-key-triage_item) { order: -1; }
}
</style>"""


def worklist(user: str) -> Worklist:
    """What this agent's queue shows: their filters, snoozed items left out, a search
    applied. The page, the pane and the live check must all read the same one."""
    return queue_tools.narrow(user, actions.queue(user, current_filters()))


def shape(work: Worklist) -> tuple[tuple[int, int], ...]:
    return tuple((r.id, r.version) for r in work.rows)


def open_item(item_id: int) -> None:
    """Open ``item_id`` beside the list (the Item page, if that is where the agent is)."""
    st.session_state["item_id"] = item_id


@guarded
def _on_open_pick(user: str) -> None:
    """Open the picked item; one decided since the picker was drawn (the pane moves on
    without redrawing it) gives way to the most urgent item the agent can decide now."""
    picked = st.session_state.get("open_pick")
    if picked is None:
        flash("warning", "Pick an item to open first.")
        return
    work = actions.queue(user, current_filters())
    if any(r.id == picked for r in work.rows):
        open_item(int(picked))
    elif (first := workspace.next_open(user, current_filters(), None)) is not None:
        open_item(first)
    else:
        flash("info", NOTHING_LEFT)


@guarded
def _on_row(key: str, ids: list[int]) -> None:
    """A clicked row opens its item; the list is then drawn anew (a new key), so no
    selection is left pointing at a row that moves when the queue changes."""
    rows = st.session_state[key]["selection"]["rows"]
    if rows and rows[0] < len(ids):
        open_item(ids[rows[0]])
    st.session_state[LIST_DRAWS] = st.session_state.get(LIST_DRAWS, 0) + 1


@guarded
def _on_close() -> None:
    st.session_state["item_id"] = None


def _filter_bar(work: Worklist) -> None:
    picked = sum(bool(st.session_state.get(key)) for _, _, key in FACETS)
    picked += bool(st.session_state.get("f_attention"))
    with st.expander(f"Filters ({picked} set)" if picked else "Filters", expanded=bool(picked)):
        columns = st.columns([1.2, 1.6, 1, 1.2, 1, 1], vertical_alignment="bottom")
        for (facet, label, key), column in zip(FACETS, columns, strict=False):
            counts = work.counts.get(facet, {})
            options = sorted(set(counts) | set(st.session_state.get(key) or ()))
            column.multiselect(
                label,
                options,
                key=key,
                format_func=lambda v, c=counts: f"{v} ({c.get(v, 0)})",
                placeholder="any",
                persist_state="session",  # kept while the agent works an item
            )
        columns[-1].checkbox("Needs attention", key="f_attention", persist_state="session")


def _table(work: Worklist, now: datetime) -> dict[str, list[Any]]:
    """The table changes when the queue does, and its countdowns once a minute: between
    draws the last one is reused."""
    key = (work.key, int(now.timestamp() // 60))
    cached = st.session_state.get("queue_table_cache")
    if cached is None or cached[0] != key or not work.key:
        table = queue_list.queue_table(list(work.rows), now)
        cached = (key, reply_windows.with_windows(table, work.rows, now))
        st.session_state["queue_table_cache"] = cached
    table: dict[str, list[Any]] = cached[1]
    return table


def _preselect(offered: list[int], by_id: dict[int, QueueRow], user: str, role: Role) -> None:
    """The opener starts on the most urgent item this agent can decide (not one escalated
    past their role or held by someone else), and keeps their own pick while it is open."""
    if st.session_state.get("open_pick") in offered:
        return
    first = next((i for i in offered if actionable(by_id[i], user, role)), None)
    st.session_state["open_pick"] = first if first is not None else offered[0]


def _listing(user: str, role: str, work: Worklist, open_id: int | None) -> None:
    now = datetime.now(UTC)
    breached = sum(r.breached(now) for r in work.rows)
    flagged = sum(r.needs_attention for r in work.rows)
    mine = sum(r.assignee == user for r in work.rows)
    st.caption(
        f"Showing {len(work.rows)} of {work.total} open items · {breached} past their reply "
        f"deadline · {flagged} need attention · {mine} claimed by you · most urgent first"
    )
    if not work.rows:
        st.info("Nothing to review." if not work.total else "No open item matches these filters.")
        return
    ids = [r.id for r in work.rows]
    key = f"queue_list_{st.session_state.get(LIST_DRAWS, 0)}"
    st.dataframe(
        queue_list.with_open_mark(presence.with_viewers(user, _table(work, now)), open_id),
        key=key,
        hide_index=True,
        height=min(38 + queue_list.ROW_HEIGHT * len(ids), LIST_HEIGHT),
        row_height=queue_list.ROW_HEIGHT,
        column_config={**queue_list.QUEUE_COLUMNS, **reply_windows.COLUMNS},
        on_select=lambda: _on_row(key, ids),
        selection_mode="single-row",
    )


def opener(user: str, role: str, work: Worklist) -> None:
    """Above the pane, drawn with the page (they change the pane, not the other way): the
    filters, and the picker Enter opens (at first the most urgent item this agent can
    decide; type to find another)."""
    _filter_bar(work)
    if not work.rows:
        return
    ids = [r.id for r in work.rows]
    by_id = {r.id: r for r in work.rows}
    offered = ids[:PICKER_LIMIT]
    more = f" (the first {PICKER_LIMIT}; filter for the rest)" if len(ids) > PICKER_LIMIT else ""
    _preselect(offered, by_id, user, Role(role))
    pick, button = st.columns([4, 1], vertical_alignment="bottom")
    pick.selectbox(
        f"Open an item{more}",
        offered,
        key="open_pick",
        format_func=lambda i: queue_list.row_label(by_id.get(i), i),
    )
    button.button(
        "Open item",
        type="primary",
        key="open_button",
        on_click=_on_open_pick,
        args=(user,),
        width="stretch",
        shortcut="Enter",
    )


def _slot(open_id: int) -> int:
    """Which of two places the open item is drawn in: the other one when the agent moves to
    another item. The place left becomes an empty element, which drops everything the
    previous item drew there. Streamlit clears a fragment's leftovers only when the
    browser hears that its run ended well, and a timer's run that starts before that
    message is sent turns it into "stopped early": the previous item's Approve button
    then stayed on screen beside the new one's."""
    last = st.session_state.get(ITEM_SLOT)
    slot = 0 if last is None else last[1] if last[0] == open_id else 1 - last[1]
    st.session_state[ITEM_SLOT] = (open_id, slot)
    return slot


@st.fragment
def pane(user: str, role: str) -> None:
    """The list and, beside it, the open item (on a phone: the item first)."""
    work = worklist(user)
    st.session_state[DRAWN] = shape(work)
    open_id = st.session_state.get("item_id")
    listing, detail = st.columns([2, 3], gap="medium")
    with listing:
        _listing(user, role, work, open_id)
    with detail, st.container(key="triage_item"):
        if open_id is None:
            show_flash()
            st.caption(
                "Enter opens the most urgent item you can decide (or the one picked above "
                "the list); click a row to open it. J / K move, Alt+A approves and opens "
                "the next, ? lists every key."
            )
            return
        st.button("Close", key="close_item", on_click=_on_close, type="tertiary", shortcut="Esc")
        slots = (st.empty(), st.empty())
        with slots[_slot(int(open_id))].container():
            item.view(user, role, int(open_id), wide=False)
