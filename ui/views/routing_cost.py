"""On the dashboard: per topic and detector, how many messages went to a person, and (for
leads) a what-if that replays the last 30 days of messages with a policy change."""

from __future__ import annotations

from datetime import date

import lead_actions
import streamlit as st

from assistant.errors import AssistantError
from assistant.review.routing_cost import RoutingCost
from assistant.safety.topics import SAFE_TOPICS, Topic
from assistant.safety.whatif import ALWAYS_A_PERSON, Flip, PolicyChange, WhatIf

AUTOMATABLE = [t.value for t in Topic if t.is_risk and t not in ALWAYS_A_PERSON | {Topic.spam}]


def section(user: str, start: date, end: date, lead: bool) -> None:
    st.subheader("What each detector costs")
    _costs(lead_actions.routing_cost(user, start, end))
    if lead:
        _what_if(user)


def _costs(cost: RoutingCost) -> None:
    if cost.detectors:
        st.dataframe(
            [
                {
                    "topic": c.topic.value,
                    "detector": c.detector,
                    "messages to a person": c.messages,
                    "only this detector": c.alone,
                }
                for c in cost.detectors
            ],
            hide_index=True,
            width="stretch",
        )
    notes = [f"{cost.to_person} messages went to a person in this range."]
    if cost.checks:
        notes.append("Other reasons: " + ", ".join(f"{s} {n}" for s, n in cost.checks.items()))
    if cost.not_recorded:
        notes.append(f"{cost.not_recorded} were routed before detectors were recorded.")
    st.caption(" ".join(notes))


def _what_if(user: str) -> None:
    if not st.toggle("What if… (replay the last 30 days with a change)", key="whatif_open"):
        return
    thresholds = lead_actions.detector_thresholds(user)
    with st.form("whatif"):
        automate = st.multiselect("Stop sending these topics to a person", AUTOMATABLE)
        hold = st.multiselect("Send these to a person", sorted(t.value for t in SAFE_TOPICS))
        off = st.multiselect("Switch off these detectors", list(thresholds))
        moved = {
            name: st.number_input(f"{name} threshold", value=value, step=0.05, format="%.2f")
            for name, value in thresholds.items()
            if value is not None
        }
        submitted = st.form_submit_button("Run the what-if")
    if submitted:
        change = PolicyChange(
            automate=frozenset(Topic(t) for t in automate),
            hold=frozenset(Topic(t) for t in hold),
            off=frozenset(off),
            thresholds=tuple((n, float(v)) for n, v in moved.items() if v != thresholds[n]),
        )
        if change.empty:
            st.info("Choose a change first: a topic, a detector or a threshold.")
            return
        try:
            with st.spinner("Replaying the last 30 days of messages…"):
                st.session_state["whatif_report"] = lead_actions.what_if(user, change)
        except AssistantError as exc:
            st.error(str(exc))
            return
    report = st.session_state.get("whatif_report")
    if isinstance(report, WhatIf):
        _report(report)


def _report(report: WhatIf) -> None:
    st.markdown(f"**What if: {report.change}**")
    left, right, third = st.columns(3)
    left.metric("Messages replayed", f"{report.checked:,}", help=f"of {report.total:,}")
    right.metric("Triage sends to a person now", f"{report.to_person_now:,}")
    third.metric(
        "To a person with the change",
        f"{report.to_person_after:,}",
        delta=report.to_person_after - report.to_person_now,
        delta_color="off",
    )
    changed = [
        {"topic": t.value, "now": now, "with the change": after}
        for t, (now, after) in report.per_topic.items()
        if now != after
    ]
    if changed:
        st.dataframe(changed, hide_index=True)
    for title, flips, count in (
        ("No longer to a person", report.freed, report.freed_count),
        ("Newly to a person", report.held, report.held_count),
    ):
        if flips:
            st.caption(f"{title}: {count} (the first {len(flips)} listed)")
            st.dataframe(_flips(flips), hide_index=True, width="stretch")
    st.caption(
        "Triage only: a freed message is still sent only with a draft that passes its checks, "
        "on a channel whose automation is on."
    )


def _flips(flips: list[Flip]) -> list[dict[str, str]]:
    return [
        {"message": f.message_id, "text": f.text, "reasons": "; ".join(f.reasons)} for f in flips
    ]
