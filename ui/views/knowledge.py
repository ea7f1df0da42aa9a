"""Leads: each knowledge file's sync state and problems (file and line), a re-sync with
progress, and a playground that shows what retrieval returns for a question."""

from __future__ import annotations

import lead_actions
import streamlit as st
from feedback import flash, show_flash

from assistant.errors import AssistantError, KnowledgeError
from assistant.intake.messages import Channel
from assistant.knowledge.ask import Asked
from assistant.knowledge.proposals import FaqProposal, ProposalKind, ProposalStatus

STATE_ICONS = {
    "synced": "✓",
    "read live": "✓",
    "loaded at sync": "✓",
    "changed": "↻",
    "new": "↻",
    "deleted": "↻",
    "errors": "✗",
    "not used": "",
}


def _resync(user: str) -> None:
    bar = st.progress(0.0, text="Embedding knowledge…")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"Embedded {done} of {total} entries")

    try:
        report = lead_actions.resync(user, progress)
    except KnowledgeError as exc:
        flash("error", "Nothing was synced: fix these problems first.\n\n" + _bullets(exc.problems))
    except AssistantError as exc:
        flash("error", str(exc))
    else:
        flash(
            "success",
            f"Synced: {len(report.added)} added, {len(report.updated)} updated, "
            f"{len(report.removed)} removed, {report.unchanged} unchanged.",
        )
    bar.empty()


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"- `{line}`" for line in lines)


def page(user: str) -> None:
    st.header("Knowledge")
    if st.button("Re-sync knowledge", type="primary", key="resync"):
        _resync(user)
    status = lead_actions.knowledge(user)
    show_flash()
    last = status.last_sync
    st.caption(
        f"{status.indexed} entries in the index · "
        + (
            f"last sync {last.at:%Y-%m-%d %H:%M} UTC by {last.by} ({last.summary})"
            if last
            else "never synced from the console or CLI"
        )
    )
    if status.problems:
        st.error(
            f"{len(status.problems)} problem(s) in the knowledge folder. Until they are fixed, "
            "syncing is refused and the pipeline cannot start.\n\n" + _bullets(status.problems)
        )
    elif status.in_sync:
        st.success("Every file is in the index.")
    else:
        st.warning(f"{status.to_embed} entries to embed and {status.to_remove} to remove: re-sync.")
    st.dataframe(
        [
            {"": STATE_ICONS.get(f.state, ""), "file": f.path, "state": f.state, "detail": f.detail}
            for f in status.files
        ],
        hide_index=True,
        width="stretch",
        column_config={"": st.column_config.TextColumn(width=30)},
    )

    st.subheader("Ask a question")
    st.caption("What retrieval gives the drafter for a customer message: chunks, scores, files.")
    question, channel = st.columns([4, 1], vertical_alignment="bottom")
    asked = question.text_input("Question", key="ask", max_chars=2_000)
    picked = channel.selectbox("Channel", ["any", *[c.value for c in Channel]], key="ask_channel")
    if asked.strip():
        _show_asked(lead_actions.ask(user, asked, None if picked == "any" else picked))
    _learning(user)


def _decide(user: str, proposal: FaqProposal, decision: lead_actions.Decision) -> None:
    assert proposal.id is not None
    busy = "…" if decision == "reject" else "Writing the change and running the eval gate…"
    try:
        with st.spinner(busy):
            done = lead_actions.decide_proposal(user, proposal.id, decision)
    except AssistantError as exc:
        flash("error", str(exc))
        return
    kind = "error" if done.status is ProposalStatus.reverted else "success"
    flash(
        kind, f"Proposal #{done.id} {done.status.value}" + (f": {done.note}" if done.note else "")
    )


ACCEPT_HELP = "Adds it to the FAQ file (after the eval gate) and re-syncs the index."
HAND_OFF_HELP = (
    "A person answers these: the questions join the hand-off entry (after the eval gate), "
    "so questions like them go to a person with that reason."
)


def _learning(user: str) -> None:
    """What customers asked (from processed messages) and what approvals propose."""
    outcomes, open_ = lead_actions.learning(user)
    st.subheader("Questions customers asked")
    st.caption("From processed messages; messages about an order are answered from the order.")
    reached = [
        {"answer": entry, "questions": len(qs), "examples": " · ".join(qs[:3])}
        for entry, qs in sorted(outcomes.reached.items(), key=lambda kv: -len(kv[1]))
    ]
    if reached:
        st.dataframe(reached, hide_index=True, width="stretch", key="reached")
    with st.expander(f"{len(outcomes.unanswered)} question(s) no entry answered"):
        for text in outcomes.unanswered[:50]:
            st.text(text[:200])
    st.subheader("Proposals from approvals")
    if not open_:
        st.caption("None open. Approved and edited replies propose phrasings and FAQ gaps.")
    for proposal in open_:
        if proposal.kind is ProposalKind.phrasing:
            label = f"#{proposal.id} · add to {proposal.faq_id}: “{proposal.text}”"
        else:
            label = f"#{proposal.id} · FAQ gap, asked {proposal.count}×: “{proposal.text}”"
        left, *buttons = st.columns([5, 1, 1, 1], vertical_alignment="center")
        left.markdown(label)
        gap = proposal.kind is ProposalKind.gap
        accepting = "Records that a lead will write an entry." if gap else ACCEPT_HELP
        choices: list[tuple[lead_actions.Decision, str, str]] = [
            ("accept", "Accept", accepting),
            ("reject", "Reject", "Nothing changes in the knowledge folder."),
        ]
        if gap:
            choices.insert(1, ("hand-off", "To a person", HAND_OFF_HELP))
        for column, (decision, text, help_) in zip(buttons, choices, strict=False):
            if column.button(text, key=f"{decision}_{proposal.id}", help=help_):
                _decide(user, proposal, decision)
                st.rerun()


def _show_asked(asked: Asked) -> None:
    """The same hits and verdict as ``assistant ask QUESTION --json``."""
    rule = asked.calibration
    if not asked.hits:
        st.info("Nothing in the index answers this. Add an FAQ entry, then re-sync.")
        return
    if asked.answered:
        st.success(f"Answered from {asked.hits[0].id}: a draft would quote it ({asked.reason}).")
    else:
        st.warning(
            f"Not answered: a person replies ({asked.reason}). Add an `also_asked` phrasing "
            "to the FAQ that should answer it."
        )
    if rule is not None:
        st.caption(f"Answer rule for this brand: {rule.describe()}.")
    for hit in asked.hits:
        used = "answers" if hit.answers else "context only"
        with st.expander(f"{hit.score:.3f} · {hit.source}:{hit.line} · {hit.title} · {used}"):
            st.text(hit.text)
