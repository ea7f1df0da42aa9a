"""Learning from approvals: proposals a lead accepts or rejects, written to the FAQ file
only behind the eval gate."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant.app import open_assistant
from assistant.cli.main import app
from assistant.knowledge.learning import GateVerdict, accept, hand_off
from assistant.knowledge.loader import load_knowledge
from assistant.knowledge.proposals import ProposalKind, ProposalStatus, ProposalStore
from assistant.review.decisions import Approve, Edit
from assistant.services.proposals import proposals
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR
from tests.support import message, run

runner = CliRunner()
WASH = "how do u wash the merino sweater without ruining it"


async def _approve(settings: Settings, text: str, id: str, edit: str | None = None) -> None:
    """A TikTok message (no automatic sending there) that an agent approves or edits."""
    async with open_assistant(settings) as assistant:
        result = await assistant.inbox.process(
            SYSTEM_ACTOR, message(text, id=id, channel="tiktok", name=None)
        )
        assert result.route == "human_review"
        decision = Edit(actor="alice", text=edit) if edit else Approve(actor="alice")
        await assistant.review.decide(SYSTEM_ACTOR, result.item_id, decision)


def test_an_approval_proposes_a_phrasing_a_lead_accepts_and_the_eval_gate_runs(
    ingested: Settings,
) -> None:
    run(_approve(ingested, WASH, "tt-1"))
    [proposal] = proposals(ingested, SYSTEM_ACTOR)
    assert (proposal.kind, proposal.faq_id, proposal.text) == (
        ProposalKind.phrasing,
        "faq:care-instructions",
        WASH,
    )
    faq = ingested.knowledge_dir / "faq" / "products.md"
    before = faq.read_text()

    listed = runner.invoke(app, ["knowledge", "proposals", "--json"])
    assert [p["id"] for p in json.loads(listed.output)] == [proposal.id]
    done = runner.invoke(
        app, ["knowledge", "proposals", "accept", str(proposal.id), "--actor", "lea", "--json"]
    )

    assert done.exit_code == 0, done.output
    result = json.loads(done.output)
    assert result["status"] == "accepted"
    assert "eval gate passed" in result["note"] and "cases passed" in result["note"]
    added = [line for line in faq.read_text().splitlines() if line not in before.splitlines()]
    assert added == [f"  - {WASH}"]  # one reviewable line, the rest of the file untouched
    [care] = [
        c
        for c in load_knowledge(ingested.knowledge_dir).chunks
        if c.id.endswith("care-instructions")
    ]
    assert WASH in care.also_asked
    assert runner.invoke(app, ["knowledge", "proposals", "--json"]).output.strip() == "[]"


def test_a_failed_eval_gate_restores_the_faq_file(ingested: Settings) -> None:
    run(_approve(ingested, WASH, "tt-1"))
    [proposal] = proposals(ingested, SYSTEM_ACTOR)
    faq = ingested.knowledge_dir / "faq" / "products.md"
    before = faq.read_text()

    async def failing_gate() -> GateVerdict:
        assert WASH in faq.read_text()  # the gate sees the change it judges
        return GateVerdict(False, "1 regression(s): required_facts")

    from assistant.app import open_records

    with open_records(ingested) as records:
        store = ProposalStore(records.queue.engine)
        assert proposal.id is not None
        done = run(accept(store, ingested.knowledge_dir, proposal.id, "lea", failing_gate))

    assert done.status is ProposalStatus.reverted
    assert "restored" in (done.note or "")
    assert faq.read_text() == before


def test_a_gate_that_cannot_run_leaves_the_file_and_the_proposal_as_they_were(
    ingested: Settings,
) -> None:
    run(_approve(ingested, WASH, "tt-1"))
    [proposal] = proposals(ingested, SYSTEM_ACTOR)
    faq = ingested.knowledge_dir / "faq" / "products.md"
    before = faq.read_text()

    async def broken_gate() -> GateVerdict:
        raise RuntimeError("the eval run could not start")

    from assistant.app import open_records

    with open_records(ingested) as records:
        store = ProposalStore(records.queue.engine)
        assert proposal.id is not None
        with pytest.raises(RuntimeError):
            run(accept(store, ingested.knowledge_dir, proposal.id, "lea", broken_gate))

    assert faq.read_text() == before
    assert proposals(ingested, SYSTEM_ACTOR)[0].status is ProposalStatus.open  # decide later


def test_unanswered_questions_are_grouped_into_one_gap_with_a_count(ingested: Settings) -> None:
    reply = "Yes! We sell wholesale: a teammate will email you our terms."
    run(_approve(ingested, "do you do wholesale for shops?", "tt-1", edit=reply))
    run(_approve(ingested, "do u offer wholesale pricing for my store", "tt-2", edit=reply))
    run(_approve(ingested, "can i bring my dog to your warehouse", "tt-3", edit="Sadly no."))

    gaps = [p for p in proposals(ingested, SYSTEM_ACTOR) if p.kind is ProposalKind.gap]

    assert sorted(g.count for g in gaps) == [1, 2]
    wholesale = max(gaps, key=lambda g: g.count)
    assert wholesale.examples == [
        "do you do wholesale for shops?",
        "do u offer wholesale pricing for my store",
    ]
    rejected = runner.invoke(
        app, ["knowledge", "proposals", "reject", str(wholesale.id), "--actor", "lea", "--json"]
    )
    assert json.loads(rejected.output)["status"] == "rejected"


SPONSOR = "do you sponsor school fundraisers"


def _gap(settings: Settings, question: str, id: str = "tt-1") -> int:
    run(_approve(settings, question, id, edit="A teammate will email you about it."))
    [gap] = proposals(settings, SYSTEM_ACTOR, (ProposalStatus.open,))
    assert gap.kind is ProposalKind.gap and gap.id is not None
    return gap.id


def test_a_gap_handed_to_a_person_joins_the_hand_off_entry_and_retrieval_uses_it(
    ingested: Settings,
) -> None:
    def top() -> tuple[str, float, bool]:
        found = json.loads(runner.invoke(app, ["ask", SPONSOR, "--json"]).output)
        return found["hits"][0]["id"], found["hits"][0]["score"], found["answered"]

    _, near, _ = top()  # before: near the entry's other questions, not one of them
    gap_id = _gap(ingested, SPONSOR)
    faq = ingested.knowledge_dir / "faq" / "for-a-person.md"
    before = faq.read_text().splitlines()

    done = runner.invoke(
        app, ["knowledge", "proposals", "hand-off", str(gap_id), "--actor", "lea", "--json"]
    )

    assert done.exit_code == 0, done.output
    result = json.loads(done.output)
    assert result["status"] == "accepted"
    assert result["note"].startswith("handed to a person in faq/for-a-person.md; eval gate passed")
    assert [line for line in faq.read_text().splitlines() if line not in before] == [
        f"  - {SPONSOR}"
    ]
    entry, score, answered = top()  # re-synced: retrieval finds the question itself now
    assert (entry, answered) == ("faq:for-a-person", False) and score > near + 0.1


def test_a_brand_without_a_hand_off_entry_gets_one_and_a_failed_gate_takes_it_away(
    ingested: Settings,
) -> None:
    sample = ingested.knowledge_dir / "faq" / "for-a-person.md"
    sample.unlink()
    gap_id = _gap(ingested, SPONSOR)
    created = ingested.knowledge_dir / "faq" / "for-a-person.md"
    seen: list[str] = []

    async def gate(passes: bool) -> GateVerdict:
        [entry] = [c for c in load_knowledge(ingested.knowledge_dir).chunks if c.hand_off]
        seen.append(entry.also_asked[0])  # the gate judges the knowledge with the new entry
        return GateVerdict(passes, "1 regression(s)" if not passes else "58 cases passed")

    from assistant.app import open_records

    with open_records(ingested) as records:
        store = ProposalStore(records.queue.engine)
        failed = run(hand_off(store, ingested.knowledge_dir, gap_id, "lea", lambda: gate(False)))
        assert failed.status is ProposalStatus.reverted
        assert not created.exists()  # the file the change created is gone again

        again = _gap(ingested, "would u sponsor our school's bake sale", "tt-2")
        done = run(hand_off(store, ingested.knowledge_dir, again, "lea", lambda: gate(True)))

    assert seen == [SPONSOR, "would u sponsor our school's bake sale"]
    assert done.status is ProposalStatus.accepted
    [entry] = [c for c in load_knowledge(ingested.knowledge_dir).chunks if c.hand_off]
    assert (entry.id, entry.source) == ("faq:for-a-person", "faq/for-a-person.md")


def test_only_a_gap_can_be_handed_to_a_person(ingested: Settings) -> None:
    run(_approve(ingested, WASH, "tt-1"))
    [proposal] = proposals(ingested, SYSTEM_ACTOR)

    done = runner.invoke(
        app, ["knowledge", "proposals", "hand-off", str(proposal.id), "--actor", "lea"]
    )

    assert done.exit_code != 0
    assert "is a phrasing for faq:care-instructions: accept or reject it" in done.output
    assert proposals(ingested, SYSTEM_ACTOR)[0].status is ProposalStatus.open


def test_personal_text_is_never_proposed_for_a_file(ingested: Settings) -> None:
    run(_approve(ingested, "email me at maya@example.com about washing merino", "tt-1"))

    assert proposals(ingested, SYSTEM_ACTOR) == []
