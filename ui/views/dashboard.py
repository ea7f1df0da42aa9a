"""How the inbox is doing: response times, automation, decisions, edits, SLA breaches,
routing reasons, opt-outs and moderation, per channel and over time, for a date range."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import actions
import lead_actions
import pandas as pd
import streamlit as st
from views import routing_cost

from assistant.review.metrics import Dashboard, Durations, Metrics
from assistant.users import Permission, role_can

DEFAULT_DAYS = 14


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _minutes(d: Durations) -> str:
    if d.p50_minutes is None:
        return "—"
    p50 = d.p50_minutes
    return f"{p50:.0f} min" if p50 < 120 else f"{p50 / 60:.1f} h"


def _tiles(m: Metrics, board: Dashboard) -> None:
    row1 = st.columns(5)
    row1[0].metric("Messages received", f"{m.received:,}")
    row1[1].metric(
        "First response (median)",
        _minutes(m.first_response),
        help="Reply sent minus message received, automated replies included; "
        f"p90 {_minutes_p90(m.first_response)}",
    )
    row1[2].metric(
        "Time to approve (median)",
        _minutes(m.time_to_approve),
        help=f"A person's approve or edit minus received; p90 {_minutes_p90(m.time_to_approve)}",
    )
    row1[3].metric(
        "Automation rate",
        _pct(m.automation_rate),
        help=f"{m.automated_replies} of {m.replies} replies sent without a person",
    )
    row1[4].metric(
        "SLA breaches",
        f"{m.sla.total:,}",
        help=f"{m.sla.replied_late} replied late, {m.sla.open_overdue} still open past due",
    )
    row2 = st.columns(5)
    d = m.decisions
    row2[0].metric("Approved as drafted", _pct(d.approve_rate), help=f"{d.approved} of {d.total}")
    row2[1].metric("Edited, then sent", _pct(d.edit_rate), help=f"{d.edited} of {d.total}")
    row2[2].metric("Rejected", _pct(d.reject_rate), help=f"{d.rejected} of {d.total}")
    row2[3].metric(
        "Edit distance (mean)",
        _pct(m.edits.mean_distance),
        help="How much agents changed the drafts they edited (0% = untouched); "
        f"{m.edits.mean_chars_changed or 0:.0f} characters on average",
    )
    row2[4].metric(
        "Opt-outs",
        f"{m.opt_outs:,}",
        help=f"STOP messages; {board.opted_out_customers} customers opted out in this range",
    )
    mod = m.moderation
    st.caption(
        f"Moderation: {mod.hidden} hidden as spam, {mod.restored} restored by a person "
        f"(false-positive rate {_pct(mod.false_positive_rate)}) · {d.escalated} escalated"
    )


def _minutes_p90(d: Durations) -> str:
    return "—" if d.p90_minutes is None else f"{d.p90_minutes:.0f} min"


def page(user: str) -> None:
    st.header("Dashboard")
    today = datetime.now(UTC).date()
    left, right = st.columns([2, 3], vertical_alignment="bottom")
    picked = left.date_input(
        "Date range",
        value=(today - timedelta(days=DEFAULT_DAYS - 1), today),
        max_value=today,
        key="dash_range",
        persist_state="session",
    )
    start, end = _range(picked, today)
    board = lead_actions.dashboard(user, start, end)
    channels = ["all", *board.channels]
    channel = right.segmented_control("Channel", channels, default="all", key="dash_channel")
    metrics = board.totals if channel in (None, "all") else board.by_channel[str(channel)]
    _tiles(metrics, board)

    rows = board.daily_totals if channel in (None, "all") else board.daily
    daily = pd.DataFrame(rows)
    if not daily.empty and channel not in (None, "all"):
        daily = daily[daily["channel"] == channel]
    if daily.empty or not daily["received"].any():
        st.info(f"No messages between {start} and {end}.")
        return
    daily = daily.set_index("date")
    st.subheader("Over time")
    first, second = st.columns(2)
    with first:
        st.caption("Messages received and replies sent, per day")
        st.line_chart(daily[["received", "replies", "automated_replies"]], height=240)
        st.caption("Reply time, minutes (median and p90)")
        st.line_chart(
            daily[["first_response_p50_min", "first_response_p90_min", "time_to_approve_p50_min"]],
            height=240,
        )
    with second:
        st.caption("Decisions by people, per day")
        st.bar_chart(daily[["approved", "edited", "rejected", "escalated"]], height=240)
        st.caption("SLA breaches and opt-outs, per day")
        st.bar_chart(daily[["sla_breaches", "opt_outs", "hidden"]], height=240)

    st.subheader("Why messages went to a person")
    if board.top_reasons:
        reasons = pd.DataFrame(
            [{"reason": r.reason, "messages": r.count} for r in board.top_reasons]
        )
        st.bar_chart(reasons, x="reason", y="messages", horizontal=True)
    routing_cost.section(
        user, start, end, lead=role_can(actions.role_of(user), Permission.manage_knowledge)
    )
    st.subheader("Per channel")
    st.dataframe(_per_channel(board), hide_index=True, width="stretch")


def _range(picked: object, today: date) -> tuple[date, date]:
    """A range while the second date is still being picked is one day long."""
    if isinstance(picked, tuple | list):
        values = [d for d in picked if isinstance(d, date)]
        if len(values) == 2:
            return values[0], values[1]
        if values:
            return values[0], values[0]
    if isinstance(picked, date):
        return picked, picked
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def _per_channel(board: Dashboard) -> list[dict[str, object]]:
    return [
        {
            "channel": name,
            "received": m.received,
            "automation": _pct(m.automation_rate),
            "first response p50": _minutes(m.first_response),
            "approve": _pct(m.decisions.approve_rate),
            "edit": _pct(m.decisions.edit_rate),
            "reject": _pct(m.decisions.reject_rate),
            "edit distance": _pct(m.edits.mean_distance),
            "SLA breaches": m.sla.total,
            "opt-outs": m.opt_outs,
        }
        for name, m in sorted(board.by_channel.items())
    ]
