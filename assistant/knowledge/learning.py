"""Learning from what agents approve, gated by evals.

An approved or edited reply to a question an FAQ answered proposes that question as one of
the FAQ's ``also_asked`` phrasings; one to a question no FAQ answered joins a group of
similar unanswered questions (a gap). A lead accepts or rejects each proposal; an accepted
phrasing is written to its FAQ file, and stays only if ``assistant eval`` passes. A gap a
lead hands off ("a person answers these") is written to the brand's hand-off entry the same
way, so retrieval sends questions like it to a person with that reason."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.errors import ConfigError, ConflictError
from assistant.knowledge.embeddings import Embedder
from assistant.knowledge.faq_edit import add_also_asked
from assistant.knowledge.loader import Knowledge, load_knowledge
from assistant.knowledge.normalise import normalise
from assistant.knowledge.proposals import FaqProposal, ProposalKind, ProposalStatus, ProposalStore
from assistant.review.models import ReviewItem

log = logging.getLogger(__name__)

SAME_GAP = 0.75  # unanswered questions this similar are one gap
MAX_CHARS = 200  # longer messages are not phrasings of a question
# A phrasing is written to a file under version control: nothing personal goes in it.
PERSONAL = re.compile(r"\d|@|https?://|www\.|\S+\.(?:com|net|org|example)\b", re.IGNORECASE)
# The entry a handed-off gap creates when the brand has none yet.
HAND_OFF_ID = "for-a-person"
HAND_OFF_ENTRY = f"""---
id: {HAND_OFF_ID}
question: Questions a person on our team answers
hand_off: true
also_asked:
---
No help article answers questions like these: a person on our team reads each one and replies.
"""


@dataclass(frozen=True)
class GateVerdict:
    passed: bool
    summary: str


Gate = Callable[[], Awaitable[GateVerdict]]
# accept or hand_off: (store, knowledge_dir, proposal_id, actor, gate) -> the decided proposal
GatedStep = Callable[[ProposalStore, Path, int, str, Gate], Awaitable[FaqProposal]]


def _question(item: ReviewItem) -> str | None:
    """The customer's text, if it can become a phrasing: short, and nothing personal."""
    text = " ".join(item.text.split())
    if not text or len(text) > MAX_CHARS or PERSONAL.search(text):
        return None
    names = {w.lower() for w in (item.author_name or "").split() if len(w) > 2}
    if names & set(normalise(text).split()):
        return None
    return text


def propose(
    store: ProposalStore, knowledge: Knowledge, embedder: Embedder, item: ReviewItem
) -> FaqProposal | None:
    """Record what an approval teaches. Never raises: the reply is already decided."""
    try:
        return _propose(store, knowledge, embedder, item)
    except Exception as exc:  # learning must never fail an approval
        log.warning("item #%s proposed nothing: %s", item.id, exc)
        return None


def _propose(
    store: ProposalStore, knowledge: Knowledge, embedder: Embedder, item: ReviewItem
) -> FaqProposal | None:
    question = _question(item)
    if question is None or item.id is None or item.order_id:
        return None
    top = item.sources[0] if item.sources else None
    if top is not None and top.get("answers") and str(top["id"]).startswith("faq:"):
        return _propose_phrasing(store, knowledge, item.id, question, str(top["id"]))
    return _propose_gap(store, embedder, item.id, question)


def _propose_phrasing(
    store: ProposalStore, knowledge: Knowledge, item_id: int, question: str, faq_id: str
) -> FaqProposal | None:
    key = normalise(question)
    chunk = next((c for c in knowledge.chunks if c.id == faq_id), None)
    if chunk is None or key in {normalise(p) for p in chunk.phrasings}:
        return None
    for open_ in store.list((ProposalStatus.open,)):
        if open_.kind is ProposalKind.phrasing and normalise(open_.text) == key:
            store.seen(open_, item_id, question)
            return open_
    return store.add(
        FaqProposal(
            kind=ProposalKind.phrasing,
            faq_id=faq_id,
            text=question,
            examples=[question],
            item_ids=[item_id],
        )
    )


def _propose_gap(
    store: ProposalStore, embedder: Embedder, item_id: int, question: str
) -> FaqProposal:
    vector = embedder.embed([normalise(question) or question])[0]
    gaps = [p for p in store.list((ProposalStatus.open,)) if p.kind is ProposalKind.gap]
    if gaps:
        centres = np.asarray([g.vector for g in gaps], dtype=np.float32)
        best = int(np.argmax(centres @ vector))
        if float(centres[best] @ vector) >= SAME_GAP:
            store.seen(gaps[best], item_id, question)
            return gaps[best]
    return store.add(
        FaqProposal(
            kind=ProposalKind.gap,
            text=question,
            examples=[question],
            item_ids=[item_id],
            vector=[round(float(x), 5) for x in vector],
        )
    )


async def accept(
    store: ProposalStore, knowledge_dir: Path, proposal_id: int, actor: str, gate: Gate
) -> FaqProposal:
    """Write an accepted phrasing to its FAQ file, then run the eval gate; on a
    regression restore the file and mark the proposal reverted. A gap has no text to write
    yet: accepting it records that a lead will write the entry."""
    proposal = _open(store, proposal_id)
    if proposal.kind is ProposalKind.gap:
        note = f"write an FAQ entry for: {proposal.text!r} (asked {proposal.count} times)"
        return store.decide(proposal_id, ProposalStatus.accepted, actor, note)
    assert proposal.faq_id is not None
    chunk = next((c for c in load_knowledge(knowledge_dir).chunks if c.id == proposal.faq_id), None)
    if chunk is None:
        raise ConfigError(f"{proposal.faq_id} is no longer in the knowledge folder; reject it.")
    edit = _Edit(knowledge_dir, chunk.source, proposal.faq_id.removeprefix("faq:"))
    return await _gated(store, proposal, edit, [proposal.text], actor, gate, "added to")


async def hand_off(
    store: ProposalStore, knowledge_dir: Path, proposal_id: int, actor: str, gate: Gate
) -> FaqProposal:
    """A person answers this gap's questions: write them to the hand-off entry's
    ``also_asked`` (creating ``faq/for-a-person.md`` if the brand has none), then run the
    eval gate as ``accept`` does. Retrieval then sends questions like them to a person."""
    proposal = _open(store, proposal_id)
    if proposal.kind is not ProposalKind.gap:
        raise ConflictError(
            f"Proposal #{proposal_id} is a phrasing for {proposal.faq_id}: accept or reject it."
        )
    entry = next((c for c in load_knowledge(knowledge_dir).chunks if c.hand_off), None)
    if entry is None:
        edit = _Edit(knowledge_dir, f"faq/{HAND_OFF_ID}.md", HAND_OFF_ID, HAND_OFF_ENTRY)
        known: set[str] = set()
    else:
        edit = _Edit(knowledge_dir, entry.source, entry.id.removeprefix("faq:"))
        known = {normalise(p) for p in entry.phrasings}
    questions = [q for q in dict.fromkeys(proposal.examples) if normalise(q) not in known]
    if not questions:
        note = f"already handed to a person in {edit.source}"
        return store.decide(proposal_id, ProposalStatus.accepted, actor, note)
    return await _gated(store, proposal, edit, questions, actor, gate, "handed to a person in")


def _open(store: ProposalStore, proposal_id: int) -> FaqProposal:
    proposal = store.get(proposal_id)
    if proposal.status is not ProposalStatus.open:
        raise ConflictError(f"Proposal #{proposal_id} is already {proposal.status.value}.")
    return proposal


@dataclass(frozen=True)
class _Edit:
    """Which entry of which file gains phrasings; ``new`` is the file's text when the
    change creates it."""

    knowledge_dir: Path
    source: str
    entry_id: str
    new: str | None = None

    def apply(self, phrasings: list[str]) -> Callable[[], None]:
        """Write the phrasings; returns what puts the file back as it was."""
        path = self.knowledge_dir / self.source
        before = None if self.new is not None else path.read_text(encoding="utf-8")
        if self.new is not None:
            if path.exists():
                raise ConfigError(
                    f"{self.source} has no entry with 'hand_off: true': add it to the entry "
                    "a person answers, or rename the file, then hand the gap off again."
                )
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(self.new, encoding="utf-8")

        def restore() -> None:
            if before is None:
                path.unlink()
            else:
                path.write_text(before, encoding="utf-8")

        try:
            for phrasing in phrasings:
                add_also_asked(path, self.source, self.entry_id, phrasing)
        except BaseException:
            restore()  # an inline also_asked list, say: no half-written file is left
            raise
        return restore


async def _gated(
    store: ProposalStore,
    proposal: FaqProposal,
    edit: _Edit,
    phrasings: list[str],
    actor: str,
    gate: Gate,
    done: str,
) -> FaqProposal:
    """Make the edit; keep it only if the knowledge loads and the eval gate passes."""
    assert proposal.id is not None
    restore = edit.apply(phrasings)
    try:
        load_knowledge(edit.knowledge_dir)
        verdict = await gate()
    except BaseException:  # a broken file, or a gate that could not run: nothing changes
        restore()
        raise
    if verdict.passed:
        note = f"{done} {edit.source}; eval gate passed: {verdict.summary}"
        return store.decide(proposal.id, ProposalStatus.accepted, actor, note)
    restore()
    store.decide(proposal.id, ProposalStatus.accepted, actor)
    note = f"eval gate failed, {edit.source} restored: {verdict.summary}"
    return store.decide(proposal.id, ProposalStatus.reverted, actor, note)


def reject(store: ProposalStore, proposal_id: int, actor: str) -> FaqProposal:
    return store.decide(proposal_id, ProposalStatus.rejected, actor)
