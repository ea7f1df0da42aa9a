"""Leads: the latest eval run, the trend over past runs, and the regressions with the
golden reply and the current draft side by side."""

from __future__ import annotations

import components as ui
import lead_actions
import pandas as pd
import streamlit as st


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def page(user: str) -> None:
    st.header("Evals")
    runs, regressions = lead_actions.evals(user)
    if not runs:
        st.info(
            "No eval run yet. Run `assistant eval` (nightly: see docs/evals.md); its "
            "results appear here."
        )
        return
    latest = runs[0]
    verdict = "passed" if latest.ok else f"failed: {latest.regressions} regression(s)"
    (st.success if latest.ok else st.error)(
        f"Latest run {latest.run_id} ({latest.started_at:%Y-%m-%d %H:%M} UTC, {latest.mode} "
        f"mode, {latest.cases} cases): {verdict}."
    )
    tiles = st.columns(4)
    tiles[0].metric("Cases passed", f"{latest.passed} / {latest.cases}")
    tiles[1].metric("Failed", latest.failed)
    tiles[2].metric("Grader errors", latest.errors, help="e.g. a judge that returned garbage")
    tiles[3].metric("Regressions", latest.regressions)

    st.subheader("Trend")
    if len(runs) > 1:
        trend = pd.DataFrame(
            [{"run": f"{r.started_at:%m-%d %H:%M}", **r.means} for r in reversed(runs)]
        ).set_index("run")
        st.line_chart(trend, height=260, y_label="mean score")
    else:
        st.caption("The trend chart starts with the second run.")
    st.dataframe(
        [{"grader": g, "mean": _score(m)} for g, m in sorted(latest.means.items())],
        hide_index=True,
    )

    st.subheader("Regressions and the cases that fell most")
    if not regressions:
        st.caption("Nothing got worse against the baseline.")
    for r in regressions:
        change = f"{_score(r.baseline)} → {_score(r.current)}"
        title = f"{r.kind} · {r.grader} · {change}" + (f" · case {r.case_id}" if r.case_id else "")
        with st.expander(title, expanded=r.kind != "fell"):
            st.text(ui.shown(r.detail))  # a grader's or judge's words: never Markdown
            if r.message:
                st.caption("Customer")
                st.text(ui.shown(r.message))
            golden, draft = st.columns(2)
            golden.caption("Golden reply (what a person approved)")
            golden.text(ui.shown(r.golden or "—"))
            draft.caption("Draft now")
            draft.text(ui.shown(r.draft or "—"))
