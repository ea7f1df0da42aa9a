"""The queue page: open items, most urgent first, with faceted filters, SLA countdowns,
claims, and bulk approve / reject for low-risk items."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import actions
import components as ui
import streamlit as st
from feedback import attempt, flash, guarded, show_flash
from views import bulk_sheet, follow_ups, keys, presence, queue_tools, reply_windows
from views.filters import current_filters

from assistant.review.bulk import bulk_refusal
from assistant.review.decisions import Approve, Reject
from assistant.review.triage import actionable
from assistant.review.worklist import QueueRow, Worklist
from assistant.users import Role

PICKER_LIMIT = 200  # items offered in the open / bulk pickers; the table shows them all
FACETS = [  # (facet, label, session key)
    ("channel", "Channel", "f_channel"),
    ("topic", "Topic", "f_topic"),
    ("status", "Status", "f_status"),
    ("assignee", "Assignee", "f_assignee"),
    ("draft", "Draft", "f_draft"),
]


@guarded
def open_item(item_id: int) -> None:
    st.session_state["item_id"] = item_id
    st.session_state["page"] = "Item"


def _filter_bar(work: Worklist) -> None:
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


@guarded
def _on_open_pick() -> None:
    picked = st.session_state.get("open_pick")
    if picked is None:
        flash("warning", "Pick an item to open first.")
    else:
        open_item(int(picked))


@guarded
def _on_open(key: str, ids: list[int]) -> None:
    rows = st.session_state[key]["selection"]["rows"]
    if rows and rows[0] < len(ids):
        open_item(ids[rows[0]])


@guarded
def _on_bulk(user: str, rows: dict[int, QueueRow], approve: bool) -> None:
    chosen = list(st.session_state.get("bulk_ids") or [])
    picked = [i for i in chosen if i in rows]
    if gone := [i for i in chosen if i not in rows]:
        flash("warning", f"No longer open, left out: {_ids(gone)}.")
    if not picked:
        flash("warning", "Select the items first (the Bulk selection box).")
        return
    reason = str(st.session_state.get("bulk_reason") or "").strip()
    if not approve and not reason:
        flash("error", "Give a reason to reject the selected items (it goes in the audit).")
        return
    if approve:  # nothing leaves before the agent has read the sheet
        bulk_sheet.open_sheet({i: rows[i].version for i in picked})
        return
    decision = Reject(actor=user, reason=reason)
    outcome = attempt(
        lambda: actions.decide_many(user, {i: rows[i].version for i in picked}, decision)
    )
    if outcome is None:
        return
    verb = "rejected"
    if outcome.decided:
        flash("success", f"{len(outcome.decided)} item(s) {verb}: " + _ids(outcome.decided))
    if outcome.refused:
        lines = [f"#{i}: {why}" for i, why in outcome.refused.items()]
        flash("warning", f"{len(outcome.refused)} not {verb}:\n\n" + "\n\n".join(lines))
    st.session_state["bulk_ids"] = []


def _ids(ids: list[int]) -> str:
    return ", ".join(f"#{i}" for i in ids)


@guarded
def _on_select_low_risk(ids: list[int]) -> None:
    st.session_state["bulk_ids"] = ids


def _table(work: Worklist, now: datetime) -> dict[str, list[Any]]:
    """The table changes when the queue does, and its countdowns once a minute: between
    clicks (every click redraws the page) the last one is reused."""
    key = (work.key, int(now.timestamp() // 60))
    cached = st.session_state.get("queue_table_cache")
    if cached is None or cached[0] != key or not work.key:
        cached = (key, reply_windows.with_windows(ui.queue_table(work.rows, now), work.rows, now))
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


LIVE_SECONDS = 5  # how often an open queue page looks for changes made elsewhere


def _shape(work: Worklist) -> tuple[tuple[int, int], ...]:
    return tuple((r.id, r.version) for r in work.rows)


@st.fragment(run_every=LIVE_SECONDS)
def _watch(user: str, drawn: tuple[tuple[int, int], ...]) -> None:
    """Redraw the queue when it changed elsewhere (a new message, another agent's claim or
    decision), saying how many items are new: nobody has to click to see it."""
    work = queue_tools.narrow(user, actions.queue(user, current_filters()))
    if _shape(work) == drawn:
        return
    new = {r.id for r in work.rows} - {i for i, _ in drawn}
    if new:
        flash("info", f"{len(new)} new item(s) in the queue.")
    st.rerun(scope="app")


def page(user: str, role: str) -> None:
    st.header("Review queue")
    keys.sheet_button()
    work = queue_tools.narrow(user, actions.queue(user, current_filters()))  # snoozed, search
    _watch(user, _shape(work))
    now = datetime.now(UTC)
    _filter_bar(work)
    queue_tools.bar(user)  # agent tools: search box, snoozed toggle, mentions
    breached = sum(r.breached(now) for r in work.rows)
    flagged = sum(r.needs_attention for r in work.rows)
    mine = sum(r.assignee == user for r in work.rows)
    st.caption(
        f"Showing {len(work.rows)} of {work.total} open items · {breached} past their reply "
        f"deadline · {flagged} need attention · {mine} claimed by you · most urgent first"
    )
    show_flash()
    follow_ups.section(user)
    if not work.rows:
        st.info("Nothing to review." if not work.total else "No open item matches these filters.")
        return

    ids = [r.id for r in work.rows]
    st.dataframe(
        presence.with_viewers(user, _table(work, now)),  # agent tools: "viewing" column
        key="queue_table",
        hide_index=True,
        height=min(38 + 35 * len(ids), 420),
        column_config={**ui.QUEUE_COLUMNS, **reply_windows.COLUMNS},
        on_select=lambda: _on_open("queue_table", ids),
        selection_mode="single-row",
    )
    by_id = {r.id: r for r in work.rows}
    offered = ids[:PICKER_LIMIT]
    more = (
        f" (the first {PICKER_LIMIT}; filter to reach the rest)" if len(ids) > PICKER_LIMIT else ""
    )
    _preselect(offered, by_id, user, Role(role))
    opener, button = st.columns([4, 1], vertical_alignment="bottom")
    opener.selectbox(
        f"Open an item{more}",
        offered,
        key="open_pick",
        format_func=lambda i: ui.row_label(by_id.get(i), i),
    )
    button.button(
        "Open item",
        type="primary",
        key="open_button",
        on_click=_on_open_pick,
        width="stretch",
        shortcut="Alt+O",
    )

    st.subheader("Bulk actions")
    if st.session_state.get(bulk_sheet.PENDING):  # ticks each second only while it counts
        bulk_sheet.undo_window(user)
    bulk_sheet.sheet(user)
    low_risk = [i for i in offered if bulk_refusal(by_id[i], Approve(actor=user)) is None]
    st.caption(
        "For runs of simple messages (e.g. after a live session). Items touching price, "
        "refunds, legal, cancellations, personal data or safety, complaints, requests for a "
        "person, order problems and VIP customers are never approved in bulk. Approving "
        "shows every reply first, and waits a few seconds for an undo."
    )
    pick, all_low = st.columns([4, 1], vertical_alignment="bottom")
    kept = [i for i in st.session_state.get("bulk_ids") or [] if i not in by_id]
    pick.multiselect(  # picks that left the queue stay listed (and are refused), not dropped
        f"Bulk selection{more}",
        offered + kept,
        key="bulk_ids",
        format_func=lambda i: ui.row_label(by_id.get(i), i),
        placeholder="pick items",
    )
    all_low.button(
        f"Select {len(low_risk)} low-risk",
        key="bulk_low",
        on_click=_on_select_low_risk,
        args=(low_risk,),
        width="stretch",
    )
    approve, reason, reject = st.columns([1, 3, 1], vertical_alignment="bottom")
    approve.button(
        "Approve selected",
        key="bulk_approve",
        type="primary",
        on_click=_on_bulk,
        args=(user, by_id, True),
        width="stretch",
    )
    reason.text_input("Reason (required to reject)", key="bulk_reason", max_chars=2_000)
    reject.button(
        "Reject selected",
        key="bulk_reject",
        on_click=_on_bulk,
        args=(user, by_id, False),
        width="stretch",
    )
