"""The queue page: the one pane (list beside the open item, ``triage``), follow-ups, and
bulk approve / reject for low-risk items (with a review sheet and an undo window)."""

from __future__ import annotations

import actions
import queue_list
import streamlit as st
from feedback import attempt, flash, guarded, show_flash
from views import bulk_sheet, follow_ups, keys, queue_tools, triage

from assistant.review.bulk import bulk_refusal
from assistant.review.decisions import Approve, Reject
from assistant.review.worklist import QueueRow, Worklist


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


LIVE_SECONDS = 5  # how often an open queue page looks for changes made elsewhere


@st.fragment(run_every=LIVE_SECONDS)
def _watch(user: str) -> None:
    """Redraw the queue when it changed elsewhere (a new message, another agent's claim or
    decision), saying how many items are new: nobody has to click to see it. The pane
    records what it drew, so the agent's own work there redraws only the pane."""
    work = triage.worklist(user)
    drawn: tuple[tuple[int, int], ...] = st.session_state.get(triage.DRAWN, ())
    if triage.shape(work) == drawn:
        return
    new = {r.id for r in work.rows} - {i for i, _ in drawn}
    if new:
        flash("info", f"{len(new)} new item(s) in the queue.")
    st.rerun(scope="app")


def page(user: str, role: str) -> None:
    head, keys_help = st.columns([3, 1], vertical_alignment="bottom")
    head.header("Review queue")
    with keys_help:
        keys.sheet_button()
    st.html(triage.PHONE_CSS)
    show_flash()
    follow_ups.section(user)
    queue_tools.bar(user)  # search, snoozed items, mentions
    work = triage.worklist(user)
    triage.opener(user, role, work)
    triage.pane(user, role)
    _watch(user)  # after the pane: it compares with what the pane just drew
    if work.rows:
        _bulk(user, work)


def _bulk(user: str, work: Worklist) -> None:
    by_id = {r.id: r for r in work.rows}
    offered = [r.id for r in work.rows][: triage.PICKER_LIMIT]
    more = f" (the first {triage.PICKER_LIMIT})" if len(work.rows) > triage.PICKER_LIMIT else ""
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
        format_func=lambda i: queue_list.row_label(by_id.get(i), i),
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
