"""The queue and item pages: what agents see and what their clicks change (queue, outbox,
audit), through AppTest against the real pipeline and database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assistant.errors import AssistantError
from assistant.pipeline.drafting import Draft, DraftContext
from assistant.review.decisions import Approve, Edit, Escalate
from assistant.settings import Settings
from tests.console_support import (
    REFUND,
    add_users,
    audit,
    click,
    console,
    decide_elsewhere,
    disclosed,
    go,
    item,
    on_screen,
    open_item,
    outbox,
    queued,
)
from tests.support import message, process, run


@pytest.fixture
def desk(ingested: Settings) -> Settings:
    """The sample brand, ingested, with ann and bea (agents), lea (lead), ada (admin)."""
    add_users(ingested)
    return ingested


class BrokenDrafter:
    async def draft(self, ctx: DraftContext) -> Draft:
        raise RuntimeError("the drafting service fell over")


# -- the queue -------------------------------------------------------------------------


def test_queue_lists_open_items_most_urgent_first_with_why(desk: Settings) -> None:
    refund, lawyer = queued(desk, REFUND, "My lawyer will hear about order FH-10264.")
    at = console()
    table = at.dataframe[0].value
    assert list(table["id"]) == [lawyer, refund]  # legal outranks money
    assert "refund" in table["why"][1]
    screen = on_screen(at)
    assert "Showing 2 of 2 open items" in screen
    assert "Can I get a refund for my order?" in table["message"][1]


def test_filters_show_counts_and_narrow_the_queue(desk: Settings) -> None:
    lawyer = message("My lawyer will hear about this.", id="ig-1", channel="instagram")
    refund, legal = [r.item_id for r in run(process(desk, message(REFUND), lawyer))]
    at = console()
    channel = at.multiselect(key="f_channel")
    assert channel.options == ["instagram (1)", "web_chat (1)"]
    channel.select("instagram").run()
    assert list(at.dataframe[0].value["id"]) == [legal]
    assert "Showing 1 of 2 open items" in on_screen(at)
    at.multiselect(key="f_channel").unselect("instagram").run()
    at.multiselect(key="f_topic").select("refund").run()
    assert list(at.dataframe[0].value["id"]) == [refund]
    at.multiselect(key="f_draft").select("template").run()
    assert list(at.dataframe[0].value["id"]) == [refund]
    at.checkbox(key="f_attention").check().run()
    assert "No open item matches these filters." in on_screen(at)


def test_filters_are_kept_while_an_item_is_worked(desk: Settings) -> None:
    lawyer = message("My lawyer will hear about this.", id="ig-1", channel="instagram")
    other = message("My lawyer again.", id="ig-2", channel="instagram")
    _, first, second = [r.item_id for r in run(process(desk, message(REFUND), lawyer, other))]
    at = console()
    at.multiselect(key="f_channel").select("instagram").run()
    at = click(open_item(at, first), "Approve & next")  # the next item within the filters
    assert f"Item #{second}" in on_screen(at)
    at = go(at, "Queue")
    assert at.multiselect(key="f_channel").value == ["instagram"]
    assert list(at.dataframe[0].value["id"]) == [second]


def test_breached_reply_deadlines_are_flagged(desk: Settings) -> None:
    old = datetime.now(UTC) - timedelta(days=2)
    run(
        process(
            desk, message(REFUND, id="late", received_at=old.isoformat()), message(REFUND, id="new")
        )
    )
    at = console()
    due = list(at.dataframe[0].value["reply due"])
    assert due[0].startswith("🔴 OVERDUE")  # red: breached
    assert "left" in due[1] and not due[1].startswith("🔴")
    assert "1 past their reply deadline" in on_screen(at)


# -- the item page ---------------------------------------------------------------------


def test_item_page_shows_message_customer_reasons_sources_and_preview(desk: Settings) -> None:
    earlier = message("Is the merino sweater warm?", id="earlier")
    now = message(REFUND + " It is FH-10293.", id="now")
    run(process(desk, earlier))
    [result] = run(process(desk, now))
    at = open_item(console(), result.item_id)
    screen = on_screen(at)
    assert f"Item #{result.item_id}" in screen
    assert "Can I get a refund for my order? It is FH-10293." in screen
    assert "Conversation so far (1 earlier messages and replies)" in screen
    assert "Marcus" in screen and "C1004" in screen  # the customer card
    [orders] = [d.value for d in at.dataframe if "order" in d.value]
    assert "FH-10293" in orders["order"].tolist()  # past orders
    assert "mentions a refund" in screen  # why it is here
    assert "**Sources** (" in screen and ".md:" in screen  # retrieved files with lines
    draft = item(desk, result.item_id).draft
    assert draft and at.text_area[0].value == draft
    assert disclosed(desk, draft) in screen  # what the customer will see
    assert f"{len(disclosed(desk, draft))} of " in screen  # length against the channel limit


def test_deep_link_opens_the_item(desk: Settings) -> None:
    [item_id] = queued(desk, REFUND)
    from streamlit.testing.v1 import AppTest

    from tests.console_support import APP

    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["user"] = "ann"
    at.query_params["item"] = str(item_id)
    at.run()
    assert f"Item #{item_id}" in on_screen(at)


def test_an_item_open_beside_the_queue_is_in_the_address_and_a_reload_reopens_it_there(
    desk: Settings,
) -> None:
    [item_id] = queued(desk, REFUND)
    at = open_item(console(), item_id)
    assert (at.query_params["item"], at.query_params["pane"]) == (str(item_id), "1")
    from streamlit.testing.v1 import AppTest

    from tests.console_support import APP

    reloaded = AppTest.from_file(str(APP), default_timeout=60)
    reloaded.session_state["user"] = "ann"
    reloaded.query_params.update(item=str(item_id), pane="1")
    reloaded.run()
    assert reloaded.session_state["page"] == "Queue"  # the pane, not the Item page
    assert f"Item #{item_id}" in on_screen(reloaded)


# -- decisions -------------------------------------------------------------------------


def test_approve_sends_one_disclosed_reply_and_the_item_leaves_the_queue(
    desk: Settings,
) -> None:
    [item_id] = queued(desk, REFUND)
    draft = item(desk, item_id).draft
    assert draft
    at = click(open_item(console(), item_id), "Approve & next")
    screen = on_screen(at)
    assert f"Item #{item_id} approved by ann: the reply was sent." in screen
    assert "Nothing to review." in screen  # back on the queue, now empty
    assert [m.text for m in outbox(desk)] == [disclosed(desk, draft)]
    assert [(e.actor, e.action) for e in audit(desk, item_id)][-2:] == [
        ("ann", "approve"),
        ("ann", "sent"),
    ]


def test_a_decided_item_shows_who_decided_it_and_the_text_that_was_sent(desk: Settings) -> None:
    [item_id] = queued(desk, REFUND)
    edited = "Hi Marcus, start your return on our site and we refund you within a week."
    at = open_item(console(), item_id)
    at.text_area[0].input(edited).run()
    click(at, "Edit, send & next")
    from streamlit.testing.v1 import AppTest

    from tests.console_support import APP

    link = AppTest.from_file(str(APP), default_timeout=60)
    link.session_state["user"] = "bea"
    link.query_params["item"] = str(item_id)
    screen = on_screen(link.run())
    assert "This item is sent by ann; there is nothing left to decide." in screen
    assert "**What was sent**" in screen and edited in screen
    assert not [b for b in link.button if b.label in ("Approve & next", "Reject & next")]


def test_edit_shows_the_diff_then_sends_the_edited_text(desk: Settings) -> None:
    [item_id] = queued(desk, REFUND)
    draft = item(desk, item_id).draft
    edited = "Hi Marcus, yes: start your return and we refund you within a week. — Fernhill"
    at = open_item(console(), item_id)
    at.text_area[0].input(edited).run()
    screen = on_screen(at)
    assert "Approve sends your text, recorded as an edit" in screen
    assert "+Hi Marcus, yes: start your return" in screen  # the diff, before sending
    assert disclosed(desk, edited) in screen  # the preview follows the edit
    at = click(at, "Edit, send & next")
    assert f"Item #{item_id} edited and approved by ann: the reply was sent." in on_screen(at)
    assert [m.text for m in outbox(desk)] == [disclosed(desk, edited)]
    edit = next(e for e in audit(desk, item_id) if e.action == "edit")
    assert (edit.actor, edit.before_text, edit.after_text) == ("ann", draft, edited)


def test_reject_needs_a_reason(desk: Settings) -> None:
    [item_id] = queued(desk, REFUND)
    at = click(open_item(console(), item_id), "Reject & next")
    assert f"Item #{item_id} was not rejected: give a reason" in at.error[0].value
    assert item(desk, item_id).status == "pending"
    at.text_input(key=f"reason-{item_id}").input("Customer already refunded by phone").run()
    at = click(at, "Reject & next")
    assert f"Item #{item_id} rejected by ann: no reply will be sent." in on_screen(at)
    assert item(desk, item_id).status == "rejected"
    assert outbox(desk) == []
    assert audit(desk, item_id)[-1].reason == "Customer already refunded by phone"


def test_escalated_item_waits_for_the_lead_and_agents_cannot_decide_it(desk: Settings) -> None:
    [item_id] = queued(desk, REFUND)
    at = click(open_item(console(), item_id), "Claim")
    at.selectbox(key=f"to-{item_id}").select("lead").run()
    at.text_input(key=f"note-{item_id}").input("mentions a chargeback").run()
    at = click(at, "Escalate")
    assert f"Item #{item_id} escalated to lead by ann." in on_screen(at)
    assert at.dataframe[0].value["status · claimed by"][0] == "escalated → lead"
    assert audit(desk, item_id)[-1].reason == "to lead: mentions a chargeback"

    assert item(desk, item_id).assignee is None  # an escalation ends the agent's claim
    at = click(open_item(console("bea"), item_id), "Approve & next")  # another agent
    assert "was escalated to the lead role; as agent you cannot decide it" in at.error[0].value
    assert outbox(desk) == []
    at = click(open_item(console("lea"), item_id), "Approve & next")  # the lead can
    assert f"Item #{item_id} approved by lea: the reply was sent." in on_screen(at)
    assert len(outbox(desk)) == 1


def test_approving_an_item_someone_already_sent_shows_a_conflict(desk: Settings) -> None:
    [item_id] = queued(desk, REFUND)
    at = open_item(console(), item_id)  # ann has the item open ...
    decide_elsewhere(desk, item_id, Approve(actor="bea"))  # ... bea sends it first
    at = click(at, "Approve & next")
    assert f"Item #{item_id} is already sent by bea" in at.error[0].value
    assert len(outbox(desk)) == 1
    assert [e.actor for e in audit(desk, item_id) if e.action == "approve"] == ["bea"]


def test_approving_an_item_escalated_meanwhile_is_refused_not_overwritten(
    desk: Settings,
) -> None:
    [item_id] = queued(desk, REFUND)
    at = open_item(console(), item_id)
    decide_elsewhere(desk, item_id, Escalate(actor="bea", to="lead"))
    at = click(at, "Approve & next")
    assert f"Item #{item_id} changed since you opened it" in at.error[0].value
    assert outbox(desk) == []
    assert item(desk, item_id).status == "escalated"


def test_a_claimed_item_is_not_decided_by_another_agent(desk: Settings) -> None:
    [item_id] = queued(desk, REFUND)
    at = click(open_item(console("ann"), item_id), "Claim")
    assert "is yours" in on_screen(at)
    assert console("bea").dataframe[0].value["status · claimed by"][0] == "pending · ann"
    bea = open_item(console("bea"), item_id)
    assert "Claimed by ann" in on_screen(bea)
    bea = click(bea, "Approve & next")
    assert f"Item #{item_id} is claimed by ann" in bea.error[0].value
    assert outbox(desk) == []
    lead = click(open_item(console("lea"), item_id), "Take over")  # a lead can reassign
    assert item(desk, item_id).assignee == "lea"
    assert "is yours" in on_screen(lead)
    actions = [(e.actor, e.action, e.reason) for e in audit(desk, item_id)]
    assert ("ann", "claim", None) in actions and ("lea", "take-over", "ann") in actions


def test_signing_out_releases_claims(desk: Settings) -> None:
    [item_id] = queued(desk, REFUND)
    at = click(open_item(console("ann"), item_id), "Claim")
    assert item(desk, item_id).assignee == "ann"
    at = click(at, "Sign out")
    assert item(desk, item_id).assignee is None
    assert "Released 1 item(s) you had claimed." in on_screen(at)


def test_flagged_item_shows_the_error_and_retry_drafts_it_again(desk: Settings) -> None:
    [item_id] = queued(desk, REFUND, drafter=BrokenDrafter())
    at = console()
    assert at.dataframe[0].value["⚠"][0] == "⚠"
    at = open_item(at, item_id)
    assert "the drafting service fell over" in at.warning[0].value
    at = click(at, "Retry the pipeline")
    assert f"Item #{item_id} ran through the pipeline again: pending." in on_screen(at)
    fresh = item(desk, item_id)
    assert not fresh.needs_attention and fresh.draft
    assert [e.actor for e in audit(desk, item_id) if e.action == "retry"] == ["ann"]


# -- bulk ------------------------------------------------------------------------------


def test_bulk_approve_shows_a_review_sheet_then_sends_after_the_undo_window(
    desk: Settings,
) -> None:
    thanks = [f"What a lovely colour! #{n}" for n in range(3)]
    ids = queued(desk, REFUND, *thanks, channel="whatsapp")
    refund, low = ids[0], ids[1:]
    assert all(item(desk, i).status == "pending" for i in ids)
    at = console()
    at.multiselect(key="bulk_ids").set_value(ids).run()
    at = click(at, "Approve selected")
    screen = on_screen(at)
    assert f"Review before sending: {len(low)} of {len(ids)} can go" in screen
    assert "touches refund: approve it on its own page" in screen
    assert disclosed(desk, item(desk, low[0]).draft or "") in screen  # the exact reply
    assert outbox(desk) == []  # nothing leaves from the sheet
    at = click(at, f"Send {len(low)} replies (undo for 10 s)")
    assert f"Sending {len(low)} replies in" in on_screen(at)
    assert outbox(desk) == []
    versions, _ = at.session_state["bulk_pending"]
    at.session_state["bulk_pending"] = (versions, 0.0)  # the undo window has passed
    screen = on_screen(at.run())
    assert f"{len(low)} item(s) approved and sent" in screen
    assert item(desk, refund).status == "pending"
    assert sorted(m.item_id for m in outbox(desk)) == sorted(low)
    assert all(not m.automated and m.sent_by == "ann" for m in outbox(desk))


def test_undo_in_the_window_sends_nothing(desk: Settings) -> None:
    ids = queued(desk, "Nice photo!", "Happy Friday everyone!", channel="whatsapp")
    at = console()
    at.multiselect(key="bulk_ids").set_value(ids).run()
    at = click(click(at, "Approve selected"), "Send 2 replies (undo for 10 s)")
    at = click(at, "Undo")
    assert "Bulk approval undone: nothing was sent." in on_screen(at)
    assert outbox(desk) == [] and "bulk_pending" not in at.session_state


def test_the_review_sheet_refuses_complaints_and_requests_for_a_person(desk: Settings) -> None:
    ids = queued(
        desk,
        "This is the worst service ever, I am furious and disappointed.",
        "Can I talk to a real person please?",
        "Happy Friday everyone!",
        channel="whatsapp",
    )
    at = click(console(), "Select 1 low-risk")
    assert at.multiselect(key="bulk_ids").value == [ids[2]]
    at.multiselect(key="bulk_ids").set_value(ids).run()
    screen = on_screen(click(at, "Approve selected"))
    assert "Review before sending: 1 of 3 can go" in screen
    assert "touches complaint" in screen and "touches human_requested" in screen


def test_select_low_risk_then_bulk_reject_with_a_reason(desk: Settings) -> None:
    ids = queued(desk, REFUND, "Nice photo!", "What a lovely colour!", channel="whatsapp")
    at = click(console(), f"Select {len(ids) - 1} low-risk")
    assert sorted(at.multiselect(key="bulk_ids").value) == sorted(ids[1:])
    at = click(at, "Reject selected")
    assert "Give a reason to reject" in at.error[0].value
    at.text_input(key="bulk_reason").input("Comments after the live stream: no reply needed")
    at = click(at.run(), "Reject selected")
    assert "2 item(s) rejected" in on_screen(at)
    assert [item(desk, i).status for i in ids] == ["pending", "rejected", "rejected"]
    assert outbox(desk) == []


def test_outbox_lists_what_was_sent(desk: Settings) -> None:
    [item_id] = queued(desk, REFUND)
    at = click(open_item(console(), item_id), "Approve & next")
    at = go(at, "Outbox")
    table = at.dataframe[0].value
    assert list(table["item"]) == [item_id]
    assert table["by"][0] == "ann"


def test_spam_folder_restores_a_message_to_the_queue(desk: Settings) -> None:
    spam = "FREE FOLLOWERS!!! Click bit.ly/free-followers-now to get 10k followers"
    [result] = run(process(desk, message(spam, id="spam-1")))
    assert result.route == "hidden"
    at = go(console(), "Spam folder")
    assert spam in on_screen(at)
    at = click(at, "Not spam")
    assert f"Item #{result.item_id} restored by ann: it is pending now." in on_screen(at)
    assert "Nothing is hidden." in on_screen(at)
    assert "1 hidden in total, 1 restored by agents (false-positive rate 100%)" in on_screen(at)
    assert item(desk, result.item_id).status == "pending"


def test_a_reply_longer_than_the_channel_allows_is_not_sent(desk: Settings) -> None:
    [item_id] = queued(desk, REFUND)
    at = open_item(console(), item_id)
    at.text_area[0].input("Hi! " + "We are sorry. " * 80).run()
    assert "too long: shorten it before sending" in on_screen(at)
    assert next(b for b in at.button if b.label == "Edit, send & next").disabled
    assert outbox(desk) == [] and item(desk, item_id).status == "pending"


def test_a_too_long_reply_typed_and_sent_at_once_is_refused_by_the_service(
    desk: Settings,
) -> None:
    [item_id] = queued(desk, REFUND)
    with pytest.raises(AssistantError, match="Shorten it, then send; nothing was sent"):
        decide_elsewhere(desk, item_id, Edit(actor="ann", text="Hi! " + "We are sorry. " * 80))
    assert outbox(desk) == [] and item(desk, item_id).status == "pending"


# -- the workspace: drafts, next, presence -----------------------------------------------


def test_an_edit_is_kept_claims_the_item_and_shows_others_who_is_editing(desk: Settings) -> None:
    [item_id] = queued(desk, "Do you ship to Norway?", channel="whatsapp")
    bea = open_item(console("bea"), item_id)
    box = next(t for t in bea.text_area if t.key.startswith(f"text-{item_id}-"))
    box.input("Yes, we ship to Norway in 3-5 days.").run()
    assert item(desk, item_id).assignee == "bea"  # editing claimed it
    screen = on_screen(open_item(console("bea"), item_id))  # a new tab: the edit is back
    assert "Your unsent edit" in screen
    ann = open_item(console("ann"), item_id)
    assert "bea is editing this reply" in on_screen(ann)
    assert "Claimed by bea" in on_screen(ann)


def test_approving_an_edit_right_after_the_claim_it_made_is_not_a_conflict(
    desk: Settings,
) -> None:
    [item_id] = queued(desk, "Do you ship to Norway?", channel="whatsapp")
    at = open_item(console(), item_id)
    box = next(t for t in at.text_area if t.key.startswith(f"text-{item_id}-"))
    box.input("Yes, we ship to Norway.")  # committed together with the click
    at = click(at, "Approve & next")
    assert f"Item #{item_id} edited and approved by ann" in on_screen(at)
    assert outbox(desk)[-1].text.endswith("Yes, we ship to Norway.")


def test_next_skips_items_escalated_past_the_agents_role(desk: Settings) -> None:
    first, escalated, third = queued(
        desk, "Nice photo!", "Happy Friday everyone!", "What a lovely colour!", channel="whatsapp"
    )
    decide_elsewhere(desk, escalated, Escalate(actor="lea", to="lead", note="VIP"))
    at = open_item(console(), first)
    at = click(at, "Next (J)")
    assert f"Item #{third}" in on_screen(at)
    at = click(at, "Prev (K)")
    assert f"Item #{first}" in on_screen(at)


HANDOFF = (
    "Thanks for your message. I've passed it to a person on our team, and they'll reply "
    "here within one business day."
)


def test_a_hand_off_reply_opens_a_follow_up_until_someone_marks_it_done(
    desk: Settings,
) -> None:
    [item_id] = queued(desk, "Do you ship to Norway?", channel="whatsapp")
    at = open_item(console(), item_id)
    next(t for t in at.text_area if t.key.startswith(f"text-{item_id}-")).input(HANDOFF)
    at = click(at, "Approve & next")
    assert f"Item #{item_id} promised a reply from a person: it is a follow-up now." in (
        on_screen(at)
    )
    at = go(at, "Queue")
    assert "Follow-ups promised to customers (1 open, 0 late)" in on_screen(at)
    at = click(at, "Done")
    assert f"Follow-up for item #{item_id} done." in on_screen(at)
    assert "Follow-ups promised" not in on_screen(at)
