"""End to end through the real graph, Chroma, SQLite queue and checkpoints (template mode)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlmodel import Session, select

from assistant.app import Assistant, open_assistant
from assistant.errors import ConflictError
from assistant.review.decisions import Approve, Edit, Escalate, Reject
from assistant.review.models import ItemStatus, ReviewItem
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR
from tests.support import message, process, run, sample_inbox


async def _decide(
    settings: Settings, item_id: int, decision: Any, version: int | None = None
) -> Any:
    async with open_assistant(settings) as assistant:
        return await assistant.review.decide(
            SYSTEM_ACTOR, item_id, decision, expected_version=version
        )


def _outbox(settings: Settings) -> list[Any]:
    async def go() -> list[Any]:
        async with open_assistant(settings) as assistant:
            return assistant.queue.outbox()

    return run(go())


def _audit(settings: Settings, item_id: int) -> list[Any]:
    async def go() -> list[Any]:
        async with open_assistant(settings) as assistant:
            return assistant.queue.audit_log(item_id)

    return run(go())


def test_refund_question_lands_in_queue_with_reason(ingested: Settings) -> None:
    [result] = run(process(ingested, message("Hi, can I get a refund for the sweater I returned?")))

    assert result.route == "human_review"
    assert "refund" in result.topics
    assert any("mentions a refund: 'refund'" in r for r in result.reasons)
    assert result.status == ItemStatus.pending
    assert result.draft.startswith("Automated reply: ")
    assert _outbox(ingested) == []


def test_approving_sends_exactly_one_disclosed_reply(ingested: Settings) -> None:
    [result] = run(process(ingested, message("I want my money back for order FH-10293")))

    item = run(_decide(ingested, result.item_id, Approve(actor="alice")))

    sent = _outbox(ingested)
    assert item.status == ItemStatus.sent
    assert len(sent) == 1
    assert sent[0].text.startswith("Automated reply: ")
    assert sent[0].text == result.draft
    assert not sent[0].automated
    with pytest.raises(ConflictError, match="already sent by alice"):
        run(_decide(ingested, result.item_id, Approve(actor="bob")))
    assert len(_outbox(ingested)) == 1


def test_editing_sends_the_edited_text_and_records_the_diff(ingested: Settings) -> None:
    [result] = run(process(ingested, message("How much is the Merino Crew Sweater?")))
    new_text = "Hi Marcus! The Merino Crew Sweater is $98. — The Fernhill team"

    run(_decide(ingested, result.item_id, Edit(actor="alice", text=new_text)))

    [sent] = _outbox(ingested)
    assert sent.text == f"Automated reply: {new_text}"
    edit = next(e for e in _audit(ingested, result.item_id) if e.action == "edit")
    assert edit.actor == "alice"
    assert edit.before_text == result.draft.removeprefix("Automated reply: ")
    assert edit.after_text == new_text


def test_rejecting_sends_nothing(ingested: Settings) -> None:
    [result] = run(process(ingested, message("My lawyer will hear about this.")))

    item = run(_decide(ingested, result.item_id, Reject(actor="alice", reason="legal handles it")))

    assert item.status == ItemStatus.rejected
    assert _outbox(ingested) == []
    [event] = [e for e in _audit(ingested, result.item_id) if e.action == "reject"]
    assert event.reason == "legal handles it"


def test_escalated_item_stays_open_until_the_lead_decides(ingested: Settings) -> None:
    [result] = run(process(ingested, message("I will sue you if this is not fixed")))

    item = run(_decide(ingested, result.item_id, Escalate(actor="alice", to="lead", note="threat")))
    assert item.status == ItemStatus.escalated
    assert item.escalated_to == "lead"
    assert _outbox(ingested) == []

    item = run(_decide(ingested, result.item_id, Approve(actor="lena")))
    assert item.status == ItemStatus.sent
    assert len(_outbox(ingested)) == 1


def test_order_status_question_is_answered_with_that_orders_real_status(ingested: Settings) -> None:
    # FH-10293 belongs to Marcus (web_7731): shipped with UPS, tracking 1Z8F4A270282699828.
    [result] = run(process(ingested, message("Hi! Where is my order FH-10293?")))

    assert result.route == "auto_send", result.reasons
    [sent] = _outbox(ingested)
    assert sent.automated
    assert sent.text.startswith("Automated reply: Hi Marcus")
    assert "1Z8F4A270282699828" in sent.text
    assert "UPS" in sent.text


def test_an_order_of_another_customer_is_never_disclosed(ingested: Settings) -> None:
    # FH-10299 is not Marcus's order.
    [result] = run(process(ingested, message("Where is my order FH-10299?")))

    assert result.route == "human_review"
    assert any("belongs to another customer" in r for r in result.reasons)
    item = run(_get(ingested, result.item_id))
    assert item.order_facts is None
    assert "1Z8F4A270336171521" not in (result.draft or "")  # that order's tracking number


async def _get(settings: Settings, item_id: int) -> ReviewItem:
    async with open_assistant(settings) as assistant:
        return assistant.queue.get(item_id)


def test_an_unknown_order_id_goes_to_a_person(ingested: Settings) -> None:
    [result] = run(process(ingested, message("Where is order FH-99999?")))

    assert result.route == "human_review"
    assert "order FH-99999 was not found" in result.reasons


def test_a_question_no_entry_answers_tells_the_agent_why(ingested: Settings) -> None:
    [result] = run(process(ingested, message("are you hiring for the warehouse this summer?")))

    # The sample brand lists hiring questions for a person (its hand-off entry).
    assert result.route == "human_review"
    assert (
        "no FAQ or policy answers this message: the brand lists questions like this for a "
        "person (faq:for-a-person)" in result.reasons
    ), result.reasons


def test_the_same_message_twice_is_processed_once(ingested: Settings) -> None:
    first = message("Where is my order FH-10293?", id="dup-1")
    results = run(process(ingested, first, first))

    assert [r.duplicate for r in results] == [False, True]
    assert results[0].item_id == results[1].item_id
    assert len(_outbox(ingested)) == 1


def test_two_agents_approving_the_same_item_one_wins_the_other_gets_a_conflict(
    ingested: Settings,
) -> None:
    [result] = run(process(ingested, message("Can I get a refund?")))
    version = run(_get(ingested, result.item_id)).version
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def agent(name: str) -> None:
        barrier.wait()
        try:
            run(_decide(ingested, result.item_id, Approve(actor=name), version))
            outcomes.append("won")
        except ConflictError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=agent, args=(n,)) for n in ("alice", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert outcomes.count("won") == 1
    [conflict] = [o for o in outcomes if o != "won"]
    assert f"Item #{result.item_id}" in conflict
    assert len(_outbox(ingested)) == 1


def test_stop_records_an_opt_out_and_sends_only_a_confirmation(ingested: Settings) -> None:
    stop = message("STOP", id="s-1")
    question = message("How long does shipping take?", id="s-2")
    results = run(process(ingested, stop, question))

    assert results[0].route == "opted_out"
    assert results[1].route == "human_review"
    assert "the customer opted out of automated replies" in results[1].reasons
    [confirmation] = _outbox(ingested)
    assert confirmation.kind == "confirmation"
    assert "unsubscribed" in confirmation.text


def test_a_message_without_text_goes_to_a_person(ingested: Settings) -> None:
    [result] = run(process(ingested, message("", metadata={"attachment": "sticker"})))

    assert result.route == "human_review"
    assert "the message has no text (attachment: sticker)" in result.reasons


def test_a_huge_message_is_kept_whole_and_bounded_for_analysis(ingested: Settings) -> None:
    text = "My parcel is late and I am upset. " * 3000  # ~100k characters
    [result] = run(process(ingested, message(text)))

    item = run(_get(ingested, result.item_id))
    assert result.route == "human_review"
    assert any(r.startswith("long message") for r in result.reasons)
    assert len(item.text) == len(text[:100_000])


def test_the_sample_inbox_routes_every_risky_message_to_a_person(ingested: Settings) -> None:
    results = {r.message_id: r for r in run(process(ingested, *sample_inbox()))}

    risky = {
        "wa-100160": "refund",
        "fb-100187": "refund",
        "ig-100213": "refund",
        "x-100141": "legal",
        "wa-100192": "legal",
        "fb-100252": "legal",
        "ig-100132": "price",
        "web-100172": "prompt_injection",
    }
    for message_id, topic in risky.items():
        assert results[message_id].route == "human_review", message_id
        assert topic in results[message_id].topics, (message_id, results[message_id].topics)
    assert results["ig-100157"].route == "hidden"
    assert results["wa-100204"].route == "opted_out"
    assert results["fb-100231"].route == "opted_out"
    assert any(r.route == "auto_send" for r in results.values())
    sent = {s.message_id for s in _outbox(ingested)}
    assert not sent & set(risky)


def test_every_inbox_message_ends_up_recorded(ingested: Settings) -> None:
    inbox = sample_inbox()
    run(process(ingested, *inbox))

    async def go() -> list[ReviewItem]:
        async with open_assistant(ingested) as assistant:
            with Session(assistant.queue.engine) as session:
                return list(session.exec(select(ReviewItem)).all())

    items = run(go())
    assert {i.message_id for i in items} == {m.id for m in inbox}
    assert not [i for i in items if i.status == ItemStatus.processing]


def test_process_many_runs_concurrently_without_losing_messages(ingested: Settings) -> None:
    messages = [message(f"How long does shipping take? ({n})", id=f"c-{n}") for n in range(12)]

    async def go(assistant: Assistant) -> list[Any]:
        return await assistant.inbox.process_many(SYSTEM_ACTOR, messages, concurrency=6)

    async def main() -> list[Any]:
        async with open_assistant(ingested) as assistant:
            return await go(assistant)

    results = run(main())
    assert sorted(r.message_id for r in results) == sorted(m.id for m in messages)
    assert len({r.item_id for r in results}) == 12


def test_an_item_without_a_draft_cannot_be_approved_only_edited(ingested: Settings) -> None:
    [result] = run(process(ingested, message("", metadata={"attachment": "photo"})))

    with pytest.raises(ConflictError, match="no draft to approve"):
        run(_decide(ingested, result.item_id, Approve(actor="alice")))
    run(_decide(ingested, result.item_id, Edit(actor="alice", text="Thanks for the photo!")))

    [sent] = _outbox(ingested)
    assert sent.text == "Automated reply: Thanks for the photo!"
    assert sent.sent_by == "alice"
