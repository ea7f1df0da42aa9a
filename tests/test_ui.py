"""The review console, driven through Streamlit's AppTest against the real pipeline."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from assistant.app import open_assistant
from assistant.knowledge.loader import load_knowledge
from assistant.pipeline.drafting import Draft, DraftContext
from assistant.pipeline.graph import with_disclosure
from assistant.review.decisions import Approve, Decision, Escalate
from assistant.review.models import AuditEvent, OutboxMessage, ReviewItem
from assistant.settings import Settings
from tests.support import ROOT, message, process, run

APP = ROOT / "ui" / "app.py"
REFUND = "Can I get a refund for my order?"


# -- helpers ---------------------------------------------------------------------------


def console(agent: str | None = "Ann") -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    if agent:
        at.session_state["agent"] = agent
    return at.run()


def on_screen(at: AppTest) -> str:
    """Everything the agent can read: text, alerts and table cells."""
    assert not at.exception, [e.value for e in at.exception]
    parts: list[Any] = []
    for kind in ("markdown", "caption", "text", "code", "success", "info", "warning", "error"):
        parts += [getattr(e, "value", "") for e in getattr(at, kind)]
    parts += [df.value.to_string() for df in at.dataframe]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def queued(settings: Settings, *texts: str, **kwargs: Any) -> list[int]:
    msgs = [message(t, id=f"r{n}") for n, t in enumerate(texts, 1)]
    return [r.item_id for r in run(process(settings, *msgs, **kwargs))]


def service(settings: Settings, work: Any) -> Any:
    async def go() -> Any:
        async with open_assistant(settings) as assistant:
            return work(assistant)

    return run(go())


def item(settings: Settings, item_id: int) -> ReviewItem:
    return service(settings, lambda a: a.queue.get(item_id))


def outbox(settings: Settings) -> list[OutboxMessage]:
    return service(settings, lambda a: a.queue.outbox())


def audit(settings: Settings, item_id: int) -> list[AuditEvent]:
    return service(settings, lambda a: a.queue.audit_log(item_id))


def decide_elsewhere(settings: Settings, item_id: int, decision: Decision) -> None:
    async def go() -> None:
        async with open_assistant(settings) as assistant:
            await assistant.decide(item_id, decision)

    run(go())


def disclosed(settings: Settings, body: str) -> str:
    return with_disclosure(load_knowledge(settings.knowledge_dir).policy.disclosure, body)


def click(at: AppTest, label: str) -> AppTest:
    return next(b for b in at.button if b.label == label).click().run()


class BrokenDrafter:
    async def draft(self, ctx: DraftContext) -> Draft:
        raise RuntimeError("the drafting service fell over")


# -- the queue -------------------------------------------------------------------------


def test_queue_shows_the_refund_message_with_why_it_is_there(ingested: Settings) -> None:
    [item_id] = queued(ingested, REFUND)
    at = console()
    screen = on_screen(at)
    table = at.dataframe[0].value
    assert list(table["id"]) == [item_id]
    assert "refund" in table["why"][0]
    assert "Showing 1 of 1 open items" in screen
    assert REFUND in screen
    assert "mentions a refund" in screen
    assert "template draft" in screen
    draft = item(ingested, item_id).draft
    assert draft and at.text_area[0].value == draft
    assert disclosed(ingested, draft) in screen  # the preview of what the customer sees


def test_filters_narrow_the_queue_and_the_counts(ingested: Settings) -> None:
    lawyer = message("My lawyer will hear about this.", id="ig-1", channel="instagram")
    refund, legal = [r.item_id for r in run(process(ingested, message(REFUND), lawyer))]
    at = console()
    assert "Showing 2 of 2 open items" in on_screen(at)
    at.multiselect(key="f_channel").select("instagram").run()
    assert list(at.dataframe[0].value["id"]) == [legal]
    assert "Showing 1 of 2 open items" in on_screen(at)
    at.multiselect(key="f_channel").unselect("instagram").run()
    at.multiselect(key="f_topic").select("refund").run()
    assert list(at.dataframe[0].value["id"]) == [refund]
    at.checkbox(key="f_attention").check().run()
    assert "No open item matches these filters." in on_screen(at)


def test_picking_an_item_in_the_selectbox_opens_it(ingested: Settings) -> None:
    _, legal = queued(ingested, REFUND, "My lawyer will hear about order FH-10264.")
    at = console()
    at.selectbox(key="pick").select(legal).run()
    assert at.subheader[0].value == f"Item #{legal}"
    assert "My lawyer will hear about order FH-10264." in on_screen(at)


# -- decisions -------------------------------------------------------------------------


def test_approve_sends_one_disclosed_reply_and_the_item_leaves_the_queue(
    ingested: Settings,
) -> None:
    [item_id] = queued(ingested, REFUND)
    draft = item(ingested, item_id).draft
    assert draft
    at = click(console(), "Approve")
    screen = on_screen(at)
    assert f"Item #{item_id} approved by Ann: the reply was sent." in screen
    assert "Nothing to review." in screen
    sent = outbox(ingested)
    assert [m.text for m in sent] == [disclosed(ingested, draft)]
    assert item(ingested, item_id).status == "sent"


def test_outbox_lists_sent_replies_newest_first(ingested: Settings) -> None:
    first, second = queued(ingested, REFUND, "Please refund me, the sweater was too small.")
    at = console()
    at.selectbox(key="pick").select(first).run()
    at = click(click(at, "Approve"), "Approve")  # the second item opens after the first
    assert "Nothing to review." in on_screen(at)
    at.sidebar.radio(key="view").set_value("Outbox").run()
    table = at.dataframe[0].value
    assert list(table["item"]) == [second, first]
    draft = item(ingested, second).draft
    assert draft and table["text"][0] == disclosed(ingested, draft)


def test_edited_draft_is_sent_with_the_disclosure_and_audited(ingested: Settings) -> None:
    [item_id] = queued(ingested, REFUND)
    draft = item(ingested, item_id).draft
    assert draft
    edited = "Hi Marcus, yes: start your return and we refund you within a week. — Fernhill"
    at = console()
    at.text_area[0].input(edited).run()
    screen = on_screen(at)
    assert "Approve sends your text, recorded as an edit" in screen
    assert "+Hi Marcus, yes: start your return" in screen  # the diff, before sending
    assert disclosed(ingested, edited) in screen  # and the preview follows the edit
    at = click(at, "Approve")
    assert f"Item #{item_id} edited and approved by Ann: the reply was sent." in on_screen(at)
    assert [m.text for m in outbox(ingested)] == [disclosed(ingested, edited)]
    edit = next(e for e in audit(ingested, item_id) if e.action == "edit")
    assert (edit.actor, edit.before_text, edit.after_text) == ("Ann", draft, edited)
    at.sidebar.radio(key="view").set_value("Audit").run()
    table = at.dataframe[0].value
    row = table[table["action"] == "edit"].iloc[0]
    assert (row["actor"], row["before"], row["after"]) == ("Ann", draft, edited)


def test_reject_without_a_reason_is_refused_and_with_one_it_is_rejected(
    ingested: Settings,
) -> None:
    [item_id] = queued(ingested, REFUND)
    at = click(console(), "Reject")
    assert f"Item #{item_id} was not rejected: give a reason" in at.error[0].value
    assert item(ingested, item_id).status == "pending"
    at.text_input(key=f"reason-{item_id}").input("Customer already refunded by phone").run()
    at = click(at, "Reject")
    assert f"Item #{item_id} rejected by Ann: no reply will be sent." in on_screen(at)
    assert item(ingested, item_id).status == "rejected"
    assert outbox(ingested) == []
    assert audit(ingested, item_id)[-1].reason == "Customer already refunded by phone"


def test_escalate_to_legal_keeps_the_item_open_for_that_role(ingested: Settings) -> None:
    [item_id] = queued(ingested, REFUND)
    at = console()
    at.selectbox(key=f"to-{item_id}").select("legal").run()
    at.text_input(key=f"note-{item_id}").input("mentions a chargeback").run()
    at = click(at, "Escalate")
    screen = on_screen(at)
    assert f"Item #{item_id} escalated to legal by Ann." in screen
    assert "escalated to legal" in screen
    assert at.dataframe[0].value["status"][0] == "escalated"
    escalated = item(ingested, item_id)
    assert (escalated.status, escalated.escalated_to) == ("escalated", "legal")
    assert audit(ingested, item_id)[-1].reason == "to legal: mentions a chargeback"


@pytest.mark.parametrize("label", ["Approve", "Reject", "Escalate"])
def test_actions_without_an_agent_name_are_refused(ingested: Settings, label: str) -> None:
    [item_id] = queued(ingested, REFUND)
    at = click(console(agent=None), label)
    assert "Enter your agent name in the sidebar first" in at.warning[0].value
    assert item(ingested, item_id).status == "pending"
    assert outbox(ingested) == []


def test_approving_an_item_someone_already_sent_shows_a_conflict(ingested: Settings) -> None:
    [item_id] = queued(ingested, REFUND)
    at = console()  # Ann has the item open ...
    decide_elsewhere(ingested, item_id, Approve(actor="Bea"))  # ... Bea sends it first
    at = click(at, "Approve")
    assert f"Item #{item_id} is already sent by Bea" in at.error[0].value
    assert len(outbox(ingested)) == 1
    assert [e.actor for e in audit(ingested, item_id) if e.action == "approve"] == ["Bea"]


def test_approving_an_item_escalated_meanwhile_is_refused_not_overwritten(
    ingested: Settings,
) -> None:
    [item_id] = queued(ingested, REFUND)
    at = console()
    decide_elsewhere(ingested, item_id, Escalate(actor="Bea", to="legal"))
    at = click(at, "Approve")
    assert f"Item #{item_id} changed since you opened it" in at.error[0].value
    assert outbox(ingested) == []
    assert item(ingested, item_id).status == "escalated"
    assert "escalated to legal" in on_screen(at)  # the fresh state is on screen now


def test_flagged_item_shows_the_error_and_retry_drafts_it_again(ingested: Settings) -> None:
    [item_id] = queued(ingested, REFUND, drafter=BrokenDrafter())
    at = console()
    assert at.dataframe[0].value["⚠"][0] == "⚠"
    assert "the drafting service fell over" in at.warning[0].value
    at = click(at, "Retry")
    assert f"Item #{item_id} ran through the pipeline again: pending." in on_screen(at)
    fresh = item(ingested, item_id)
    assert not fresh.needs_attention and fresh.draft
    assert not any(b.label == "Retry" for b in at.button)
    assert [e.actor for e in audit(ingested, item_id) if e.action == "retry"] == ["Ann"]


def test_long_messages_are_cut_with_the_rest_in_an_expander(ingested: Settings) -> None:
    text = "Where is my refund? " + "I have waited so long. " * 120 + "THE END"
    queued(ingested, text)
    at = console()
    assert text[:200] in on_screen(at)
    rest = next(e for e in at.expander if e.label.startswith("Show the rest"))
    assert "THE END" in rest.text[0].value


def test_service_errors_are_shown_in_plain_words(
    ingested: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_CONCURRENCY", "0")
    at = console()
    assert "ASSISTANT_CONCURRENCY" in at.error[0].value
